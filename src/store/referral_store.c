/* referral_store.c: see referral_store.h.
 *
 * Lists lead with the index that fits the caller's scope: (status, region) for regional roles,
 * (org_rid, status) / (from_org_rid, status) for organization staff; the status set is a JSON
 * array bound as one parameter and expanded with json_each, so each status is an index probe.
 * Other filters are "$n IS NULL OR ..." terms applied to the rows the index found. */
#include "store/referral_store.h"
#include "base/arena.h"
#include <string.h>

#define REF_COLS \
  "r.rid, r.id, r.receipt, r.client_rid, r.region, r.source, r.reporter, r.from_org_rid, r.org_rid," \
  " r.prev_org_rid, r.status, r.need, r.consent, r.assessment, r.informed_consent, r.agreement, r.outcome," \
  " r.outcome_detail, r.urgent, r.due_at, r.waitlisted_at, r.reviewed_at, r.followup_due, r.followup_done," \
  " r.overdue_sent, r.lat, r.lng, r.idem_key, r.idem_hash, r.created_by, r.submitted_at, r.created_at," \
  " r.updated_at, c.id, c.name, c.id_masked, c.birth_date, c.residence_region, c.sex, fo.id, fo.name," \
  " o.id, o.name, o.kind, o.phone"
#define REF_FROM \
  " FROM referral r JOIN client c ON c.rid = r.client_rid" \
  " LEFT JOIN organization fo ON fo.rid = r.from_org_rid LEFT JOIN organization o ON o.rid = r.org_rid"

static const char SQL_INSERT[] =
  "INSERT INTO referral(id, receipt, client_rid, region, source, reporter, from_org_rid, org_rid, prev_org_rid,"
  " status, need, consent, assessment, informed_consent, agreement, outcome, outcome_detail, urgent, due_at,"
  " waitlisted_at, reviewed_at, followup_due, followup_done, overdue_sent, lat, lng, idem_key, idem_hash,"
  " created_by, submitted_at, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
  " $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) RETURNING rid";
static const char SQL_UPDATE[] =
  "UPDATE referral SET region = $4, from_org_rid = $7, org_rid = $8, prev_org_rid = $9, status = $10,"
  " need = $11, consent = $12, assessment = $13, informed_consent = $14, agreement = $15, outcome = $16,"
  " outcome_detail = $17, urgent = $18, due_at = $19, waitlisted_at = $20, reviewed_at = $21,"
  " followup_due = $22, followup_done = $23, overdue_sent = $24, lat = $25, lng = $26, updated_at = $32"
  " WHERE rid = $33";
static const char SQL_BY_ID[] = "SELECT " REF_COLS REF_FROM " WHERE r.id = $1";
static const char SQL_BY_RECEIPT[] = "SELECT " REF_COLS REF_FROM " WHERE r.receipt = $1";
static const char SQL_BY_IDEM[] = "SELECT " REF_COLS REF_FROM " WHERE r.created_by = $1 AND r.idem_key = $2";
static const char SQL_ADD_EVENT[] =
  "INSERT INTO referral_event(referral_rid, time, action, from_status, to_status, actor_id, actor_name,"
  " actor_role, org_rid, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
static const char SQL_EVENTS[] =
  "SELECT e.time, e.action, e.from_status, e.to_status, e.actor_id, e.actor_name, e.actor_role, e.org_rid,"
  " e.reason, e.detail, o.id, o.name FROM referral_event e LEFT JOIN organization o ON o.rid = e.org_rid"
  " WHERE e.referral_rid = $1 ORDER BY e.rid";

/* $1 statuses, $2 region, $3 org_any, $4 org, $5 source, $6 client, $7 overdue_at, $8 followup_by,
 * $9 by_due, $10 limit, $11 offset, $12 from_org */
#define LIST_FILTERS \
  " AND ($4 IS NULL OR r.org_rid = $4) AND ($5 IS NULL OR r.source = $5) AND ($6 IS NULL OR r.client_rid = $6)" \
  " AND ($7 IS NULL OR (r.due_at < $7 AND r.status <> 'waitlisted'))" \
  " AND ($8 IS NULL OR (r.status = 'closed' AND r.followup_done IS NULL AND r.followup_due < $8))" \
  " AND ($12 IS NULL OR r.from_org_rid = $12)"
#define ORDER_BY \
  " ORDER BY CASE WHEN $9 THEN r.urgent END DESC, CASE WHEN $9 THEN coalesce(r.due_at, 9e18) END," \
  " CASE WHEN $9 THEN 0 ELSE -r.updated_at END, r.rid DESC"
#define BY_STATUS " r.status IN (SELECT value FROM json_each($1))"
#define BY_REGION " AND r.region >= $2 AND r.region < $2 || ':'"
#define BY_ORG_ANY \
  " AND r.rid IN (SELECT rid FROM referral WHERE org_rid = $3 UNION SELECT rid FROM referral WHERE from_org_rid = $3)"
/* The page's rowids come from the covering index (referral_work) alone; only those twenty
 * rows are then joined with their client and organizations. */
#define PAGE(lead) \
  "SELECT " REF_COLS REF_FROM " WHERE r.rid IN (SELECT r.rid FROM referral r WHERE" BY_STATUS lead LIST_FILTERS \
  ORDER_BY " LIMIT $10 OFFSET $11)" ORDER_BY

static const char *const SQL_LIST[3] = {PAGE(BY_REGION), PAGE(BY_ORG_ANY), PAGE("")};
static const char *const SQL_COUNT[3] = {
  "SELECT count(*) FROM referral r WHERE" BY_STATUS BY_REGION LIST_FILTERS,
  "SELECT count(*) FROM referral r WHERE" BY_STATUS BY_ORG_ANY LIST_FILTERS,
  "SELECT count(*) FROM referral r WHERE" BY_STATUS LIST_FILTERS,
};

static const char SQL_LOAD[] =
  "SELECT (SELECT count(*) FROM referral WHERE org_rid = $1 AND status IN ('accepted', 'in_service')),"
  " (SELECT count(*) FROM referral WHERE org_rid = $1 AND status = 'waitlisted')";
static const char SQL_WAIT_POS[] =
  "SELECT count(*) FROM referral WHERE org_rid = $1 AND status = 'waitlisted'"
  " AND (waitlisted_at < $2 OR (waitlisted_at = $2 AND rid <= $3))";
static const char SQL_CANDIDATES[] =
  "SELECT o.rid, o.id, o.name, o.region, o.address, o.functions, o.lat, o.lng, o.capacity,"
  " (SELECT count(*) FROM referral WHERE org_rid = o.rid AND status IN ('accepted', 'in_service')),"
  " (SELECT count(*) FROM referral WHERE org_rid = o.rid AND status = 'waitlisted')"
  " FROM organization o WHERE o.kind = 'rehab_institution' AND o.region >= $1 AND o.region < $1 || ':'"
  " ORDER BY o.rid LIMIT 2000";
static const char SQL_EXPIRED_WAITS[] =
  "SELECT " REF_COLS REF_FROM " WHERE r.status = 'waitlisted' AND r.due_at <= $1 ORDER BY r.due_at LIMIT $2";
static const char SQL_NEWLY_OVERDUE[] =
  "SELECT " REF_COLS REF_FROM " WHERE r.due_at < $1 AND (r.due_at > $3 OR (r.due_at = $3 AND r.rid > $4))"
  " AND r.overdue_sent < r.due_at AND r.status <> 'waitlisted'"
  " AND NOT (r.status = 'closed' AND r.followup_done IS NOT NULL) ORDER BY r.due_at, r.rid LIMIT $2";
static const char SQL_MARK_OVERDUE[] = "UPDATE referral SET overdue_sent = $2 WHERE rid = $1";
static const char SQL_REGION_COUNTS[] =
  "SELECT substr(region, 1, $2) AS child, status, count(*),"
  " sum(due_at < $3 AND status NOT IN ('waitlisted', 'rejected', 'withdrawn', 'moved')"
  "     AND NOT (status = 'closed' AND followup_done IS NOT NULL))"
  " FROM referral WHERE region >= $1 AND region < $1 || ':' GROUP BY child, status ORDER BY child, status";

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
  if (v) db_bind_int64(st, i, v);
  else sqlite3_bind_null(st, i);
}

/* Binds $2..$32 in the order of SQL_INSERT (the UPDATE uses the same numbers). */
static void bind_referral(sqlite3_stmt *st, const struct referral_rec *r)
{
  db_bind_text(st, 2, r->receipt);
  db_bind_int64(st, 3, r->client_rid);
  db_bind_text(st, 4, r->region);
  db_bind_text(st, 5, r->source);
  db_bind_text(st, 6, r->reporter_json);
  bind_opt_int(st, 7, r->from_org_rid);
  bind_opt_int(st, 8, r->org_rid);
  bind_opt_int(st, 9, r->prev_org_rid);
  db_bind_text(st, 10, r->status);
  db_bind_text(st, 11, r->need_json);
  db_bind_text(st, 12, r->consent_json);
  db_bind_text(st, 13, r->assessment_json);
  db_bind_text(st, 14, r->informed_consent_json);
  db_bind_text(st, 15, r->agreement_json);
  db_bind_text(st, 16, r->outcome);
  db_bind_text(st, 17, r->outcome_detail_json);
  db_bind_int64(st, 18, r->urgent);
  bind_opt_int(st, 19, r->due_at);
  bind_opt_int(st, 20, r->waitlisted_at);
  bind_opt_int(st, 21, r->reviewed_at);
  bind_opt_int(st, 22, r->followup_due);
  bind_opt_int(st, 23, r->followup_done);
  db_bind_int64(st, 24, r->overdue_sent);
  if (r->has_location) {
    db_bind_double(st, 25, r->lat);
    db_bind_double(st, 26, r->lng);
  }
  db_bind_text(st, 27, r->idem_key);
  if (r->has_idem_hash) db_bind_blob(st, 28, r->idem_hash, 32);
  db_bind_text(st, 29, r->created_by);
  db_bind_int64(st, 30, r->submitted_at);
  db_bind_int64(st, 31, r->created_at);
  db_bind_int64(st, 32, r->updated_at);
}

jk_status referral_store_insert(struct db *db, struct referral_rec *r)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, r->id);
  bind_referral(st, r);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) r->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

jk_status referral_store_update(struct db *db, const struct referral_rec *r)
{
  sqlite3_stmt *st = db_prepare(db, SQL_UPDATE);
  if (!st) return JK_EINTERNAL;
  bind_referral(st, r);
  db_bind_int64(st, 33, r->rid);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static int64_t col_opt_int(sqlite3_stmt *st, int i)
{
  return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static void read_referral(struct arena *a, sqlite3_stmt *st, struct referral_rec *r)
{
  memset(r, 0, sizeof *r);
  r->rid = sqlite3_column_int64(st, 0);
  r->id = db_col_text(a, st, 1);
  r->receipt = db_col_text(a, st, 2);
  r->client_rid = sqlite3_column_int64(st, 3);
  r->region = db_col_text(a, st, 4);
  r->source = db_col_text(a, st, 5);
  r->reporter_json = db_col_text(a, st, 6);
  r->from_org_rid = col_opt_int(st, 7);
  r->org_rid = col_opt_int(st, 8);
  r->prev_org_rid = col_opt_int(st, 9);
  r->status = db_col_text(a, st, 10);
  r->need_json = db_col_text(a, st, 11);
  r->consent_json = db_col_text(a, st, 12);
  r->assessment_json = db_col_text(a, st, 13);
  r->informed_consent_json = db_col_text(a, st, 14);
  r->agreement_json = db_col_text(a, st, 15);
  r->outcome = db_col_text(a, st, 16);
  r->outcome_detail_json = db_col_text(a, st, 17);
  r->urgent = sqlite3_column_int(st, 18) != 0;
  r->due_at = col_opt_int(st, 19);
  r->waitlisted_at = col_opt_int(st, 20);
  r->reviewed_at = col_opt_int(st, 21);
  r->followup_due = col_opt_int(st, 22);
  r->followup_done = col_opt_int(st, 23);
  r->overdue_sent = sqlite3_column_int64(st, 24);
  if (sqlite3_column_type(st, 25) != SQLITE_NULL) {
    r->has_location = true;
    r->lat = sqlite3_column_double(st, 25);
    r->lng = sqlite3_column_double(st, 26);
  }
  r->idem_key = db_col_text(a, st, 27);
  if (sqlite3_column_bytes(st, 28) == 32) {
    memcpy(r->idem_hash, sqlite3_column_blob(st, 28), 32);
    r->has_idem_hash = true;
  }
  r->created_by = db_col_text(a, st, 29);
  r->submitted_at = sqlite3_column_int64(st, 30);
  r->created_at = sqlite3_column_int64(st, 31);
  r->updated_at = sqlite3_column_int64(st, 32);
  r->client_id = db_col_text(a, st, 33);
  r->client_name = db_col_text(a, st, 34);
  r->client_id_masked = db_col_text(a, st, 35);
  r->client_birth_date = db_col_text(a, st, 36);
  r->client_region = db_col_text(a, st, 37);
  r->client_sex = sqlite3_column_int(st, 38);
  r->from_org_id = db_col_text(a, st, 39);
  r->from_org_name = db_col_text(a, st, 40);
  r->org_id = db_col_text(a, st, 41);
  r->org_name = db_col_text(a, st, 42);
  r->org_kind = db_col_text(a, st, 43);
  r->org_phone = db_col_text(a, st, 44);
}

static jk_status one_referral(struct db *db, struct arena *a, const char *sql, const char *p1, const char *p2,
                              struct referral_rec *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, p1);
  if (p2) db_bind_text(st, 2, p2);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_referral(a, st, out);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

jk_status referral_store_by_id(struct db *db, struct arena *a, const char *id, struct referral_rec *out)
{
  return one_referral(db, a, SQL_BY_ID, id, 0, out);
}

jk_status referral_store_by_receipt(struct db *db, struct arena *a, const char *receipt, struct referral_rec *out)
{
  return one_referral(db, a, SQL_BY_RECEIPT, receipt, 0, out);
}

jk_status referral_store_by_idem(struct db *db, struct arena *a, const char *created_by, const char *key,
                                 struct referral_rec *out)
{
  return one_referral(db, a, SQL_BY_IDEM, created_by, key, out);
}

jk_status referral_store_add_event(struct db *db, const struct referral_event *e)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ADD_EVENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, e->referral_rid);
  db_bind_int64(st, 2, e->time);
  db_bind_text(st, 3, e->action);
  db_bind_text(st, 4, e->from_status);
  db_bind_text(st, 5, e->to_status);
  db_bind_text(st, 6, e->actor_id);
  db_bind_text(st, 7, e->actor_name);
  db_bind_text(st, 8, e->actor_role);
  bind_opt_int(st, 9, e->org_rid);
  db_bind_text(st, 10, e->reason);
  db_bind_text(st, 11, e->detail_json);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status referral_store_events(struct db *db, struct arena *a, int64_t referral_rid, struct referral_event **out,
                                int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_EVENTS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, referral_rid);
  size_t cap = 16;
  struct referral_event *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    struct referral_event *e = &v[(*n)++];
    e->referral_rid = referral_rid;
    e->time = sqlite3_column_int64(st, 0);
    e->action = db_col_text(a, st, 1);
    e->from_status = db_col_text(a, st, 2);
    e->to_status = db_col_text(a, st, 3);
    e->actor_id = db_col_text(a, st, 4);
    e->actor_name = db_col_text(a, st, 5);
    e->actor_role = db_col_text(a, st, 6);
    e->org_rid = col_opt_int(st, 7);
    e->reason = db_col_text(a, st, 8);
    e->detail_json = db_col_text(a, st, 9);
    e->org_id = db_col_text(a, st, 10);
    e->org_name = db_col_text(a, st, 11);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* Reads every row of a prepared referral query into an arena array. */
static jk_status read_all(struct arena *a, sqlite3_stmt *st, int64_t cap, struct referral_rec **out, int64_t *n)
{
  struct referral_rec *v = arena_alloc(a, (size_t)(cap > 0 ? cap : 1) * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) read_referral(a, st, &v[(*n)++]);
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static void bind_query(sqlite3_stmt *st, const struct referral_query *q, bool with_page)
{
  db_bind_text(st, 1, q->statuses);
  db_bind_text(st, 2, q->region);
  bind_opt_int(st, 3, q->org_any);
  bind_opt_int(st, 4, q->org);
  db_bind_text(st, 5, q->source);
  bind_opt_int(st, 6, q->client_rid);
  bind_opt_int(st, 7, q->overdue_at);
  bind_opt_int(st, 8, q->followup_by);
  bind_opt_int(st, 12, q->from_org);
  if (!with_page) return;
  db_bind_int64(st, 9, q->by_due);
  db_bind_int64(st, 10, q->limit);
  db_bind_int64(st, 11, q->offset);
}

jk_status referral_store_list(struct db *db, struct arena *a, const struct referral_query *q,
                              struct referral_rec **out, int64_t *n, int64_t *total)
{
  int lead = q->region ? 0 : q->org_any ? 1 : 2;
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT[lead]);
  if (!st) return JK_EINTERNAL;
  bind_query(st, q, false);
  jk_status s = db_step_int(st, total);
  if (s != JK_OK) return s;
  *n = 0;
  *out = 0;
  if (q->limit <= 0 || q->offset >= *total) return JK_OK;
  if (!(st = db_prepare(db, SQL_LIST[lead]))) return JK_EINTERNAL;
  bind_query(st, q, true);
  return read_all(a, st, q->limit, out, n);
}

jk_status referral_store_load(struct db *db, int64_t org_rid, int64_t *occupied, int64_t *waiting)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LOAD);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, org_rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *occupied = sqlite3_column_int64(st, 0);
    *waiting = sqlite3_column_int64(st, 1);
  }
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

int64_t referral_store_wait_position(struct db *db, const struct referral_rec *r)
{
  sqlite3_stmt *st = db_prepare(db, SQL_WAIT_POS);
  int64_t pos = 0;
  if (!st) return 0;
  db_bind_int64(st, 1, r->org_rid);
  db_bind_int64(st, 2, r->waitlisted_at);
  db_bind_int64(st, 3, r->rid);
  return db_step_int(st, &pos) == JK_OK ? pos : 0;
}

jk_status referral_store_candidates(struct db *db, struct arena *a, const char *region,
                                    struct referral_candidate **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CANDIDATES);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  size_t cap = 64;
  struct referral_candidate *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    struct referral_candidate *c = &v[(*n)++];
    memset(c, 0, sizeof *c);
    c->rid = sqlite3_column_int64(st, 0);
    c->id = db_col_text(a, st, 1);
    c->name = db_col_text(a, st, 2);
    c->region = db_col_text(a, st, 3);
    c->address = db_col_text(a, st, 4);
    c->functions_json = db_col_text(a, st, 5);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
      c->has_location = true;
      c->lat = sqlite3_column_double(st, 6);
      c->lng = sqlite3_column_double(st, 7);
    }
    c->capacity = sqlite3_column_int64(st, 8);
    c->occupied = sqlite3_column_int64(st, 9);
    c->waiting = sqlite3_column_int64(st, 10);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status sweep_query(struct db *db, struct arena *a, const char *sql, int64_t as_of, int64_t limit,
                             struct referral_rec **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, as_of);
  db_bind_int64(st, 2, limit);
  return read_all(a, st, limit, out, n);
}

jk_status referral_store_expired_waits(struct db *db, struct arena *a, int64_t as_of, int64_t limit,
                                       struct referral_rec **out, int64_t *n)
{
  return sweep_query(db, a, SQL_EXPIRED_WAITS, as_of, limit, out, n);
}

jk_status referral_store_newly_overdue(struct db *db, struct arena *a, int64_t as_of, const int64_t after[2],
                                       int64_t limit, struct referral_rec **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_NEWLY_OVERDUE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, as_of);
  db_bind_int64(st, 2, limit);
  db_bind_int64(st, 3, after[0]);
  db_bind_int64(st, 4, after[1]);
  return read_all(a, st, limit, out, n);
}

jk_status referral_store_mark_overdue_sent(struct db *db, int64_t rid, int64_t due_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_MARK_OVERDUE);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, due_at);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status referral_store_region_counts(struct db *db, struct arena *a, const char *region, int child_len,
                                       int64_t now, struct referral_region_count **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_REGION_COUNTS);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  db_bind_int64(st, 2, child_len);
  db_bind_int64(st, 3, now);
  size_t cap = 64;
  struct referral_region_count *v = arena_alloc(a, cap * sizeof *v);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    struct referral_region_count *c = &v[(*n)++];
    c->region = db_col_text(a, st, 0);
    c->status = db_col_text(a, st, 1);
    c->n = sqlite3_column_int64(st, 2);
    c->overdue = sqlite3_column_int64(st, 3);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
