/* org_store.c: see org_store.h. Region filters use the code range [code, code ':') so that
 * the index serves a subtree query (':' sorts right after '9'). */
#include "store/org_store.h"
#include "base/arena.h"
#include <string.h>

#define ORG_COLS \
  "rid, id, name, kind, region, address, lat, lng, capacity, operating_mode, functions, services," \
  " phone, contact, created_at, updated_at"

static const char SQL_INSERT[] =
  "INSERT INTO organization(id, name, kind, region, address, lat, lng, capacity, operating_mode,"
  " functions, services, phone, contact, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING rid";
static const char SQL_UPDATE[] =
  "UPDATE organization SET name = $2, kind = $3, region = $4, address = $5, lat = $6, lng = $7,"
  " capacity = $8, operating_mode = $9, functions = $10, services = $11, phone = $12, contact = $13,"
  " updated_at = $14 WHERE rid = $1";
static const char SQL_BY_ID[] = "SELECT " ORG_COLS " FROM organization WHERE id = $1";
static const char SQL_BY_RID[] = "SELECT " ORG_COLS " FROM organization WHERE rid = $1";
static const char SQL_LIST[] =
  "SELECT " ORG_COLS ", count(*) OVER () FROM organization"
  " WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR (region >= $2 AND region < $2 || ':'))"
  " AND ($3 IS NULL OR instr(name, $3) > 0) ORDER BY name, rid LIMIT $4 OFFSET $5";
static const char SQL_COUNT[] =
  "SELECT count(*) FROM organization WHERE ($1 IS NULL OR kind = $1)"
  " AND ($2 IS NULL OR (region >= $2 AND region < $2 || ':'))";

static void bind_org(sqlite3_stmt *st, const struct org_rec *o, int first)
{
  db_bind_text(st, first, o->name);
  db_bind_text(st, first + 1, o->kind);
  db_bind_text(st, first + 2, o->region);
  db_bind_text(st, first + 3, o->address);
  if (o->has_location) {
    db_bind_double(st, first + 4, o->lat);
    db_bind_double(st, first + 5, o->lng);
  }
  db_bind_int64(st, first + 6, o->capacity);
  db_bind_text(st, first + 7, o->operating_mode);
  db_bind_text(st, first + 8, o->functions_json ? o->functions_json : "[]");
  db_bind_text(st, first + 9, o->services_json ? o->services_json : "[]");
  db_bind_text(st, first + 10, o->phone);
  db_bind_text(st, first + 11, o->contact);
}

jk_status org_store_insert(struct db *db, struct org_rec *o)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, o->id);
  bind_org(st, o, 2);
  db_bind_int64(st, 14, o->created_at);
  db_bind_int64(st, 15, o->updated_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) o->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status org_store_update(struct db *db, const struct org_rec *o)
{
  sqlite3_stmt *st = db_prepare(db, SQL_UPDATE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, o->rid);
  bind_org(st, o, 2);
  db_bind_int64(st, 14, o->updated_at);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static void read_org(struct arena *a, sqlite3_stmt *st, struct org_rec *o)
{
  o->rid = sqlite3_column_int64(st, 0);
  o->id = db_col_text(a, st, 1);
  o->name = db_col_text(a, st, 2);
  o->kind = db_col_text(a, st, 3);
  o->region = db_col_text(a, st, 4);
  o->address = db_col_text(a, st, 5);
  o->has_location = sqlite3_column_type(st, 6) != SQLITE_NULL;
  o->lat = sqlite3_column_double(st, 6);
  o->lng = sqlite3_column_double(st, 7);
  o->capacity = sqlite3_column_int64(st, 8);
  o->operating_mode = db_col_text(a, st, 9);
  o->functions_json = db_col_text(a, st, 10);
  o->services_json = db_col_text(a, st, 11);
  o->phone = db_col_text(a, st, 12);
  o->contact = db_col_text(a, st, 13);
  o->created_at = sqlite3_column_int64(st, 14);
  o->updated_at = sqlite3_column_int64(st, 15);
}

static jk_status get_one(struct db *db, struct arena *a, const char *sql, const char *id,
                         int64_t rid, struct org_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  if (id) db_bind_text(st, 1, id);
  else db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_org(a, st, out);
  db_done(st);
  if (rc == SQLITE_ROW) return JK_OK;
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status org_store_by_id(struct db *db, struct arena *a, const char *id, struct org_rec *out)
{
  return get_one(db, a, SQL_BY_ID, id, 0, out);
}

jk_status org_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct org_rec *out)
{
  return get_one(db, a, SQL_BY_RID, 0, rid, out);
}

jk_status org_store_list(struct db *db, struct arena *a, const struct org_query *q,
                         struct org_rec **out, int64_t *n, int64_t *total)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LIST);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, q->kind);
  db_bind_text(st, 2, q->region);
  db_bind_text(st, 3, q->q);
  db_bind_int64(st, 4, q->limit);
  db_bind_int64(st, 5, q->offset);
  *out = arena_alloc(a, sizeof **out * (size_t)(q->limit > 0 ? q->limit : 1));
  *n = *total = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < q->limit) {
    read_org(a, st, &(*out)[(*n)++]);
    *total = sqlite3_column_int64(st, 16);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

int64_t org_store_count(struct db *db, const char *kind, const char *region)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
  if (!st) return 0;
  db_bind_text(st, 1, kind);
  db_bind_text(st, 2, region);
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  db_done(st);
  return n;
}
