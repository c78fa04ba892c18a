/* client_store.c: see client_store.h. */
#include "store/client_store.h"
#include "base/arena.h"
#include <string.h>

#define CLIENT_COLS \
  "c.rid, c.id, c.name, c.sex, c.birth_date, c.id_bidx, c.id_enc, c.id_masked, c.phone_enc," \
  " c.phone_masked, c.address_enc, c.address_masked, c.residence_region, c.hukou_region," \
  " c.diagnosis, c.severe, c.disability_enc, c.disability_masked, c.disability_category," \
  " c.disability_grade, c.guardians, c.organization_rid, o.id, o.name, c.status, c.notes," \
  " c.created_by, c.created_at, c.updated_at"
#define CLIENT_FROM " FROM client c LEFT JOIN organization o ON o.rid = c.organization_rid"

static const char SQL_INSERT[] =
  "INSERT INTO client(id, name, sex, birth_date, id_bidx, id_enc, id_masked, phone_enc, phone_masked,"
  " address_enc, address_masked, residence_region, hukou_region, diagnosis, severe, disability_enc,"
  " disability_masked, disability_category, disability_grade, guardians, organization_rid, status,"
  " notes, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
  " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)";
static const char SQL_UPDATE[] =
  "UPDATE client SET name = $2, sex = $3, birth_date = $4, id_bidx = $5, id_enc = $6, id_masked = $7,"
  " phone_enc = $8, phone_masked = $9, address_enc = $10, address_masked = $11, residence_region = $12,"
  " hukou_region = $13, diagnosis = $14, severe = $15, disability_enc = $16, disability_masked = $17,"
  " disability_category = $18, disability_grade = $19, guardians = $20, organization_rid = $21,"
  " status = $22, notes = $23, updated_at = $26 WHERE rid = $27";
static const char SQL_ID_BY_BIDX[] = "SELECT id FROM client WHERE id_bidx = $1";
static const char SQL_BY_ID[] = "SELECT " CLIENT_COLS CLIENT_FROM " WHERE c.id = $1";
static const char SQL_BY_RID[] = "SELECT " CLIENT_COLS CLIENT_FROM " WHERE c.rid = $1";
static const char SQL_BY_BIDX[] = "SELECT " CLIENT_COLS CLIENT_FROM " WHERE c.id_bidx = $1";
/* The list's filters. A name matches from its start (王 or 王伟), so the name index serves it;
 * char(1114111) is U+10FFFF, above every character that can follow the prefix. SQLite cannot use
 * an index for a term written as "$n IS NULL OR ...", so the filter that leads (name, else region,
 * else organization) is written as a plain term in its own statement. */
#define BY_NAME " (c.name >= $3 AND c.name < $3 || char(1114111))"
#define BY_REGION " (c.residence_region >= $1 AND c.residence_region < $1 || ':')"
#define BY_ORG " c.organization_rid = $2"
#define LIST_REST \
  " AND ($1 IS NULL OR" BY_REGION ") AND ($2 = 0 OR" BY_ORG ") AND ($3 IS NULL OR" BY_NAME ")" \
  " AND ($4 IS NULL OR c.status = $4) AND ($5 < 0 OR (c.severe > 0) = ($5 > 0))"
#define LIST_PAGE " ORDER BY c.rid DESC LIMIT $6 OFFSET $7"
/* The page's rowids are found first from the index alone; only those 20 rows are then read. */
#define LIST_SQL(lead) \
  {"SELECT " CLIENT_COLS CLIENT_FROM " WHERE c.rid IN (SELECT c.rid FROM client c WHERE" lead LIST_REST \
   LIST_PAGE ") ORDER BY c.rid DESC", \
   "SELECT count(*) FROM client c WHERE" lead LIST_REST}
static const char *const SQL_LIST[4][2] = {
  LIST_SQL(BY_NAME), LIST_SQL(BY_REGION), LIST_SQL(BY_ORG), LIST_SQL(" 1"),
};
static const char SQL_LIKELY_DUPS[] =
  "SELECT id FROM client WHERE name = $1 AND birth_date = $2 AND substr(residence_region, 1, 6) = $3"
  " AND id <> coalesce($4, '') LIMIT 20";
static const char SQL_COUNTS[] =
  "SELECT count(*), sum(severe > 0), sum(status = 'registered'), sum(status = 'in_service'),"
  " sum(status = 'closed'), sum(status = 'moved'), sum(status = 'deceased') FROM client"
  " WHERE ($1 IS NULL OR (residence_region >= $1 AND residence_region < $1 || ':'))"
  " AND ($2 = 0 OR organization_rid = $2)";

static void bind_sealed(sqlite3_stmt *st, int i, struct sealed s) { db_bind_blob(st, i, s.p, (int)s.n); }

static void bind_client(sqlite3_stmt *st, const struct client_rec *c)
{
  db_bind_text(st, 2, c->name);
  db_bind_int64(st, 3, c->sex);
  db_bind_text(st, 4, c->birth_date);
  db_bind_blob(st, 5, c->id_bidx, BLIND_INDEX_BYTES);
  bind_sealed(st, 6, c->id_enc);
  db_bind_text(st, 7, c->id_masked);
  bind_sealed(st, 8, c->phone_enc);
  db_bind_text(st, 9, c->phone_masked);
  bind_sealed(st, 10, c->address_enc);
  db_bind_text(st, 11, c->address_masked);
  db_bind_text(st, 12, c->residence_region);
  db_bind_text(st, 13, c->hukou_region);
  db_bind_text(st, 14, c->diagnosis);
  db_bind_int64(st, 15, c->severe);
  bind_sealed(st, 16, c->disability_enc);
  db_bind_text(st, 17, c->disability_masked);
  if (c->disability_category) db_bind_int64(st, 18, c->disability_category);
  if (c->disability_grade) db_bind_int64(st, 19, c->disability_grade);
  db_bind_text(st, 20, c->guardians_json ? c->guardians_json : "[]");
  if (c->org_rid) db_bind_int64(st, 21, c->org_rid);
  db_bind_text(st, 22, c->status);
  db_bind_text(st, 23, c->notes);
  db_bind_text(st, 24, c->created_by);
  db_bind_int64(st, 25, c->created_at);
  db_bind_int64(st, 26, c->updated_at);
}

static jk_status existing_by_bidx(struct db *db, struct arena *a, const unsigned char *bidx, char **id)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ID_BY_BIDX);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, bidx, BLIND_INDEX_BYTES);
  int rc = sqlite3_step(st);
  *id = rc == SQLITE_ROW ? db_col_text(a, st, 0) : 0;
  db_done(st);
  return rc == SQLITE_ROW ? JK_ECONFLICT : JK_OK;
}

jk_status client_store_insert(struct db *db, struct arena *a, struct client_rec *c, char **existing_id)
{
  *existing_id = 0;
  jk_status rs = existing_by_bidx(db, a, c->id_bidx, existing_id);
  if (rs != JK_OK) return rs;
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, c->id);
  bind_client(st, c);
  int rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  c->rid = sqlite3_last_insert_rowid(db_sqlite(db)); /* cheaper than RETURNING's temporary table */
  return JK_OK;
}

jk_status client_store_update(struct db *db, struct arena *a, const struct client_rec *c, char **existing_id)
{
  *existing_id = 0;
  if (existing_by_bidx(db, a, c->id_bidx, existing_id) != JK_OK && strcmp(*existing_id, c->id) != 0)
    return JK_ECONFLICT;
  *existing_id = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_UPDATE);
  if (!st) return JK_EINTERNAL;
  bind_client(st, c);
  db_bind_int64(st, 27, c->rid);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static struct sealed col_sealed(struct arena *a, sqlite3_stmt *st, int i)
{
  struct sealed s = {0, 0};
  if (sqlite3_column_type(st, i) == SQLITE_NULL) return s;
  int n = sqlite3_column_bytes(st, i);
  void *p = arena_alloc(a, (size_t)n + 1);
  memcpy(p, sqlite3_column_blob(st, i), (size_t)n);
  s.p = p;
  s.n = (size_t)n;
  return s;
}

static void read_client(struct arena *a, sqlite3_stmt *st, struct client_rec *c)
{
  c->rid = sqlite3_column_int64(st, 0);
  c->id = db_col_text(a, st, 1);
  c->name = db_col_text(a, st, 2);
  c->sex = sqlite3_column_int(st, 3);
  c->birth_date = db_col_text(a, st, 4);
  if (sqlite3_column_bytes(st, 5) == BLIND_INDEX_BYTES)
    memcpy(c->id_bidx, sqlite3_column_blob(st, 5), BLIND_INDEX_BYTES);
  c->id_enc = col_sealed(a, st, 6);
  c->id_masked = db_col_text(a, st, 7);
  c->phone_enc = col_sealed(a, st, 8);
  c->phone_masked = db_col_text(a, st, 9);
  c->address_enc = col_sealed(a, st, 10);
  c->address_masked = db_col_text(a, st, 11);
  c->residence_region = db_col_text(a, st, 12);
  c->hukou_region = db_col_text(a, st, 13);
  c->diagnosis = db_col_text(a, st, 14);
  c->severe = sqlite3_column_int(st, 15);
  c->disability_enc = col_sealed(a, st, 16);
  c->disability_masked = db_col_text(a, st, 17);
  c->disability_category = sqlite3_column_int(st, 18);
  c->disability_grade = sqlite3_column_int(st, 19);
  c->guardians_json = db_col_text(a, st, 20);
  c->org_rid = sqlite3_column_int64(st, 21);
  c->org_id = db_col_text(a, st, 22);
  c->org_name = db_col_text(a, st, 23);
  c->status = db_col_text(a, st, 24);
  c->notes = db_col_text(a, st, 25);
  c->created_by = db_col_text(a, st, 26);
  c->created_at = sqlite3_column_int64(st, 27);
  c->updated_at = sqlite3_column_int64(st, 28);
}

static jk_status get_one(struct db *db, struct arena *a, sqlite3_stmt *st, struct client_rec *out)
{
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_client(a, st, out);
  db_done(st);
  if (rc == SQLITE_ROW) return JK_OK;
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status client_store_by_id(struct db *db, struct arena *a, const char *id, struct client_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_BY_ID);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  return get_one(db, a, st, out);
}

jk_status client_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct client_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_BY_RID);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  return get_one(db, a, st, out);
}

jk_status client_store_by_bidx(struct db *db, struct arena *a, const unsigned char bidx[BLIND_INDEX_BYTES],
                               struct client_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_BY_BIDX);
  if (!st) return JK_EINTERNAL;
  db_bind_blob(st, 1, bidx, BLIND_INDEX_BYTES);
  return get_one(db, a, st, out);
}

static void bind_query(sqlite3_stmt *st, const struct client_query *q)
{
  db_bind_text(st, 1, q->region);
  db_bind_int64(st, 2, q->org_rid);
  db_bind_text(st, 3, q->name);
  db_bind_text(st, 4, q->status);
  db_bind_int64(st, 5, q->severe);
}

jk_status client_store_list(struct db *db, struct arena *a, const struct client_query *q,
                            struct client_rec **out, int64_t *n, int64_t *total)
{
  *n = *total = 0;
  int lead = q->name ? 0 : q->region ? 1 : q->org_rid ? 2 : 3;
  sqlite3_stmt *st = db_prepare(db, SQL_LIST[lead][1]);
  if (!st) return JK_EINTERNAL;
  bind_query(st, q);
  jk_status cs = db_step_int(st, total);
  if (cs != JK_OK) return cs;
  if (!(st = db_prepare(db, SQL_LIST[lead][0]))) return JK_EINTERNAL;
  bind_query(st, q);
  db_bind_int64(st, 6, q->limit);
  db_bind_int64(st, 7, q->offset);
  *out = arena_alloc(a, sizeof **out * (size_t)(q->limit > 0 ? q->limit : 1));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < q->limit) read_client(a, st, &(*out)[(*n)++]);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status client_store_likely_duplicates(struct db *db, struct arena *a, const char *name,
                                         const char *birth_date, const char *county,
                                         const char *except_id, const char ***ids, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LIKELY_DUPS);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, name);
  db_bind_text(st, 2, birth_date);
  db_bind_text(st, 3, county);
  db_bind_text(st, 4, except_id);
  *ids = arena_alloc(a, 20 * sizeof **ids);
  *n = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < 20) (*ids)[(*n)++] = db_col_text(a, st, 0);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status client_store_counts(struct db *db, const char *region, int64_t org_rid, struct client_counts *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNTS);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  db_bind_int64(st, 2, org_rid);
  memset(out, 0, sizeof *out);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->total = sqlite3_column_int64(st, 0);
    out->severe = sqlite3_column_int64(st, 1);
    for (int i = 0; i < 5; i++) out->by_status[i] = sqlite3_column_int64(st, 2 + i);
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static const char SQL_FOLLOW[] =
  "UPDATE client SET status = coalesce($2, status), organization_rid = CASE WHEN $3 < 0 THEN organization_rid"
  " ELSE nullif($3, 0) END, residence_region = coalesce($4, residence_region), updated_at = $5 WHERE rid = $1";

jk_status client_store_follow(struct db *db, int64_t rid, const char *status, int64_t org_rid, const char *region,
                              int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FOLLOW);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_text(st, 2, status);
  db_bind_int64(st, 3, org_rid);
  db_bind_text(st, 4, region);
  db_bind_int64(st, 5, now);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
