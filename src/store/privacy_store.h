/* privacy_store.h: PIPL records — the separate consent (单独同意, PIPL Art. 29) of a client to
 * the processing of their sensitive personal information, with its scope and its withdrawal
 * (Art. 15). Rows are never deleted or rewritten except to record a withdrawal once. */
#ifndef JK_PRIVACY_STORE_H
#define JK_PRIVACY_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct consent_rec {
  const char *id;
  int64_t client_rid;
  const char *scope_json;        /* JSON array of scope codes */
  const char *signed_by;         /* "client" or "guardian" */
  const char *guardian_name, *signed_on, *version, *recorded_by;
  int64_t recorded_at;
};

jk_status consent_store_insert(struct db *db, const struct consent_rec *c);
/* A client's consents as JSON rows, newest first: id, scope (array), signed_by, guardian_name,
 * signed_on, version, recorded_by, recorded_at, withdrawn_on, withdrawn_reason, withdrawn_by,
 * withdrawn_at (epoch ms or null). */
jk_status consent_store_list(struct db *db, int64_t client_rid, json_t *rows);
/* Records a withdrawal: JK_ENOTFOUND (no such consent of this client), JK_ECONFLICT (withdrawn
 * already). */
jk_status consent_store_withdraw(struct db *db, int64_t client_rid, const char *id, const char *on,
                                 const char *reason, const char *by, int64_t now);
/* Whether a consent in force (not withdrawn) covers `scope`; *any_withdrawn tells whether one
 * that covered it was withdrawn. */
jk_status consent_store_in_force(struct db *db, int64_t client_rid, const char *scope, bool *in_force,
                                 bool *any_withdrawn);

#endif
