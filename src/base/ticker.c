/* ticker.c: see ticker.h. The wait is a condition variable with a deadline, so a stop does not
 * wait out the period. */
#include "base/ticker.h"
#include <time.h>

static void *ticker_main(void *p)
{
  struct ticker *t = p;
  pthread_mutex_lock(&t->lock);
  while (!t->stop) {
    pthread_mutex_unlock(&t->lock);
    t->fn(t->arg);
    pthread_mutex_lock(&t->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += t->period_ms / 1000;
    until.tv_nsec += (long)(t->period_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    while (!t->stop && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0) {}
  }
  pthread_mutex_unlock(&t->lock);
  return 0;
}

jk_status ticker_start(struct ticker *t, int period_ms, void (*fn)(void *arg), void *arg)
{
  pthread_mutex_init(&t->lock, 0);
  pthread_cond_init(&t->wake, 0);
  t->period_ms = period_ms;
  t->fn = fn;
  t->arg = arg;
  t->stop = false;
  if (pthread_create(&t->thread, 0, ticker_main, t) != 0) return JK_EINTERNAL;
  t->running = true;
  return JK_OK;
}

void ticker_stop(struct ticker *t)
{
  if (!t->running) return;
  pthread_mutex_lock(&t->lock);
  t->stop = true;
  pthread_cond_signal(&t->wake);
  pthread_mutex_unlock(&t->lock);
  pthread_join(t->thread, 0);
  pthread_cond_destroy(&t->wake);
  pthread_mutex_destroy(&t->lock);
  t->running = false;
}
