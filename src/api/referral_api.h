/* referral_api.h: what the referral handlers share (referrals.c, referral_actions.c, inbox.c,
 * public_apply.c, referral_sweep.c). Not a public interface: the HTTP contract is docs/api.md. */
#ifndef JK_REFERRAL_API_H
#define JK_REFERRAL_API_H
#include <jansson.h>
#include "api/common.h"
#include "domain/referral.h"
#include "store/client_store.h"
#include "store/referral_store.h"

struct rules;

/* The policy's view of a referral; `op` names the transition for ACT_UPDATE. */
struct policy_object referral_po(const struct referral_rec *f, const char *op);

/* Loads the referral of the path (r->params[0]) and checks `act` (and `op`): replies 404/403
 * and returns false otherwise. */
bool referral_load(struct req *r, enum action act, const char *op, struct referral_rec *f);

/* The JSON of a referral for the caller: `actions` they may take now; `events` when asked. */
json_t *referral_json(struct req *r, const struct referral_rec *f, bool with_events);

/* The deadline of status `s` entered at `now` (0 when the status has none). */
int64_t referral_deadline(struct req *r, struct db *db, const struct referral_rec *f, enum ref_status s, int64_t now);

/* Inside the write transaction: the event row, the audit record and the webhook delivery of
 * one step. `detail` is a JSON object (borrowed) or NULL. */
jk_status referral_record(struct req *r, struct db *db, const struct referral_rec *f, const char *action,
                          const char *from_status, int64_t event_org, const char *reason, json_t *detail);

/* Rehab institutions for a referral, nearest first; `exclude_rid` left out. SUGGEST_FREE: those
 * with a free place that match the need and the client's eligibility there; SUGGEST_FULL: full
 * ones too; SUGGEST_ALL: every institution of the area, each marked eligible/matched. Fills
 * `items`, `excluded` and `eligibility` of the answer object. */
enum { SUGGEST_FREE, SUGGEST_FULL, SUGGEST_ALL };
json_t *referral_suggestions(struct req *r, const struct referral_rec *f, int64_t exclude_rid, int include);
/* The nearest institution with a free place other than exclude_rid, or 0. */
int64_t referral_nearest_free(struct req *r, const struct referral_rec *f, int64_t exclude_rid);

/* Validates a new-client body (as POST /clients) and fills c with a fresh id; replies on error.
 * Defined in clients.c. */
bool clients_prepare(struct req *r, json_t *body, struct client_rec *c, char id[37]);

/* The referral core shared by POST /referrals and the public application: inside a write
 * transaction, links or inserts the client (`new_client` when c->rid is 0), inserts f and its
 * first event. Replies on error and returns false; on success f->rid is set, nothing replied. */
bool referral_insert(struct req *r, struct client_rec *c, struct referral_rec *f);

/* Parses a `need` object: {"functions":[codes],"note"}; the canonical JSON text into *out. */
bool referral_need(struct req *r, json_t *v, const char **out);
/* Parses an optional {"lat","lng"} within China. */
bool referral_location(struct req *r, json_t *v, struct referral_rec *f);

/* The time-based rules as of `as_of` (waiting limit → recheck; newly overdue → webhook);
 * counts what it did. Runs its own write transactions on db. */
struct sweep_result { int64_t rechecked, overdue_announced; };
struct keys;
jk_status referral_sweep(struct db *db, const struct keys *k, int64_t as_of, struct sweep_result *out);

/* The server's sweeper: one thread with its own connection, running referral_sweep every
 * minute as of the clock's now. */
struct app;
jk_status referral_sweeper_start(const struct app *app);
void referral_sweeper_stop(void);

#endif
