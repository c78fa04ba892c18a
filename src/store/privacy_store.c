/* privacy_store.c: see privacy_store.h. */
#include "store/privacy_store.h"
#include <jansson.h>

static const char SQL_INSERT[] =
  "INSERT INTO pi_consent(id, client_rid, scope, signed_by, guardian_name, signed_on, version, recorded_by,"
  " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_LIST[] =
  "SELECT id, scope AS scope__json, signed_by, guardian_name, signed_on, version, recorded_by, recorded_at,"
  " withdrawn_on, withdrawn_reason, withdrawn_by, withdrawn_at FROM pi_consent WHERE client_rid = $1"
  " ORDER BY rid DESC LIMIT 1000";
static const char SQL_WITHDRAW[] =
  "UPDATE pi_consent SET withdrawn_on = $3, withdrawn_reason = $4, withdrawn_by = $5, withdrawn_at = $6"
  " WHERE client_rid = $1 AND id = $2 AND withdrawn_at IS NULL";
static const char SQL_EXISTS[] = "SELECT count(*) FROM pi_consent WHERE client_rid = $1 AND id = $2";
static const char SQL_IN_FORCE[] =
  "SELECT coalesce(sum(withdrawn_at IS NULL), 0), coalesce(sum(withdrawn_at IS NOT NULL), 0) FROM pi_consent"
  " WHERE client_rid = $1 AND EXISTS (SELECT 1 FROM json_each(scope) WHERE value = $2)";

jk_status consent_store_insert(struct db *db, const struct consent_rec *c)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, c->id);
  db_bind_int64(st, 2, c->client_rid);
  db_bind_text(st, 3, c->scope_json);
  db_bind_text(st, 4, c->signed_by);
  db_bind_text(st, 5, c->guardian_name);
  db_bind_text(st, 6, c->signed_on);
  db_bind_text(st, 7, c->version);
  db_bind_text(st, 8, c->recorded_by);
  db_bind_int64(st, 9, c->recorded_at);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status consent_store_list(struct db *db, int64_t client_rid, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LIST);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  return db_rows_json(st, rows);
}

jk_status consent_store_withdraw(struct db *db, int64_t client_rid, const char *id, const char *on,
                                 const char *reason, const char *by, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_WITHDRAW);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, id);
  db_bind_text(st, 3, on);
  db_bind_text(st, 4, reason);
  db_bind_text(st, 5, by);
  db_bind_int64(st, 6, now);
  int rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  if (sqlite3_changes(db_sqlite(db)) == 1) return JK_OK;
  int64_t n = 0;
  if (!(st = db_prepare(db, SQL_EXISTS))) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, id);
  jk_status s = db_step_int(st, &n);
  if (s != JK_OK) return s;
  return n ? JK_ECONFLICT : JK_ENOTFOUND;
}

jk_status consent_store_in_force(struct db *db, int64_t client_rid, const char *scope, bool *in_force,
                                 bool *any_withdrawn)
{
  sqlite3_stmt *st = db_prepare(db, SQL_IN_FORCE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, scope);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *in_force = sqlite3_column_int64(st, 0) > 0;
    *any_withdrawn = sqlite3_column_int64(st, 1) > 0;
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}
