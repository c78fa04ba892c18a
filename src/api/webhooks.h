/* webhooks.h: referral events pushed to subscribed systems.
 *
 * webhook_emit is called by a handler inside its write transaction: it queues one delivery per
 * active subscription whose events match and whose region (if any) contains `region`, so an
 * event is announced exactly when its change commits. A background worker (started by `serve`)
 * POSTs each delivery as JSON with the header
 *   X-Jingkang-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
 * and retries failures with exponential back-off (1 min doubling, at most 12 attempts), then
 * marks the delivery failed. */
#ifndef JK_WEBHOOKS_H
#define JK_WEBHOOKS_H
#include "base/status.h"

struct app;
struct db;

/* event: "referral.created", "referral.<action>" (e.g. referral.dispatch), "referral.overdue";
 * payload: a JSON object text without personal data (ids, status, organization ids, times). */
jk_status webhook_emit(struct db *db, const char *event, const char *region, const char *payload_json);

/* hex HMAC-SHA256(secret, "<t>." + body): the v1 value of X-Jingkang-Signature. */
#include <stdint.h>
void webhook_signature(const char *secret, int64_t t, const char *body, char out[65]);

/* The delivery worker: one thread with its own database connection. The back-off base is
 * JINGKANG_WEBHOOK_BACKOFF_MS (default 60000) for tests. */
jk_status webhook_worker_start(struct app *app);
void webhook_worker_stop(void);

#endif
