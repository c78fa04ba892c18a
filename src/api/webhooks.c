/* webhooks.c: the outbox side of webhooks.h — queueing one delivery per matching active
 * subscription inside the caller's write transaction. */
#include "api/webhooks.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/region_code.h"
#include "store/db.h"
#include "store/webhook_store.h"
#include <jansson.h>
#include <string.h>

/* "referral.*" matches every referral event; otherwise the names must be equal. */
static bool event_matches(json_t *patterns, const char *event)
{
  size_t i;
  json_t *p;
  json_array_foreach(patterns, i, p) {
    const char *s = json_string_value(p);
    if (!s) continue;
    size_t n = strlen(s);
    if (strcmp(s, event) == 0 || (n >= 2 && s[n - 1] == '*' && s[n - 2] == '.' && strncmp(s, event, n - 1) == 0))
      return true;
  }
  return false;
}

jk_status webhook_emit(struct db *db, const char *event, const char *region, const char *payload_json)
{
  struct arena *a = arena_new();
  struct webhook_sub *subs;
  int64_t n = 0;
  jk_status st = webhook_store_active(db, a, &subs, &n);
  int64_t now = clock_now_ms();
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    if (subs[i].region && region && !region_code_within(region, subs[i].region)) continue;
    json_error_t je;
    json_t *patterns = json_loads(subs[i].events_json, 0, &je);
    bool match = event_matches(patterns, event);
    json_decref(patterns);
    if (match) st = webhook_store_enqueue(db, subs[i].rid, event, payload_json, now);
  }
  arena_free(a);
  return st;
}
