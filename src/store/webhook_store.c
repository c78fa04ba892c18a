/* webhook_store.c: see webhook_store.h. */
#include "store/webhook_store.h"
#include "base/arena.h"

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
