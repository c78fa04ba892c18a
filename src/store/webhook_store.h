/* webhook_store.h: webhook subscriptions and their delivery outbox (api/webhooks.h). */
#ifndef JK_WEBHOOK_STORE_H
#define JK_WEBHOOK_STORE_H
#include <stdint.h>
#include "store/db.h"

struct arena;

struct webhook_sub {
  int64_t rid;
  const char *id, *url, *events_json, *region;
};

/* Active subscriptions (arena). */
jk_status webhook_store_active(struct db *db, struct arena *a, struct webhook_sub **out, int64_t *n);
/* Queues a delivery, due at once. */
jk_status webhook_store_enqueue(struct db *db, int64_t webhook_rid, const char *event, const char *payload, int64_t now);

#endif
