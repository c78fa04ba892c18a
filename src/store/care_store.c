/* care_store.c: see care_store.h. Assessments and plans are only ever inserted (the schema's
 * triggers refuse anything else); "current" is the highest version of a series. */
#include "store/care_store.h"
#include "store/indicator_internal.h"
#include "base/arena.h"
#include <string.h>

static jk_status step_done(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static void bind_opt_int(sqlite3_stmt *st, int i, bool has, int64_t v)
{
  if (has) db_bind_int64(st, i, v);
  else sqlite3_bind_null(st, i);
}

static void bind_rid(sqlite3_stmt *st, int i, int64_t rid) { bind_opt_int(st, i, rid != 0, rid); }

/* ---- instruments ---- */

static const char SQL_INSTR_GET[] = "SELECT definition FROM instrument WHERE id = $1 AND version = $2";
static const char SQL_INSTR_PUT[] = "INSERT INTO instrument(id, version, definition, loaded_at) VALUES ($1, $2, $3, $4)";
static const char SQL_INSTR_ALL[] = "SELECT definition FROM instrument ORDER BY id, version";

jk_status instrument_store_put(struct db *db, const char *id, int version, const char *definition, int64_t now,
                               bool *added)
{
  *added = false;
  sqlite3_stmt *st = db_prepare(db, SQL_INSTR_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, version);
  int rc = sqlite3_step(st);
  bool same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), definition) == 0;
  db_done(st);
  if (rc == SQLITE_ROW) return same ? JK_OK : JK_ECONFLICT;
  if (rc != SQLITE_DONE) return db_status(rc);
  if (!(st = db_prepare(db, SQL_INSTR_PUT))) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, version);
  db_bind_text(st, 3, definition);
  db_bind_int64(st, 4, now);
  jk_status s = step_done(st);
  *added = s == JK_OK;
  return s;
}

jk_status instrument_store_each(struct db *db, void (*fn)(void *ctx, const char *definition), void *ctx)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSTR_ALL);
  if (!st) return JK_EINTERNAL;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) fn(ctx, (const char *)sqlite3_column_text(st, 0));
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* ---- assessments ---- */

static const char SQL_ASSESS_INSERT[] =
  "INSERT INTO assessment(id, series, version, client_rid, org_rid, instrument, instrument_version, date, answers,"
  " score, band, band_label, flags, signatures, next_due, outcome, author_id, author_name, reason, created_at, ind_kind)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
  IND_ASSESS_KIND("$6", "$11", "$9") ") RETURNING rid";
#define ASSESS_COLS                                                                                                  \
  "rid, id, series, version, client_rid, org_rid, instrument, instrument_version, date, answers, score, band,"       \
  " band_label, flags, signatures, next_due, outcome, author_id, author_name, reason, created_at"
static const char SQL_ASSESS_BY_ID[] =
  "SELECT " ASSESS_COLS ", (SELECT c.id FROM client c WHERE c.rid = client_rid) FROM assessment WHERE id = $1";
static const char SQL_ASSESS_LATEST[] = "SELECT max(version) FROM assessment WHERE series = $1";
#define ASSESS_ROW                                                                                                   \
  "SELECT a.id, a.series, a.version, a.instrument, a.instrument_version, a.date, a.score, a.band, a.band_label,"     \
  " a.flags AS flags__json, a.next_due, a.outcome, a.author_name, a.reason,"                                         \
  " strftime('%Y-%m-%dT%H:%M:%S+08:00', a.created_at / 1000 + 28800, 'unixepoch') AS created_at,"                   \
  " o.id AS organization, o.name AS organization_name FROM assessment a LEFT JOIN organization o ON o.rid = a.org_rid"
static const char SQL_ASSESS_CURRENT[] =
  ASSESS_ROW " WHERE a.client_rid = $1 AND ($2 IS NULL OR a.instrument = $2)"
  " AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version)"
  " ORDER BY a.date DESC, a.rid DESC LIMIT $3";
static const char SQL_ASSESS_SERIES[] =
  ASSESS_ROW " WHERE a.client_rid = $1 AND a.series = $2 ORDER BY a.version DESC LIMIT $3";

jk_status assessment_store_insert(struct db *db, struct assessment_rec *a)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ASSESS_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, a->id);
  db_bind_text(st, 2, a->series);
  db_bind_int64(st, 3, a->version);
  db_bind_int64(st, 4, a->client_rid);
  bind_rid(st, 5, a->org_rid);
  db_bind_text(st, 6, a->instrument);
  db_bind_int64(st, 7, a->instrument_version);
  db_bind_text(st, 8, a->date);
  db_bind_text(st, 9, a->answers_json);
  bind_opt_int(st, 10, a->has_score, a->score);
  db_bind_text(st, 11, a->band);
  db_bind_text(st, 12, a->band_label);
  db_bind_text(st, 13, a->flags_json);
  db_bind_text(st, 14, a->signatures_json);
  db_bind_text(st, 15, a->next_due);
  db_bind_text(st, 16, a->outcome);
  db_bind_text(st, 17, a->author_id);
  db_bind_text(st, 18, a->author_name);
  db_bind_text(st, 19, a->reason);
  db_bind_int64(st, 20, a->created_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) a->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status assessment_store_by_id(struct db *db, struct arena *a, const char *id, struct assessment_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ASSESS_BY_ID);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = (struct assessment_rec){
      .rid = sqlite3_column_int64(st, 0), .id = db_col_text(a, st, 1), .series = db_col_text(a, st, 2),
      .version = sqlite3_column_int(st, 3), .client_rid = sqlite3_column_int64(st, 4),
      .org_rid = sqlite3_column_int64(st, 5), .instrument = db_col_text(a, st, 6),
      .instrument_version = sqlite3_column_int(st, 7), .date = db_col_text(a, st, 8),
      .answers_json = db_col_text(a, st, 9), .has_score = sqlite3_column_type(st, 10) != SQLITE_NULL,
      .score = sqlite3_column_int64(st, 10), .band = db_col_text(a, st, 11), .band_label = db_col_text(a, st, 12),
      .flags_json = db_col_text(a, st, 13), .signatures_json = db_col_text(a, st, 14),
      .next_due = db_col_text(a, st, 15), .outcome = db_col_text(a, st, 16), .author_id = db_col_text(a, st, 17),
      .author_name = db_col_text(a, st, 18), .reason = db_col_text(a, st, 19),
      .created_at = sqlite3_column_int64(st, 20), .client_id = db_col_text(a, st, 21)};
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status assessment_store_latest(struct db *db, const char *series, int *version)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ASSESS_LATEST);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, series);
  int64_t v = 0;
  jk_status s = db_step_int(st, &v);
  *version = (int)v;
  return s;
}

jk_status assessment_store_list(struct db *db, int64_t client_rid, const char *instrument, const char *series,
                                int64_t limit, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, series ? SQL_ASSESS_SERIES : SQL_ASSESS_CURRENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, series ? series : instrument);
  db_bind_int64(st, 3, limit);
  return db_rows_json(st, rows);
}

/* ---- due dates and alerts ---- */

static const char SQL_DUE_SET[] =
  "INSERT INTO care_due(client_rid, kind, due_date, org_rid, region) VALUES ($1, $2, $3, $4, $5)"
  " ON CONFLICT(client_rid, kind) DO UPDATE SET due_date = excluded.due_date, org_rid = excluded.org_rid,"
  " region = excluded.region";
#define DUE_ROW                                                                                                      \
  "SELECT d.kind, d.due_date, c.id AS client, c.name AS client_name, o.id AS organization, o.name AS organization_name" \
  " FROM care_due d JOIN client c ON c.rid = d.client_rid LEFT JOIN organization o ON o.rid = d.org_rid"
static const char SQL_DUE_ORG[] =
  DUE_ROW " WHERE d.org_rid = $1 AND d.due_date <= $2 AND c.status IN ('registered', 'in_service')"
  " ORDER BY d.due_date, d.kind LIMIT $3";
static const char SQL_DUE_REGION[] =
  DUE_ROW " WHERE d.region >= $1 AND d.region < $1 || ':' AND d.due_date <= $2"
  " AND c.status IN ('registered', 'in_service') ORDER BY d.due_date, d.kind LIMIT $3";
static const char SQL_DUE_CLIENT[] = DUE_ROW " WHERE d.client_rid = $1 ORDER BY d.due_date";

jk_status care_due_set(struct db *db, int64_t client_rid, const char *kind, const char *due_date, int64_t org_rid,
                       const char *region)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DUE_SET);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, kind);
  db_bind_text(st, 3, due_date);
  bind_rid(st, 4, org_rid);
  db_bind_text(st, 5, region);
  return step_done(st);
}

jk_status care_due_list(struct db *db, int64_t org_rid, const char *region, const char *until, int64_t limit,
                        json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, org_rid ? SQL_DUE_ORG : SQL_DUE_REGION);
  if (!st) return JK_EINTERNAL;
  if (org_rid) db_bind_int64(st, 1, org_rid);
  else db_bind_text(st, 1, region ? region : "");
  db_bind_text(st, 2, until);
  db_bind_int64(st, 3, limit);
  return db_rows_json(st, rows);
}

jk_status care_due_of_client(struct db *db, int64_t client_rid, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DUE_CLIENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  return db_rows_json(st, rows);
}

static const char SQL_ALERT_INSERT[] =
  "INSERT INTO alert(id, client_rid, org_rid, region, kind, label, assessment_rid, created_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
#define ALERT_ROW                                                                                                    \
  "SELECT l.id, l.kind, l.label, c.id AS client, c.name AS client_name, s.id AS assessment, s.instrument,"          \
  " strftime('%Y-%m-%dT%H:%M:%S+08:00', l.created_at / 1000 + 28800, 'unixepoch') AS created_at, l.ack_by,"         \
  " CASE WHEN l.ack_at IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S+08:00', l.ack_at / 1000 + 28800,"        \
  " 'unixepoch') END AS ack_at, l.ack_note, o.id AS organization"                                                    \
  " FROM alert l JOIN client c ON c.rid = l.client_rid LEFT JOIN assessment s ON s.rid = l.assessment_rid"          \
  " LEFT JOIN organization o ON o.rid = l.org_rid"
static const char SQL_ALERT_ORG[] = ALERT_ROW " WHERE l.org_rid = $1 AND l.ack_at IS NULL ORDER BY l.rid DESC LIMIT $2";
static const char SQL_ALERT_REGION[] =
  ALERT_ROW " WHERE l.region >= $1 AND l.region < $1 || ':' AND l.ack_at IS NULL ORDER BY l.rid DESC LIMIT $2";
static const char SQL_ALERT_CLIENT[] = ALERT_ROW " WHERE l.client_rid = $1 ORDER BY l.rid DESC LIMIT $2";
static const char SQL_ALERT_GET[] = "SELECT client_rid, ack_at FROM alert WHERE id = $1";
static const char SQL_ALERT_ACK[] =
  "UPDATE alert SET ack_by = $2, ack_note = $3, ack_at = $4 WHERE id = $1 AND ack_at IS NULL";

jk_status alert_store_insert(struct db *db, const char *id, int64_t client_rid, int64_t org_rid, const char *region,
                             const char *kind, const char *label, int64_t assessment_rid, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ALERT_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, client_rid);
  bind_rid(st, 3, org_rid);
  db_bind_text(st, 4, region);
  db_bind_text(st, 5, kind);
  db_bind_text(st, 6, label);
  bind_rid(st, 7, assessment_rid);
  db_bind_int64(st, 8, now);
  return step_done(st);
}

jk_status alert_store_list(struct db *db, int64_t org_rid, const char *region, int64_t client_rid, int64_t limit,
                           json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, client_rid ? SQL_ALERT_CLIENT : org_rid ? SQL_ALERT_ORG : SQL_ALERT_REGION);
  if (!st) return JK_EINTERNAL;
  if (client_rid || org_rid) db_bind_int64(st, 1, client_rid ? client_rid : org_rid);
  else db_bind_text(st, 1, region ? region : "");
  db_bind_int64(st, 2, limit);
  return db_rows_json(st, rows);
}

jk_status alert_store_client(struct db *db, const char *id, int64_t *client_rid, int64_t *ack_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ALERT_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *client_rid = sqlite3_column_int64(st, 0);
    *ack_at = sqlite3_column_int64(st, 1);
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status alert_store_ack(struct db *db, const char *id, const char *by, const char *note, int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ALERT_ACK);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, by);
  db_bind_text(st, 3, note);
  db_bind_int64(st, 4, now);
  int rc = sqlite3_step(st);
  bool changed = rc == SQLITE_DONE && sqlite3_changes(db_sqlite(db)) == 1;
  db_done(st);
  return rc != SQLITE_DONE ? db_status(rc) : changed ? JK_OK : JK_ECONFLICT;
}

/* ---- rehab plans ---- */

static const char SQL_PLAN_INSERT[] =
  "INSERT INTO rehab_plan(id, series, version, client_rid, org_rid, start_date, review_date, goals, services, note,"
  " author_id, author_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING rid";
#define PLAN_ROW                                                                                                     \
  "SELECT p.id, p.series, p.version, p.start_date, p.review_date, p.goals AS goals__json,"                          \
  " p.services AS services__json, p.note, p.author_name,"                                                           \
  " strftime('%Y-%m-%dT%H:%M:%S+08:00', p.created_at / 1000 + 28800, 'unixepoch') AS created_at,"                   \
  " o.id AS organization, o.name AS organization_name FROM rehab_plan p LEFT JOIN organization o ON o.rid = p.org_rid"
static const char SQL_PLAN_CURRENT[] = PLAN_ROW " WHERE p.client_rid = $1 ORDER BY p.rid DESC LIMIT 1";
static const char SQL_PLAN_VERSIONS[] = PLAN_ROW " WHERE p.client_rid = $1 ORDER BY p.rid DESC LIMIT 100";
static const char SQL_PLAN_ATTENDED[] =
  "SELECT type, count(*) FROM service_attendance WHERE client_rid = $1 AND date >= $2 AND date <= $3"
  " AND attended = 1 GROUP BY type";

jk_status plan_store_insert(struct db *db, struct plan_rec *p)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLAN_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, p->id);
  db_bind_text(st, 2, p->series);
  db_bind_int64(st, 3, p->version);
  db_bind_int64(st, 4, p->client_rid);
  bind_rid(st, 5, p->org_rid);
  db_bind_text(st, 6, p->start_date);
  db_bind_text(st, 7, p->review_date);
  db_bind_text(st, 8, p->goals_json);
  db_bind_text(st, 9, p->services_json);
  db_bind_text(st, 10, p->note);
  db_bind_text(st, 11, p->author_id);
  db_bind_text(st, 12, p->author_name);
  db_bind_int64(st, 13, p->created_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) p->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status plan_store_current(struct db *db, int64_t client_rid, json_t **row)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLAN_CURRENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  json_t *rows = json_array();
  jk_status s = db_rows_json(st, rows);
  *row = json_array_size(rows) ? json_incref(json_array_get(rows, 0)) : json_null();
  json_decref(rows);
  return s;
}

jk_status plan_store_versions(struct db *db, int64_t client_rid, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLAN_VERSIONS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  return db_rows_json(st, rows);
}

jk_status plan_store_attended(struct db *db, int64_t client_rid, const char *from, const char *to, json_t *counts)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLAN_ATTENDED);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    json_object_set_new(counts, (const char *)sqlite3_column_text(st, 0), json_integer(sqlite3_column_int64(st, 1)));
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* ---- care team ---- */

static const char SQL_TEAM_INSERT[] =
  "INSERT INTO care_team(id, client_rid, role, name, phone_enc, phone_masked, unit, responsible, next_step,"
  " next_step_due, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING rid";
static const char SQL_TEAM_UPDATE[] =
  "UPDATE care_team SET role = $3, name = $4, phone_enc = $5, phone_masked = $6, unit = $7, responsible = $8,"
  " next_step = $9, next_step_due = $10, updated_at = $11 WHERE id = $1 AND client_rid = $2";
static const char SQL_TEAM_DELETE[] = "DELETE FROM care_team WHERE id = $1 AND client_rid = $2";
static const char SQL_TEAM_CLEAR[] =
  "UPDATE care_team SET responsible = 0 WHERE client_rid = $1 AND responsible = 1 AND id <> $2";
static const char SQL_TEAM_LIST[] =
  "SELECT id, role, name, phone_masked, unit, responsible AS responsible__bool, next_step, next_step_due"
  " FROM care_team WHERE client_rid = $1 ORDER BY responsible DESC, rid";
static const char SQL_TEAM_GET[] =
  "SELECT rid, id, role, name, phone_enc, phone_masked, unit, responsible, next_step, next_step_due, created_at,"
  " updated_at FROM care_team WHERE client_rid = $1 AND id = $2";

static void bind_team(sqlite3_stmt *st, const struct team_rec *t)
{
  db_bind_text(st, 1, t->id);
  db_bind_int64(st, 2, t->client_rid);
  db_bind_text(st, 3, t->role);
  db_bind_text(st, 4, t->name);
  db_bind_blob(st, 5, t->phone_enc, (int)t->phone_len);
  db_bind_text(st, 6, t->phone_masked);
  db_bind_text(st, 7, t->unit);
  db_bind_int64(st, 8, t->responsible);
  db_bind_text(st, 9, t->next_step);
  db_bind_text(st, 10, t->next_step_due);
  db_bind_int64(st, 11, t->updated_at);
}

jk_status team_store_insert(struct db *db, struct team_rec *t)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_INSERT);
  if (!st) return JK_EINTERNAL;
  bind_team(st, t);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) t->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static jk_status step_changed(struct db *db, sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  int changed = rc == SQLITE_DONE ? sqlite3_changes(db_sqlite(db)) : 0;
  db_done(st);
  return rc != SQLITE_DONE ? db_status(rc) : changed ? JK_OK : JK_ENOTFOUND;
}

jk_status team_store_update(struct db *db, const struct team_rec *t)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_UPDATE);
  if (!st) return JK_EINTERNAL;
  bind_team(st, t);
  return step_changed(db, st);
}

jk_status team_store_delete(struct db *db, int64_t client_rid, const char *id)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_DELETE);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, client_rid);
  return step_changed(db, st);
}

jk_status team_store_clear_responsible(struct db *db, int64_t client_rid, const char *except_id)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_CLEAR);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, except_id);
  return step_done(st);
}

jk_status team_store_list(struct db *db, int64_t client_rid, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_LIST);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  return db_rows_json(st, rows);
}

jk_status team_store_by_id(struct db *db, struct arena *a, int64_t client_rid, const char *id, struct team_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TEAM_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    size_t n = (size_t)sqlite3_column_bytes(st, 4);
    void *enc = n ? arena_alloc(a, n) : 0;
    if (n) memcpy(enc, sqlite3_column_blob(st, 4), n);
    *out = (struct team_rec){.rid = sqlite3_column_int64(st, 0), .id = db_col_text(a, st, 1), .client_rid = client_rid,
                             .role = db_col_text(a, st, 2), .name = db_col_text(a, st, 3), .phone_enc = enc,
                             .phone_len = n, .phone_masked = db_col_text(a, st, 5), .unit = db_col_text(a, st, 6),
                             .responsible = sqlite3_column_int(st, 7) != 0, .next_step = db_col_text(a, st, 8),
                             .next_step_due = db_col_text(a, st, 9), .created_at = sqlite3_column_int64(st, 10),
                             .updated_at = sqlite3_column_int64(st, 11)};
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}
