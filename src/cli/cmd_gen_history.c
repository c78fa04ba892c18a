/* cmd_gen_history.c: synthetic histories for the indicators.
 *
 *   jingkang gen history --data D [--months 24]
 *     gives the clients that have no past yet (no referral, assessment, plan or service) one:
 *     registration spread over the last N months (a third carried over from before), some
 *     leaving (closed, moved, deceased); for those served by a rehab institution a referral
 *     in service with informed consent and agreement, an intake assessment then a periodic one
 *     every 6–12 months (sometimes late), a plan renewed yearly (sometimes with a gap), and
 *     services most months, individual and in groups. Each institution has its own diligence,
 *     so the 规范服务 rate differs between counties. Then the aggregates are rebuilt.
 *   jingkang gen national --data D [--clients 4000000] [--institutions 20000]
 *                        [--services 40000000] [--years 3]
 *     a national data set for bench/indicators.sh: institutions in 40–95 % of each province's
 *     counties, clients in the villages of every county in proportion to its number of villages,
 *     the same kind of history over the years, service records scaled to the requested number.
 *     Bulk mode (no fsync, large cache, transactions of ~200k rows); the aggregates are left
 *     pending for `jingkang indicators rebuild`.
 *
 * Deterministic: every choice comes from gen_rnd (cmd_gen.c), whose seed is fixed. Clients are
 * made by gen_client, so personal fields are sealed as the API seals them. */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "store/db.h"
#include "store/gen_store.h"
#include "store/indicator_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL
#define NO_EXIT INT32_MAX

struct gen_opts_t { int months, years; int64_t clients, institutions, services; };
static struct gen_opts_t gen_opts;

void gen_take_opts(int *argc, char **argv)
{
  if (*argc < 2 || strcmp(argv[1], "gen") != 0) return;
  static const struct { const char *name; int64_t *dst; } nums[] = {
    {"--clients", &gen_opts.clients}, {"--institutions", &gen_opts.institutions}, {"--services", &gen_opts.services},
  };
  int w = 2;
  for (int i = 2; i < *argc; i++) {
    bool taken = false;
    if (i + 1 < *argc && (strcmp(argv[i], "--months") == 0 || strcmp(argv[i], "--years") == 0)) {
      int *dst = argv[i][2] == 'm' ? &gen_opts.months : &gen_opts.years;
      *dst = atoi(argv[i + 1]);
      i++;
      taken = true;
    }
    for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !taken; k++) {
      if (strcmp(argv[i], nums[k].name) != 0 || i + 1 >= *argc) continue;
      *nums[k].dst = atoll(argv[++i]);
      taken = true;
    }
    if (!taken) argv[w++] = argv[i];
  }
  *argc = w;
  argv[w] = 0;
}

/* ---- dates ---- */

static void day_text(int64_t day, char out[11]) { date_format(date_from_days(day), out); }
static int64_t day_ms(int64_t day) { return day * DAY_MS + 2 * 3600000LL + (int64_t)gen_rnd(8 * 3600) * 1000; }   /* 10:00–18:00 Shanghai */
static int64_t month_first(int64_t day)
{
  struct jk_date d = date_from_days(day);
  return date_to_days((struct jk_date){d.y, d.m, 1});
}
static int64_t next_month(int64_t first) { return date_to_days(date_add_months(date_from_days(first), 1)); }
static double frand(void) { return (double)gen_rnd(1000000) / 1e6; }

/* ---- what both generators share ---- */

struct inst {
  int64_t rid;
  char region[16];
  char staff_json[200];
  double p_month;        /* chance that an in-service client gets a service in a month */
  double p_late;         /* chance that a periodic assessment comes later than 12 months */
  double p_gap;          /* chance that a plan is renewed only after a gap */
  double p_slow_sign;    /* chance that the agreement is signed months after the start */
};

struct gclient {
  int64_t rid;
  int32_t reg_day, exit_day;   /* exit_day NO_EXIT: on the register */
  int32_t inst;                /* index of the institution serving it, −1: none */
};

struct run {
  struct db *db;
  int64_t today, now, rows, records, units, t0_ns;   /* units: attendance rows */
  int64_t since_commit;
  jk_status st;
};

static int64_t mono_ns(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}
static double elapsed(const struct run *r) { return (double)(mono_ns() - r->t0_ns) / 1e9; }

/* Counts a written row; commits and begins again every `every` rows (0: never). */
static void wrote(struct run *r, int64_t n, int64_t every)
{
  r->rows += n;
  r->since_commit += n;
  if (!every || r->since_commit < every || r->st != JK_OK) return;
  r->since_commit = 0;
  if ((r->st = db_commit(r->db)) == JK_OK) r->st = db_begin_write(r->db);
}

/* diligence: the chance of a service in a month; laxity: up to how often an assessment is late
 * or a plan renewed after a gap. */
static void make_inst_profile(struct inst *in, double diligence, double laxity)
{
  in->p_month = diligence + (frand() - 0.5) * 0.04;
  if (in->p_month > 0.995) in->p_month = 0.995;
  in->p_late = 0.03 + frand() * laxity;
  in->p_gap = 0.03 + frand() * laxity;
  in->p_slow_sign = 0.03 + frand() * 0.1;
}

/* Referral with consent and agreement, assessments and plans of an in-service client from its
 * registration to its exit (or today). */
static void care_rows(struct run *r, const struct gclient *c, const struct inst *in, int64_t every)
{
  int64_t end = c->exit_day == NO_EXIT ? r->today : c->exit_day;
  if (end < c->reg_day) return;
  char a[11], b[11];
  int64_t consent = c->reg_day + gen_rnd(10), agree = consent + gen_rnd(10);
  if (frand() < in->p_slow_sign) agree += 30 + gen_rnd(90);
  if (consent > end) consent = end;
  if (agree > end) agree = end;
  day_text(consent, a);
  day_text(agree, b);
  int64_t ended = c->exit_day == NO_EXIT ? 0 : c->exit_day * DAY_MS + 8 * 3600000LL;
  if (r->st == JK_OK) r->st = gen_store_referral(r->db, c->rid, in->region, in->rid, day_ms(c->reg_day), a, b, ended);
  wrote(r, ended ? 3 : 2, every);
  /* intake, then periodic every 6–12 months (sometimes late) */
  int64_t intake = agree + gen_rnd(10);
  for (int64_t d = intake, k = 0; d <= end && r->st == JK_OK; k++) {
    day_text(d, a);
    r->st = gen_store_assessment(r->db, c->rid, in->rid, k ? "periodic" : "intake", a, day_ms(d));
    wrote(r, 1, every);
    d += frand() < in->p_late ? 370 + gen_rnd(120) : 180 + gen_rnd(180);
  }
  /* a plan a year, renewed on its review date or after a gap */
  for (int64_t s = intake; s <= end && r->st == JK_OK;) {
    int64_t review = date_to_days(date_add_months(date_from_days(s), 12)) - 1;
    day_text(s, a);
    day_text(review, b);
    r->st = gen_store_plan(r->db, c->rid, in->rid, a, b, day_ms(s));
    wrote(r, 1, every);
    s = review + 1 + (frand() < in->p_gap ? 15 + gen_rnd(60) : 0);
  }
}

static const char *const service_types[] = {"medication", "daily_living", "social_skills", "vocational",
                                             "home_guidance", "peer_support", "counselling", "recreation"};

static void one_record(struct run *r, const struct inst *in, const int64_t *who, const bool *attended, int n, int64_t day,
                       int64_t every)
{
  if (r->st != JK_OK || n == 0) return;
  char date[11];
  day_text(day, date);
  const char *type = service_types[gen_rnd(sizeof service_types / sizeof *service_types)];
  int att = 0;
  for (int i = 0; i < n; i++) att += attended[i];
  int64_t rid = 0;
  r->st = gen_store_service(r->db, in->rid, type, n > 1, date, n, att, in->staff_json, day_ms(day), &rid);
  r->records++;
  r->units += n;
  for (int i = 0; i < n && r->st == JK_OK; i++) r->st = gen_store_attendance(r->db, who[i], date, rid, type, attended[i]);
  wrote(r, 1 + n, every);
}

/* A random day of [lo, hi]. */
static int64_t some_day(int64_t lo, int64_t hi) { return lo + gen_rnd((uint32_t)(hi - lo + 1)); }

/* Services of one institution from month `from` (a first day) to today, for its clients
 * cl[0..n) (all in service there). Each month a client on the register is served with the
 * institution.s p_month × scale, 1 + `extra` times on average; each round of services goes to
 * group sessions (3–8 clients on one day, one in ten absent) 30 % of the time, to individual
 * ones otherwise. So a service unit costs 1 / (0.3 × 4.6 + 0.7) records on average (groups average
 * 4.6 clients: some are cut short by a client not on the register that day). */
static void inst_services(struct run *r, const struct inst *in, const struct gclient *const *cl, int64_t n, int64_t from,
                          double scale, double extra, int64_t every)
{
  if (n == 0) return;
  int64_t *pick = malloc((size_t)n * sizeof *pick), *round = malloc((size_t)n * sizeof *round);
  int *times = malloc((size_t)n * sizeof *times);
  if (!pick || !round || !times) {
    free(pick), free(round), free(times);
    r->st = JK_EUNAVAIL;
    return;
  }
  for (int64_t m = from; m <= r->today && r->st == JK_OK; m = next_month(m)) {
    int64_t last = next_month(m) - 1;
    if (last > r->today) last = r->today;
    int64_t k = 0;
    int most = 0;
    for (int64_t i = 0; i < n; i++) {
      const struct gclient *c = cl[i];
      if (c->reg_day > last || c->exit_day < m || frand() >= in->p_month * scale) continue;
      times[k] = 1 + (int)extra + (frand() < extra - (int)extra ? 1 : 0);
      if (times[k] > most) most = times[k];
      pick[k++] = i;
    }
    for (int t = 0; t < most && r->st == JK_OK; t++) {
      int64_t nr = 0;
      for (int64_t i = 0; i < k; i++)
        if (times[i] > t) round[nr++] = pick[i];
      for (int64_t i = nr - 1; i > 0; i--) {   /* shuffle */
        int64_t j = gen_rnd((uint32_t)(i + 1)), x = round[i];
        round[i] = round[j];
        round[j] = x;
      }
      for (int64_t i = 0; i < nr && r->st == JK_OK;) {
        const struct gclient *c = cl[round[i]];
        int64_t who[8];
        bool att[8];
        if (frand() < 0.3) {   /* a group session on one day, with the next clients on the register that day */
          int64_t day = some_day(m, last);
          int size = 3 + (int)gen_rnd(6), g = 0;
          while (i < nr && g < size) {
            const struct gclient *x = cl[round[i]];
            if (x->reg_day > day || x->exit_day < day) break;
            who[g] = x->rid;
            att[g++] = gen_rnd(10) != 0;
            i++;
          }
          if (g > 0) {
            one_record(r, in, who, att, g, day, every);
            continue;
          }
        }
        int64_t lo = c->reg_day > m ? c->reg_day : m, hi = c->exit_day < last ? c->exit_day : last;
        who[0] = c->rid;
        att[0] = gen_rnd(40) != 0;
        one_record(r, in, who, att, 1, some_day(lo, hi), every);
        i++;
      }
    }
  }
  free(pick), free(round), free(times);
}

/* Staff for an institution (n people, 40 % with a relevant major) and the staff JSON of its
 * records (the first `listed` of them). */
static void make_staff(struct run *r, struct inst *in, int n, int listed, int64_t *staff_rids, int *made, int64_t every)
{
  static const char *const names[] = {"李社工", "王护士", "张康复师", "刘医生", "陈社工", "杨治疗师", "赵护士", "周心理师"};
  static const char *const professions[] = {"social_worker", "nurse", "therapist", "psychiatrist"};
  static const char *const majors[] = {"social_work", "psychology", "mental_health"};
  size_t w = (size_t)snprintf(in->staff_json, sizeof in->staff_json, "[");
  *made = 0;
  for (int i = 0; i < n && r->st == JK_OK; i++) {
    char id[37], hired[11];
    int64_t rid = 0;
    day_text(r->today - 400 - gen_rnd(2000), hired);
    const char *name = names[gen_rnd(8)];
    r->st = gen_store_staff(r->db, in->rid, in->region, name, professions[gen_rnd(4)],
                            frand() < 0.4 ? majors[gen_rnd(3)] : "other", gen_rnd(3) ? "bachelor" : "college",
                            gen_rnd(100) < 85, hired, r->now, &rid, id);
    wrote(r, 1, every);
    if (staff_rids) staff_rids[(*made)++] = rid;
    if (i < listed && w + 80 < sizeof in->staff_json)
      w += (size_t)snprintf(in->staff_json + w, sizeof in->staff_json - w, "%s{\"id\":\"%s\",\"name\":\"%s\"}", i ? "," : "",
                            id, name);
  }
  snprintf(in->staff_json + w, sizeof in->staff_json - w, "]");
}

/* Training in the given years: 55 % of the staff, 1–3 sessions of 4–16 hours. */
static void make_training(struct run *r, int64_t staff_rid, int y0, int y1, int64_t every)
{
  for (int y = y0; y <= y1 && r->st == JK_OK; y++) {
    if (gen_rnd(100) >= 55) continue;
    for (int s = 0, n = 1 + (int)gen_rnd(3); s < n && r->st == JK_OK; s++) {
      char date[11];
      int64_t d = date_to_days((struct jk_date){y, 1, 1}) + gen_rnd(360);
      if (d > r->today) d = r->today;
      day_text(d, date);
      r->st = gen_store_training(r->db, staff_rid, date, 40 + 10 * (int)gen_rnd(13), "精神障碍社区康复服务培训", r->now);
      wrote(r, 1, every);
    }
  }
}

/* ---- history for existing clients ---- */

jk_status gen_history_run(struct db *db, int64_t start_day, const int64_t *skip_orgs, int n_skip, struct gen_history_stats *out)
{
  memset(out, 0, sizeof *out);
  struct arena *a = arena_new();
  struct run r = {.db = db, .now = clock_now_ms(), .t0_ns = mono_ns()};
  r.today = date_to_days(date_today());
  if (start_day >= r.today) start_day = r.today - 1;
  struct gen_hclient *hc;
  int64_t n;
  jk_status st = gen_store_history_clients(db, a, &hc, &n);
  if (st != JK_OK || n == 0) {
    arena_free(a);
    return st;
  }
  struct gclient *cl = arena_alloc(a, (size_t)n * sizeof *cl);
  struct inst *insts = arena_alloc(a, (size_t)n * sizeof *insts);
  int64_t ninst = 0;
  if ((st = db_begin_write(db)) != JK_OK) {
    arena_free(a);
    return st;
  }
  /* registration, leaving, the serving institution */
  for (int64_t i = 0; i < n && r.st == JK_OK; i++) {
    struct gen_hclient *h = &hc[i];
    struct gclient *c = &cl[i];
    c->rid = h->rid;
    c->inst = -1;
    int64_t span = r.today - start_day;
    c->reg_day = (int32_t)(gen_rnd(3) == 0 ? start_day + gen_rnd(15) : start_day + gen_rnd((uint32_t)span));
    c->exit_day = NO_EXIT;
    const char *status = h->status;
    bool left = strcmp(status, "closed") == 0 || strcmp(status, "moved") == 0 || strcmp(status, "deceased") == 0;
    if (!left && gen_rnd(100) < 6) left = true, status = "closed";
    if (left) {
      int x = (int)gen_rnd(100);
      status = x < 25 ? "moved" : x < 40 ? "deceased" : "closed";
      int64_t room = r.today - c->reg_day - 30;
      c->exit_day = (int32_t)(c->reg_day + 30 + (room > 0 ? gen_rnd((uint32_t)room) : 0));
      if (c->exit_day > r.today) c->exit_day = (int32_t)r.today;
    }
    bool skip = false;
    for (int k = 0; k < n_skip; k++) skip |= skip_orgs[k] == h->org_rid;
    if (h->org_rid && strcmp(h->org_kind, "rehab_institution") == 0 && !skip &&
        (strcmp(h->status, "in_service") == 0 || left)) {
      int64_t k = 0;
      while (k < ninst && insts[k].rid != h->org_rid) k++;
      if (k == ninst) {
        insts[k].rid = h->org_rid;
        snprintf(insts[k].region, sizeof insts[k].region, "%s", h->region);
        make_inst_profile(&insts[k], 0.86 + frand() * 0.12, 0.25);
        ninst++;
      }
      c->inst = (int32_t)k;
    }
    r.st = gen_store_client_history(db, c->rid, day_ms(c->reg_day), h->org_rid, status,
                                    c->exit_day == NO_EXIT ? 0 : day_ms(c->exit_day));
    out->clients++;
    out->left += c->exit_day != NO_EXIT;
  }
  /* staff (at least three per serving institution) and training in the full years before this one */
  int y0 = date_from_days(start_day).y, y1 = date_from_days(r.today).y - 1;
  for (int64_t k = 0; k < ninst && r.st == JK_OK; k++) {
    struct gen_staff *sf;
    int64_t ns;
    if ((r.st = gen_store_org_staff(db, a, insts[k].rid, &sf, &ns)) != JK_OK) break;
    if (ns < 3) {
      int64_t rids[8];
      int made;
      make_staff(&r, &insts[k], 3 - (int)ns, 2, rids, &made, 0);
      out->staff += made;
    }
    if ((r.st = gen_store_org_staff(db, a, insts[k].rid, &sf, &ns)) != JK_OK) break;
    size_t w = (size_t)snprintf(insts[k].staff_json, sizeof insts[k].staff_json, "[");
    for (int64_t s = 0; s < ns && s < 2; s++)
      w += (size_t)snprintf(insts[k].staff_json + w, sizeof insts[k].staff_json - w, "%s{\"id\":\"%s\",\"name\":\"%s\"}",
                            s ? "," : "", sf[s].id, sf[s].name);
    snprintf(insts[k].staff_json + w, sizeof insts[k].staff_json - w, "]");
    for (int64_t s = 0; s < ns && y0 <= y1; s++) make_training(&r, sf[s].rid, y0, y1, 0);
  }
  /* care and services */
  const struct gclient **mine = arena_alloc(a, (size_t)n * sizeof *mine);
  int64_t rows0 = r.rows;
  for (int64_t k = 0; k < ninst && r.st == JK_OK; k++) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
      if (cl[i].inst == k) mine[m++] = &cl[i];
    for (int64_t i = 0; i < m && r.st == JK_OK; i++) care_rows(&r, mine[i], &insts[k], 0);
    out->in_service += m;
    inst_services(&r, &insts[k], mine, m, month_first(start_day), 1.0, 0.8, 0);
  }
  out->rows = r.rows - rows0;
  if (r.st == JK_OK) r.st = db_commit(db);
  else db_rollback(db);
  int64_t subjects;
  if (r.st == JK_OK) r.st = indicator_store_rebuild(db, 0, 0, &subjects);
  out->seconds = elapsed(&r);
  arena_free(a);
  return r.st;
}

int gen_history(const struct cli_opts *o)
{
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  int months = gen_opts.months > 0 ? gen_opts.months : 24;
  if (months > 120) {
    fprintf(stderr, "jingkang: --months 应为 1—120\n");
    return 2;
  }
  int64_t start = date_to_days(date_add_months(date_today(), -months));
  struct gen_history_stats s;
  jk_status st = gen_history_run(db, start, 0, 0, &s);
  db_close(db);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 生成中断（错误 %d）\n", (int)st);
    return 1;
  }
  printf("history for %lld clients over %d months (%lld left the register, %lld in service, %lld staff added):"
         " %lld rows in %.1f s; indicators rebuilt\n", (long long)s.clients, months, (long long)s.left,
         (long long)s.in_service, (long long)s.staff, (long long)s.rows, s.seconds);
  return 0;
}

/* ---- the national data set ---- */

static void report(struct run *r, const char *what, int64_t done, int64_t total)
{
  fprintf(stderr, "[%7.1f s] %s %lld / %lld (%lld rows, %lld service records)\n", elapsed(r), what, (long long)done,
          (long long)total, (long long)r->rows, (long long)r->records);
}

int gen_national(const struct cli_opts *o)
{
  int64_t want_clients = gen_opts.clients > 0 ? gen_opts.clients : 4000000;
  int64_t want_inst = gen_opts.institutions > 0 ? gen_opts.institutions : 20000;
  int64_t want_services = gen_opts.services > 0 ? gen_opts.services : 40000000;
  int years = gen_opts.years > 0 ? gen_opts.years : 3;
  if (years > 10 || want_clients > 100000000 || want_inst > 1000000) {
    fprintf(stderr, "jingkang: 参数过大\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  const int64_t every = 200000;
  struct run r = {.db = db, .now = clock_now_ms(), .t0_ns = mono_ns()};
  r.today = date_to_days(date_today());
  struct gen_county *counties;
  char (*villages)[13];
  int64_t nc, nv;
  if (gen_store_divisions(db, &counties, &nc, &villages, &nv) != JK_OK || nc == 0 || gen_store_bulk_mode(db) != JK_OK) {
    fprintf(stderr, "jingkang: 没有行政区划数据\n");
    return 1;
  }
  int64_t window = month_first(date_to_days(date_add_months(date_today(), -12 * years)));
  /* provinces: coverage of counties, diligence, share of the registered in service */
  double cover[100], dil[100], share[100], lax[100];
  for (int p = 0; p < 100; p++) {
    cover[p] = 0.40 + frand() * 0.55;
    dil[p] = 0.92 + frand() * 0.075;
    share[p] = 0.65 + frand() * 0.27;
    lax[p] = 0.03 + frand() * 0.15;
  }
  int64_t *weight = calloc((size_t)nc, sizeof *weight), *ninst_c = calloc((size_t)nc, sizeof *ninst_c),
          *first_inst = calloc((size_t)nc, sizeof *first_inst), total_w = 0, covered_w = 0, ncovered = 0;
  bool *covered = calloc((size_t)nc, sizeof *covered);
  if (!weight || !ninst_c || !first_inst || !covered) return 1;
  for (int64_t i = 0; i < nc; i++) {
    weight[i] = counties[i].villages + 20;
    total_w += weight[i];
    int p = (counties[i].code[0] - '0') * 10 + (counties[i].code[1] - '0');
    covered[i] = frand() < cover[p % 100];
    if (covered[i]) ncovered++, covered_w += weight[i];
  }
  /* institutions: one per covered county (fewer counties when fewer are asked for), the rest by weight */
  int64_t placed = 0, *order = calloc((size_t)nc, sizeof *order);
  if (!order) return 1;
  for (int64_t i = 0; i < nc; i++) order[i] = i;
  for (int64_t i = nc - 1; i > 0; i--) {   /* in random order, for a run with fewer institutions than counties */
    int64_t j = gen_rnd((uint32_t)(i + 1)), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (int64_t x = 0; x < nc; x++) {
    int64_t i = order[x];
    if (covered[i] && placed < want_inst) ninst_c[i] = 1, placed++;
    else covered[i] = false;
  }
  free(order);
  covered_w = 0;
  for (int64_t i = 0; i < nc; i++) covered_w += covered[i] ? weight[i] : 0;
  ncovered = placed;
  for (int64_t i = 0; i < nc && placed < want_inst; i++) {
    if (!covered[i]) continue;
    int64_t extra = (want_inst - ncovered) * weight[i] / (covered_w ? covered_w : 1);
    ninst_c[i] += extra;
    placed += extra;
  }
  for (int64_t i = 0; placed < want_inst; i = (i + 1) % nc)
    if (covered[i] && gen_rnd(4) == 0) ninst_c[i]++, placed++;
  struct inst *insts = calloc((size_t)placed, sizeof *insts);
  struct gclient *cl = calloc((size_t)want_clients + 16, sizeof *cl);
  if (!insts || !cl) return 1;
  int64_t ninst = 0, nstaff = 0;
  r.st = db_begin_write(db);
  for (int64_t i = 0; i < nc && r.st == JK_OK; i++) {
    first_inst[i] = ninst;
    int p = (counties[i].code[0] - '0') * 10 + (counties[i].code[1] - '0');
    for (int64_t k = 0; k < ninst_c[i] && r.st == JK_OK; k++) {
      struct inst *in = &insts[ninst++];
      snprintf(in->region, sizeof in->region, "%s", counties[i].villages ? villages[counties[i].first_village + gen_rnd((uint32_t)counties[i].villages)] : counties[i].code);
      char name[64];
      snprintf(name, sizeof name, "%s第%lld精康家园", counties[i].code, (long long)k + 1);
      r.st = gen_store_org(db, name, in->region, 20 + (int)gen_rnd(60), r.now, &in->rid);
      make_inst_profile(in, dil[p % 100], lax[p % 100]);
      int64_t rids[8];
      int made;
      make_staff(&r, in, 3 + (int)gen_rnd(5), 1, rids, &made, every);   /* one on each record: 40 M rows */
      nstaff += made;
      for (int s = 0; s < made; s++) make_training(&r, rids[s], date_from_days(window).y, date_from_days(r.today).y, every);
    }
  }
  report(&r, "institutions", ninst, placed);
  /* clients, county by county (so that an institution's clients are close together) */
  int64_t made = 0, target = 0, cum_w = 0;
  struct arena *batch = arena_new();
  for (int64_t i = 0; i < nc && r.st == JK_OK; i++) {
    int p = (counties[i].code[0] - '0') * 10 + (counties[i].code[1] - '0');
    cum_w += weight[i];
    int64_t upto = (int64_t)((double)want_clients * (double)cum_w / (double)total_w + 0.5), goal = upto - target;
    target = upto;
    for (int64_t k = 0; k < goal && made < want_clients && r.st == JK_OK; k++) {
      const char *v = counties[i].villages ? villages[counties[i].first_village + gen_rnd((uint32_t)counties[i].villages)]
                                           : counties[i].code;
      struct gclient *c = &cl[made];
      c->reg_day = (int32_t)(gen_rnd(100) < 45 ? window - 1 - gen_rnd(5 * 365) : window + gen_rnd((uint32_t)(r.today - window)));
      c->exit_day = NO_EXIT;
      c->inst = -1;
      const char *status = "registered";
      if (gen_rnd(100) < 12) {
        int64_t room = r.today - c->reg_day - 30;
        c->exit_day = (int32_t)(c->reg_day + 30 + (room > 0 ? gen_rnd((uint32_t)room) : 0));
        if (c->exit_day > r.today) c->exit_day = (int32_t)r.today;
        int x = (int)gen_rnd(10);
        status = x < 5 ? "closed" : x < 8 ? "moved" : "deceased";
      }
      if (ninst_c[i] && frand() < share[p % 100]) {
        c->inst = (int32_t)(first_inst[i] + gen_rnd((uint32_t)ninst_c[i]));
        if (c->exit_day == NO_EXIT) status = "in_service";
      }
      r.st = gen_client(db, batch, &app.keys, v, day_ms(c->reg_day), &c->rid);
      if (r.st != JK_OK || !c->rid) continue;   /* a duplicate ID number: skipped */
      if (c->inst >= 0 || c->exit_day != NO_EXIT)
        r.st = gen_store_client_history(db, c->rid, day_ms(c->reg_day), c->inst >= 0 ? insts[c->inst].rid : 0, status,
                                        c->exit_day == NO_EXIT ? 0 : day_ms(c->exit_day));
      made++;
      wrote(&r, 1, 20000);
      if (r.since_commit == 0) {
        arena_free(batch);
        batch = arena_new();
      }
      if (made % 200000 == 0) report(&r, "clients", made, want_clients);
    }
  }
  arena_free(batch);
  report(&r, "clients", made, want_clients);
  /* the budget: served client-months expected per institution; before each institution the
   * extra services per client-month are set from what is left of the requested records and the
   * records per attendance seen so far (groups are larger at larger institutions) */
  double *expect = calloc((size_t)ninst + 1, sizeof *expect), left = 0;
  if (!expect) return 1;
  for (int64_t i = 0; i < made; i++) {
    if (cl[i].inst < 0) continue;
    int64_t lo = cl[i].reg_day > window ? cl[i].reg_day : window, hi = cl[i].exit_day < r.today ? cl[i].exit_day : r.today;
    if (hi >= lo) expect[cl[i].inst] += ((double)(hi - lo) / 30.44 + 1) * insts[cl[i].inst].p_month;
  }
  for (int64_t k = 0; k < ninst; k++) left += expect[k];
  fprintf(stderr, "[%7.1f s] about %.0f served client-months for %lld service records\n", elapsed(&r), left,
          (long long)want_services);
  /* care and services, institution by institution */
  const struct gclient **mine = calloc((size_t)made + 1, sizeof *mine);
  int64_t *count = calloc((size_t)ninst + 1, sizeof *count), *start = calloc((size_t)ninst + 1, sizeof *start);
  if (!mine || !count || !start) return 1;
  for (int64_t i = 0; i < made; i++)
    if (cl[i].inst >= 0) count[cl[i].inst]++;
  for (int64_t k = 1; k <= ninst; k++) start[k] = start[k - 1] + count[k - 1];
  memset(count, 0, (size_t)(ninst + 1) * sizeof *count);
  for (int64_t i = 0; i < made; i++)
    if (cl[i].inst >= 0) mine[start[cl[i].inst] + count[cl[i].inst]++] = &cl[i];
  for (int64_t k = 0; k < ninst && r.st == JK_OK; k++) {
    for (int64_t i = 0; i < count[k] && r.st == JK_OK; i++) care_rows(&r, mine[start[k] + i], &insts[k], every);
    double per_unit = r.units > 10000 ? (double)r.records / (double)r.units : 1 / (0.3 * 4.6 + 0.7), scale = 1;
    double extra = left > 0 ? (double)(want_services - r.records) / (left * per_unit) - 1 : 0;
    if (extra < 0) scale = extra + 1 < 0.2 ? 0.2 : extra + 1, extra = 0;
    inst_services(&r, &insts[k], mine + start[k], count[k], window, scale, extra, every);
    left -= expect[k];
    if ((k + 1) % 1000 == 0 || k + 1 == ninst) report(&r, "institutions served", k + 1, ninst);
  }
  if (r.st == JK_OK) r.st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  int64_t pending = 0;
  indicator_store_pending(db, &pending);
  db_close(db);
  ncovered = 0;
  for (int64_t i = 0; i < nc; i++) ncovered += ninst_c[i] > 0;
  printf("national data set: %lld counties (%lld with an institution), %lld institutions, %lld staff, %lld clients,"
         " %lld service records, %lld rows in %.1f s; %lld subjects pending: run `jingkang indicators rebuild`\n",
         (long long)nc, (long long)ncovered, (long long)ninst, (long long)nstaff, (long long)made, (long long)r.records,
         (long long)r.rows, elapsed(&r), (long long)pending);
  free(weight), free(ninst_c), free(first_inst), free(covered), free(insts), free(cl), free(mine), free(count), free(start), free(expect);
  free(counties), free(villages);
  if (r.st != JK_OK) {
    fprintf(stderr, "jingkang: 生成中断（错误 %d）\n", (int)r.st);
    return 1;
  }
  return 0;
}
