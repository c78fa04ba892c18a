/* indicator_rebuild.c: every aggregate counted again from the raw records, in bulk.
 *
 * One write transaction (writers wait; readers go on with the old figures until it commits):
 * the inputs of all clients are read by five scans ordered by client (each one index range),
 * merged client by client; each client's facts and contributions come from the same functions
 * as a single refresh (domain/indicator.c, so a rebuild and the incremental path cannot differ);
 * contributions are summed in memory at the finest scope (the township, or the client's own
 * code when it is coarser, and the organization), then rolled up to county, prefecture,
 * province and nation, and written in primary-key order. Staff are few and go one by one;
 * service records are counted by one GROUP BY. At the end nothing is pending. */
#include "store/indicator_internal.h"
#include "base/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_CLEAR[] = "DELETE FROM ind_agg; DELETE FROM ind_client; DELETE FROM ind_staff; DELETE FROM ind_dirty;";
static const char SQL_CLIENTS[] =
  "SELECT rid, residence_region, organization_rid, severe, created_at, exited_at, status = 'in_service' FROM client"
  " ORDER BY rid";
static const char SQL_SERVICES[] =
  "SELECT client_rid, date FROM service_attendance WHERE attended = 1 ORDER BY client_rid";
static const char SQL_ASSESS[] =
  "SELECT client_rid, date FROM assessment a WHERE instrument IN ('intake', 'periodic')"
  " AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version) ORDER BY client_rid";
static const char SQL_PLANS[] =
  "SELECT client_rid, start_date, review_date FROM rehab_plan p"
  " WHERE NOT EXISTS (SELECT 1 FROM rehab_plan q WHERE q.series = p.series AND q.version > p.version) ORDER BY client_rid";
static const char SQL_AGREE[] =
  "SELECT client_rid, json_extract(informed_consent, '$.signed_on'), json_extract(agreement, '$.signed_on'),"
  " (SELECT min(time) FROM referral_event e WHERE e.referral_rid = r.rid"
  "  AND e.to_status IN ('closed', 'moved', 'withdrawn', 'rejected'))"
  " FROM referral r WHERE informed_consent IS NOT NULL AND agreement IS NOT NULL ORDER BY client_rid";
static const char SQL_STAFF[] = "SELECT rid FROM staff ORDER BY rid";
static const char SQL_PUT_AGG[] = "INSERT INTO ind_agg(metric, level, scope, period, value) VALUES ($1, $2, $3, $4, $5)";
static const char SQL_COUNT_CLIENTS[] = "SELECT count(*) FROM client";

/* ---- keys: (metric, level, scope, period) in one 64-bit number, in primary-key order ---- */

static const char *const metrics[] = {"exit", "in_service", "reg", "served", "severe_exit", "severe_reg", "severe_served",
                                      "severe_std", "staff", "staff_direct", "staff_rel", "staff_tr20", "std"};
#define N_METRICS ((int)(sizeof metrics / sizeof metrics[0]))
enum { PERIOD_STOCK, PERIOD_M, PERIOD_Q, PERIOD_T, PERIOD_Y };   /* the order of "", M…, Q…, T…, Y… */

/* metric 4 bits | level 4 | scope 42 | period kind 3 | month 11 */
static uint64_t key_make(int metric, int level, uint64_t scope, int kind, int month)
{
  return (uint64_t)metric << 60 | (uint64_t)level << 56 | scope << 14 | (uint64_t)kind << 11 | (uint64_t)month;
}

static bool key_of(const struct contribution *c, int level, uint64_t scope, uint64_t *out)
{
  int m = -1;
  for (int i = 0; i < N_METRICS; i++)
    if (strcmp(c->metric, metrics[i]) == 0) m = i;
  if (m < 0) return false;
  int kind = PERIOD_STOCK, month = 0, y = 0, x = 0;
  const char *p = c->period;
  if (*p) {
    if (sscanf(p + 1, "%d-%d", &y, &x) < 1) return false;
    switch (*p) {
    case 'M': kind = PERIOD_M; month = ind_month(y, x); break;
    case 'Q': kind = PERIOD_Q; month = ind_month(y, (x - 1) * 3 + 1); break;
    case 'T': kind = PERIOD_T; month = ind_month(y, x); break;
    case 'Y': kind = PERIOD_Y; month = ind_month(y, 1); break;
    default: return false;
    }
    if (month < 0 || month >= IND_MAX_MONTHS) return false;
  }
  *out = key_make(m, level, scope, kind, month);
  return true;
}

static void key_text(uint64_t k, const char **metric, int *level, char scope[24], char period[10])
{
  *metric = metrics[k >> 60];
  *level = (int)(k >> 56 & 15);
  uint64_t s = k >> 14 & ((UINT64_C(1) << 42) - 1);
  static const int lens[] = {0, 2, 4, 6, 9};
  if (*level == IND_LEVEL_ORG) snprintf(scope, 24, "%llu", (unsigned long long)s);
  else if (*level == 0) scope[0] = 0;
  else snprintf(scope, 24, "%0*llu", lens[*level], (unsigned long long)s);
  int kind = (int)(k >> 11 & 7), month = (int)(k & 2047);
  struct period p = {kind == PERIOD_M ? PK_MONTH : kind == PERIOD_Q ? PK_QUARTER : kind == PERIOD_T ? PK_YTD : PK_YEAR,
                     kind == PERIOD_T ? month - month % 12 : month, month};
  if (kind == PERIOD_STOCK) period[0] = 0;
  else period_key(&p, period);
}

/* ---- an open-addressing table of key → sum ---- */

struct sums { uint64_t *keys; int64_t *vals; size_t cap, n; };

static bool sums_init(struct sums *t, size_t cap)
{
  t->cap = cap;
  t->n = 0;
  t->keys = calloc(cap, sizeof *t->keys);
  t->vals = calloc(cap, sizeof *t->vals);
  return t->keys && t->vals;
}

static void sums_free(struct sums *t)
{
  free(t->keys);
  free(t->vals);
}

static size_t slot(uint64_t k, size_t cap)
{
  k ^= k >> 33;
  k *= UINT64_C(0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (size_t)k & (cap - 1);
}

/* Key 0 marks an empty slot: no real key is 0 (every contribution has a period or a metric > 0
 * except "exit" at the nation with a stock period, which does not exist). */
static bool sums_add(struct sums *t, uint64_t k, int64_t v)
{
  if ((t->n + 1) * 2 > t->cap) {
    struct sums g;
    if (!sums_init(&g, t->cap * 2)) {
      sums_free(&g);
      return false;
    }
    for (size_t i = 0; i < t->cap; i++)
      if (t->keys[i]) {
        size_t j = slot(t->keys[i], g.cap);
        while (g.keys[j]) j = (j + 1) & (g.cap - 1);
        g.keys[j] = t->keys[i];
        g.vals[j] = t->vals[i];
        g.n++;
      }
    sums_free(t);
    *t = g;
  }
  size_t j = slot(k, t->cap);
  while (t->keys[j] && t->keys[j] != k) j = (j + 1) & (t->cap - 1);
  if (!t->keys[j]) {
    t->keys[j] = k;
    t->n++;
  }
  t->vals[j] += v;
  return true;
}

/* ---- the scans ---- */

struct cursor { sqlite3_stmt *st; bool more; int64_t rid; };

static jk_status cursor_open(struct db *db, const char *sql, struct cursor *c)
{
  c->st = db_prepare(db, sql);
  if (!c->st) return JK_EINTERNAL;
  int rc = sqlite3_step(c->st);
  c->more = rc == SQLITE_ROW;
  c->rid = c->more ? sqlite3_column_int64(c->st, 0) : INT64_MAX;
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status cursor_next(struct cursor *c)
{
  int rc = sqlite3_step(c->st);
  c->more = rc == SQLITE_ROW;
  c->rid = c->more ? sqlite3_column_int64(c->st, 0) : INT64_MAX;
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

struct growable { void *v; size_t n, cap, size; };

static void *grow(struct growable *g)
{
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    void *v = realloc(g->v, cap * g->size);
    if (!v) return 0;
    g->v = v;
    g->cap = cap;
  }
  return (char *)g->v + g->size * g->n++;
}

struct scan {
  struct cursor clients, services, assess, plans, agree;
  struct growable days, adays, plan_spans, agree_spans;
};

/* The next client's inputs (all cursors at or past its rid); false at the end. */
static jk_status next_client(struct scan *s, int64_t *rid, struct client_now *c, struct client_inputs *in, bool *got)
{
  *got = false;
  if (!s->clients.more) return JK_OK;
  sqlite3_stmt *st = s->clients.st;
  *rid = s->clients.rid;
  memset(c, 0, sizeof *c);
  c->exists = true;
  snprintf(c->region, sizeof c->region, "%s", (const char *)sqlite3_column_text(st, 1));
  c->org_rid = sqlite3_column_int64(st, 2);
  *in = (struct client_inputs){.severe = sqlite3_column_int(st, 3) != 0, .reg_day = ind_day_of_ms(sqlite3_column_int64(st, 4)),
                               .exit_day = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : ind_day_of_ms(sqlite3_column_int64(st, 5)),
                               .in_service = sqlite3_column_int(st, 6) != 0};
  s->days.n = s->adays.n = s->plan_spans.n = s->agree_spans.n = 0;
  jk_status res = JK_OK;
  struct { struct cursor *c; struct growable *g; } one_day[] = {{&s->services, &s->days}, {&s->assess, &s->adays}};
  for (int k = 0; k < 2; k++) {
    struct cursor *cu = one_day[k].c;
    while (res == JK_OK && cu->rid < *rid) res = cursor_next(cu);   /* rows of clients that no longer exist */
    while (res == JK_OK && cu->rid == *rid) {
      int64_t d, *p;
      if (ind_day_of(sqlite3_column_text(cu->st, 1), &d)) {
        if (!(p = grow(one_day[k].g))) return JK_EUNAVAIL;
        *p = d;
      }
      res = cursor_next(cu);
    }
  }
  while (res == JK_OK && s->plans.rid < *rid) res = cursor_next(&s->plans);
  while (res == JK_OK && s->plans.rid == *rid) {
    struct day_span sp, *p;
    if (ind_day_of(sqlite3_column_text(s->plans.st, 1), &sp.from) && ind_day_of(sqlite3_column_text(s->plans.st, 2), &sp.to)) {
      if (!(p = grow(&s->plan_spans))) return JK_EUNAVAIL;
      *p = sp;
    }
    res = cursor_next(&s->plans);
  }
  while (res == JK_OK && s->agree.rid < *rid) res = cursor_next(&s->agree);
  while (res == JK_OK && s->agree.rid == *rid) {
    sqlite3_stmt *a = s->agree.st;
    int64_t consent, agreement;
    if (ind_day_of(sqlite3_column_text(a, 1), &consent) && ind_day_of(sqlite3_column_text(a, 2), &agreement)) {
      struct day_span *p = grow(&s->agree_spans);
      if (!p) return JK_EUNAVAIL;
      *p = (struct day_span){consent > agreement ? consent : agreement, INT64_MAX};
      if (sqlite3_column_type(a, 3) != SQLITE_NULL) p->to = ind_day_of_ms(sqlite3_column_int64(a, 3));
    }
    res = cursor_next(&s->agree);
  }
  if (res != JK_OK) return res;
  in->service_days = s->days.v;
  in->n_services = s->days.n;
  in->assessment_days = s->adays.v;
  in->n_assessments = s->adays.n;
  in->plans = s->plan_spans.v;
  in->n_plans = s->plan_spans.n;
  in->agreements = s->agree_spans.v;
  in->n_agreements = s->agree_spans.n;
  *got = true;
  return cursor_next(&s->clients);
}

/* The finest scope a subject is summed at: its region truncated to a township (level by
 * length), and its organization. */
static int finest(const char *region, uint64_t *scope)
{
  static const int lens[] = {0, 2, 4, 6, 9};
  size_t len = strlen(region);
  int level = 0;
  for (int l = 4; l > 0; l--)
    if (len >= (size_t)lens[l]) {
      level = l;
      break;
    }
  *scope = 0;
  for (int i = 0; i < lens[level]; i++) *scope = *scope * 10 + (uint64_t)(region[i] - '0');
  return level;
}

static bool region_digits(const char *r)
{
  for (; *r; r++)
    if (*r < '0' || *r > '9') return false;
  return true;
}

static bool add_all(struct sums *fine, const char *region, int64_t org_rid, const struct contrib_list *l)
{
  uint64_t scope = 0, k;
  int level = region_digits(region) ? finest(region, &scope) : 0;
  for (size_t i = 0; i < l->n; i++) {
    if (key_of(&l->v[i], level, scope, &k) && !sums_add(fine, k, l->v[i].value)) return false;
    if (org_rid > 0 && key_of(&l->v[i], IND_LEVEL_ORG, (uint64_t)org_rid, &k) && !sums_add(fine, k, l->v[i].value))
      return false;
  }
  return true;
}

static jk_status clients_pass(struct db *db, const struct defs *defs, struct sums *fine,
                              void (*progress)(void *, int64_t, int64_t), void *ctx, int64_t total, int64_t *count)
{
  struct scan s = {.days.size = sizeof(int64_t), .adays.size = sizeof(int64_t), .plan_spans.size = sizeof(struct day_span),
                   .agree_spans.size = sizeof(struct day_span)};
  struct client_now *c = malloc(sizeof *c);
  jk_status st = c ? JK_OK : JK_EUNAVAIL;
  if (st == JK_OK) st = cursor_open(db, SQL_CLIENTS, &s.clients);
  if (st == JK_OK) st = cursor_open(db, SQL_SERVICES, &s.services);
  if (st == JK_OK) st = cursor_open(db, SQL_ASSESS, &s.assess);
  if (st == JK_OK) st = cursor_open(db, SQL_PLANS, &s.plans);
  if (st == JK_OK) st = cursor_open(db, SQL_AGREE, &s.agree);
  while (st == JK_OK) {
    int64_t rid;
    struct client_inputs in;
    bool got;
    if ((st = next_client(&s, &rid, c, &in, &got)) != JK_OK || !got) break;
    client_facts_compute(&in, ind_def_for(defs, c->region, 0), &c->f);
    struct contrib_list l = {0};
    if (!client_contributions(&c->f, &l) || !add_all(fine, c->region, c->org_rid, &l)) st = JK_EUNAVAIL;
    contrib_free(&l);
    if (st == JK_OK) st = ind_client_put(db, rid, c);
    if (++*count % 100000 == 0 && progress) progress(ctx, *count, total);
  }
  struct cursor *cs[] = {&s.clients, &s.services, &s.assess, &s.plans, &s.agree};
  for (int i = 0; i < 5; i++)
    if (cs[i]->st) db_done(cs[i]->st);
  free(s.days.v);
  free(s.adays.v);
  free(s.plan_spans.v);
  free(s.agree_spans.v);
  free(c);
  return st;
}

static jk_status staff_pass(struct db *db, struct sums *fine, int64_t *count)
{
  sqlite3_stmt *all = db_prepare(db, SQL_STAFF);
  if (!all) return JK_EINTERNAL;
  int64_t *rids = 0;
  size_t n = 0, cap = 0;
  int rc;
  jk_status st = JK_OK;
  while ((rc = sqlite3_step(all)) == SQLITE_ROW) {   /* collected first: the compute reuses statements */
    if (n == cap) {
      int64_t *v = realloc(rids, (cap = cap ? cap * 2 : 256) * sizeof *v);
      if (!v) {
        st = JK_EUNAVAIL;
        break;
      }
      rids = v;
    }
    rids[n++] = sqlite3_column_int64(all, 0);
  }
  db_done(all);
  if (st == JK_OK && rc != SQLITE_DONE) st = db_status(rc);
  for (size_t i = 0; st == JK_OK && i < n; i++) {
    struct staff_now s;
    struct contrib_list l = {0};
    if ((st = ind_staff_compute(db, rids[i], &s)) != JK_OK) break;
    if (!staff_contributions(&s.f, &l) || !add_all(fine, s.region, s.org_rid, &l)) st = JK_EUNAVAIL;
    contrib_free(&l);
    if (st == JK_OK) st = ind_staff_put(db, rids[i], &s);
    (*count)++;
  }
  free(rids);
  return st;
}

/* Every fine entry at its own level and each coarser one. */
static bool roll_up(const struct sums *fine, struct sums *all)
{
  static const uint64_t div[] = {1, 100, 100, 100, 1000};   /* township → county → prefecture → province */
  for (size_t i = 0; i < fine->cap; i++) {
    uint64_t k = fine->keys[i];
    if (!k || !fine->vals[i]) continue;
    int level = (int)(k >> 56 & 15);
    uint64_t scope = k >> 14 & ((UINT64_C(1) << 42) - 1), low = k & 16383, metric = k >> 60;
    if (!sums_add(all, k, fine->vals[i])) return false;
    if (level == IND_LEVEL_ORG) continue;
    for (int l = level; l > 0; l--) {
      scope = l == 1 ? 0 : scope / div[l];
      if (!sums_add(all, metric << 60 | (uint64_t)(l - 1) << 56 | scope << 14 | low, fine->vals[i])) return false;
    }
  }
  return true;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static jk_status write_sums(struct db *db, struct sums *all)
{
  size_t n = 0;
  for (size_t i = 0; i < all->cap; i++)   /* compact: keys with their values, for sorting */
    if (all->keys[i] && all->vals[i]) {
      all->keys[n] = all->keys[i];
      all->vals[n++] = all->vals[i];
    }
  uint64_t *order = malloc((n ? n : 1) * 2 * sizeof *order);
  if (!order) return JK_EUNAVAIL;
  for (size_t i = 0; i < n; i++) order[2 * i] = all->keys[i], order[2 * i + 1] = (uint64_t)all->vals[i];
  qsort(order, n, 2 * sizeof *order, cmp_u64);
  jk_status st = JK_OK;
  for (size_t i = 0; i < n && st == JK_OK; i++) {
    const char *metric;
    int level;
    char scope[24], period[10];
    key_text(order[2 * i], &metric, &level, scope, period);
    sqlite3_stmt *s = db_prepare(db, SQL_PUT_AGG);
    if (!s) {
      st = JK_EINTERNAL;
      break;
    }
    db_bind_text(s, 1, metric);
    db_bind_int64(s, 2, level);
    db_bind_text(s, 3, scope);
    db_bind_text(s, 4, period);
    db_bind_int64(s, 5, (int64_t)order[2 * i + 1]);
    int rc = sqlite3_step(s);
    db_done(s);
    if (rc != SQLITE_DONE) st = db_status(rc);
  }
  free(order);
  return st;
}

jk_status indicator_store_rebuild(struct db *db, void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                                  int64_t *subjects)
{
  *subjects = 0;
  struct defs *defs = malloc(sizeof *defs);
  struct sums fine = {0}, all = {0};
  if (!defs || !sums_init(&fine, 1 << 16) || !sums_init(&all, 1 << 16)) {
    free(defs);
    sums_free(&fine);
    sums_free(&all);
    return JK_EUNAVAIL;
  }
  int64_t total = 0;
  jk_status st = db_begin_write(db);
  sqlite3_stmt *cnt = st == JK_OK ? db_prepare(db, SQL_COUNT_CLIENTS) : 0;
  if (cnt) db_step_int(cnt, &total);
  if (st == JK_OK) st = ind_load_defs(db, defs);
  if (st == JK_OK) st = db_exec(db, SQL_CLEAR);
  if (st == JK_OK) st = clients_pass(db, defs, &fine, progress, ctx, total, subjects);
  if (st == JK_OK) st = staff_pass(db, &fine, subjects);
  if (st == JK_OK && !roll_up(&fine, &all)) st = JK_EUNAVAIL;
  sums_free(&fine);
  if (st == JK_OK) st = write_sums(db, &all);
  if (st == JK_OK) st = ind_svc_counts(db, "ind_agg");
  if (st == JK_OK) st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  if (st == JK_OK && progress) progress(ctx, *subjects, total);
  if (st != JK_OK) log_error("indicators: rebuild failed (%d); the previous figures are kept", (int)st);
  sums_free(&all);
  free(defs);
  return st;
}
