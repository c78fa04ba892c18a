/* export_job_store.c: see export_job_store.h. The table is created by migration "export_job"
 * in schema.c. */
#include "store/export_job_store.h"
#include "base/arena.h"
#include <string.h>

#define JOB_COLS                                                                                              \
  "rid, id, owner_rid, kind, params, state, done, total, file, file_name, size, created_at, started_at," \
  " finished_at, expires_at, error"
static const char SQL_INSERT[] =
  "INSERT INTO export_job(id, owner_rid, kind, params, state, created_at) VALUES ($1, $2, $3, $4, 'queued', $5)"
  " RETURNING rid";
static const char SQL_GET[] = "SELECT " JOB_COLS " FROM export_job WHERE id = $1 AND owner_rid = $2";
static const char SQL_LIST[] =
  "SELECT " JOB_COLS " FROM export_job WHERE owner_rid = $1 AND (expires_at IS NULL OR expires_at > $2)"
  " ORDER BY created_at DESC, rid DESC LIMIT $3 OFFSET $4";
static const char SQL_COUNT[] =
  "SELECT count(*) FROM export_job WHERE owner_rid = $1 AND (expires_at IS NULL OR expires_at > $2)";
static const char SQL_ACTIVE[] =
  "SELECT count(*) FROM export_job WHERE owner_rid = $1 AND state IN ('queued', 'running')";
static const char SQL_DELETE[] = "DELETE FROM export_job WHERE rid = $1";
static const char SQL_CANCEL[] =
  "UPDATE export_job SET state = 'cancelled', finished_at = $2, expires_at = $3"
  " WHERE rid = $1 AND state IN ('queued', 'running')";
static const char SQL_CLAIM[] =
  "UPDATE export_job SET state = 'running', started_at = $1"
  " WHERE rid = (SELECT rid FROM export_job WHERE state = 'queued' ORDER BY created_at, rid LIMIT 1)"
  " RETURNING " JOB_COLS;
static const char SQL_PROGRESS[] =
  "UPDATE export_job SET done = $2, total = $3 WHERE rid = $1 AND state = 'running'";
static const char SQL_FINISH[] =
  "UPDATE export_job SET state = $2, done = $3, total = $4, file = $5, file_name = $6, size = $7,"
  " finished_at = $8, expires_at = $9, error = $10 WHERE rid = $1 AND state = 'running'";
static const char SQL_FAIL_RUNNING[] =
  "UPDATE export_job SET state = 'failed', error = $1, finished_at = $2, expires_at = $3, file = NULL"
  " WHERE state = 'running'";
static const char SQL_REQUEUE[] =
  "UPDATE export_job SET state = 'queued', started_at = NULL, done = 0 WHERE rid = $1 AND state = 'running'";
static const char SQL_EXPIRED[] =
  "SELECT " JOB_COLS " FROM export_job WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2";
static const char SQL_FILE_KNOWN[] = "SELECT count(*) FROM export_job WHERE file = $1";

static void read_job(struct arena *a, sqlite3_stmt *st, struct export_job *j)
{
  j->rid = sqlite3_column_int64(st, 0);
  j->id = db_col_text(a, st, 1);
  j->owner_rid = sqlite3_column_int64(st, 2);
  j->kind = db_col_text(a, st, 3);
  j->params = db_col_text(a, st, 4);
  j->state = db_col_text(a, st, 5);
  j->done = sqlite3_column_int64(st, 6);
  j->total = sqlite3_column_int64(st, 7);
  j->file = db_col_text(a, st, 8);
  j->file_name = db_col_text(a, st, 9);
  j->size = sqlite3_column_int64(st, 10);
  j->created_at = sqlite3_column_int64(st, 11);
  j->started_at = sqlite3_column_int64(st, 12);
  j->finished_at = sqlite3_column_int64(st, 13);
  j->expires_at = sqlite3_column_int64(st, 14);
  j->error = db_col_text(a, st, 15);
}

static jk_status step_done(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status read_jobs(struct arena *a, sqlite3_stmt *st, struct export_job **out, int64_t *n)
{
  size_t cap = 16;
  struct export_job *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    read_job(a, st, &v[(*n)++]);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status export_job_insert(struct db *db, struct export_job *j)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, j->id);
  db_bind_int64(st, 2, j->owner_rid);
  db_bind_text(st, 3, j->kind);
  db_bind_text(st, 4, j->params);
  db_bind_int64(st, 5, j->created_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) j->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status export_job_get(struct db *db, struct arena *a, const char *id, int64_t owner_rid, struct export_job *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, owner_rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_job(a, st, out);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status export_job_list(struct db *db, struct arena *a, int64_t owner_rid, int64_t now, int64_t limit,
                          int64_t offset, struct export_job **out, int64_t *n, int64_t *total)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, owner_rid);
  db_bind_int64(st, 2, now);
  jk_status s = db_step_int(st, total);
  if (s != JK_OK) return s;
  if (!(st = db_prepare(db, SQL_LIST))) return JK_EINTERNAL;
  db_bind_int64(st, 1, owner_rid);
  db_bind_int64(st, 2, now);
  db_bind_int64(st, 3, limit);
  db_bind_int64(st, 4, offset);
  return read_jobs(a, st, out, n);
}

jk_status export_job_active(struct db *db, int64_t owner_rid, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ACTIVE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, owner_rid);
  return db_step_int(st, n);
}

jk_status export_job_delete(struct db *db, int64_t rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DELETE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  return step_done(st);
}

jk_status export_job_cancel(struct db *db, int64_t rid, int64_t now, int64_t expires_at, bool *changed)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CANCEL);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, now);
  db_bind_int64(st, 3, expires_at);
  jk_status s = step_done(st);
  *changed = s == JK_OK && sqlite3_changes(db_sqlite(db)) > 0;
  return s;
}

jk_status export_job_claim(struct db *db, struct arena *a, int64_t now, struct export_job *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CLAIM);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, now);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_job(a, st, out);
  /* RETURNING: the update is complete only when stepped to the end */
  int rc2 = rc == SQLITE_ROW ? sqlite3_step(st) : rc;
  db_done(st);
  if (rc == SQLITE_DONE) return JK_ENOTFOUND;
  return rc == SQLITE_ROW && rc2 == SQLITE_DONE ? JK_OK : db_status(rc == SQLITE_ROW ? rc2 : rc);
}

jk_status export_job_progress(struct db *db, int64_t rid, int64_t done, int64_t total, bool *running)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PROGRESS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, done);
  db_bind_int64(st, 3, total);
  jk_status s = step_done(st);
  *running = s == JK_OK && sqlite3_changes(db_sqlite(db)) > 0;
  return s;
}

jk_status export_job_finish(struct db *db, const struct export_job *j, bool *running)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FINISH);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, j->rid);
  db_bind_text(st, 2, j->state);
  db_bind_int64(st, 3, j->done);
  db_bind_int64(st, 4, j->total);
  db_bind_text(st, 5, j->file);
  db_bind_text(st, 6, j->file_name);
  db_bind_int64(st, 7, j->size);
  db_bind_int64(st, 8, j->finished_at);
  db_bind_int64(st, 9, j->expires_at);
  db_bind_text(st, 10, j->error);
  jk_status s = step_done(st);
  *running = s == JK_OK && sqlite3_changes(db_sqlite(db)) > 0;
  return s;
}

jk_status export_job_requeue(struct db *db, int64_t rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_REQUEUE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  return step_done(st);
}

jk_status export_job_fail_running(struct db *db, const char *error, int64_t now, int64_t expires_at, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FAIL_RUNNING);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, error);
  db_bind_int64(st, 2, now);
  db_bind_int64(st, 3, expires_at);
  jk_status s = step_done(st);
  *n = s == JK_OK ? sqlite3_changes(db_sqlite(db)) : 0;
  return s;
}

jk_status export_job_expired(struct db *db, struct arena *a, int64_t now, int64_t limit, struct export_job **out,
                             int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_EXPIRED);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, now);
  db_bind_int64(st, 2, limit);
  return read_jobs(a, st, out, n);
}

jk_status export_job_file_known(struct db *db, const char *file, bool *known)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FILE_KNOWN);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, file);
  int64_t n = 0;
  jk_status s = db_step_int(st, &n);
  *known = n > 0;
  return s;
}
