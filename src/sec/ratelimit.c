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

#define BUCKETS 8192

static struct { double tokens; int64_t at; bool used; } buckets[BUCKETS];

bool ratelimit_take(const char *key, double rate, double burst, int64_t now, int64_t *retry_ms)
{
  unsigned char h[8];
  crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), 0, 0);
  size_t i = ((size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16) % BUCKETS;
  pthread_mutex_lock(&lock);
  if (!buckets[i].used || now < buckets[i].at) {
    buckets[i].used = true;
    buckets[i].tokens = burst;
  } else {
    buckets[i].tokens += (double)(now - buckets[i].at) * rate / 1000.0;
    if (buckets[i].tokens > burst) buckets[i].tokens = burst;
  }
  buckets[i].at = now;
  bool ok = buckets[i].tokens >= 1.0;
  if (ok) buckets[i].tokens -= 1.0;
  else *retry_ms = (int64_t)((1.0 - buckets[i].tokens) * 1000.0 / rate) + 1;
  pthread_mutex_unlock(&lock);
  return ok;
}

void ratelimit_reset(void)
{
  pthread_mutex_lock(&lock);
  memset(slots, 0, sizeof slots);
  memset(buckets, 0, sizeof buckets);
  pthread_mutex_unlock(&lock);
}
