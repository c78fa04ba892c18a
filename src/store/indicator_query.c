/* indicator_query.c: reading the aggregates, and the 规范服务 definitions by province
 * (indicator_store.h). A region scope is a code prefix: `code >= P AND code < P || '~'` is the
 * subtree of P ('~' sorts after every digit), and P = '' is the whole country. */
#include "store/indicator_store.h"
#include "store/indicator_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_DEF_GET[] = "SELECT definition FROM ind_definition WHERE region = $1";
static const char SQL_DEF_PUT[] =
  "INSERT INTO ind_definition(region, definition, updated_at, updated_by) VALUES ($1, $2, $3, $4)"
  " ON CONFLICT (region) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at,"
  " updated_by = excluded.updated_by";
static const char SQL_DEF_DEL[] = "DELETE FROM ind_definition WHERE region = $1";
static const char SQL_MARK[] =
  "INSERT OR IGNORE INTO ind_dirty SELECT 1, rid FROM client WHERE residence_region >= $1 AND residence_region < $1 || '~'";

static const char SQL_VALUE[] = "SELECT value FROM ind_agg WHERE metric = $1 AND level = $2 AND scope = $3 AND period = $4";
static const char SQL_FLOW[] =
  "SELECT coalesce(sum(value), 0) FROM ind_agg WHERE metric = $1 AND level = $2 AND scope = $3"
  " AND period BETWEEN 'M' AND $4";
static const char SQL_COUNTIES_SERVED[] =
  "SELECT count(*) FROM (SELECT scope FROM ind_agg WHERE metric = 'svc' AND level = 3 AND scope >= $1"
  " AND scope < $1 || '~' AND period BETWEEN $2 AND $3 GROUP BY scope HAVING sum(value) > 0)";
static const char SQL_COUNTIES[] = "SELECT count(*) FROM region WHERE level = 3 AND code >= $1 AND code < $1 || '~'";
static const char SQL_SVC[] =
  "SELECT coalesce(sum(value), 0) FROM ind_agg WHERE metric = 'svc' AND level = $1 AND scope = $2"
  " AND period BETWEEN $3 AND $4";
static const char SQL_PLACES[] =
  "SELECT coalesce(sum(capacity), 0), coalesce(sum((SELECT value FROM ind_agg a WHERE a.metric = 'in_service'"
  " AND a.level = 9 AND a.scope = CAST(o.rid AS TEXT) AND a.period = '')), 0) FROM organization o"
  " WHERE kind = 'rehab_institution' AND region >= $1 AND region < $1 || '~' AND ($2 = 0 OR rid = $2)";
/* Prefectures (地级) within the prefix where organizations together have the three functions
 * every prefecture should have (评估转介, 培训督导, 服务示范). */
static const char SQL_FUNCTIONS[] =
  "SELECT count(*) FROM (SELECT substr(region, 1, 4) AS p FROM organization, json_each(organization.functions) f"
  " WHERE region >= $1 AND region < $1 || '~' AND length(region) >= 4"
  " AND f.value IN ('assessment_referral', 'training_supervision', 'service_demonstration')"
  " GROUP BY p HAVING count(DISTINCT f.value) = 3)";
static const char SQL_PREFECTURES[] = "SELECT count(*) FROM region WHERE level = 2 AND code >= $1 AND code < $1 || '~'";
static const char SQL_EXTRACT[] =
  "SELECT c.id, c.sex, c.birth_date, c.residence_region, c.diagnosis, c.severe, c.disability_category,"
  " c.disability_grade, c.status, o.name, i.reg_m, i.exit_m, i.first, i.n, i.std, i.served, i.fu, i.med, i.psych,"
  " i.sat, i.sat_ok"
  " FROM client c JOIN ind_client i ON i.rid = c.rid LEFT JOIN organization o ON o.rid = c.organization_rid"
  " WHERE c.residence_region >= $1 AND c.residence_region < $1 || '~' AND i.reg_m <= $3 AND i.exit_m >= $2"
  " ORDER BY c.rid LIMIT $4";
static const char SQL_EXTRACT_COUNT[] =
  "SELECT count(*) FROM client c JOIN ind_client i ON i.rid = c.rid"
  " WHERE c.residence_region >= $1 AND c.residence_region < $1 || '~' AND i.reg_m <= $3 AND i.exit_m >= $2";
static const char SQL_SCAN_REGION[] =
  "SELECT severe, reg_m, exit_m, first, n, std, served, fu, med, psych, sat, sat_ok FROM ind_client"
  " WHERE region >= $1 AND region < $1 || '~'";
static const char SQL_SCAN_ORG[] =
  "SELECT severe, reg_m, exit_m, first, n, std, served, fu, med, psych, sat, sat_ok FROM ind_client WHERE org_rid = $1";

/* ---- definitions ---- */

jk_status indicator_store_definition(struct db *db, const char *province, struct std_definition *out,
                                     const char **source)
{
  std_definition_default(out);
  if (source) *source = "default";
  const char *keys[2] = {province, ""};
  for (int i = 0; i < 2; i++) {
    if (!keys[i] || (i == 0 && !keys[i][0])) continue;
    sqlite3_stmt *st = db_prepare(db, SQL_DEF_GET);
    if (!st) return JK_EINTERNAL;
    db_bind_text(st, 1, keys[i]);
    int rc = sqlite3_step(st);
    json_t *j = rc == SQLITE_ROW ? json_loads((const char *)sqlite3_column_text(st, 0), 0, 0) : 0;
    db_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_status(rc);
    const char *field, *msg;
    bool ok = j && std_definition_parse(j, out, &field, &msg);
    json_decref(j);
    if (ok) {
      if (source) *source = i == 0 ? "province" : "national";
      return JK_OK;
    }
  }
  return JK_OK;
}

static jk_status mark(struct db *db, const char *region, int64_t *marked)
{
  sqlite3_stmt *st = db_prepare(db, SQL_MARK);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  int rc = sqlite3_step(st);
  db_done(st);
  if (marked) *marked = rc == SQLITE_DONE ? sqlite3_changes(db_sqlite(db)) : 0;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_set_definition(struct db *db, const char *region, const struct std_definition *d,
                                         const char *by, int64_t now, int64_t *marked)
{
  json_t *j = std_definition_json(d);
  char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : 0;
  json_decref(j);
  if (!text) return JK_EUNAVAIL;
  sqlite3_stmt *st = db_prepare(db, SQL_DEF_PUT);
  if (!st) {
    free(text);
    return JK_EINTERNAL;
  }
  db_bind_text(st, 1, region);
  db_bind_text(st, 2, text);
  db_bind_int64(st, 3, now);
  db_bind_text(st, 4, by);
  int rc = sqlite3_step(st);
  db_done(st);
  free(text);
  if (rc != SQLITE_DONE) return db_status(rc);
  return mark(db, region, marked);
}

jk_status indicator_store_clear_definition(struct db *db, const char *region, int64_t *marked)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DEF_DEL);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  int rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  if (sqlite3_changes(db_sqlite(db)) == 0) {   /* none of its own: nothing to recompute */
    if (marked) *marked = 0;
    return JK_OK;
  }
  return mark(db, region, marked);
}

/* ---- reading ---- */

static void month_key(int m, char out[10])
{
  struct period p = {PK_MONTH, m, m};
  period_key(&p, out);
}

static jk_status one_int(sqlite3_stmt *st, int64_t *out)
{
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_value(struct db *db, int level, const char *scope, const char *metric, const char *period,
                                int64_t *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_VALUE);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, metric);
  db_bind_int64(st, 2, level);
  db_bind_text(st, 3, scope);
  db_bind_text(st, 4, period);
  return one_int(st, out);
}

jk_status indicator_store_flow_upto(struct db *db, int level, const char *scope, const char *metric, int upto,
                                    int64_t *out)
{
  char key[10];
  month_key(upto, key);
  sqlite3_stmt *st = db_prepare(db, SQL_FLOW);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, metric);
  db_bind_int64(st, 2, level);
  db_bind_text(st, 3, scope);
  db_bind_text(st, 4, key);
  return one_int(st, out);
}

jk_status indicator_store_counties_served(struct db *db, const char *prefix, int first, int last, int64_t *out)
{
  char a[10], b[10];
  month_key(first, a);
  month_key(last, b);
  sqlite3_stmt *st = db_prepare(db, SQL_COUNTIES_SERVED);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, prefix);
  db_bind_text(st, 2, a);
  db_bind_text(st, 3, b);
  return one_int(st, out);
}

jk_status indicator_store_counties(struct db *db, const char *prefix, int64_t *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNTIES);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, prefix);
  return one_int(st, out);
}

jk_status indicator_store_svc(struct db *db, int level, const char *scope, int first, int last, int64_t *out)
{
  char a[10], b[10];
  month_key(first, a);
  month_key(last, b);
  sqlite3_stmt *st = db_prepare(db, SQL_SVC);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, level);
  db_bind_text(st, 2, scope);
  db_bind_text(st, 3, a);
  db_bind_text(st, 4, b);
  return one_int(st, out);
}

jk_status indicator_store_scan(struct db *db, const char *region, int64_t org_rid, bool severe_only, int first,
                               int last, struct client_tally *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, org_rid ? SQL_SCAN_ORG : SQL_SCAN_REGION);
  if (!st) return JK_EINTERNAL;
  if (org_rid) db_bind_int64(st, 1, org_rid);
  else db_bind_text(st, 1, region ? region : "");
  struct client_facts *f = malloc(sizeof *f);
  if (!f) {
    db_done(st);
    return JK_EUNAVAIL;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (severe_only && !sqlite3_column_int(st, 0)) continue;
    ind_facts_decode(st, 1, f);
    f->severe = sqlite3_column_int(st, 0) != 0;
    if (!client_on_register(f, first, last)) continue;
    out->on_register++;
    if (client_standardized(f, first, last)) out->standardized++;
    if (client_served(f, first, last)) out->served++;
    if (client_surveyed(f, first, last)) out->surveyed++;
    if (client_satisfied(f, first, last)) out->satisfied++;
    if (!f->severe) continue;
    if (client_managed(f, first, last)) out->managed++;
    if (client_followed(f, first, last)) out->followed++;
    if (client_followed(f, first, last) && client_medicated(f, first, last)) out->medicated++;
    if (client_psych(f, first, last)) out->psych++;
  }
  db_done(st);
  free(f);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_places(struct db *db, const char *prefix, int64_t org_rid, int64_t *places, int64_t *in_service)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLACES);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, prefix ? prefix : "");
  db_bind_int64(st, 2, org_rid);
  int rc = sqlite3_step(st);
  *places = *in_service = 0;
  if (rc == SQLITE_ROW) {
    *places = sqlite3_column_int64(st, 0);
    *in_service = sqlite3_column_int64(st, 1);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_prefectures(struct db *db, const char *prefix, int64_t *with_functions, int64_t *all)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FUNCTIONS);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, prefix);
  jk_status res = one_int(st, with_functions);
  if (res != JK_OK) return res;
  if (!(st = db_prepare(db, SQL_PREFECTURES))) return JK_EINTERNAL;
  db_bind_text(st, 1, prefix);
  return one_int(st, all);
}

jk_status indicator_store_extract(struct db *db, const char *region, int first, int last, int64_t limit,
                                  void (*fn)(void *ctx, const struct extract_row *row), void *ctx, int64_t *n)
{
  *n = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_EXTRACT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region ? region : "");
  db_bind_int64(st, 2, first);
  db_bind_int64(st, 3, last);
  db_bind_int64(st, 4, limit);
  struct extract_row *row = malloc(sizeof *row);
  if (!row) {
    db_done(st);
    return JK_EUNAVAIL;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
#define T(i) ((const char *)sqlite3_column_text(st, i))
    row->id = T(0);
    row->sex = sqlite3_column_int(st, 1);
    row->birth_date = T(2);
    row->region = T(3);
    row->diagnosis = T(4);
    row->severe = sqlite3_column_int(st, 5) != 0;
    row->disability_category = sqlite3_column_type(st, 6) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 6);
    row->disability_grade = sqlite3_column_type(st, 7) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 7);
    row->status = T(8);
    row->organization = T(9);
#undef T
    ind_facts_decode(st, 10, &row->facts);
    fn(ctx, row);
    (*n)++;
  }
  db_done(st);
  free(row);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_extract_count(struct db *db, const char *region, int first, int last, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_EXTRACT_COUNT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region ? region : "");
  db_bind_int64(st, 2, first);
  db_bind_int64(st, 3, last);
  return one_int(st, n);
}
