/* ticker.h: a background thread that calls one function now and then every `period_ms` until
 * stopped (the server's minute sweep, the webhook delivery worker). Stopping wakes the thread
 * at once and joins it; the function is never called after ticker_stop returns. The caller
 * owns the struct (static storage is fine) and whatever `arg` points to. */
#ifndef JK_TICKER_H
#define JK_TICKER_H
#include <pthread.h>
#include <stdbool.h>
#include "base/status.h"

struct ticker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool running, stop;
  int period_ms;
  void (*fn)(void *arg);
  void *arg;
};

jk_status ticker_start(struct ticker *t, int period_ms, void (*fn)(void *arg), void *arg);
void ticker_stop(struct ticker *t);

#endif
