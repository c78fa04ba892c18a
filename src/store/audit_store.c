/* audit_store.c: see audit_store.h. */
#include "store/audit_store.h"
#include "base/arena.h"
#include <string.h>

static const char SQL_TAIL[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] =
  "INSERT INTO audit(seq, time, user_id, username, role, action, object_type, object_id, result,"
  " request_id, detail, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
static const char SQL_GET_HEAD[] = "SELECT value FROM meta WHERE key = 'audit_head'";
static const char SQL_SET_HEAD[] =
  "INSERT INTO meta(key, value) VALUES ('audit_head', $1) "
  "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_SCAN_FROM[] =
  "SELECT seq, time, user_id, username, role, action, object_type, object_id, result, request_id,"
  " detail, hash FROM audit WHERE seq >= $1 ORDER BY seq";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = $1";
static const char SQL_META_SET[] =
  "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_PRUNABLE[] =
  "SELECT min(coalesce((SELECT min(seq) FROM audit WHERE time >= $1), $2 + 1) - 1, $2)";
static const char SQL_HASH_AT[] = "SELECT hash FROM audit WHERE seq = $1";
static const char SQL_DELETE_UPTO[] = "DELETE FROM audit WHERE seq <= $1";
/* Must stay the trigger of migration 1 (store/schema.c). */
static const char DDL_DROP_NO_DELETE[] = "DROP TRIGGER audit_no_delete";
static const char DDL_NO_DELETE[] =
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END";
/* The page and its total are two queries: a window count would read every matching row for
 * every page. */
#define QUERY_WHERE \
  " WHERE ($1 IS NULL OR username = $1) AND ($2 IS NULL OR object_type = $2)" \
  " AND ($3 IS NULL OR object_id = $3) AND ($4 IS NULL OR action = $4)" \
  " AND ($5 = 0 OR time >= $5) AND ($6 = 0 OR time < $6)"
static const char SQL_QUERY[] =
  "SELECT seq, time, user_id, username, role, action, object_type, object_id, result, request_id,"
  " detail, hash FROM audit" QUERY_WHERE " ORDER BY seq DESC LIMIT $7 OFFSET $8";
static const char SQL_QUERY_COUNT[] = "SELECT count(*) FROM audit" QUERY_WHERE;

jk_status audit_store_tail(struct db *db, int64_t *seq, unsigned char hash[32])
{
  sqlite3_stmt *st = db_prepare(db, SQL_TAIL);
  if (!st) return JK_EINTERNAL;
  *seq = 0;
  memset(hash, 0, 32);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *seq = sqlite3_column_int64(st, 0);
    if (sqlite3_column_bytes(st, 1) == 32) memcpy(hash, sqlite3_column_blob(st, 1), 32);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_insert(struct db *db, const struct audit_row *r)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, r->seq);
  db_bind_int64(st, 2, r->time);
  db_bind_text(st, 3, r->user_id);
  db_bind_text(st, 4, r->username);
  db_bind_text(st, 5, r->role);
  db_bind_text(st, 6, r->action);
  db_bind_text(st, 7, r->object_type);
  db_bind_text(st, 8, r->object_id);
  db_bind_text(st, 9, r->result);
  db_bind_text(st, 10, r->request_id);
  db_bind_text(st, 11, r->detail);
  db_bind_blob(st, 12, r->hash, 32);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_get_head(struct db *db, struct arena *a, char **value)
{
  sqlite3_stmt *st = db_prepare(db, SQL_GET_HEAD);
  if (!st) return JK_EINTERNAL;
  *value = 0;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *value = db_col_text(a, st, 0);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_set_head(struct db *db, const char *value)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SET_HEAD);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, value);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static void read_row(sqlite3_stmt *st, struct audit_row *r)
{
  r->seq = sqlite3_column_int64(st, 0);
  r->time = sqlite3_column_int64(st, 1);
  r->user_id = col(st, 2);
  r->username = col(st, 3);
  r->role = col(st, 4);
  r->action = col(st, 5);
  r->object_type = col(st, 6);
  r->object_id = col(st, 7);
  r->result = col(st, 8);
  r->request_id = col(st, 9);
  r->detail = col(st, 10);
  memset(r->hash, 0, 32);
  if (sqlite3_column_bytes(st, 11) == 32) memcpy(r->hash, sqlite3_column_blob(st, 11), 32);
}

jk_status audit_store_scan_from(struct db *db, int64_t from,
                                bool (*fn)(const struct audit_row *r, void *ctx), void *ctx)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SCAN_FROM);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, from);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct audit_row r;
    read_row(st, &r);
    if (!fn(&r, ctx)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_scan(struct db *db, bool (*fn)(const struct audit_row *r, void *ctx), void *ctx)
{
  return audit_store_scan_from(db, 0, fn, ctx);
}

jk_status audit_store_meta_get(struct db *db, struct arena *a, const char *key, char **value)
{
  sqlite3_stmt *st = db_prepare(db, SQL_META_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, key);
  *value = 0;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *value = db_col_text(a, st, 0);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_meta_set(struct db *db, const char *key, const char *value)
{
  sqlite3_stmt *st = db_prepare(db, SQL_META_SET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, key);
  db_bind_text(st, 2, value);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status audit_store_prunable(struct db *db, int64_t before_ms, int64_t max_seq, int64_t *seq)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PRUNABLE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, before_ms);
  db_bind_int64(st, 2, max_seq);
  jk_status r = db_step_int(st, seq);
  if (r == JK_OK && *seq < 0) *seq = 0;
  return r;
}

jk_status audit_store_hash_at(struct db *db, int64_t seq, unsigned char hash[32])
{
  sqlite3_stmt *st = db_prepare(db, SQL_HASH_AT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, seq);
  int rc = sqlite3_step(st);
  bool found = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
  if (found) memcpy(hash, sqlite3_column_blob(st, 0), 32);
  db_done(st);
  return found ? JK_OK : rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status audit_store_delete_upto(struct db *db, int64_t upto)
{
  jk_status r = db_exec(db, DDL_DROP_NO_DELETE);
  if (r != JK_OK) return r;
  sqlite3_stmt *st = db_prepare(db, SQL_DELETE_UPTO);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, upto);
  int rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  return db_exec(db, DDL_NO_DELETE);
}

static const char *dup(struct arena *a, const char *s) { return arena_strdup(a, s); }

static void bind_query(sqlite3_stmt *st, const struct audit_query *q)
{
  db_bind_text(st, 1, q->username);
  db_bind_text(st, 2, q->object_type);
  db_bind_text(st, 3, q->object_id);
  db_bind_text(st, 4, q->action);
  db_bind_int64(st, 5, q->from);
  db_bind_int64(st, 6, q->to);
}

jk_status audit_store_query(struct db *db, struct arena *a, const struct audit_query *q,
                            struct audit_row **rows, int64_t *n, int64_t *total)
{
  *n = *total = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_QUERY_COUNT);
  if (!st) return JK_EINTERNAL;
  bind_query(st, q);
  jk_status cs = db_step_int(st, total);
  if (cs != JK_OK) return cs;
  if (!(st = db_prepare(db, SQL_QUERY))) return JK_EINTERNAL;
  bind_query(st, q);
  db_bind_int64(st, 7, q->limit);
  db_bind_int64(st, 8, q->offset);
  *rows = arena_alloc(a, sizeof **rows * (size_t)(q->limit > 0 ? q->limit : 1));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < q->limit) {
    struct audit_row *r = &(*rows)[(*n)++];
    read_row(st, r);
    r->user_id = dup(a, r->user_id);
    r->username = dup(a, r->username);
    r->role = dup(a, r->role);
    r->action = dup(a, r->action);
    r->object_type = dup(a, r->object_type);
    r->object_id = dup(a, r->object_id);
    r->result = dup(a, r->result);
    r->request_id = dup(a, r->request_id);
    r->detail = dup(a, r->detail);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
