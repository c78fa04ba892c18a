/* webhook_store.c: see webhook_store.h. */
#include "store/webhook_store.h"
#include "base/arena.h"
#include <string.h>

static const char SQL_ACTIVE[] = "SELECT rid, id, url, events, region FROM webhook WHERE active = 1 ORDER BY rid";
static const char SQL_ENQUEUE[] =
  "INSERT INTO webhook_delivery(webhook_rid, event, payload, next_at, created_at) VALUES ($1, $2, $3, $4, $4)";

jk_status webhook_store_active(struct db *db, struct arena *a, struct webhook_sub **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ACTIVE);
  if (!st) return JK_EINTERNAL;
  size_t cap = 8;
  struct webhook_sub *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    v[(*n)++] = (struct webhook_sub){sqlite3_column_int64(st, 0), db_col_text(a, st, 1), db_col_text(a, st, 2),
                                     db_col_text(a, st, 3), db_col_text(a, st, 4)};
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status webhook_store_enqueue(struct db *db, int64_t webhook_rid, const char *event, const char *payload, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ENQUEUE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, webhook_rid);
  db_bind_text(st, 2, event);
  db_bind_text(st, 3, payload);
  db_bind_int64(st, 4, now);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static const char SQL_INSERT[] =
  "INSERT INTO webhook(id, url, secret_enc, events, region, active, created_by, created_at)"
  " VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING rid";
#define HOOK_COLS "rid, id, url, events, region, created_by, secret_enc, active, created_at"
static const char SQL_LIST[] = "SELECT " HOOK_COLS " FROM webhook ORDER BY rid DESC LIMIT 200";
static const char SQL_BY_ID[] = "SELECT " HOOK_COLS " FROM webhook WHERE id = $1";
static const char SQL_DEACTIVATE[] = "UPDATE webhook SET active = 0 WHERE rid = $1";
#define DELIVERY_COLS \
  "d.rid, d.webhook_rid, d.attempts, d.next_at, d.created_at, d.done_at, d.last_status, w.id, w.url, d.event," \
  " d.payload, d.state, d.last_error, w.secret_enc"
static const char SQL_DUE[] =
  "SELECT " DELIVERY_COLS " FROM webhook_delivery d JOIN webhook w ON w.rid = d.webhook_rid"
  " WHERE d.state = 'pending' AND d.next_at <= $1 AND w.active = 1 ORDER BY d.next_at, d.rid LIMIT $2";
static const char SQL_ATTEMPT[] =
  "UPDATE webhook_delivery SET state = $2, attempts = $3, next_at = $4, last_status = $5, last_error = $6,"
  " done_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $7 END WHERE rid = $1";
static const char SQL_DELIVERIES[] =
  "SELECT " DELIVERY_COLS " FROM webhook_delivery d JOIN webhook w ON w.rid = d.webhook_rid"
  " WHERE d.webhook_rid = $1 ORDER BY d.rid DESC LIMIT $2";

jk_status webhook_store_insert(struct db *db, struct webhook_rec *w)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, w->id);
  db_bind_text(st, 2, w->url);
  db_bind_blob(st, 3, w->secret_enc, w->secret_len);
  db_bind_text(st, 4, w->events_json);
  db_bind_text(st, 5, w->region);
  db_bind_text(st, 6, w->created_by);
  db_bind_int64(st, 7, w->created_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) w->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static void read_hook(struct arena *a, sqlite3_stmt *st, struct webhook_rec *w)
{
  w->rid = sqlite3_column_int64(st, 0);
  w->id = db_col_text(a, st, 1);
  w->url = db_col_text(a, st, 2);
  w->events_json = db_col_text(a, st, 3);
  w->region = db_col_text(a, st, 4);
  w->created_by = db_col_text(a, st, 5);
  w->secret_len = sqlite3_column_bytes(st, 6);
  void *p = arena_alloc(a, (size_t)w->secret_len + 1);
  if (w->secret_len) memcpy(p, sqlite3_column_blob(st, 6), (size_t)w->secret_len);
  w->secret_enc = p;
  w->active = sqlite3_column_int(st, 7) != 0;
  w->created_at = sqlite3_column_int64(st, 8);
}

jk_status webhook_store_list(struct db *db, struct arena *a, struct webhook_rec **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LIST);
  if (!st) return JK_EINTERNAL;
  size_t cap = 8;
  struct webhook_rec *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    read_hook(a, st, &v[(*n)++]);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status webhook_store_by_id(struct db *db, struct arena *a, const char *id, struct webhook_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_BY_ID);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_hook(a, st, out);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status webhook_store_deactivate(struct db *db, int64_t rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DEACTIVATE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status read_deliveries(struct arena *a, sqlite3_stmt *st, struct webhook_delivery **out, int64_t *n)
{
  size_t cap = 16;
  struct webhook_delivery *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    struct webhook_delivery *d = &v[(*n)++];
    d->rid = sqlite3_column_int64(st, 0);
    d->webhook_rid = sqlite3_column_int64(st, 1);
    d->attempts = sqlite3_column_int64(st, 2);
    d->next_at = sqlite3_column_int64(st, 3);
    d->created_at = sqlite3_column_int64(st, 4);
    d->done_at = sqlite3_column_int64(st, 5);
    d->last_status = sqlite3_column_int(st, 6);
    d->webhook_id = db_col_text(a, st, 7);
    d->url = db_col_text(a, st, 8);
    d->event = db_col_text(a, st, 9);
    d->payload = db_col_text(a, st, 10);
    d->state = db_col_text(a, st, 11);
    d->last_error = db_col_text(a, st, 12);
    d->secret_len = sqlite3_column_bytes(st, 13);
    void *p = arena_alloc(a, (size_t)d->secret_len + 1);
    if (d->secret_len) memcpy(p, sqlite3_column_blob(st, 13), (size_t)d->secret_len);
    d->secret_enc = p;
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status webhook_store_due(struct db *db, struct arena *a, int64_t now, int64_t limit, struct webhook_delivery **out,
                            int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DUE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, now);
  db_bind_int64(st, 2, limit);
  return read_deliveries(a, st, out, n);
}

jk_status webhook_store_attempt(struct db *db, int64_t rid, const char *state, int64_t attempts, int64_t next_at,
                                int last_status, const char *last_error, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ATTEMPT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_text(st, 2, state);
  db_bind_int64(st, 3, attempts);
  db_bind_int64(st, 4, next_at);
  db_bind_int64(st, 5, last_status);
  db_bind_text(st, 6, last_error);
  db_bind_int64(st, 7, now);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status webhook_store_deliveries(struct db *db, struct arena *a, int64_t webhook_rid, int64_t limit,
                                   struct webhook_delivery **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DELIVERIES);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, webhook_rid);
  db_bind_int64(st, 2, limit);
  return read_deliveries(a, st, out, n);
}
