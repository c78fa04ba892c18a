/* ratelimit.h: fixed-window request counters for what anyone may call without logging in
 * (the public application and its status page). One process-wide table of 4096 windows keyed
 * by a hash of (purpose, address); two keys that collide share a window, which errs on the
 * side of refusing. Thread-safe. */
#ifndef JK_RATELIMIT_H
#define JK_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

/* Counts one request of `key` at `now`; false when it is over `max` in the current window of
 * `window_ms`. */
bool ratelimit_allow(const char *purpose, const char *key, int max, int64_t window_ms, int64_t now);
/* Token buckets for every request (server.c): one bucket per key (a session, a token's user,
 * or an address), refilled at `rate` a second up to `burst`. Takes one token; false when the
 * bucket is empty, with *retry_ms the wait for the next token. 8192 buckets keyed by a hash of
 * the key; keys that collide share a bucket (errs on the side of refusing). */
bool ratelimit_take(const char *key, double rate, double burst, int64_t now, int64_t *retry_ms);
/* Forgets every window (tests and `serve` start). */
void ratelimit_reset(void);

#endif
