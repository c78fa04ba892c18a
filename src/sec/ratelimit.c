/* ratelimit.c: see ratelimit.h. */
#include "sec/ratelimit.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define SLOTS 4096

static struct { int64_t start; int count; } slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

bool ratelimit_allow(const char *purpose, const char *key, int max, int64_t window_ms, int64_t now)
{
  unsigned char h[8];
  crypto_generichash_state st;
  crypto_generichash_init(&st, 0, 0, sizeof h);
  crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
  crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
  crypto_generichash_final(&st, h, sizeof h);
  size_t i = ((size_t)h[0] | (size_t)h[1] << 8) % SLOTS;
  pthread_mutex_lock(&lock);
  if (now - slots[i].start >= window_ms || now < slots[i].start) {
    slots[i].start = now;
    slots[i].count = 0;
  }
  bool ok = ++slots[i].count <= max;
  pthread_mutex_unlock(&lock);
  return ok;
}

void ratelimit_reset(void)
{
  pthread_mutex_lock(&lock);
  memset(slots, 0, sizeof slots);
  pthread_mutex_unlock(&lock);
}
