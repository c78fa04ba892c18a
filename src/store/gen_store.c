/* gen_store.c: the generators' rows (gen_store.h). */
#include "store/gen_store.h"
#include "store/indicator_internal.h"
#include "base/arena.h"
#include "sec/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_HISTORY_CLIENTS[] =
  "SELECT c.rid, c.residence_region, coalesce(c.organization_rid, 0), c.status, coalesce(o.kind, ''), c.created_at,"
  " c.severe"
  " FROM client c LEFT JOIN organization o ON o.rid = c.organization_rid"
  " WHERE NOT EXISTS (SELECT 1 FROM referral r WHERE r.client_rid = c.rid)"
  " AND NOT EXISTS (SELECT 1 FROM assessment a WHERE a.client_rid = c.rid)"
  " AND NOT EXISTS (SELECT 1 FROM rehab_plan p WHERE p.client_rid = c.rid)"
  " AND NOT EXISTS (SELECT 1 FROM service_attendance s WHERE s.client_rid = c.rid) ORDER BY c.rid";
static const char SQL_CLIENT_HISTORY[] =
  "UPDATE client SET created_at = $2, organization_rid = nullif($3, 0), status = $4,"
  " updated_at = CASE WHEN $5 > 0 THEN $5 ELSE max(updated_at, $2) END, exited_at = nullif($5, 0) WHERE rid = $1";
static const char SQL_CLIENT_STATUS[] = "UPDATE client SET status = $2 WHERE rid = $1";
static const char SQL_ORG[] =
  "INSERT INTO organization(id, name, kind, region, address, capacity, operating_mode, functions, services, created_at,"
  " updated_at) VALUES ($1, $2, 'rehab_institution', $3, '生成数据', $4, 'purchased', '[\"day_care\",\"home_support\"]',"
  " '[]', $5, $5) RETURNING rid";
static const char SQL_STAFF[] =
  "INSERT INTO staff(id, org_rid, region, name, profession, degree, major_field, direct_service, hired_on, created_by,"
  " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'gen', $10, $10) RETURNING rid";
static const char SQL_ORG_STAFF[] = "SELECT rid, id, name FROM staff WHERE org_rid = $1 AND active = 1 ORDER BY rid";
static const char SQL_TRAINING[] =
  "INSERT INTO training(id, staff_rid, kind, date, hours_x10, topic, provider, created_by, created_at)"
  " VALUES ($1, $2, 'centralized', $3, $4, $5, '市精神卫生中心', 'gen', $6)";
static const char SQL_REFERRAL[] =
  "INSERT INTO referral(id, client_rid, region, source, org_rid, prev_org_rid, status, need, informed_consent, agreement,"
  " outcome, urgent, due_at, waitlisted_at, followup_due, followup_done, created_by, submitted_at, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, nullif($5, 0), nullif($6, 0), $7, '{\"functions\":[\"day_care\"]}',"
  " CASE WHEN $8 IS NOT NULL THEN json_object('client_signed', json('true'), 'guardian_signed', json('false'),"
  " 'signed_on', $8, 'version', '2024.1', 'recorded_by', 'gen') END,"
  " CASE WHEN $9 IS NOT NULL THEN json_object('client_signed', json('true'), 'guardian_signed', json('false'),"
  " 'signed_on', $9, 'version', '2024.1', 'price_terms', '按月结算', 'recorded_by', 'gen') END,"
  " $10, $11, nullif($12, 0), nullif($13, 0), nullif($14, 0), nullif($15, 0), 'gen', $16, $16, $17) RETURNING rid";
static const char SQL_REFERRAL_EVENT[] =
  "INSERT INTO referral_event(referral_rid, time, action, from_status, to_status, actor_name, actor_role, org_rid, reason,"
  " detail) VALUES ($1, $2, $3, $4, $5, 'gen', $6, nullif($7, 0), $8, $9)";
static const char SQL_ASSESSMENT[] =
  "INSERT INTO assessment(id, series, version, client_rid, org_rid, instrument, instrument_version, date, answers,"
  " author_id, author_name, created_at, ind_kind) VALUES ($1, $2, 1, $3, nullif($4, 0), $5, 1, $6, '{}', 'gen', '生成数据', $7, "
  IND_ASSESS_KIND("$5", "NULL", "'{}'") ")";
static const char SQL_FORM[] =
  "INSERT INTO assessment(id, series, version, client_rid, org_rid, instrument, instrument_version, date, answers, score,"
  " band, band_label, flags, next_due, author_id, author_name, created_at, ind_kind)"
  " VALUES ($1, $1, 1, $2, nullif($3, 0), $4, $5, $6, $7, $8, $9, $10, $11, $12, 'gen', '生成数据', $13, "
  IND_ASSESS_KIND("$4", "$9", "$7") ")";
static const char SQL_SEVERE[] = "SELECT rid, severe FROM client WHERE rid BETWEEN $1 AND $2 ORDER BY rid";
static const char SQL_PLAN[] =
  "INSERT INTO rehab_plan(id, series, version, client_rid, org_rid, start_date, review_date, goals, services,"
  " author_id, author_name, created_at) VALUES ($1, $1, 1, $2, nullif($3, 0), $4, $5, '[]', '[]', 'gen', '生成数据', $6)";
static const char SQL_SERVICE[] =
  "INSERT INTO service_record(id, org_rid, type, mode, date, duration_minutes, place, staff, n_clients, n_attended,"
  " created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'gen', $11) RETURNING rid";
static const char SQL_ATTENDANCE[] =
  "INSERT INTO service_attendance(client_rid, date, record_rid, type, attended) VALUES ($1, $2, $3, $4, $5)";
static const char SQL_COUNTIES[] =
  "SELECT code FROM region WHERE length(code) = 6 ORDER BY code";
static const char SQL_VILLAGES[] = "SELECT code FROM region WHERE length(code) = 12 ORDER BY code";

/* Steps an insert to its end (a RETURNING rid into *rid when rid is non-NULL). */
static jk_status finish(sqlite3_stmt *st, int64_t *rid)
{
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    if (rid) *rid = sqlite3_column_int64(st, 0);
    rc = sqlite3_step(st);
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status gen_store_history_clients(struct db *db, struct arena *a, struct gen_hclient **out, int64_t *n)
{
  *out = 0;
  *n = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_HISTORY_CLIENTS);
  if (!st) return JK_EINTERNAL;
  size_t cap = 8;
  int rc;
  *out = arena_alloc(a, cap * sizeof **out);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) *out = arena_grow(a, *out, &cap, sizeof **out);
    struct gen_hclient *c = &(*out)[(*n)++];
    memset(c, 0, sizeof *c);
    c->rid = sqlite3_column_int64(st, 0);
    snprintf(c->region, sizeof c->region, "%s", (const char *)sqlite3_column_text(st, 1));
    c->org_rid = sqlite3_column_int64(st, 2);
    snprintf(c->status, sizeof c->status, "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(c->org_kind, sizeof c->org_kind, "%s", (const char *)sqlite3_column_text(st, 4));
    c->created_at = sqlite3_column_int64(st, 5);
    c->severe = sqlite3_column_int(st, 6) != 0;
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status gen_store_client_history(struct db *db, int64_t rid, int64_t created_at, int64_t org_rid, const char *status,
                                   int64_t exited_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CLIENT_HISTORY);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, created_at);
  db_bind_int64(st, 3, org_rid);
  db_bind_text(st, 4, status);
  db_bind_int64(st, 5, exited_at);
  return finish(st, 0);
}

jk_status gen_store_client_status(struct db *db, int64_t rid, const char *status)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CLIENT_STATUS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_text(st, 2, status);
  return finish(st, 0);
}

jk_status gen_store_org(struct db *db, const char *name, const char *region, int capacity, int64_t now, int64_t *rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ORG);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, name);
  db_bind_text(st, 3, region);
  db_bind_int64(st, 4, capacity);
  db_bind_int64(st, 5, now);
  return finish(st, rid);
}

jk_status gen_store_staff(struct db *db, int64_t org_rid, const char *region, const char *name, const char *profession,
                          const char *major_field, const char *degree, bool direct, const char *hired_on, int64_t now,
                          int64_t *rid, char id_out[37])
{
  sqlite3_stmt *st = db_prepare(db, SQL_STAFF);
  if (!st) return JK_EINTERNAL;
  uuid_v7(id_out);
  db_bind_text(st, 1, id_out);
  db_bind_int64(st, 2, org_rid);
  db_bind_text(st, 3, region);
  db_bind_text(st, 4, name);
  db_bind_text(st, 5, profession);
  db_bind_text(st, 6, degree);
  db_bind_text(st, 7, major_field);
  db_bind_int64(st, 8, direct);
  db_bind_text(st, 9, hired_on);
  db_bind_int64(st, 10, now);
  return finish(st, rid);
}

jk_status gen_store_org_staff(struct db *db, struct arena *a, int64_t org_rid, struct gen_staff **out, int64_t *n)
{
  *out = 0;
  *n = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_ORG_STAFF);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, org_rid);
  size_t cap = 8;
  int rc;
  *out = arena_alloc(a, cap * sizeof **out);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) *out = arena_grow(a, *out, &cap, sizeof **out);
    (*out)[*n] = (struct gen_staff){sqlite3_column_int64(st, 0), db_col_text(a, st, 1), db_col_text(a, st, 2)};
    (*n)++;
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status gen_store_training(struct db *db, int64_t staff_rid, const char *date, int hours_x10, const char *topic,
                             int64_t now)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TRAINING);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, staff_rid);
  db_bind_text(st, 3, date);
  db_bind_int64(st, 4, hours_x10);
  db_bind_text(st, 5, topic);
  db_bind_int64(st, 6, now);
  return finish(st, 0);
}

jk_status gen_store_referral(struct db *db, const struct gen_referral *r)
{
  sqlite3_stmt *st = db_prepare(db, SQL_REFERRAL);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, r->client_rid);
  db_bind_text(st, 3, r->region);
  db_bind_text(st, 4, r->source);
  db_bind_int64(st, 5, r->org_rid);
  db_bind_int64(st, 6, r->prev_org_rid);
  db_bind_text(st, 7, r->status);
  db_bind_text(st, 8, r->consent_on);
  db_bind_text(st, 9, r->agreement_on);
  db_bind_text(st, 10, r->outcome);
  db_bind_int64(st, 11, r->urgent);
  db_bind_int64(st, 12, r->due_at);
  db_bind_int64(st, 13, r->waitlisted_at);
  db_bind_int64(st, 14, r->followup_due);
  db_bind_int64(st, 15, r->followup_done);
  db_bind_int64(st, 16, r->submitted);
  db_bind_int64(st, 17, r->updated_at);
  int64_t rid = 0;
  jk_status s = finish(st, &rid);
  for (int i = 0; i < r->n_events && s == JK_OK; i++) {
    const struct gen_event *e = &r->events[i];
    if (!(st = db_prepare(db, SQL_REFERRAL_EVENT))) return JK_EINTERNAL;
    db_bind_int64(st, 1, rid);
    db_bind_int64(st, 2, e->time);
    db_bind_text(st, 3, e->action);
    db_bind_text(st, 4, e->from);
    db_bind_text(st, 5, e->to);
    db_bind_text(st, 6, e->role);
    db_bind_int64(st, 7, e->org_rid);
    db_bind_text(st, 8, e->reason);
    db_bind_text(st, 9, e->detail);
    s = finish(st, 0);
  }
  return s;
}

jk_status gen_store_form(struct db *db, int64_t client_rid, int64_t org_rid, const struct gen_form *f, const char *date,
                         const char *next_due, int64_t created_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_FORM);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, client_rid);
  db_bind_int64(st, 3, org_rid);
  db_bind_text(st, 4, f->instrument);
  db_bind_int64(st, 5, f->version);
  db_bind_text(st, 6, date);
  db_bind_text(st, 7, f->answers);
  if (f->has_score) db_bind_int64(st, 8, f->score);
  db_bind_text(st, 9, f->band);
  db_bind_text(st, 10, f->band_label);
  db_bind_text(st, 11, f->flags);
  db_bind_text(st, 12, next_due);
  db_bind_int64(st, 13, created_at);
  return finish(st, 0);
}

jk_status gen_store_severe(struct db *db, const int64_t *rids, int64_t n, uint8_t *out)
{
  if (n == 0) return JK_OK;
  sqlite3_stmt *st = db_prepare(db, SQL_SEVERE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rids[0]);
  db_bind_int64(st, 2, rids[n - 1]);
  int rc;
  int64_t i = 0;
  memset(out, 0, (size_t)n);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t rid = sqlite3_column_int64(st, 0);
    while (i < n && rids[i] < rid) i++;
    if (i < n && rids[i] == rid) out[i] = sqlite3_column_int(st, 1) != 0;
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status gen_store_assessment(struct db *db, int64_t client_rid, int64_t org_rid, const char *instrument,
                               const char *date, int64_t created_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ASSESSMENT);
  if (!st) return JK_EINTERNAL;
  char id[37], series[37];
  uuid_v7(id);
  uuid_v7(series);
  db_bind_text(st, 1, id);
  db_bind_text(st, 2, series);
  db_bind_int64(st, 3, client_rid);
  db_bind_int64(st, 4, org_rid);
  db_bind_text(st, 5, instrument);
  db_bind_text(st, 6, date);
  db_bind_int64(st, 7, created_at);
  return finish(st, 0);
}

jk_status gen_store_plan(struct db *db, int64_t client_rid, int64_t org_rid, const char *start, const char *review,
                         int64_t created_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PLAN);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, client_rid);
  db_bind_int64(st, 3, org_rid);
  db_bind_text(st, 4, start);
  db_bind_text(st, 5, review);
  db_bind_int64(st, 6, created_at);
  return finish(st, 0);
}

jk_status gen_store_service(struct db *db, int64_t org_rid, const char *type, bool group, const char *date,
                            int n_clients, int n_attended, const char *staff_json, int64_t created_at, int64_t *rid)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SERVICE);
  if (!st) return JK_EINTERNAL;
  char id[37];
  uuid_v7(id);
  db_bind_text(st, 1, id);
  db_bind_int64(st, 2, org_rid);
  db_bind_text(st, 3, type);
  db_bind_text(st, 4, group ? "group" : "individual");
  db_bind_text(st, 5, date);
  db_bind_int64(st, 6, group ? 90 : 45);
  db_bind_text(st, 7, group ? "institution" : "home");
  db_bind_text(st, 8, staff_json);
  db_bind_int64(st, 9, n_clients);
  db_bind_int64(st, 10, n_attended);
  db_bind_int64(st, 11, created_at);
  return finish(st, rid);
}

jk_status gen_store_attendance(struct db *db, int64_t client_rid, const char *date, int64_t record_rid, const char *type,
                               bool attended)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ATTENDANCE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, date);
  db_bind_int64(st, 3, record_rid);
  db_bind_text(st, 4, type);
  db_bind_int64(st, 5, attended);
  return finish(st, 0);
}

jk_status gen_store_divisions(struct db *db, struct gen_county **counties, int64_t *nc, char (**villages)[13],
                              int64_t *nv)
{
  *counties = 0;
  *villages = 0;
  *nc = *nv = 0;
  size_t ccap = 0, vcap = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_COUNTIES);
  if (!st) return JK_EINTERNAL;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*nc == ccap) {
      ccap = ccap ? ccap * 2 : 4096;
      void *p = realloc(*counties, ccap * sizeof **counties);
      if (!p) return db_done(st), JK_EUNAVAIL;
      *counties = p;
    }
    struct gen_county *c = &(*counties)[(*nc)++];
    snprintf(c->code, sizeof c->code, "%s", (const char *)sqlite3_column_text(st, 0));
    c->villages = c->first_village = 0;
  }
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  if (!(st = db_prepare(db, SQL_VILLAGES))) return JK_EINTERNAL;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*nv == vcap) {
      vcap = vcap ? vcap * 2 : 65536;
      void *p = realloc(*villages, vcap * sizeof **villages);
      if (!p) return db_done(st), JK_EUNAVAIL;
      *villages = p;
    }
    snprintf((*villages)[(*nv)++], 13, "%s", (const char *)sqlite3_column_text(st, 0));
  }
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  /* both in code order: one merge pass */
  int64_t v = 0;
  for (int64_t i = 0; i < *nc; i++) {
    struct gen_county *c = &(*counties)[i];
    while (v < *nv && strncmp((*villages)[v], c->code, 6) < 0) v++;
    c->first_village = v;
    while (v < *nv && strncmp((*villages)[v], c->code, 6) == 0) v++, c->villages++;
  }
  return JK_OK;
}

jk_status gen_store_bulk_mode(struct db *db)
{
  return db_exec(db, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY");
}
