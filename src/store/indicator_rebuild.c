/* indicator_rebuild.c: every aggregate counted again from the raw records, in bulk.
 *
 * One write transaction (writers wait; readers go on with the old figures until it commits).
 * Worker threads read, each on its own read connection: one per core takes a slice of the
 * clients, whose inputs come from five scans ordered by client (each one index range, merged
 * client by client) and a sixth over their stored rows; one takes the staff and then the
 * referrals (with their stored rows); one the service records (one pass over their index) and
 * then the stored aggregates. A subject's facts and contributions come from the same functions
 * as a single refresh (domain/indicator.c, so a rebuild and the incremental path cannot differ).
 * Each worker counts its contributions in memory at the finest level their metric is kept at (a
 * county for client figures, a township for staff; and the organization where kept), in blocks
 * of one scope-metric-year so that a client's hundred-odd contributions touch a few cache lines,
 * and hands this thread, the only writer, the subjects whose stored row differs. The workers'
 * counts are added together, rolled up level by level to the nation and merged in key order
 * with the stored aggregates: only rows that differ are written or deleted. At the end nothing
 * is pending. */
#include "store/indicator_internal.h"
#include "base/log.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char SQL_CLEAR[] =
  "DELETE FROM ind_staff; DELETE FROM ind_dirty;";
static const char SQL_CLIENTS[] =
  "SELECT rid, residence_region, organization_rid, severe, created_at, exited_at, status = 'in_service' FROM client"
  " WHERE rid >= $1 AND rid < $2 ORDER BY rid";
static const char SQL_SERVICES[] =
  "SELECT client_rid, date, type IN " IND_PSYCH_TYPES " FROM service_attendance"
  " WHERE client_rid >= $1 AND client_rid < $2 AND attended = 1 ORDER BY client_rid";
/* Assessments and plans are versioned (a correction is the next version of its series): in
 * (client, series, version) order the last row of each series is the one in force. Both scans
 * read an index only (migrations 6 and 8); an assessment's kind is its ind_kind
 * (store/indicator_internal.h IND_ASSESS_KIND). */
static const char SQL_ASSESS[] =
  "SELECT client_rid, date, series, ind_kind FROM assessment WHERE client_rid >= $1 AND client_rid < $2"
  " ORDER BY client_rid, series, version";
static const char SQL_PLANS[] =
  "SELECT client_rid, start_date, series, review_date FROM rehab_plan WHERE client_rid >= $1 AND client_rid < $2"
  " ORDER BY client_rid, series, version";
static const char SQL_AGREE[] =
  "SELECT client_rid, json_extract(informed_consent, '$.signed_on'), json_extract(agreement, '$.signed_on'),"
  " (SELECT min(time) FROM referral_event e WHERE e.referral_rid = r.rid"
  "  AND e.to_status IN ('closed', 'moved', 'withdrawn', 'rejected'))"
  " FROM referral r WHERE client_rid >= $1 AND client_rid < $2 AND informed_consent IS NOT NULL AND agreement IS NOT NULL"
  " ORDER BY client_rid";
/* The stored rows of clients and referrals, compared with the new in rid order: only those that
 * differ are handed to the writer (ind_client_decode's columns after the rid). */
static const char SQL_STORED_CLIENTS[] =
  "SELECT rid, region, org_rid, severe, in_service, reg_m, exit_m, first, n, std, served, fu, med, psych, sat, sat_ok"
  " FROM ind_client WHERE rid >= $1 AND rid < $2 ORDER BY rid";
static const char SQL_STORED_REFERRALS[] =
  "SELECT rid, region, org_rid, contrib FROM ind_referral WHERE rid >= $1 AND rid < $2 ORDER BY rid";
static const char SQL_STAFF[] = "SELECT rid FROM staff ORDER BY rid";
static const char SQL_SVC[] = "SELECT org_rid, date FROM service_record ORDER BY org_rid, date";
static const char SQL_ORG_REGION[] = "SELECT region FROM organization WHERE rid = $1";
/* The aggregates are written AGG_BATCH rows per statement (one execution per row costs more than
 * the insert itself), the rest one by one. */
#define AGG_BATCH 64
#define AGG_ROW "(?, ?, ?, ?, ?)"
#define AGG_ROWS4 AGG_ROW ", " AGG_ROW ", " AGG_ROW ", " AGG_ROW
#define AGG_ROWS16 AGG_ROWS4 ", " AGG_ROWS4 ", " AGG_ROWS4 ", " AGG_ROWS4
static const char SQL_PUT_AGG[] = "INSERT OR REPLACE INTO ind_agg(metric, level, scope, period, value) VALUES " AGG_ROW;
static const char SQL_PUT_AGGS[] = "INSERT OR REPLACE INTO ind_agg(metric, level, scope, period, value) VALUES " AGG_ROWS16
                                   ", " AGG_ROWS16 ", " AGG_ROWS16 ", " AGG_ROWS16;
/* The aggregates are not cleared: the stored ones are read (by the service-record worker, once
 * it is done) and only the rows that differ are written or deleted. */
static const char SQL_STORED_AGG[] = "SELECT metric, level, scope, period, value FROM ind_agg";
static const char SQL_CLEAR_AGG[] = "DELETE FROM ind_agg";
static const char SQL_DEL_AGG[] = "DELETE FROM ind_agg WHERE metric = $1 AND level = $2 AND scope = $3 AND period = $4";
static const char SQL_COUNT_CLIENTS[] = "SELECT count(*) FROM client";
/* The indexes of the subjects' rows: on a first build (no client or referral row stored) they
 * are dropped while the rows are written and made again after (one sort each instead of
 * millions of inserts in region order); otherwise few rows differ and they stay. */
static const char SQL_FIRST_BUILD[] = "SELECT NOT EXISTS (SELECT 1 FROM ind_client) AND NOT EXISTS (SELECT 1 FROM ind_referral)";
static const char SQL_SUBJECT_INDEXES[] =
  "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('ind_client', 'ind_staff', 'ind_referral')"
  " AND sql IS NOT NULL ORDER BY name";
/* The writing connection's page cache while it rebuilds: the new rows and their indexes stay in
 * memory until the commit instead of spilling to the log and being read back. */
static const char SQL_CACHE_SIZE[] = "PRAGMA cache_size";
static const char SQL_REBUILD_CACHE[] = "PRAGMA cache_size = -524288";   /* KiB: 512 MB */

/* ---- counters: one block per (metric, level, scope, year), [period kind][month of year] ---- */

/* The year slot of stocks (no period). */
#define STOCK_YEAR 127
#define SCOPE_BITS 39   /* a township's nine digits, an organization's rid */
_Static_assert(IM_COUNT <= 64, "a metric takes 6 bits of a key");

struct block { uint64_t key; int64_t v[4][12]; };   /* kinds PK_MONTH … PK_YEAR */

/* A waiting time is a monthly flow in one of IND_WAIT_BUCKETS buckets: four buckets share a
 * block, one row each, so that a county's waits of a year take 31 blocks and not 121. */
static bool packed(int metric) { return metric == IM_REF_WAIT; }

/* metric 6 bits | level 4 | 1 | scope 39 | bucket 7 | year slot 7: never 0 (0 marks an empty slot) */
static uint64_t block_key(int metric, int level, uint64_t scope, int bucket, int year)
{
  return (uint64_t)metric << 58 | (uint64_t)level << 54 | UINT64_C(1) << 53 | scope << 14 | (uint64_t)bucket << 7 |
         (uint64_t)year;
}

static int key_metric(uint64_t k) { return (int)(k >> 58); }
static int key_level(uint64_t k) { return (int)(k >> 54 & 15); }
static uint64_t key_scope(uint64_t k) { return k >> 14 & ((UINT64_C(1) << SCOPE_BITS) - 1); }
static int key_bucket(uint64_t k) { return (int)(k >> 7 & 127); }

/* An open-addressing table of block key → index into a growing array of blocks; the last block
 * used is remembered (a subject's contributions come metric by metric, month by month). */
struct counters {
  uint64_t *keys;
  uint32_t *index;
  size_t cap;
  struct block *blocks;
  size_t n, n_cap;
  uint64_t last_key;
  size_t last;
};

static size_t slot(uint64_t k, size_t cap)
{
  k ^= k >> 33;
  k *= UINT64_C(0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (size_t)k & (cap - 1);
}

static void counters_free(struct counters *t)
{
  free(t->keys);
  free(t->index);
  free(t->blocks);
  memset(t, 0, sizeof *t);
}

static bool counters_rehash(struct counters *t, size_t cap)
{
  uint64_t *keys = calloc(cap, sizeof *keys);
  uint32_t *index = calloc(cap, sizeof *index);
  if (!keys || !index) {
    free(keys);
    free(index);
    return false;
  }
  for (size_t i = 0; i < t->n; i++) {
    size_t j = slot(t->blocks[i].key, cap);
    while (keys[j]) j = (j + 1) & (cap - 1);
    keys[j] = t->blocks[i].key;
    index[j] = (uint32_t)i;
  }
  free(t->keys);
  free(t->index);
  t->keys = keys;
  t->index = index;
  t->cap = cap;
  return true;
}

/* The block for a key, made when new; NULL on out of memory. */
static struct block *block_of(struct counters *t, uint64_t k)
{
  if (t->n && k == t->last_key) return &t->blocks[t->last];
  if ((t->n + 1) * 2 > t->cap && !counters_rehash(t, t->cap ? t->cap * 2 : 4096)) return 0;
  size_t j = slot(k, t->cap);
  while (t->keys[j] && t->keys[j] != k) j = (j + 1) & (t->cap - 1);
  if (!t->keys[j]) {
    if (t->n == t->n_cap) {
      size_t cap = t->n_cap ? t->n_cap * 2 : 1024;
      struct block *b = realloc(t->blocks, cap * sizeof *b);
      if (!b) return 0;
      t->blocks = b;
      t->n_cap = cap;
    }
    memset(&t->blocks[t->n], 0, sizeof t->blocks[0]);
    t->blocks[t->n].key = k;
    t->keys[j] = k;
    t->index[j] = (uint32_t)t->n++;
  }
  t->last_key = k;
  t->last = t->index[j];
  return &t->blocks[t->last];
}

static bool count(struct counters *t, const struct contribution *c, int level, uint64_t scope)
{
  bool stock = c->kind == PK_STOCK, pack = packed(c->metric) && !stock;   /* waits are monthly flows only */
  int bucket = pack ? c->bucket / 4 : c->bucket, row = stock ? 0 : pack ? c->bucket % 4 : c->kind;
  struct block *b = block_of(t, block_key(c->metric, level, scope, bucket, stock ? STOCK_YEAR : c->month / 12));
  if (!b) return false;
  b->v[row][stock ? 0 : c->month % 12] += c->value;
  return true;
}

/* A stored row in primary-key order: metric 6 bits (alphabetical = enum order) | level 4 |
 * scope 39 | period kind 3 in text order ("" < M < Q < T < Y) | month 11; then the bucket. */
struct row { uint64_t key; int64_t value; int bucket; };

/* ---- the scans ---- */

struct cursor { sqlite3_stmt *st; bool more; int64_t rid; };

/* A scan over the clients lo ≤ rid < hi ($1, $2). */
static jk_status cursor_open(struct db *db, const char *sql, int64_t lo, int64_t hi, struct cursor *c)
{
  c->st = db_prepare(db, sql);
  if (!c->st) return JK_EINTERNAL;
  db_bind_int64(c->st, 1, lo);
  db_bind_int64(c->st, 2, hi);
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

struct scan {
  struct cursor clients, services, assess, plans, agree;
  struct ind_vec days, adays, plan_spans, agree_spans, psych, fus, surveys;
  char series[64];
  bool latest;
};

/* Moves a versioned cursor (series in column 2) past its current row; s->latest tells whether
 * that row was the last of its series for client `rid`. */
static jk_status latest_of_series(struct cursor *c, int64_t rid, struct scan *s)
{
  ind_column_text(c->st, 2, s->series, sizeof s->series);
  jk_status res = cursor_next(c);
  s->latest = c->rid != rid || strcmp(s->series, (const char *)sqlite3_column_text(c->st, 2)) != 0;
  return res;
}

/* The next client's inputs (all cursors at or past its rid); false at the end. */
static jk_status next_client(struct scan *s, int64_t *rid, struct client_now *c, struct client_inputs *in, bool *got)
{
  *got = false;
  if (!s->clients.more) return JK_OK;
  sqlite3_stmt *st = s->clients.st;
  *rid = s->clients.rid;
  memset(c, 0, sizeof *c);
  c->exists = true;
  ind_column_text(st, 1, c->region, sizeof c->region);
  c->org_rid = sqlite3_column_int64(st, 2);
  *in = (struct client_inputs){.severe = sqlite3_column_int(st, 3) != 0, .reg_day = ind_day_of_ms(sqlite3_column_int64(st, 4)),
                               .exit_day = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : ind_day_of_ms(sqlite3_column_int64(st, 5)),
                               .in_service = sqlite3_column_int(st, 6) != 0};
  s->days.n = s->adays.n = s->plan_spans.n = s->agree_spans.n = s->psych.n = s->fus.n = s->surveys.n = 0;
  jk_status res = JK_OK;
  while (res == JK_OK && s->services.rid < *rid) res = cursor_next(&s->services);   /* of clients that no longer exist */
  while (res == JK_OK && s->services.rid == *rid) {
    int64_t d, *p;
    if (ind_day_of(sqlite3_column_text(s->services.st, 1), &d)) {
      if (!(p = ind_vec_push(&s->days))) return JK_EUNAVAIL;
      *p = d;
      if (sqlite3_column_int(s->services.st, 2) && in->severe) {
        if (!(p = ind_vec_push(&s->psych))) return JK_EUNAVAIL;
        *p = d;
      }
    }
    res = cursor_next(&s->services);
  }
  while (res == JK_OK && s->assess.rid < *rid) res = cursor_next(&s->assess);
  while (res == JK_OK && s->assess.rid == *rid) {
    sqlite3_stmt *a = s->assess.st;
    int64_t d, *p;
    int kind = sqlite3_column_int(a, 3);   /* IND_ASSESS_KIND */
    bool dated = kind && ind_day_of(sqlite3_column_text(a, 1), &d);
    if ((res = latest_of_series(&s->assess, *rid, s)) != JK_OK || !s->latest || !dated) continue;
    if (kind == 1) {
      if (!(p = ind_vec_push(&s->adays))) return JK_EUNAVAIL;
      *p = d;
    } else if (kind <= 3 || in->severe) {   /* follow-ups count for severe clients only */
      struct day_flag *f = ind_vec_push(kind <= 3 ? &s->surveys : &s->fus);
      if (!f) return JK_EUNAVAIL;
      *f = (struct day_flag){d, kind == 3 || kind == 5};
    }
  }
  while (res == JK_OK && s->plans.rid < *rid) res = cursor_next(&s->plans);
  while (res == JK_OK && s->plans.rid == *rid) {
    struct day_span sp, *p;
    bool counts = ind_day_of(sqlite3_column_text(s->plans.st, 1), &sp.from) && ind_day_of(sqlite3_column_text(s->plans.st, 3), &sp.to);
    if ((res = latest_of_series(&s->plans, *rid, s)) != JK_OK || !s->latest) continue;
    if (counts) {
      if (!(p = ind_vec_push(&s->plan_spans))) return JK_EUNAVAIL;
      *p = sp;
    }
  }
  while (res == JK_OK && s->agree.rid < *rid) res = cursor_next(&s->agree);
  while (res == JK_OK && s->agree.rid == *rid) {
    sqlite3_stmt *a = s->agree.st;
    int64_t consent, agreement;
    if (ind_day_of(sqlite3_column_text(a, 1), &consent) && ind_day_of(sqlite3_column_text(a, 2), &agreement)) {
      struct day_span *p = ind_vec_push(&s->agree_spans);
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
  in->psych_days = s->psych.v;
  in->n_psych = s->psych.n;
  in->followups = s->fus.v;
  in->n_followups = s->fus.n;
  in->surveys = s->surveys.v;
  in->n_surveys = s->surveys.n;
  *got = true;
  return cursor_next(&s->clients);
}

/* A region code's digits as a number, and its level by length (0 when not all digits: such a
 * subject counts for the nation only, as in the incremental path). */
static int region_scope(const char *region, uint64_t *scope)
{
  static const size_t lens[] = {0, 2, 4, 6, 9};
  size_t len = strlen(region);
  *scope = 0;
  if (region[strspn(region, "0123456789")]) return 0;
  int level = 0;
  for (int l = 4; l > 0 && !level; l--)
    if (len >= lens[l]) level = l;
  for (size_t i = 0; i < lens[level]; i++) *scope = *scope * 10 + (uint64_t)(region[i] - '0');
  return level;
}

/* Each contribution at the finest region level its metric is kept at (rolled up later) and at
 * the organization when its metric is kept by organization. */
static bool add_all(struct counters *t, const char *region, int64_t org_rid, const struct contrib_list *l)
{
  uint64_t scope;
  int level = region_scope(region, &scope), metric = -1, at = 0;
  uint64_t s = 0;
  struct metric_levels lv = {0};
  for (size_t i = 0; i < l->n; i++) {
    const struct contribution *c = &l->v[i];
    if (c->metric != metric) {   /* a subject's contributions come metric by metric */
      metric = c->metric;
      lv = ind_metric_levels(c->metric);
      at = level < lv.region_level ? level : lv.region_level;
      s = scope;
      for (int k = level; k > at; k--) s /= k == 4 ? 1000 : 100;
    }
    if (lv.region_level >= 0 && !count(t, c, at, at ? s : 0)) return false;
    if (lv.by_org && org_rid > 0 && !count(t, c, IND_LEVEL_ORG, (uint64_t)org_rid)) return false;
  }
  return true;
}

/* Service records by institution and month, and by the institution's county (as the triggers
 * keep them: schema.c, migration 5), from the index in (institution, date) order: runs of one
 * institution and month are counted without looking anything up. Counted apart and added after
 * the roll-up: they are not rolled up. */
static jk_status svc_pass(struct db *db, struct counters *t)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SVC);
  if (!st) return JK_EINTERNAL;
  int rc;
  bool ok = true;
  struct contribution c = {IM_SVC, PK_MONTH, 0, 0, 0};
  int64_t org = 0;
  uint64_t county = 0;
  bool has_county = false;
  while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t o = sqlite3_column_int64(st, 0), day;
    if (!ind_day_of(sqlite3_column_text(st, 1), &day)) continue;
    int month = ind_month_of_day(day);
    if (month < 0 || month >= IND_MAX_MONTHS) continue;
    if (o != org || month != c.month) {
      if (c.value && !(ok = count(t, &c, IND_LEVEL_ORG, (uint64_t)org) && (!has_county || count(t, &c, 3, county)))) break;
      if (o != org) {
        sqlite3_stmt *q = db_prepare(db, SQL_ORG_REGION);
        if (!q) {
          db_done(st);
          return JK_EINTERNAL;
        }
        db_bind_int64(q, 1, o);
        uint64_t scope = 0;
        int level = sqlite3_step(q) == SQLITE_ROW ? region_scope((const char *)sqlite3_column_text(q, 0), &scope) : 0;
        db_done(q);
        has_county = level >= 3;
        county = scope;
        for (int k = level; k > 3; k--) county /= 1000;
      }
      org = o;
      c.month = (uint16_t)month;
      c.value = 0;
    }
    c.value++;
  }
  if (ok && c.value) ok = count(t, &c, IND_LEVEL_ORG, (uint64_t)org) && (!has_county || count(t, &c, 3, county));
  db_done(st);
  if (!ok) return JK_EUNAVAIL;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* ---- the workers ----
 *
 * Reading the raw records and computing facts is most of the work: worker threads, each with
 * its own read connection (the raw tables are not written during a rebuild, and a reader sees
 * them as committed), count the contributions of what they read into counters of their own and
 * hand each subject's row (ind_client, ind_staff, ind_referral) to this thread, the only one
 * that writes. As many client workers as cores, each a slice of the rid range; one for the staff
 * and the referrals; one for the service records. At the end the counters are added together. */

enum item_kind { IT_CLIENT, IT_STAFF, IT_REFERRAL };
struct item {
  enum item_kind kind;
  int64_t rid;
  union { struct client_now c; struct staff_now s; struct referral_now r; } u;   /* r.l is the writer's to free */
};
#define RING 256

/* Each worker's ring has one producer (the worker) and one consumer (the writer): the worker
 * copies an item into the slot at `head` and then moves `head`; the writer writes the items
 * from `tail` to `head` in place and then moves `tail`. Neither takes the lock unless it has to
 * wait: a worker for room in a full ring (`waiting`), the writer for an item in any ring
 * (`writer_waiting`). Each stores its own flag before it checks the other's index, and each
 * moves its index before it checks the other's flag (sequentially consistent), so a wait is
 * always seen by the one that ends it. */
struct worker {
  pthread_t th;
  struct pipeline *p;
  jk_status (*run)(struct db *db, struct worker *me);
  int64_t lo, hi;                      /* a client worker's slice: lo ≤ rid < hi */
  struct counters t;
  struct item ring[RING];              /* indexes mod RING */
  _Atomic size_t head, tail;
  _Atomic bool waiting, done;
  _Atomic int64_t seen;                /* clients (or referrals) computed so far */
  int64_t staff;                       /* staff computed */
  struct cursor *stored;               /* the staff and referrals worker's stored referral rows */
  struct ind_vec old;                  /* the service-record worker's: the stored aggregates (rows) */
  bool odd;                            /* (and whether one of them is not the rebuild's) */
  jk_status st;                        /* set before done */
  double cpu, wall;                    /* seconds of this thread's CPU, and until it was done */
};

struct pipeline {
  pthread_mutex_t mu;
  pthread_cond_t items, room;          /* the writer waits on items, workers on room */
  _Atomic bool writer_waiting, stop;
  const char *path;
  const struct defs *defs;
};

static void wake(struct pipeline *p, pthread_cond_t *cv)
{
  pthread_mutex_lock(&p->mu);
  pthread_cond_broadcast(cv);
  pthread_mutex_unlock(&p->mu);
}

/* Hands a copy of an item to the writer; false when the rebuild is being stopped. */
static bool emit(struct worker *me, const struct item *it)
{
  struct pipeline *p = me->p;
  size_t head = atomic_load_explicit(&me->head, memory_order_relaxed);   /* this thread's own */
  if (head - atomic_load(&me->tail) == RING) {
    pthread_mutex_lock(&p->mu);
    atomic_store(&me->waiting, true);
    while (head - atomic_load(&me->tail) == RING && !atomic_load(&p->stop)) pthread_cond_wait(&p->room, &p->mu);
    atomic_store(&me->waiting, false);
    pthread_mutex_unlock(&p->mu);
  }
  if (atomic_load(&p->stop)) return false;
  me->ring[head % RING] = *it;
  atomic_store(&me->head, head + 1);
  if (atomic_load(&p->writer_waiting) && head + 1 - atomic_load(&me->tail) >= RING / 8)   /* a few at a time */
    wake(p, &p->items);
  return true;
}

static jk_status run_clients(struct db *db, struct worker *me)
{
  struct scan s = {.days.size = sizeof(int64_t), .adays.size = sizeof(int64_t), .plan_spans.size = sizeof(struct day_span),
                   .agree_spans.size = sizeof(struct day_span), .psych.size = sizeof(int64_t),
                   .fus.size = sizeof(struct day_flag), .surveys.size = sizeof(struct day_flag)};
  struct item *it = malloc(sizeof *it);
  struct contrib_list l = {0};
  jk_status st = it ? JK_OK : JK_EUNAVAIL;
  struct client_now *was = malloc(sizeof *was);
  struct cursor stored = {0};   /* ind_client as it is */
  static const char *const sql[] = {SQL_CLIENTS, SQL_SERVICES, SQL_ASSESS, SQL_PLANS, SQL_AGREE, SQL_STORED_CLIENTS};
  struct cursor *cs[] = {&s.clients, &s.services, &s.assess, &s.plans, &s.agree, &stored};
  if (!was) st = JK_EUNAVAIL;
  for (size_t i = 0; st == JK_OK && i < sizeof cs / sizeof cs[0]; i++) st = cursor_open(db, sql[i], me->lo, me->hi, cs[i]);
  while (st == JK_OK) {
    struct client_inputs in;
    bool got;
    it->kind = IT_CLIENT;
    if ((st = next_client(&s, &it->rid, &it->u.c, &in, &got)) != JK_OK) break;
    int64_t rid = got ? it->rid : INT64_MAX;
    bool stopped = false;
    while (st == JK_OK && !stopped && stored.more && stored.rid < rid) {   /* a client no longer there */
      struct item gone = {.kind = IT_CLIENT, .rid = stored.rid};   /* !exists: deleted */
      if ((stopped = !emit(me, &gone))) break;
      st = cursor_next(&stored);
    }
    if (stopped || !got || st != JK_OK) break;
    struct client_now *c = &it->u.c;
    client_facts_compute(&in, ind_def_for(me->p->defs, c->region, 0), &c->f);
    l.n = 0;   /* the contributions append */
    if (!client_contributions(&c->f, &l) || !add_all(&me->t, c->region, c->org_rid, &l)) {
      st = JK_EUNAVAIL;
      break;
    }
    atomic_fetch_add_explicit(&me->seen, 1, memory_order_relaxed);
    bool same = false;
    if (stored.more && stored.rid == rid) {
      ind_client_decode(stored.st, 1, was);
      same = ind_client_same(was, c);
      st = cursor_next(&stored);
    }
    if (!same && st == JK_OK && !emit(me, it)) break;
  }
  for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
    if (cs[i]->st) db_done(cs[i]->st);
  free(s.days.v);
  free(s.adays.v);
  free(s.plan_spans.v);
  free(s.agree_spans.v);
  free(s.psych.v);
  free(s.fus.v);
  free(s.surveys.v);
  contrib_free(&l);
  free(it);
  free(was);
  return st;
}

static jk_status run_staff(struct db *db, struct worker *me)
{
  sqlite3_stmt *all = db_prepare(db, SQL_STAFF);
  if (!all) return JK_EINTERNAL;
  struct ind_vec rids = {.size = sizeof(int64_t)};
  int rc;
  jk_status st = JK_OK;
  while ((rc = sqlite3_step(all)) == SQLITE_ROW) {   /* collected first: the compute reuses statements */
    int64_t *p = ind_vec_push(&rids);
    if (!p) {
      st = JK_EUNAVAIL;
      break;
    }
    *p = sqlite3_column_int64(all, 0);
  }
  db_done(all);
  if (st == JK_OK && rc != SQLITE_DONE) st = db_status(rc);
  struct item *it = st == JK_OK ? malloc(sizeof *it) : 0;
  struct contrib_list l = {0};
  if (st == JK_OK && !it) st = JK_EUNAVAIL;
  for (size_t i = 0; st == JK_OK && i < rids.n; i++) {
    *it = (struct item){.kind = IT_STAFF, .rid = ((const int64_t *)rids.v)[i]};
    if ((st = ind_staff_compute(db, it->rid, &it->u.s)) != JK_OK) break;
    l.n = 0;
    if (!staff_contributions(&it->u.s.f, &l) || !add_all(&me->t, it->u.s.region, it->u.s.org_rid, &l)) st = JK_EUNAVAIL;
    else if (!emit(me, it)) break;
    me->staff++;
  }
  contrib_free(&l);
  free(it);
  free(rids.v);
  return st;
}

/* Hands the writer the deletion of stored referral rows before `rid` (referrals no longer there). */
static jk_status referrals_gone(struct worker *me, int64_t rid)
{
  jk_status st = JK_OK;
  while (st == JK_OK && me->stored->more && me->stored->rid < rid) {
    struct item gone = {.kind = IT_REFERRAL, .rid = me->stored->rid};   /* !exists: deleted */
    if (!emit(me, &gone)) return JK_EUNAVAIL;
    st = cursor_next(me->stored);
  }
  return st;
}

static jk_status referral_one(void *ctx, int64_t rid, const struct referral_now *r)
{
  struct worker *me = ctx;
  if (!add_all(&me->t, r->region, r->org_rid, &r->l)) return JK_EUNAVAIL;
  atomic_fetch_add_explicit(&me->seen, 1, memory_order_relaxed);
  jk_status st = referrals_gone(me, rid);
  bool same = false;
  if (st == JK_OK && me->stored->more && me->stored->rid == rid) {
    same = ind_referral_same(me->stored->st, 1, r);
    st = cursor_next(me->stored);
  }
  if (st != JK_OK || same) return st;
  struct item it = {.kind = IT_REFERRAL, .rid = rid, .u.r = *r};
  it.u.r.l.v = malloc((r->l.n ? r->l.n : 1) * sizeof *r->l.v);   /* the list is reused for the next referral */
  if (!it.u.r.l.v) return JK_EUNAVAIL;
  memcpy(it.u.r.l.v, r->l.v, r->l.n * sizeof *r->l.v);
  it.u.r.l.cap = r->l.n;
  if (emit(me, &it)) return JK_OK;
  free(it.u.r.l.v);
  return JK_EUNAVAIL;   /* stopped: the rebuild failed elsewhere */
}

static jk_status stored_rows(struct db *db, struct ind_vec *out, bool *odd);

static jk_status run_svc(struct db *db, struct worker *me)
{
  jk_status st = svc_pass(db, &me->t);
  return st == JK_OK ? stored_rows(db, &me->old, &me->odd) : st;
}

static jk_status run_staff_referrals(struct db *db, struct worker *me)
{
  int64_t n = 0;
  struct cursor stored = {0};   /* ind_referral as it is */
  jk_status st = run_staff(db, me);
  if (st == JK_OK) st = cursor_open(db, SQL_STORED_REFERRALS, INT64_MIN, INT64_MAX, &stored);
  me->stored = &stored;
  if (st == JK_OK) st = ind_referral_each(db, referral_one, me, &n);
  if (st == JK_OK) st = referrals_gone(me, INT64_MAX);
  if (stored.st) db_done(stored.st);
  me->stored = 0;
  return st;
}

/* Seconds of `clock` (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID) since `t0` (NULL: since 0). */
static double since(clockid_t clock, const struct timespec *t0)
{
  struct timespec t;
  clock_gettime(clock, &t);
  return t0 ? (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9 : (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *worker_main(void *arg)
{
  struct worker *me = arg;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct db *db = 0;
  jk_status st = db_open(me->p->path, false, &db);
  if (st == JK_OK) st = db_begin_read(db);
  if (st == JK_OK) {
    st = me->run(db, me);
    db_end_read(db);
  }
  db_close(db);
  me->cpu = since(CLOCK_THREAD_CPUTIME_ID, 0);
  me->wall = since(CLOCK_MONOTONIC, &t0);
  me->st = st;
  atomic_store(&me->done, true);
  wake(me->p, &me->p->items);
  return 0;
}

/* Writes one subject's row (the write connection); frees what the item owns. */
static jk_status put_item(struct db *db, struct item *it)
{
  switch (it->kind) {
  case IT_CLIENT: return ind_client_put(db, it->rid, &it->u.c);
  case IT_STAFF: return ind_staff_put(db, it->rid, &it->u.s);
  case IT_REFERRAL: {
    jk_status st = ind_referral_put(db, it->rid, &it->u.r);
    contrib_free(&it->u.r.l);
    return st;
  }
  }
  return JK_EINTERNAL;
}

/* Adds every block of `from` into `to`. */
static bool counters_add(struct counters *to, const struct counters *from)
{
  for (size_t i = 0; i < from->n; i++) {
    struct block *b = block_of(to, from->blocks[i].key);
    if (!b) return false;
    for (int x = 0; x < 4; x++)
      for (int m = 0; m < 12; m++) b->v[x][m] += from->blocks[i].v[x][m];
  }
  return true;
}

static const char SQL_RID_RANGE[] = "SELECT coalesce(min(rid), 0), coalesce(max(rid), 0) FROM client";

/* The workers' slices of the client rid range (the first and last open-ended). */
static void slices(struct db *db, struct worker *w, int n)
{
  int64_t lo = 0, hi = 0;
  sqlite3_stmt *q = db_prepare(db, SQL_RID_RANGE);
  if (q && sqlite3_step(q) == SQLITE_ROW) lo = sqlite3_column_int64(q, 0), hi = sqlite3_column_int64(q, 1);
  db_done(q);
  for (int k = 0; k < n; k++) {
    w[k].lo = k ? lo + (hi - lo) / n * k + 1 : INT64_MIN;
    w[k].hi = k + 1 < n ? lo + (hi - lo) / n * (k + 1) + 1 : INT64_MAX;
  }
}

/* The writer's share of a worker's ring: every item published so far written in place; stops at
 * the first failure. */
static jk_status drain(struct db *db, struct worker *r, bool *any, int64_t *written)
{
  size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed), head = atomic_load(&r->head);
  jk_status st = JK_OK;
  while (tail != head && st == JK_OK) {
    st = put_item(db, &r->ring[tail % RING]);
    ++*written;
    if (++tail % 16 == 0 || tail == head) {   /* room for the worker now and then, not item by item */
      atomic_store(&r->tail, tail);
      if (atomic_load(&r->waiting)) wake(r->p, &r->p->room);
    }
    *any = true;
  }
  atomic_store(&r->tail, tail);   /* after a failure too: the items before it are the writer's */
  return st;
}

/* Every client, staff member and referral, and the service records: their rows written, their
 * contributions counted into `fine` (the service records' into `svc`, which is not rolled up);
 * `times` tells where the time went (each worker's CPU and when it was done, the writer's CPU). */
static jk_status subjects_pass(struct db *db, const struct defs *defs, struct counters *fine, struct counters *svc,
                               struct ind_vec *old, bool *odd, void (*progress)(void *, int64_t, int64_t), void *ctx,
                               int64_t total, int64_t count[4], char *times, size_t size)
{
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int n_clients = cores < 2 ? 2 : cores > 32 ? 32 : (int)cores, n = n_clients + 2;
  const char *path = sqlite3_db_filename(db_sqlite(db), "main");
  struct pipeline *p = calloc(1, sizeof *p);
  struct worker *w = calloc((size_t)n, sizeof *w);
  if (!p || !w || !path || !*path) {
    free(p);
    free(w);
    return p && w ? JK_EINTERNAL : JK_EUNAVAIL;
  }
  pthread_mutex_init(&p->mu, 0);
  pthread_cond_init(&p->items, 0);
  pthread_cond_init(&p->room, 0);
  p->path = path;
  p->defs = defs;
  slices(db, w, n_clients);
  for (int k = 0; k < n; k++) {
    w[k].p = p;
    w[k].run = k < n_clients ? run_clients : k == n_clients ? run_staff_referrals : run_svc;
  }
  jk_status st = JK_OK;
  int started = 0;
  double cpu0 = since(CLOCK_THREAD_CPUTIME_ID, 0);
  for (; started < n; started++) {
    if (pthread_create(&w[started].th, 0, worker_main, &w[started]) != 0) {
      st = JK_EUNAVAIL;
      break;
    }
  }
  for (int k = started; k < n; k++) atomic_store(&w[k].done, true);
  int64_t shown = 0;   /* clients in the last progress report */
  while (st == JK_OK) {
    bool any = false, all_done = true;
    int64_t seen = 0;
    for (int k = 0; k < n && st == JK_OK; k++) {
      bool done = atomic_load(&w[k].done);   /* before the drain: then nothing comes after it */
      st = drain(db, &w[k], &any, &count[3]);
      if (st == JK_OK && done && w[k].st != JK_OK) st = w[k].st;
      all_done &= done;
      if (k < n_clients) seen += atomic_load_explicit(&w[k].seen, memory_order_relaxed);
    }
    if (progress && seen / 100000 > shown / 100000) progress(ctx, shown = seen, total);
    if (st != JK_OK || all_done) break;
    if (any) continue;
    pthread_mutex_lock(&p->mu);   /* nothing to write: wait for an item or a worker's end */
    atomic_store(&p->writer_waiting, true);
    bool empty = true, ended = true;   /* seen again under the lock: a worker's end wakes under it */
    for (int k = 0; k < n; k++) {
      empty &= atomic_load(&w[k].head) == atomic_load_explicit(&w[k].tail, memory_order_relaxed);
      ended &= atomic_load(&w[k].done);
    }
    if (empty && !ended) {   /* a second at most: the progress goes on while few rows differ */
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += 1;
      pthread_cond_timedwait(&p->items, &p->mu, &until);
    }
    atomic_store(&p->writer_waiting, false);
    pthread_mutex_unlock(&p->mu);
  }
  atomic_store(&p->stop, true);
  wake(p, &p->room);
  for (int k = 0; k < started; k++) pthread_join(w[k].th, 0);
  size_t len = 0;
  for (int k = 0; k < started && len + 64 < size; k++)
    len += (size_t)snprintf(times + len, size - len, "%s %.1f/%.1f, ",
                            k < n_clients ? "clients" : k == n_clients ? "staff+referrals" : "service records", w[k].cpu, w[k].wall);
  snprintf(times + len, size - len, "writer %.1f", since(CLOCK_THREAD_CPUTIME_ID, 0) - cpu0);
  for (int k = 0; k < n; k++) {
    if (st == JK_OK && w[k].st != JK_OK) st = w[k].st;
    for (size_t i = atomic_load(&w[k].tail), head = atomic_load(&w[k].head); i != head; i++) {   /* left by a failure */
      struct item *it = &w[k].ring[i % RING];
      if (it->kind == IT_REFERRAL) contrib_free(&it->u.r.l);
    }
    if (st == JK_OK && !counters_add(k == n - 1 ? svc : fine, &w[k].t)) st = JK_EUNAVAIL;
    counters_free(&w[k].t);
  }
  *old = w[n - 1].old;   /* the caller's to free */
  *odd = w[n - 1].odd;
  for (int k = 0; k < n_clients; k++) count[0] += w[k].seen;
  count[1] = w[n_clients].staff;
  count[2] = w[n_clients].seen;
  pthread_cond_destroy(&p->items);
  pthread_cond_destroy(&p->room);
  pthread_mutex_destroy(&p->mu);
  free(p);
  free(w);
  return st;
}

/* Each region block added into its parent's, townships first: afterwards every level holds the
 * sum of its children and of what was counted at it directly. */
static bool roll_up(struct counters *t)
{
  for (int level = 4; level > 0; level--) {
    size_t n = t->n;   /* parents made here are coarser: visited in a later round */
    for (size_t i = 0; i < n; i++) {
      uint64_t k = t->blocks[i].key;
      if (key_level(k) != level) continue;
      uint64_t scope = key_scope(k) / (level == 4 ? 1000 : 100);
      struct block *p = block_of(t, block_key(key_metric(k), level - 1, level == 1 ? 0 : scope, key_bucket(k), (int)(k & 127)));
      if (!p) return false;
      const struct block *c = &t->blocks[i];   /* after block_of: the array may have moved */
      for (int x = 0; x < 4; x++)
        for (int m = 0; m < 12; m++) p->v[x][m] += c->v[x][m];
    }
  }
  return true;
}

static int cmp_row(const void *a, const void *b)
{
  const struct row *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

static bool rows_push(struct ind_vec *rows, struct row r)
{
  struct row *p = ind_vec_push(rows);
  if (p) *p = r;
  return p != 0;
}

/* The counters' rows, in key order. */
static jk_status rows_of(const struct counters *t, struct ind_vec *out)
{
  static const int text_order[] = {[PK_MONTH] = 1, [PK_QUARTER] = 2, [PK_YTD] = 3, [PK_YEAR] = 4};
  *out = (struct ind_vec){.size = sizeof(struct row)};
  for (size_t i = 0; i < t->n; i++) {
    const struct block *b = &t->blocks[i];
    int year = (int)(b->key & 127);
    bool pack = packed(key_metric(b->key)) && year != STOCK_YEAR;   /* rows are buckets (count) */
    for (int x = 0; x < 4; x++)
      for (int m = 0; m < 12; m++) {
        if (!b->v[x][m]) continue;
        int kind = year == STOCK_YEAR ? 0 : text_order[pack ? PK_MONTH : x], month = year == STOCK_YEAR ? 0 : year * 12 + m;
        struct row r = {(uint64_t)key_metric(b->key) << 58 | (uint64_t)key_level(b->key) << 54 | key_scope(b->key) << 14 |
                          (uint64_t)kind << 11 | (uint64_t)month,
                        b->v[x][m], pack ? key_bucket(b->key) * 4 + x : key_bucket(b->key)};
        if (!rows_push(out, r)) return JK_EUNAVAIL;
      }
  }
  if (out->n) qsort(out->v, out->n, sizeof(struct row), cmp_row);
  return JK_OK;
}

/* A row's stored texts: scope (24 bytes) and period (16). */
static void row_texts(const struct row *r, char *scope, char *period)
{
  static const enum period_kind kinds[] = {PK_STOCK, PK_MONTH, PK_QUARTER, PK_YTD, PK_YEAR};
  static const int lens[] = {0, 2, 4, 6, 9};
  uint64_t k = r->key, sc = key_scope(k);
  int level = key_level(k), kind = (int)(k >> 11 & 7), month = (int)(k & 2047);
  if (level == IND_LEVEL_ORG) snprintf(scope, 24, "%llu", (unsigned long long)sc);
  else if (level == 0) scope[0] = 0;
  else snprintf(scope, 24, "%0*llu", lens[level], (unsigned long long)sc);
  struct contribution c = {(uint8_t)key_metric(k), (uint8_t)kinds[kind % 5], (uint8_t)r->bucket, (uint16_t)month, 0};
  contrib_period_key(&c, period);
}

/* `n` digits at *p as a number (p moved past them); -1 when they are not all digits. */
static int64_t digits(const char **p, int n)
{
  int64_t v = 0;
  for (int i = 0; i < n; i++, ++*p) {
    if (**p < '0' || **p > '9') return -1;
    v = v * 10 + (**p - '0');
  }
  return v;
}

/* A stored row read back into its key: exactly the texts row_texts makes (fixed widths, a bucket
 * for waiting times only), else false (the row is not one the rebuild could have written). */
static bool row_parse(int metric, int level, const char *scope, const char *period, int64_t value, struct row *out)
{
  static const int lens[] = {0, 2, 4, 6, 9};
  size_t len = strlen(scope);
  const char *p = scope;
  int64_t sc = 0;
  if (metric < 0) return false;
  if (level == IND_LEVEL_ORG) {
    if (!len || len > 11 || *scope == '0' || (sc = digits(&p, (int)len)) < 0) return false;
  } else if (level < 0 || level > 4 || len != (size_t)lens[level] || (sc = digits(&p, (int)len)) < 0) {
    return false;
  }
  static const char kinds[] = "MQTY";   /* text order 1 … 4; "" (a stock) is 0 */
  int kind = 0, month = 0, bucket = 0;
  p = period;
  if (metric == IM_REF_WAIT && !*p) return false;
  if (*p) {
    const char *k = strchr(kinds, *p++);
    int64_t y = digits(&p, 4), m = 12;
    if (!k || !*k || y < 2000) return false;
    kind = (int)(k - kinds) + 1;
    if (kind != 4 && (*p++ != '-' || (m = digits(&p, kind == 2 ? 1 : 2)) < 1 || m > (kind == 2 ? 4 : 12))) return false;
    month = (int)(y - 2000) * 12 + (kind == 2 ? (int)m * 3 - 1 : (int)m - 1);
    if (metric == IM_REF_WAIT && (*p++ != '/' || (bucket = (int)digits(&p, 3)) < 0 || bucket >= IND_WAIT_BUCKETS)) return false;
    if (*p || month >= IND_MAX_MONTHS) return false;
  }
  *out = (struct row){(uint64_t)metric << 58 | (uint64_t)level << 54 | (uint64_t)sc << 14 | (uint64_t)kind << 11 | (uint64_t)month,
                      value, bucket};
  return true;
}

/* The stored aggregates, in key order; *odd when one of them is not a row the rebuild could
 * have written (a metric no longer kept, say): then they are all replaced. */
static jk_status stored_rows(struct db *db, struct ind_vec *out, bool *odd)
{
  sqlite3_stmt *q = db_prepare(db, SQL_STORED_AGG);
  if (!q) return JK_EINTERNAL;
  *out = (struct ind_vec){.size = sizeof(struct row)};
  *odd = false;
  char last[32] = "";
  int metric = -1, rc = SQLITE_DONE;
  jk_status st = JK_OK;
  while (st == JK_OK && !*odd && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(q, 0);
    if (strcmp(name, last) != 0) {   /* in key order: the metric changes rarely */
      snprintf(last, sizeof last, "%s", name);
      metric = -1;
      for (int i = 0; i < IM_COUNT && metric < 0; i++)
        if (strcmp(ind_metric_name((enum ind_metric)i), name) == 0) metric = i;
    }
    struct row r;
    *odd = !row_parse(metric, sqlite3_column_int(q, 1), (const char *)sqlite3_column_text(q, 2),
                      (const char *)sqlite3_column_text(q, 3), sqlite3_column_int64(q, 4), &r);
    if (!*odd && !rows_push(out, r)) st = JK_EUNAVAIL;
  }
  db_done(q);
  if (st == JK_OK && !*odd && rc != SQLITE_DONE) st = db_status(rc);
  if (st == JK_OK && out->n) qsort(out->v, out->n, sizeof(struct row), cmp_row);
  return st;
}

/* Writes rows (INSERT OR REPLACE), AGG_BATCH per statement. */
static jk_status put_rows(struct db *db, const struct row *v, size_t n)
{
  jk_status st = JK_OK;
  sqlite3_stmt *s = 0;
  size_t j = 0, per = 0;   /* rows bound to `s`, of `per` */
  for (size_t i = 0; i < n && st == JK_OK; i++) {
    if (!j) {
      per = n - i >= AGG_BATCH ? AGG_BATCH : 1;
      if (!(s = db_prepare(db, per > 1 ? SQL_PUT_AGGS : SQL_PUT_AGG))) return JK_EINTERNAL;
    }
    char sc[24], period[16];
    row_texts(&v[i], sc, period);
    int at = (int)j * 5;
    db_bind_text(s, at + 1, ind_metric_name((enum ind_metric)key_metric(v[i].key)));
    db_bind_int64(s, at + 2, key_level(v[i].key));
    db_bind_text(s, at + 3, sc);
    db_bind_text(s, at + 4, period);
    db_bind_int64(s, at + 5, v[i].value);
    if (++j == per) {
      int rc = sqlite3_step(s);
      db_done(s);
      j = 0;
      if (rc != SQLITE_DONE) st = db_status(rc);
    }
  }
  return st;
}

static jk_status del_row(struct db *db, const struct row *r)
{
  sqlite3_stmt *s = db_prepare(db, SQL_DEL_AGG);
  if (!s) return JK_EINTERNAL;
  char sc[24], period[16];
  row_texts(r, sc, period);
  db_bind_text(s, 1, ind_metric_name((enum ind_metric)key_metric(r->key)));
  db_bind_int64(s, 2, key_level(r->key));
  db_bind_text(s, 3, sc);
  db_bind_text(s, 4, period);
  int rc = sqlite3_step(s);
  db_done(s);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* The new aggregates over the stored ones (`old`, in key order; all replaced when `odd`): only
 * the rows that differ are written, those no longer counted deleted. */
static jk_status write_counters(struct db *db, const struct counters *t, const struct ind_vec *old, bool odd,
                                int64_t changed[2])
{
  struct ind_vec now, put = {.size = sizeof(struct row)};
  jk_status st = rows_of(t, &now);
  if (st == JK_OK && odd) st = db_exec(db, SQL_CLEAR_AGG);
  const struct row *nv = now.v, *ov = old->v;
  size_t i = 0, j = 0, n_old = odd ? 0 : old->n;
  while (st == JK_OK && (i < now.n || j < n_old)) {
    int c = i == now.n ? 1 : j == n_old ? -1 : cmp_row(&nv[i], &ov[j]);
    if (c > 0) {   /* no longer counted */
      st = del_row(db, &ov[j++]);
      changed[1]++;
      continue;
    }
    if ((c < 0 || nv[i].value != ov[j].value) && !rows_push(&put, nv[i])) st = JK_EUNAVAIL;
    i++;
    j += c == 0;
  }
  if (st == JK_OK) st = put_rows(db, put.v, put.n);
  changed[0] = (int64_t)put.n;
  free(now.v);
  free(put.v);
  return st;
}

/* The subjects' indexes: their CREATE statements into `out` (a list of NUL-ended texts, itself
 * ended by an empty one), and dropped. */
static jk_status drop_indexes(struct db *db, struct ind_vec *out)
{
  sqlite3_stmt *q = db_prepare(db, SQL_SUBJECT_INDEXES);
  if (!q) return JK_EINTERNAL;
  struct ind_vec names = {.size = 1};
  jk_status st = JK_OK;
  int rc = SQLITE_DONE;
  while (st == JK_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
    for (int col = 0; col < 2 && st == JK_OK; col++) {
      const char *text = (const char *)sqlite3_column_text(q, col);
      struct ind_vec *v = col ? out : &names;
      for (size_t i = 0; st == JK_OK && i <= strlen(text); i++) {
        char *c = ind_vec_push(v);
        if (c) *c = text[i];
        else st = JK_EUNAVAIL;
      }
    }
  db_done(q);
  if (st == JK_OK && rc != SQLITE_DONE) st = db_status(rc);
  for (const char *name = names.v; st == JK_OK && name && name < (const char *)names.v + names.n; name += strlen(name) + 1) {
    char sql[96];
    snprintf(sql, sizeof sql, "DROP INDEX \"%s\"", name);   /* names from the schema itself */
    st = db_exec(db, sql);
  }
  free(names.v);
  char *end = st == JK_OK ? ind_vec_push(out) : 0;
  if (end) *end = 0;
  return st == JK_OK && !end ? JK_EUNAVAIL : st;
}

static jk_status create_indexes(struct db *db, const struct ind_vec *sqls)
{
  jk_status st = JK_OK;
  for (const char *sql = sqls->v; st == JK_OK && sql && *sql; sql += strlen(sql) + 1) st = db_exec(db, sql);
  return st;
}

jk_status indicator_store_rebuild(struct db *db, void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                                  int64_t *subjects)
{
  *subjects = 0;
  struct defs *defs = malloc(sizeof *defs);
  struct counters t = {0};
  if (!defs) return JK_EUNAVAIL;
  int64_t total = 0, n[4] = {0};   /* clients, staff, referrals; their rows written */
  struct counters svc = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double at[6] = {0};
  int64_t cache = 0;
  sqlite3_stmt *q = db_prepare(db, SQL_CACHE_SIZE);
  jk_status st = q ? db_step_int(q, &cache) : JK_EINTERNAL;
  if (st == JK_OK) st = db_exec(db, SQL_REBUILD_CACHE);
  if (st == JK_OK) st = db_begin_write(db);
  sqlite3_stmt *cnt = st == JK_OK ? db_prepare(db, SQL_COUNT_CLIENTS) : 0;
  if (cnt) db_step_int(cnt, &total);
  if (st == JK_OK) st = ind_load_defs(db, defs);
  struct ind_vec indexes = {.size = 1};
  if (st == JK_OK) st = db_exec(db, SQL_CLEAR);
  int64_t first = 0;
  sqlite3_stmt *fb = st == JK_OK ? db_prepare(db, SQL_FIRST_BUILD) : 0;
  if (fb) st = db_step_int(fb, &first);
  if (st == JK_OK && first) st = drop_indexes(db, &indexes);
  at[0] = since(CLOCK_MONOTONIC, &t0);
  char times[256] = "";
  struct ind_vec old = {.size = sizeof(struct row)};
  bool odd = false;
  int64_t changed[2] = {0};   /* aggregate rows written, deleted */
  if (st == JK_OK) st = subjects_pass(db, defs, &t, &svc, &old, &odd, progress, ctx, total, n, times, sizeof times);
  at[1] = since(CLOCK_MONOTONIC, &t0);
  if (st == JK_OK && !(roll_up(&t) && counters_add(&t, &svc))) st = JK_EUNAVAIL;
  counters_free(&svc);
  at[2] = since(CLOCK_MONOTONIC, &t0);
  if (st == JK_OK) st = write_counters(db, &t, &old, odd, changed);
  free(old.v);
  counters_free(&t);
  at[3] = since(CLOCK_MONOTONIC, &t0);
  if (st == JK_OK) st = create_indexes(db, &indexes);
  free(indexes.v);
  at[4] = since(CLOCK_MONOTONIC, &t0);
  if (st == JK_OK) st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  at[5] = since(CLOCK_MONOTONIC, &t0);
  if (cache) {   /* as it was */
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)cache);
    db_exec(db, sql);
  }
  *subjects = n[0] + n[1] + n[2];
  if (st == JK_OK && progress) progress(ctx, n[0], total);   /* the clients: what `total` counts */
  if (st != JK_OK) log_error("indicators: rebuild failed (%d); the previous figures are kept", (int)st);
  else
    log_info("indicators: rebuilt %lld clients, %lld staff, %lld referrals in %.1f s (clear %.1f, read and count %.1f,"
             " roll-up %.1f, write %.1f, indexes %.1f, commit %.1f; CPU s/done at s: %s); rows written: %lld of subjects"
             " (every staff member, the clients and referrals that differed), %lld aggregates written and %lld deleted",
             (long long)n[0], (long long)n[1], (long long)n[2], at[5], at[0], at[1] - at[0], at[2] - at[1], at[3] - at[2],
             at[4] - at[3], at[5] - at[4], times, (long long)n[3], (long long)changed[0], (long long)changed[1]);
  free(defs);
  return st;
}
