/* staff_store.c: see staff_store.h. */
#include "store/staff_store.h"
#include "base/arena.h"

static const char SQL_INSERT[] =
  "INSERT INTO staff(id, org_rid, region, name, profession, degree, major, major_field, direct_service,"
  " referral_worker, certificates, active, hired_on, created_by, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING rid";
static const char SQL_UPDATE[] =
  "UPDATE staff SET name = $4, profession = $5, degree = $6, major = $7, major_field = $8, direct_service = $9,"
  " referral_worker = $10, certificates = $11, active = $12, hired_on = $13, updated_at = $16 WHERE id = $1"
  " AND coalesce(org_rid, 0) = coalesce($2, 0) AND region = $3";
static const char SQL_BY_ID[] =
  "SELECT rid, id, coalesce(org_rid, 0), region, name, profession, degree, major, major_field, direct_service,"
  " referral_worker, certificates, active, hired_on, created_by, created_at, updated_at FROM staff WHERE id = $1";
#define STAFF_ROW                                                                                                    \
  "SELECT s.id, s.name, s.profession, s.degree, s.major, s.major_field, s.direct_service AS direct_service__bool,"  \
  " s.referral_worker AS referral_worker__bool, s.certificates AS certificates__json, s.active AS active__bool,"    \
  " s.hired_on, s.region, o.id AS organization, o.name AS organization_name,"                                       \
  " (SELECT coalesce(sum(t.hours_x10), 0) FROM training t WHERE t.staff_rid = s.rid AND t.date >= $3"               \
  "  AND t.date <= $4) AS hours_x10,"                                                                               \
  " (SELECT count(*) FROM training t WHERE t.staff_rid = s.rid AND t.needs_assessment = 1)"                         \
  "  AS needs_assessment_trainings FROM staff s LEFT JOIN organization o ON o.rid = s.org_rid"
static const char SQL_LIST_ORG[] =
  STAFF_ROW " WHERE s.org_rid = $1 AND ($2 = 0 OR s.active = 1) ORDER BY s.active DESC, s.name, s.rid LIMIT 2000";
static const char SQL_LIST_REGION[] =
  STAFF_ROW " WHERE s.region >= $1 AND s.region < $1 || ':' AND ($2 = 0 OR s.active = 1)"
  " ORDER BY s.active DESC, s.region, s.name, s.rid LIMIT 2000";
static const char SQL_ONE[] = STAFF_ROW " WHERE s.rid = $1";
static const char SQL_TRAINING_INSERT[] =
  "INSERT INTO training(id, staff_rid, kind, date, hours_x10, topic, provider, needs_assessment, created_by,"
  " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char SQL_TRAINING_LIST[] =
  "SELECT id, kind, date, hours_x10, topic, provider, needs_assessment AS needs_assessment__bool"
  " FROM training WHERE staff_rid = $1 ORDER BY date DESC, rid DESC LIMIT 500";

static void bind_staff(sqlite3_stmt *st, const struct staff_rec *s)
{
  db_bind_text(st, 1, s->id);
  if (s->org_rid) db_bind_int64(st, 2, s->org_rid);
  else sqlite3_bind_null(st, 2);
  db_bind_text(st, 3, s->region);
  db_bind_text(st, 4, s->name);
  db_bind_text(st, 5, s->profession);
  db_bind_text(st, 6, s->degree);
  db_bind_text(st, 7, s->major);
  db_bind_text(st, 8, s->major_field);
  db_bind_int64(st, 9, s->direct_service);
  db_bind_int64(st, 10, s->referral_worker);
  db_bind_text(st, 11, s->certificates_json);
  db_bind_int64(st, 12, s->active);
  db_bind_text(st, 13, s->hired_on);
  db_bind_text(st, 14, s->created_by);
  db_bind_int64(st, 15, s->created_at);
  db_bind_int64(st, 16, s->updated_at);
}

jk_status staff_store_insert(struct db *db, struct staff_rec *s)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  bind_staff(st, s);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) s->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status staff_store_update(struct db *db, const struct staff_rec *s)
{
  sqlite3_stmt *st = db_prepare(db, SQL_UPDATE);
  if (!st) return JK_EINTERNAL;
  bind_staff(st, s);
  int rc = sqlite3_step(st);
  int changed = rc == SQLITE_DONE ? sqlite3_changes(db_sqlite(db)) : 0;
  db_done(st);
  return rc != SQLITE_DONE ? db_status(rc) : changed ? JK_OK : JK_ENOTFOUND;
}

jk_status staff_store_by_id(struct db *db, struct arena *a, const char *id, struct staff_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, SQL_BY_ID);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = (struct staff_rec){
      .rid = sqlite3_column_int64(st, 0), .id = db_col_text(a, st, 1), .org_rid = sqlite3_column_int64(st, 2),
      .region = db_col_text(a, st, 3), .name = db_col_text(a, st, 4), .profession = db_col_text(a, st, 5),
      .degree = db_col_text(a, st, 6), .major = db_col_text(a, st, 7), .major_field = db_col_text(a, st, 8),
      .direct_service = sqlite3_column_int(st, 9) != 0, .referral_worker = sqlite3_column_int(st, 10) != 0,
      .certificates_json = db_col_text(a, st, 11), .active = sqlite3_column_int(st, 12) != 0,
      .hired_on = db_col_text(a, st, 13), .created_by = db_col_text(a, st, 14),
      .created_at = sqlite3_column_int64(st, 15), .updated_at = sqlite3_column_int64(st, 16)};
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status staff_store_list(struct db *db, int64_t org_rid, const char *region, const char *from, const char *to,
                           bool active_only, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, org_rid ? SQL_LIST_ORG : SQL_LIST_REGION);
  if (!st) return JK_EINTERNAL;
  if (org_rid) db_bind_int64(st, 1, org_rid);
  else db_bind_text(st, 1, region ? region : "");
  db_bind_int64(st, 2, active_only);
  db_bind_text(st, 3, from);
  db_bind_text(st, 4, to);
  return db_rows_json(st, rows);
}

jk_status staff_store_row(struct db *db, int64_t rid, const char *from, const char *to, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ONE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_text(st, 3, from);
  db_bind_text(st, 4, to);
  return db_rows_json(st, rows);
}

jk_status training_store_insert(struct db *db, const struct training_rec *t)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TRAINING_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, t->id);
  db_bind_int64(st, 2, t->staff_rid);
  db_bind_text(st, 3, t->kind);
  db_bind_text(st, 4, t->date);
  db_bind_int64(st, 5, t->hours_x10);
  db_bind_text(st, 6, t->topic);
  db_bind_text(st, 7, t->provider);
  db_bind_int64(st, 8, t->needs_assessment);
  db_bind_text(st, 9, t->created_by);
  db_bind_int64(st, 10, t->created_at);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status training_store_list(struct db *db, int64_t staff_rid, json_t *rows)
{
  sqlite3_stmt *st = db_prepare(db, SQL_TRAINING_LIST);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, staff_rid);
  return db_rows_json(st, rows);
}
