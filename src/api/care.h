/* care.h: what the care endpoints share (assessments, plans, team, services, staff): loading
 * the client of the path under the care policy (OBJ_CARE), and the instrument JSON. */
#ifndef JK_CARE_API_H
#define JK_CARE_API_H
#include <jansson.h>
#include <stdbool.h>
#include "http/server.h"
#include "store/client_store.h"

struct instrument;

/* Loads the client r->params[0] and asks the policy for `act` on its care record: replies
 * 404 when it is not visible and 403 when it may not be changed; false after replying. */
bool care_client(struct req *r, enum action act, struct client_rec *c);
/* The instrument's public form: items in order with their allowed answers, sections, and the
 * scoring rules (so that a form can score live). Caller owns the result. */
json_t *instrument_json(const struct instrument *in);
/* One staff id (a string) of an active staff member of organization org_rid: {"id","name"}
 * (caller owns), or NULL after replying 422 naming `field`. */
json_t *care_staff_ref(struct req *r, json_t *v, int64_t org_rid, const char *field);
/* Replies with a download (reply_text) named `filename` (UTF-8, RFC 5987). */
void reply_download(struct req *r, const char *ctype, const char *filename, char *data, size_t len);
/* The same for a file on disk, sent as it is (takes the fd). */
void reply_download_fd(struct req *r, const char *ctype, const char *filename, int fd, uint64_t size);
/* Today as YYYY-MM-DD in the arena. */
const char *today_text(struct req *r);

#endif
