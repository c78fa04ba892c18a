/* webhook_store.h: webhook subscriptions and their delivery outbox (api/webhooks.h). */
#ifndef JK_WEBHOOK_STORE_H
#define JK_WEBHOOK_STORE_H
#include <stdbool.h>
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

struct webhook_rec {
  int64_t rid;
  const char *id, *url, *events_json, *region, *created_by;
  const void *secret_enc;
  int secret_len;
  bool active;
  int64_t created_at;
};
jk_status webhook_store_insert(struct db *db, struct webhook_rec *w);   /* sets w->rid */
jk_status webhook_store_list(struct db *db, struct arena *a, struct webhook_rec **out, int64_t *n);
jk_status webhook_store_by_id(struct db *db, struct arena *a, const char *id, struct webhook_rec *out);
jk_status webhook_store_deactivate(struct db *db, int64_t rid);

/* A queued delivery with what sending it needs. */
struct webhook_delivery {
  int64_t rid, webhook_rid, attempts, next_at, created_at, done_at;
  int last_status;
  const char *webhook_id, *url, *event, *payload, *state, *last_error;
  const void *secret_enc;
  int secret_len;
};
/* Pending deliveries due at `now`, oldest first (active subscriptions only). */
jk_status webhook_store_due(struct db *db, struct arena *a, int64_t now, int64_t limit, struct webhook_delivery **out,
                            int64_t *n);
/* Records an attempt: state "done", "pending" (retry at next_at) or "failed". */
jk_status webhook_store_attempt(struct db *db, int64_t rid, const char *state, int64_t attempts, int64_t next_at,
                                int last_status, const char *last_error, int64_t now);
jk_status webhook_store_deliveries(struct db *db, struct arena *a, int64_t webhook_rid, int64_t limit,
                                   struct webhook_delivery **out, int64_t *n);

#endif
