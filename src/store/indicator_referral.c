/* indicator_referral.c: a referral's contributions (timeliness, waits, outcomes), kept, folded
 * and counted again (indicator_internal.h), and the referral figures read back.
 *
 * A referral's inputs are its submission and its events; domain/indicator.c turns them into
 * monthly flows. What it contributes is stored as it is (ind_referral.contrib), so that a change
 * subtracts exactly what was added. Counties and above read the aggregates; a township, a
 * village or an institution adds up the stored contributions of its referrals. */
#include "store/indicator_internal.h"
#include "base/clock.h"
#include "store/calendar_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_R_ONE[] = "SELECT rid, region, org_rid, submitted_at FROM referral WHERE rid = $1";
static const char SQL_R_EVENTS[] =
  "SELECT referral_rid, time, action, to_status, json_extract(detail, '$.type') FROM referral_event"
  " WHERE referral_rid = $1 ORDER BY rid";
static const char SQL_R_ALL[] = "SELECT rid, region, org_rid, submitted_at FROM referral ORDER BY rid";
static const char SQL_R_ALL_EVENTS[] =
  "SELECT referral_rid, time, action, to_status, json_extract(detail, '$.type') FROM referral_event"
  " ORDER BY referral_rid, rid";   /* recorded as they happen: rid order is time order */
static const char SQL_R_STORED[] = "SELECT region, org_rid, contrib FROM ind_referral WHERE rid = $1";
static const char SQL_R_PUT[] =
  "INSERT OR REPLACE INTO ind_referral(rid, region, org_rid, contrib) VALUES ($1, $2, nullif($3, 0), $4)";
static const char SQL_R_DEL[] = "DELETE FROM ind_referral WHERE rid = $1";
static const char SQL_R_SUM[] =
  "SELECT coalesce(sum(value), 0) FROM ind_agg WHERE metric = $1 AND level = $2 AND scope = $3"
  " AND period BETWEEN $4 AND $5";
static const char SQL_R_HIST[] =
  "SELECT period, value FROM ind_agg WHERE metric = 'ref_wait' AND level = $1 AND scope = $2"
  " AND period BETWEEN $3 AND $4";
static const char SQL_R_SCAN_REGION[] = "SELECT contrib FROM ind_referral WHERE region >= $1 AND region < $1 || '~'";
static const char SQL_R_SCAN_ORG[] = "SELECT contrib FROM ind_referral WHERE org_rid = $1";

/* ---- inputs ---- */

struct events { struct referral_event_in *v; char (*text)[3][32]; size_t n, cap; };

static void events_free(struct events *e)
{
  free(e->v);
  free(e->text);
}

/* Appends the event in the current row of `st` (columns: referral, time, action, to_status, type). */
static bool event_push(struct events *e, sqlite3_stmt *st)
{
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 16;
    struct referral_event_in *v = realloc(e->v, cap * sizeof *v);
    if (!v) return false;
    e->v = v;
    char (*t)[3][32] = realloc(e->text, cap * sizeof *t);
    if (!t) return false;
    e->text = t;
    e->cap = cap;
  }
  /* in time order, ties in recording order (an event recorded late with an earlier time moves up) */
  int64_t day = date_to_days(date_from_ms(sqlite3_column_int64(st, 1)));
  size_t i = e->n++;
  for (; i > 0 && e->v[i - 1].day > day; i--) {
    e->v[i] = e->v[i - 1];
    memcpy(e->text[i], e->text[i - 1], sizeof e->text[i]);
  }
  for (int k = 0; k < 3; k++) ind_column_text(st, 2 + k, e->text[i][k], sizeof e->text[i][k]);
  e->v[i].day = day;   /* the pointers are set by compute() */
  return true;
}

/* The referral in the current row of `head` (rid, region, org_rid, submitted_at) with its events. */
static jk_status compute(sqlite3_stmt *head, struct events *ev, const struct workcal *cal, struct referral_now *out)
{
  out->exists = true;
  ind_column_text(head, 1, out->region, sizeof out->region);
  out->org_rid = sqlite3_column_int64(head, 2);
  out->l.n = 0;
  for (size_t i = 0; i < ev->n; i++) {   /* pointers again: the arrays may have moved while growing */
    ev->v[i].action = ev->text[i][0];
    ev->v[i].to_status = ev->text[i][1];
    ev->v[i].out_type = ev->text[i][2][0] ? ev->text[i][2] : 0;
  }
  struct referral_inputs in = {date_to_days(date_from_ms(sqlite3_column_int64(head, 3))), ev->v, ev->n, cal};
  return referral_contributions(&in, &out->l) ? JK_OK : JK_EUNAVAIL;
}

jk_status ind_referral_compute(struct db *db, int64_t rid, struct referral_now *out)
{
  out->exists = false;
  out->l.n = 0;
  sqlite3_stmt *h = db_prepare(db, SQL_R_ONE), *e = h ? db_prepare(db, SQL_R_EVENTS) : 0;
  if (!h || !e) {
    if (h) db_done(h);
    return JK_EINTERNAL;
  }
  db_bind_int64(h, 1, rid);
  db_bind_int64(e, 1, rid);
  struct events ev = {0};
  int rc = sqlite3_step(h), erc = SQLITE_DONE;
  jk_status st = JK_OK;
  if (rc == SQLITE_ROW) {
    while ((erc = sqlite3_step(e)) == SQLITE_ROW)
      if (!event_push(&ev, e)) {
        st = JK_EUNAVAIL;
        break;
      }
    if (st == JK_OK && erc != SQLITE_DONE) st = db_status(erc);
    if (st == JK_OK) st = compute(h, &ev, calendar_current(db), out);
  } else if (rc != SQLITE_DONE) {
    st = db_status(rc);
  }
  db_done(e);
  db_done(h);
  events_free(&ev);
  return st;
}

static jk_status stored(struct db *db, int64_t rid, struct referral_now *out)
{
  out->exists = false;
  out->l.n = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_R_STORED);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  jk_status res = rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
  if (rc == SQLITE_ROW) {
    out->exists = true;
    ind_column_text(st, 0, out->region, sizeof out->region);
    out->org_rid = sqlite3_column_int64(st, 1);
    const void *b = sqlite3_column_blob(st, 2);
    if (!contrib_decode(b ? b : "", (size_t)sqlite3_column_bytes(st, 2), &out->l)) res = JK_EINTERNAL;
  }
  db_done(st);
  return res;
}

bool ind_referral_same(sqlite3_stmt *st, int col, const struct referral_now *r)
{
  const unsigned char *region = sqlite3_column_text(st, col);
  const void *blob = sqlite3_column_blob(st, col + 2);
  size_t n = contrib_encoded_size(&r->l), bytes = (size_t)sqlite3_column_bytes(st, col + 2);
  if (!r->exists || !region || strcmp((const char *)region, r->region) != 0 || sqlite3_column_int64(st, col + 1) != r->org_rid ||
      bytes != n)
    return false;
  if (!n) return true;
  unsigned char small[512], *mine = n <= sizeof small ? small : malloc(n);   /* a referral has a few dozen */
  bool same = mine && blob;
  if (same) {
    contrib_encode(&r->l, mine);
    same = memcmp(mine, blob, n) == 0;
  }
  if (mine != small) free(mine);
  return same;
}

jk_status ind_referral_put(struct db *db, int64_t rid, const struct referral_now *r)
{
  sqlite3_stmt *st = db_prepare(db, r->exists ? SQL_R_PUT : SQL_R_DEL);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  unsigned char *blob = 0;
  if (r->exists) {
    size_t n = contrib_encoded_size(&r->l);
    if (!(blob = malloc(n ? n : 1))) {
      db_done(st);
      return JK_EUNAVAIL;
    }
    contrib_encode(&r->l, blob);
    db_bind_text(st, 2, r->region);
    db_bind_int64(st, 3, r->org_rid);
    db_bind_blob(st, 4, blob, n);
  }
  int rc = sqlite3_step(st);
  db_done(st);
  free(blob);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static void scopes(const struct referral_now *r, struct scopes *s)
{
  s->n = 0;
  if (r->exists) ind_scopes_of(r->region, r->org_rid, s);
}

jk_status ind_referral_refresh(struct db *db, int64_t rid)
{
  struct referral_now old = {0}, now = {0};
  struct scopes os, ns;
  jk_status st = stored(db, rid, &old);
  if (st == JK_OK) st = ind_referral_compute(db, rid, &now);
  scopes(&old, &os);
  scopes(&now, &ns);
  if (st == JK_OK) st = ind_move(db, 0, &os, &old.l, &ns, &now.l);
  if (st == JK_OK && (old.exists || now.exists)) st = ind_referral_put(db, rid, &now);
  contrib_free(&old.l);
  contrib_free(&now.l);
  return st;
}

jk_status ind_referral_each(struct db *db, jk_status (*fn)(void *ctx, int64_t rid, const struct referral_now *r),
                            void *ctx, int64_t *count)
{
  sqlite3_stmt *h = db_prepare(db, SQL_R_ALL), *e = h ? db_prepare(db, SQL_R_ALL_EVENTS) : 0;
  if (!h || !e) {
    if (h) db_done(h);
    return JK_EINTERNAL;
  }
  const struct workcal *cal = calendar_current(db);
  struct events ev = {0};
  struct referral_now r = {0};
  jk_status st = JK_OK;
  int rc, erc = sqlite3_step(e);
  while (st == JK_OK && (rc = sqlite3_step(h)) == SQLITE_ROW) {
    int64_t rid = sqlite3_column_int64(h, 0);
    ev.n = 0;
    while (erc == SQLITE_ROW && sqlite3_column_int64(e, 0) < rid) erc = sqlite3_step(e);   /* events of no referral */
    while (erc == SQLITE_ROW && sqlite3_column_int64(e, 0) == rid) {
      if (!event_push(&ev, e)) {
        st = JK_EUNAVAIL;
        break;
      }
      erc = sqlite3_step(e);
    }
    if (st == JK_OK && erc != SQLITE_ROW && erc != SQLITE_DONE) st = db_status(erc);
    if (st == JK_OK) st = compute(h, &ev, cal, &r);
    if (st == JK_OK) st = fn(ctx, rid, &r);
    (*count)++;
  }
  if (st == JK_OK && rc != SQLITE_DONE) st = db_status(rc);
  db_done(e);
  db_done(h);
  events_free(&ev);
  contrib_free(&r.l);
  return st;
}

/* ---- reading ---- */

static void month_key(int m, char out[10])
{
  struct period p = {PK_MONTH, m, m};
  period_key(&p, out);
}

/* Adds the monthly contributions of `metric` over first..last in a stored blob. */
static void add_blob(const void *blob, int bytes, enum ind_metric metric, int first, int last, int64_t *sum,
                     int64_t *hist, struct contrib_list *tmp)
{
  if (!contrib_decode(blob ? blob : "", (size_t)bytes, tmp)) return;
  for (size_t i = 0; i < tmp->n; i++) {
    const struct contribution *c = &tmp->v[i];
    if (c->metric != metric || c->kind != PK_MONTH || c->month < first || c->month > last) continue;
    *sum += c->value;
    if (hist) hist[c->bucket] += c->value;
  }
}

jk_status indicator_store_referral_flow(struct db *db, int level, const char *scope, int64_t org_rid,
                                        enum ind_metric metric, int first, int last, int64_t *sum, int64_t *hist)
{
  *sum = 0;
  if (hist) memset(hist, 0, IND_WAIT_BUCKETS * sizeof *hist);
  char a[10], b[16];
  month_key(first, a);
  month_key(last, b);
  sqlite3_stmt *st;
  int rc;
  if (!org_rid && level <= 3) {   /* the aggregates */
    if (metric == IM_REF_WAIT) {
      strcat(b, "/~");
      if (!(st = db_prepare(db, SQL_R_HIST))) return JK_EINTERNAL;
      db_bind_int64(st, 1, level);
      db_bind_text(st, 2, scope);
      db_bind_text(st, 3, a);
      db_bind_text(st, 4, b);
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = strchr((const char *)sqlite3_column_text(st, 0), '/');
        int bucket = p ? atoi(p + 1) : -1;
        int64_t v = sqlite3_column_int64(st, 1);
        if (bucket < 0 || bucket >= IND_WAIT_BUCKETS) continue;
        *sum += v;
        if (hist) hist[bucket] += v;
      }
      db_done(st);
      return rc == SQLITE_DONE ? JK_OK : db_status(rc);
    }
    if (!(st = db_prepare(db, SQL_R_SUM))) return JK_EINTERNAL;
    db_bind_text(st, 1, ind_metric_name(metric));
    db_bind_int64(st, 2, level);
    db_bind_text(st, 3, scope);
    db_bind_text(st, 4, a);
    db_bind_text(st, 5, b);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *sum = sqlite3_column_int64(st, 0);
    db_done(st);
    return rc == SQLITE_ROW ? JK_OK : db_status(rc);
  }
  /* a township, a village or an institution: its referrals' stored contributions */
  if (!(st = db_prepare(db, org_rid ? SQL_R_SCAN_ORG : SQL_R_SCAN_REGION))) return JK_EINTERNAL;
  if (org_rid) db_bind_int64(st, 1, org_rid);
  else db_bind_text(st, 1, scope);
  struct contrib_list tmp = {0};
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    add_blob(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), metric, first, last, sum, hist, &tmp);
  db_done(st);
  contrib_free(&tmp);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
