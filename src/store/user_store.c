/* user_store.c: see user_store.h. */
#include "store/user_store.h"
#include "base/arena.h"
#include <string.h>

#define USER_COLS \
  "u.rid, u.id, u.username, u.display_name, u.role, u.region, u.pw_hash, u.organization_rid," \
  " o.id, o.name, u.disabled, u.failed_count, u.locked_until, u.created_at, u.updated_at," \
  " u.totp_secret, u.totp_pending, u.totp_last_step, coalesce(u.totp_enabled_at, 0)"
#define USER_FROM " FROM app_user u LEFT JOIN organization o ON o.rid = u.organization_rid"

static const char SQL_INSERT[] =
  "INSERT INTO app_user(id, username, display_name, role, region, organization_rid, pw_hash,"
  " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
static const char SQL_BY_USERNAME[] = "SELECT " USER_COLS USER_FROM " WHERE u.username = $1";
static const char SQL_BY_ID[] = "SELECT " USER_COLS USER_FROM " WHERE u.id = $1";
static const char SQL_BY_RID[] = "SELECT " USER_COLS USER_FROM " WHERE u.rid = $1";
static const char SQL_LIST[] =
  "SELECT " USER_COLS ", count(*) OVER ()" USER_FROM
  " WHERE ($1 IS NULL OR instr(u.username, $1) > 0 OR instr(u.display_name, $1) > 0)"
  " AND ($2 IS NULL OR u.role = $2) ORDER BY u.username LIMIT $3 OFFSET $4";
static const char SQL_COUNT[] = "SELECT count(*) FROM app_user";
static const char SQL_UPDATE[] =
  "UPDATE app_user SET display_name = coalesce($2, display_name),"
  " disabled = CASE WHEN $3 < 0 THEN disabled ELSE $3 END, pw_hash = coalesce($4, pw_hash),"
  " updated_at = $5 WHERE rid = $1";
static const char SQL_SET_LOCK[] =
  "UPDATE app_user SET failed_count = $2, locked_until = $3 WHERE rid = $1";
static const char SQL_SESSION_INSERT[] =
  "INSERT INTO session(token_hash, user_rid, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)";
static const char SQL_SESSION_GET[] =
  "SELECT user_rid, csrf, created_at, last_seen, ended_at FROM session WHERE token_hash = $1";
static const char SQL_SESSION_TOUCH[] = "UPDATE session SET last_seen = $2 WHERE token_hash = $1";
static const char SQL_SESSION_END[] =
  "UPDATE session SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL";
static const char SQL_SESSION_END_ALL[] =
  "UPDATE session SET ended_at = $2 WHERE user_rid = $1 AND ended_at IS NULL";
static const char SQL_TOKEN_INSERT[] =
  "INSERT INTO api_token(id, token_hash, user_rid, name, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char SQL_TOKEN_USER[] =
  "SELECT " USER_COLS USER_FROM " JOIN api_token t ON t.user_rid = u.rid"
  " WHERE t.token_hash = $1 AND t.revoked_at IS NULL";

static const char SQL_TOTP_PENDING[] = "UPDATE app_user SET totp_pending = $2 WHERE rid = $1";
static const char SQL_TOTP_CONFIRM[] =
  "UPDATE app_user SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2,"
  " totp_enabled_at = $3 WHERE rid = $1 AND totp_pending IS NOT NULL";
static const char SQL_TOTP_SET[] =
  "UPDATE app_user SET totp_secret = $2, totp_pending = NULL, totp_last_step = 0, totp_enabled_at = $3"
  " WHERE rid = $1";
static const char SQL_TOTP_USED[] =
  "UPDATE app_user SET totp_last_step = $2 WHERE rid = $1 AND totp_last_step < $2";
static const char SQL_TOTP_RESET[] =
  "UPDATE app_user SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0, totp_enabled_at = NULL"
  " WHERE rid = $1";
static const char SQL_CHALLENGE_INSERT[] =
  "INSERT INTO login_challenge(token_hash, user_rid, created_at, expires_at) VALUES ($1, $2, $3, $4)";
static const char SQL_CHALLENGE_GET[] =
  "SELECT user_rid, created_at, expires_at, coalesce(used_at, 0) FROM login_challenge WHERE token_hash = $1";
static const char SQL_CHALLENGE_USE[] =
  "UPDATE login_challenge SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL";
/* Challenges older than a day are of no use to anyone: dropped whenever a new one is made. */
static const char SQL_CHALLENGE_PRUNE[] = "DELETE FROM login_challenge WHERE expires_at < $1";

static jk_status step_done(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status user_store_insert(struct db *db, const struct user_rec *u)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, u->id);
  db_bind_text(st, 2, u->username);
  db_bind_text(st, 3, u->display_name);
  db_bind_text(st, 4, u->role);
  db_bind_text(st, 5, u->region);
  if (u->org_rid) db_bind_int64(st, 6, u->org_rid);
  db_bind_text(st, 7, u->pw_hash);
  db_bind_int64(st, 8, u->created_at);
  return step_done(st);
}

static void *arena_memdup(struct arena *a, const void *p, size_t n)
{
  void *q = arena_alloc(a, n);
  memcpy(q, p, n);
  return q;
}

static void read_user(struct arena *a, sqlite3_stmt *st, struct user_rec *u)
{
  u->rid = sqlite3_column_int64(st, 0);
  u->id = db_col_text(a, st, 1);
  u->username = db_col_text(a, st, 2);
  u->display_name = db_col_text(a, st, 3);
  u->role = db_col_text(a, st, 4);
  u->region = db_col_text(a, st, 5);
  u->pw_hash = db_col_text(a, st, 6);
  u->org_rid = sqlite3_column_int64(st, 7);
  u->org_id = db_col_text(a, st, 8);
  u->org_name = db_col_text(a, st, 9);
  u->disabled = sqlite3_column_int(st, 10) != 0;
  u->failed_count = sqlite3_column_int(st, 11);
  u->locked_until = sqlite3_column_int64(st, 12);
  u->created_at = sqlite3_column_int64(st, 13);
  u->updated_at = sqlite3_column_int64(st, 14);
  u->totp_enc_len = (size_t)sqlite3_column_bytes(st, 15);
  u->totp_enc = u->totp_enc_len ? arena_memdup(a, sqlite3_column_blob(st, 15), u->totp_enc_len) : 0;
  u->totp_pending_len = (size_t)sqlite3_column_bytes(st, 16);
  u->totp_pending_enc = u->totp_pending_len ? arena_memdup(a, sqlite3_column_blob(st, 16), u->totp_pending_len) : 0;
  u->totp_last_step = sqlite3_column_int64(st, 17);
  u->totp_enabled_at = sqlite3_column_int64(st, 18);
}

static jk_status step_user(sqlite3_stmt *st, struct arena *a, struct user_rec *out);

static jk_status get_one(struct db *db, struct arena *a, const char *sql, const char *text,
                         int64_t num, struct user_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  if (text) db_bind_text(st, 1, text);
  else db_bind_int64(st, 1, num);
  return step_user(st, a, out);
}

/* Steps a bound statement selecting USER_COLS: one user or JK_ENOTFOUND. */
static jk_status step_user(sqlite3_stmt *st, struct arena *a, struct user_rec *out)
{
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_user(a, st, out);
  db_done(st);
  if (rc == SQLITE_ROW) return JK_OK;
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status user_store_by_username(struct db *db, struct arena *a, const char *username, struct user_rec *out)
{
  return get_one(db, a, SQL_BY_USERNAME, username, 0, out);
}

jk_status user_store_by_id(struct db *db, struct arena *a, const char *id, struct user_rec *out)
{
  return get_one(db, a, SQL_BY_ID, id, 0, out);
}

jk_status user_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct user_rec *out)
{
  return get_one(db, a, SQL_BY_RID, 0, rid, out);
}

jk_status user_store_list(struct db *db, struct arena *a, const char *q, const char *role,
                          int64_t limit, int64_t offset, struct user_rec **out, int64_t *n, int64_t *total)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LIST);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, q);
  db_bind_text(st, 2, role);
  db_bind_int64(st, 3, limit);
  db_bind_int64(st, 4, offset);
  *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
  *n = *total = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
    read_user(a, st, &(*out)[(*n)++]);
    *total = sqlite3_column_int64(st, 19);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

int64_t user_store_count(struct db *db)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
  int64_t n = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  db_done(st);
  return n;
}

jk_status user_store_update(struct db *db, int64_t rid, const char *display_name, int disabled,
                            const char *pw_hash, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_UPDATE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_text(st, 2, display_name);
  db_bind_int64(st, 3, disabled);
  db_bind_text(st, 4, pw_hash);
  db_bind_int64(st, 5, now);
  return step_done(st);
}

jk_status user_store_set_lock(struct db *db, int64_t rid, int failed_count, int64_t locked_until)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SET_LOCK);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, failed_count);
  db_bind_int64(st, 3, locked_until);
  return step_done(st);
}

jk_status session_store_insert(struct db *db, const unsigned char hash[32], int64_t user_rid,
                               const char *csrf, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SESSION_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  db_bind_int64(st, 2, user_rid);
  db_bind_text(st, 3, csrf);
  db_bind_int64(st, 4, now);
  return step_done(st);
}

jk_status session_store_get(struct db *db, struct arena *a, const unsigned char hash[32], struct session_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SESSION_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->user_rid = sqlite3_column_int64(st, 0);
    out->csrf = db_col_text(a, st, 1);
    out->created_at = sqlite3_column_int64(st, 2);
    out->last_seen = sqlite3_column_int64(st, 3);
    out->ended_at = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
  }
  db_done(st);
  if (rc == SQLITE_ROW) return JK_OK;
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

static jk_status hash_and_time(struct db *db, const char *sql, const unsigned char hash[32], int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  db_bind_int64(st, 2, now);
  return step_done(st);
}

jk_status session_store_touch(struct db *db, const unsigned char hash[32], int64_t now)
{
  return hash_and_time(db, SQL_SESSION_TOUCH, hash, now);
}

jk_status session_store_end(struct db *db, const unsigned char hash[32], int64_t now)
{
  return hash_and_time(db, SQL_SESSION_END, hash, now);
}

jk_status session_store_end_all(struct db *db, int64_t user_rid, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SESSION_END_ALL);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, user_rid);
  db_bind_int64(st, 2, now);
  return step_done(st);
}

jk_status token_store_insert(struct db *db, const char *id, const unsigned char hash[32],
                             int64_t user_rid, const char *name, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOKEN_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_blob(st, 2, hash, 32);
  db_bind_int64(st, 3, user_rid);
  db_bind_text(st, 4, name);
  db_bind_int64(st, 5, now);
  return step_done(st);
}

jk_status token_store_user(struct db *db, struct arena *a, const unsigned char hash[32], struct user_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOKEN_USER);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  return step_user(st, a, out);
}

jk_status user_store_totp_pending(struct db *db, int64_t rid, const void *sealed, size_t n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOTP_PENDING);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  if (sealed) db_bind_blob(st, 2, sealed, (int)n);
  return step_done(st);
}

jk_status user_store_totp_confirm(struct db *db, int64_t rid, int64_t step, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOTP_CONFIRM);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, step);
  db_bind_int64(st, 3, now);
  jk_status s = step_done(st);
  return s == JK_OK && sqlite3_changes(db_sqlite(db)) != 1 ? JK_ECONFLICT : s;
}

jk_status user_store_totp_set(struct db *db, int64_t rid, const void *sealed, size_t n, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOTP_SET);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_blob(st, 2, sealed, (int)n);
  db_bind_int64(st, 3, now);
  return step_done(st);
}

jk_status user_store_totp_used(struct db *db, int64_t rid, int64_t step)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOTP_USED);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, step);
  jk_status s = step_done(st);
  return s == JK_OK && sqlite3_changes(db_sqlite(db)) != 1 ? JK_ECONFLICT : s;
}

jk_status user_store_totp_reset(struct db *db, int64_t rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TOTP_RESET);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  return step_done(st);
}

jk_status challenge_store_insert(struct db *db, const unsigned char hash[32], int64_t user_rid, int64_t now,
                                 int64_t expires_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CHALLENGE_PRUNE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, now - 86400000LL);
  jk_status s = step_done(st);
  if (s != JK_OK) return s;
  if (!(st = db_prepare(db, SQL_CHALLENGE_INSERT))) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  db_bind_int64(st, 2, user_rid);
  db_bind_int64(st, 3, now);
  db_bind_int64(st, 4, expires_at);
  return step_done(st);
}

jk_status challenge_store_get(struct db *db, const unsigned char hash[32], struct challenge_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CHALLENGE_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, hash, 32);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->user_rid = sqlite3_column_int64(st, 0);
    out->created_at = sqlite3_column_int64(st, 1);
    out->expires_at = sqlite3_column_int64(st, 2);
    out->used_at = sqlite3_column_int64(st, 3);
  }
  db_done(st);
  if (rc == SQLITE_ROW) return JK_OK;
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status challenge_store_use(struct db *db, const unsigned char hash[32], int64_t now)
{
  jk_status s = hash_and_time(db, SQL_CHALLENGE_USE, hash, now);
  return s == JK_OK && sqlite3_changes(db_sqlite(db)) != 1 ? JK_ECONFLICT : s;
}
