/* cmd_gen_history.c: synthetic histories for the indicators.
 *
 *   jingkang gen history --data D [--months 24]
 *     gives the clients that have no past yet (no referral, assessment, plan or service) one:
 *     registration spread over the last N months (a third carried over from before), some
 *     leaving (closed, moved, deceased). A client served by a rehab institution gets a referral
 *     along the legal transitions (domain/referral.c): registered after 0–8 working days (~85 %
 *     within 5, on the holiday calendar), dispatched after 0–10 (~80 % within 5), accepted within
 *     days — or declined and re-referred, waitlisted for weeks, waitlisted past the limit then
 *     re-checked and re-referred, or started at another institution and transferred — then
 *     consent, agreement and start (waits mostly 1–6 weeks, a tail past 3 months); now and then
 *     a relapse back to hospital (most come back); at the exit a close (~70 % with the follow-up
 *     visit 7–30 days later), a referral out to employment (3 kinds) or home, a move away or a
 *     death, or a withdrawal while still waiting. Then an intake assessment, periodic ones every
 *     6–12 months (sometimes late), a plan renewed yearly (sometimes with a gap), services most
 *     months (individual and in groups, a share of them psychological or family support), and a
 *     satisfaction survey once or twice a year. Severe clients get follow-up visits every 1–3
 *     months (15 % once leave a gap past 3 months). The follow-up and survey answers are made
 *     once and scored by the stored instruments (instrument_check), as the API scores them. Each
 *     institution has its own diligence, so the rates differ between counties. The newest
 *     GEN_KEEP_FRESH clients in service at each of skip_orgs (the demo's institutions with worker
 *     accounts) keep empty files, for walk-throughs and the care tests. Then the aggregates are
 *     rebuilt.
 *   jingkang gen national --data D [--clients 4000000] [--institutions 20000]
 *                        [--services 40000000] [--years 3]
 *     a national data set for bench/indicators.sh: institutions in 40–95 % of each province's
 *     counties, clients in the villages of every county in proportion to its number of villages,
 *     the same kind of history over the years (follow-ups for the severe clients an institution
 *     serves), service records scaled to the requested number. Bulk mode (no fsync, large cache,
 *     transactions of ~200k rows); the aggregates are left pending for `jingkang indicators rebuild`.
 *
 * Deterministic: every choice comes from gen_rnd (cmd_gen.c), whose seed is fixed. Clients are
 * made by gen_client, so personal fields are sealed as the API seals them. */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/instrument.h"
#include "domain/referral.h"
#include "domain/workday.h"
#include "store/calendar_store.h"
#include "store/care_store.h"
#include "store/db.h"
#include "store/gen_store.h"
#include "store/indicator_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL
#define NO_EXIT INT32_MAX
#define GEN_KEEP_FRESH 10   /* clients in service left with empty files at each of gen_history_run's skip_orgs */

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
  double p_psych;        /* share of service rounds that are psychological or family support */
};

struct gclient {
  int64_t rid;
  int32_t reg_day, exit_day;   /* exit_day NO_EXIT: on the register */
  int32_t start_day;           /* services at its institution from this day (NO_EXIT: none) */
  int32_t gap_from;            /* back in hospital from this day for gap_len days (no services) */
  int32_t inst;                /* index of the institution serving it, −1: none */
  uint16_t gap_len;
  uint8_t severe;
  uint8_t gone;                /* national: 0 on the register, 1 closed, 2 moved, 3 deceased */
};

struct run {
  struct db *db;
  int64_t today, now, rows, records, units, t0_ns;   /* units: attendance rows */
  int64_t since_commit;
  int64_t window;              /* follow-ups and surveys from this day on */
  const struct workcal *cal;
  const struct forms *forms;
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
  in->p_psych = 0.17 + frand() * 0.14;
}

static bool in_gap(const struct gclient *c, int64_t day) { return c->gap_len && day >= c->gap_from && day < c->gap_from + c->gap_len; }

/* ---- the follow-up and satisfaction forms: answers checked and scored by the instruments ---- */

/* Answer sets made once and scored by instrument_check, as the API scores a submission: the
 * generated assessments pick among them. Follow-ups by (classification 0–3, adherence 1–4,
 * hospitalization 0–2); surveys at random, mostly satisfied. */
#define SAT_VARIANTS 48
struct variant { struct gen_form f; json_t *answers; char *answers_text, *flags_text; };
struct forms {
  struct instrument *fu, *sat;
  struct variant fu_v[4][5][3], sat_v[SAT_VARIANTS];
};

static void take_instrument(void *ctx, const char *def)
{
  struct forms *f = ctx;
  struct instrument *in = 0;
  char err[200];
  if (instrument_parse(def, &in, err, sizeof err) != JK_OK) return;
  struct instrument **slot = strcmp(in->id, "followup") == 0 ? &f->fu : strcmp(in->id, "satisfaction") == 0 ? &f->sat : 0;
  if (slot && (!*slot || (*slot)->version < in->version)) {
    if (*slot) instrument_free(*slot);
    *slot = in;
  } else {
    instrument_free(in);
  }
}

/* Answers every item that applies and is required (or given in `over`): the given value, else one
 * of the first two options, 0, a line of text. Then scores them; false (with a message) when the
 * instrument refuses them. */
static bool make_variant(const struct instrument *in, json_t *over, struct variant *v)
{
  json_t *ans = json_object();
  for (int i = 0; i < in->nitems; i++) {
    const struct instr_item *it = &in->items[i];
    if (it->show_if >= 0) {
      json_t *gov = json_object_get(ans, in->items[it->show_if].id), *x;
      size_t k;
      bool shown = false;
      json_array_foreach(it->show_in, k, x) shown |= gov && json_equal(gov, x);
      if (!shown) continue;
    }
    json_t *given = json_object_get(over, it->id), *val = 0;
    if (given) val = json_incref(given);
    else if (!it->required) continue;
    else if (it->type == IT_CHOICE || it->type == IT_MULTI) {
      size_t n = json_array_size(it->options);
      json_t *o = json_object_get(json_array_get(it->options, n > 1 ? gen_rnd(2) : 0), "value");
      val = it->type == IT_MULTI ? json_pack("[O]", o) : json_incref(o);
    } else if (it->type == IT_NUMBER) val = json_integer(it->min);
    else if (it->type == IT_TEXT) val = json_string("病情稳定，继续社区康复");
    else if (it->type == IT_DATE) val = json_string("2020-01-01");
    else val = json_true();
    json_object_set_new(ans, it->id, val);
  }
  struct arena *a = arena_new();
  struct instr_result res;
  struct jk_err e = {0};
  if (instrument_check(in, ans, a, &res, &e) != JK_OK) {
    fprintf(stderr, "jingkang: 生成的%s答案未通过量表校验：%s %s\n", in->id, e.field ? e.field : "", e.message ? e.message : "");
    arena_free(a);
    json_decref(ans);
    return false;
  }
  json_t *flags = json_array();
  for (int i = 0; i < res.nflags; i++)
    json_array_append_new(flags, json_pack("{s:s,s:s,s:b}", "id", res.flags[i]->id, "label", res.flags[i]->label, "alert",
                                           res.flags[i]->alert));
  v->answers = ans;
  v->answers_text = json_dumps(ans, JSON_COMPACT);
  v->flags_text = json_dumps(flags, JSON_COMPACT);
  json_decref(flags);
  v->f = (struct gen_form){.instrument = in->id, .version = in->version, .answers = v->answers_text,
                           .band = res.band ? res.band->id : 0, .band_label = res.band ? res.band->label : 0,
                           .flags = v->flags_text, .has_score = res.has_score, .score = res.score};
  arena_free(a);
  return v->answers_text && v->flags_text;
}

static void forms_free(struct forms *f)
{
  struct variant *all[] = {&f->fu_v[0][0][0], f->sat_v};
  size_t counts[] = {4 * 5 * 3, SAT_VARIANTS};
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < counts[k]; i++) {
      json_decref(all[k][i].answers);
      free(all[k][i].answers_text);
      free(all[k][i].flags_text);
    }
  if (f->fu) instrument_free(f->fu);
  if (f->sat) instrument_free(f->sat);
  memset(f, 0, sizeof *f);
}

static jk_status forms_load(struct db *db, struct forms *f)
{
  memset(f, 0, sizeof *f);
  jk_status st = instrument_store_each(db, take_instrument, f);
  if (st != JK_OK) return st;
  if (!f->fu || !f->sat) {
    fprintf(stderr, "jingkang: 数据库中没有随访（followup）或满意度（satisfaction）量表\n");
    return JK_EINTERNAL;
  }
  bool ok = true;
  for (int c = 0; c < 4 && ok; c++)
    for (int ad = 1; ad <= 4 && ok; ad++)
      for (int h = 0; h < 3 && ok; h++) {
        json_t *over = c == 0 ? json_pack("{s:i,s:i,s:i,s:i}", "visit_mode", 3, "classification", 0, "vital_status", 1,
                                          "lost_reason", 1 + (int)gen_rnd(2))
                              : json_pack("{s:i,s:i,s:i,s:i,s:i,s:[i]}", "visit_mode", 1 + (int)gen_rnd(3), "classification", c,
                                          "risk_level", c == 3 ? 0 : c == 2 ? 1 : 2, "adherence", ad, "hospitalization", h,
                                          "visit_target", 1 + (int)gen_rnd(2));
        if (c) json_object_set_new(over, "rehab_measures", json_pack("[i,i]", 1, 2 + (int)gen_rnd(4)));
        ok = make_variant(f->fu, over, &f->fu_v[c][ad][h]);
        json_decref(over);
      }
  static const char *const items[] = {"attitude", "content", "frequency", "environment", "effect", "privacy", "communication", "overall"};
  for (int i = 0; i < SAT_VARIANTS && ok; i++) {
    json_t *over = json_pack("{s:i}", "respondent", 1 + (int)gen_rnd(2));
    bool unhappy = i % 10 == 9;   /* one in ten lukewarm or worse */
    for (int k = 0; k < 8; k++) {
      int x = (int)gen_rnd(100), v = unhappy ? 2 + (x < 30) + (x < 75) : x < 38 ? 5 : x < 85 ? 4 : x < 97 ? 3 : 2;
      json_object_set_new(over, items[k], json_integer(v));
    }
    ok = make_variant(f->sat, over, &f->sat_v[i]);
    json_decref(over);
  }
  if (!ok) {
    forms_free(f);
    return JK_EINTERNAL;
  }
  return JK_OK;
}

/* A follow-up visit on `day`: mostly stable or basically stable, ~85 % taking medication, in
 * hospital when the client is. */
static void followup_row(struct run *r, const struct gclient *c, int64_t org_rid, int64_t day, int64_t every)
{
  int x = (int)gen_rnd(100), cls = x < 3 ? 0 : x < 10 ? 1 : x < 42 ? 2 : 3;
  int y = (int)gen_rnd(100), ad = y < 64 ? 1 : y < 86 ? 2 : y < 96 ? 3 : 4;
  int h = in_gap(c, day) ? 1 : gen_rnd(100) < 6 ? 2 : 0;
  const struct variant *v = &r->forms->fu_v[cls][ad][h];
  char date[11], due[11];
  struct jk_date next;
  day_text(day, date);
  bool has_due = instrument_next_due(r->forms->fu, v->answers, date_from_days(day), &next);
  if (has_due) date_format(next, due);
  r->st = gen_store_form(r->db, c->rid, org_rid, &v->f, date, has_due ? due : 0, day_ms(day));
  wrote(r, 1, every);
}

/* ---- a referral along the legal transitions (domain/referral.c) ---- */

struct flow {
  struct run *r;
  struct gen_event ev[32];
  int n;
  enum ref_status status;
  int64_t org, prev, last_ms, limit;   /* limit: no event after this day */
  int64_t waitlisted_at, followup_due, followup_done;
  const char *outcome;
  char consent_on[11], agreement_on[11];
  bool stopped, urgent;
};

/* Records `action` on `day` (after every earlier event) when the flow has not stopped and the day
 * is not past the limit; false otherwise (the flow stops there). The action must be legal. */
static bool step(struct flow *f, int64_t day, enum ref_action a, int64_t org, const char *role, const char *reason,
                 const char *detail)
{
  if (f->stopped || day > f->limit || f->n == (int)(sizeof f->ev / sizeof *f->ev)) return f->stopped = true, false;
  enum ref_status to = referral_next(f->status, a);
  if (to == RS_NONE) return f->stopped = true, false;   /* never: the flows below are legal */
  if (a == RA_MOVE) to = RS_MOVED;                        /* the API: moved out of the system's area */
  if (a == RA_DISCHARGE) f->urgent = false;
  int64_t t = day_ms(day);
  if (t <= f->last_ms) t = f->last_ms + 60000 + gen_rnd(1800) * 1000;
  f->ev[f->n++] = (struct gen_event){.time = t, .org_rid = org, .action = ref_action_name(a), .from = ref_status_name(f->status),
                                     .to = ref_status_name(to), .role = role, .reason = reason, .detail = detail};
  f->last_ms = t;
  f->status = to;
  if (org && org != f->org && a != RA_REFER_OUT && a != RA_RELAPSE) f->prev = f->org, f->org = org;
  if (a == RA_WAITLIST) f->waitlisted_at = t;
  if (a == RA_REREFER) f->waitlisted_at = 0;
  if (a == RA_RELAPSE) f->urgent = true;
  if (a == RA_CONSENT) day_text(day, f->consent_on);
  if (a == RA_AGREEMENT) day_text(day, f->agreement_on);
  if (to == RS_CLOSED && a != RA_FOLLOWUP) f->followup_due = time_day_end(t + 30 * DAY_MS);   /* rules: 30 days */
  if (a == RA_FOLLOWUP) f->followup_done = t;
  return true;
}

static int64_t add_months_ms(int64_t ms, int months)
{
  struct jk_date d = date_from_ms(ms);
  return ms + (date_to_days(date_add_months(d, months)) - date_to_days(d)) * DAY_MS;
}

/* Working days 0..5 mostly, up to `most` now and then (`late` of the time). */
static int64_t after_workdays(const struct run *r, int64_t day, int late_pct, int most)
{
  int n = (int)gen_rnd(100) < late_pct ? 6 + (int)gen_rnd((uint32_t)(most - 5)) : (int)gen_rnd(6);
  return workcal_add(r->cal, day, n);
}

/* From dispatched (at the flow's organization) to in service there: accepted after 0–10 days,
 * consent, agreement and start within days. The day service began, or −1 when the flow stopped. */
static int64_t accept_to_start(struct flow *f, int64_t day, int64_t org, bool sign, int64_t *accepted)
{
  int64_t acc = day + gen_rnd(11);
  *accepted = acc;
  if (!step(f, acc, RA_ACCEPT, org, "rehab_staff", 0, 0)) return -1;
  int64_t d = acc;
  if (sign) {
    d += gen_rnd(5);
    if (!step(f, d, RA_CONSENT, org, "rehab_staff", 0, 0)) return -1;
    d += gen_rnd(6);
    if (!step(f, d, RA_AGREEMENT, org, "rehab_staff", 0, 0)) return -1;
  }
  d += gen_rnd(sign ? 6 : 4);
  return step(f, d, RA_START, org, "rehab_staff", 0, 0) ? d : -1;
}

static const char *const out_types[] = {"employment_recommended", "employment_sheltered", "employment_assisted", "home"};
static const char *const out_details[] = {
  "{\"type\":\"employment_recommended\",\"organization_name\":\"用人单位（推荐就业）\"}",
  "{\"type\":\"employment_sheltered\",\"organization_name\":\"庇护工场\"}",
  "{\"type\":\"employment_assisted\",\"organization_name\":\"辅助性就业基地\"}",
  "{\"type\":\"home\",\"organization_name\":\"村（居）民委员会\",\"visit_plan\":\"每月入户随访一次\"}",
};

/* The referral of a client served by `in` (another institution `other`, 0: none), from its
 * registration: the flow to service, its course and its end at the client's exit; sets the
 * client's start_day and gap and writes the referral. *status gets the client's status where it
 * follows from the referral ("registered" while still waiting; NULL: as it was). Returns the
 * consent/agreement and acceptance days through the flow (acc_day −1 when never accepted). */
static void referral_rows(struct run *r, struct gclient *c, const struct inst *in, int64_t other, const char *region,
                          const char *exit_status, const char **status, int64_t *acc_day, int64_t every)
{
  struct flow f = {.r = r, .status = RS_SUBMITTED, .limit = c->exit_day == NO_EXIT ? r->today : c->exit_day - 1};
  int64_t sub = c->reg_day, start = -1, acc = -1;
  f.last_ms = day_ms(sub);
  int64_t submitted = f.last_ms;
  c->start_day = NO_EXIT;
  c->gap_len = 0;
  *status = 0;
  int64_t reg = after_workdays(r, sub, 15, 8), disp = after_workdays(r, reg, 20, 10);
  int x = (int)gen_rnd(100);
  if (step(&f, reg, RA_REGISTER, 0, "referral_worker", "已电话核实需求", 0)) {
    if (x < 8 && other) {   /* declined by the first institution, re-referred */
      int64_t dec = disp + 1 + gen_rnd(7), re = workcal_add(r->cal, dec, 1 + (int)gen_rnd(5));
      if (step(&f, disp, RA_DISPATCH, other, "referral_worker", 0, 0) &&
          step(&f, dec, RA_DECLINE, other, "rehab_staff", "暂无合适的康复项目", 0) &&
          step(&f, re, RA_REREFER, in->rid, "referral_worker", "已复核本人意愿", 0))
        start = accept_to_start(&f, re, in->rid, true, &acc);
    } else if (x < 14 && other) {   /* waited at the first past the limit: re-checked, re-referred */
      int64_t wl = disp + gen_rnd(4), exp = date_to_days(date_add_months(date_from_days(wl), 3)) + 1;
      int64_t re = workcal_add(r->cal, exp, 1 + (int)gen_rnd(5));
      if (step(&f, disp, RA_DISPATCH, other, "referral_worker", 0, 0) && step(&f, wl, RA_WAITLIST, other, "rehab_staff", "暂无空位", 0) &&
          step(&f, exp, RA_EXPIRE, other, 0, "等候超过期限，须复核意愿并重新转介", 0) &&
          step(&f, re, RA_REREFER, in->rid, "referral_worker", "已复核本人意愿", 0))
        start = accept_to_start(&f, re, in->rid, true, &acc);
    } else if (x < 24) {   /* on the waiting list for a few weeks */
      int64_t wl = disp + gen_rnd(4), until = wl + 14 + gen_rnd(75);
      if (step(&f, disp, RA_DISPATCH, in->rid, "referral_worker", 0, 0) && step(&f, wl, RA_WAITLIST, in->rid, "rehab_staff", "暂无空位", 0))
        start = accept_to_start(&f, until, in->rid, true, &acc);
    } else if (x < 30 && other && disp + 200 < f.limit) {   /* started elsewhere, transferred here (room for both) */
      int64_t a0;
      if (step(&f, disp, RA_DISPATCH, other, "referral_worker", 0, 0)) {
        int64_t s0 = accept_to_start(&f, disp, other, true, &a0);
        acc = a0;
        int64_t tr = s0 + 30 + gen_rnd(120);
        if (s0 >= 0 && step(&f, tr, RA_TRANSFER, in->rid, "rehab_staff", "就近接受服务", 0)) start = accept_to_start(&f, tr, in->rid, false, &a0);
      }
    } else if (step(&f, disp, RA_DISPATCH, in->rid, "referral_worker", 0, 0)) {
      start = accept_to_start(&f, disp, in->rid, true, &acc);
    }
  }
  if (start >= 0) {
    c->start_day = (int32_t)start;
    int64_t end = c->exit_day == NO_EXIT ? r->today : c->exit_day;
    if (gen_rnd(100) < 9 && end - start > 90) {   /* relapse: back to hospital, most come back */
      int64_t rel = start + 30 + gen_rnd((uint32_t)(end - start - 60)), stay = 14 + gen_rnd(47);
      if (step(&f, rel, RA_RELAPSE, 0, "rehab_staff", "病情复发，经绿色通道转回医院", 0)) {
        int64_t back, a1;
        c->gap_from = (int32_t)rel;
        c->gap_len = (uint16_t)(end - rel + 1 < stay ? end - rel + 1 : stay);
        if (gen_rnd(100) < 85 && step(&f, rel + stay, RA_DISCHARGE, in->rid, "hospital_staff", "病情稳定出院", 0) &&
            (back = accept_to_start(&f, rel + stay, in->rid, false, &a1)) >= 0)
          c->gap_len = (uint16_t)(back - rel);
      }
    }
  }
  *acc_day = acc;
  if (c->exit_day != NO_EXIT) {   /* the end, on the day the client left the register */
    f.stopped = false;
    f.limit = c->exit_day;
    int64_t e = c->exit_day;
    bool closed = false;
    if (f.status == RS_IN_SERVICE && strcmp(exit_status, "moved") == 0) {
      step(&f, e, RA_MOVE, 0, "rehab_staff", "迁居本系统服务区域以外", 0);
    } else if ((f.status == RS_IN_SERVICE || f.status == RS_HOSPITALIZED) && strcmp(exit_status, "deceased") == 0) {
      if ((closed = step(&f, e, RA_CLOSE, 0, "rehab_staff", "因病去世", 0))) f.outcome = "died";
    } else if (f.status == RS_IN_SERVICE && gen_rnd(100) < 45) {
      int t = (int)gen_rnd(100), k = t < 22 ? 0 : t < 46 ? 1 : t < 72 ? 2 : 3;
      if ((closed = step(&f, e, RA_REFER_OUT, 0, "rehab_staff", 0, out_details[k]))) f.outcome = out_types[k];
    } else if (f.status == RS_IN_SERVICE || f.status == RS_HOSPITALIZED) {
      bool hosp = f.status == RS_HOSPITALIZED;
      if ((closed = step(&f, e, RA_CLOSE, 0, "rehab_staff", hosp ? "复发住院，未能返回" : "康复目标达成", 0)))
        f.outcome = hosp ? "other" : "completed";
    } else if (f.status != RS_WITHDRAWN) {
      step(&f, e, RA_WITHDRAW, 0, "referral_worker", "本人放弃申请", 0);
    }
    if (closed && strcmp(f.outcome, "died") != 0 && gen_rnd(100) < 70) {
      f.limit = r->today;
      step(&f, e + 7 + gen_rnd(24), RA_FOLLOWUP, 0, "rehab_staff", 0, "{\"note\":\"电话回访，情况稳定\"}");
    }
  } else if (start < 0) {
    *status = "registered";   /* still on the way to service */
  }
  enum ref_deadline dl = ref_status_deadline(f.status);
  struct gen_referral ref = {
    .client_rid = c->rid, .org_rid = f.org, .prev_org_rid = f.prev, .submitted = submitted, .updated_at = f.last_ms,
    .region = region ? region : in->region, .source = gen_rnd(5) < 3 ? "self" : "community", .status = ref_status_name(f.status),
    .consent_on = f.consent_on[0] ? f.consent_on : 0, .agreement_on = f.agreement_on[0] ? f.agreement_on : 0, .outcome = f.outcome,
    .due_at = dl == DL_WORKDAYS    ? calendar_deadline(r->db, f.last_ms, REFERRAL_WORKDAYS)
              : dl == DL_WAIT_LIMIT ? add_months_ms(f.waitlisted_at, 3)
              : dl == DL_FOLLOWUP && !f.followup_done ? f.followup_due
                                                      : 0,
    .waitlisted_at = f.waitlisted_at, .followup_due = f.followup_due, .followup_done = f.followup_done, .urgent = f.urgent,
    .events = f.ev, .n_events = f.n};
  if (r->st == JK_OK) r->st = gen_store_referral(r->db, &ref);
  wrote(r, 1 + f.n, every);
}

/* The referral of an in-service client, then its assessments, plans and satisfaction surveys from its registration to its exit (or today). Returns the client's
 * status where the referral decides it (NULL: unchanged). */
static const char *care_rows(struct run *r, struct gclient *c, const struct inst *in, int64_t other, const char *region,
                             const char *exit_status, int64_t every)
{
  int64_t end = c->exit_day == NO_EXIT ? r->today : c->exit_day;
  c->start_day = NO_EXIT;
  if (end < c->reg_day) return 0;
  const char *status;
  int64_t acc;
  referral_rows(r, c, in, other, region, exit_status, &status, &acc, every);
  char a[11], b[11];
  if (c->start_day != NO_EXIT) {
    /* intake between acceptance and start, then periodic every 6–12 months (sometimes late) */
    int64_t intake = acc >= 0 && acc <= c->start_day ? acc + gen_rnd((uint32_t)(c->start_day - acc + 1)) : c->start_day;
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
    /* satisfaction: once or twice a year in service */
    int64_t from = c->start_day > r->window ? c->start_day : r->window;
    for (int64_t y0 = from + 30 + gen_rnd(120); y0 <= end && r->st == JK_OK; y0 += 300 + gen_rnd(130)) {
      if (in_gap(c, y0)) continue;
      day_text(y0, a);
      r->st = gen_store_form(r->db, c->rid, in->rid, &r->forms->sat_v[gen_rnd(SAT_VARIANTS)].f, a, 0, day_ms(y0));
      wrote(r, 1, every);
    }
  }
  return status;
}

/* A severe client's follow-up visits (by `org_rid`, 0: none recorded) every 1–3 months from its
 * registration (or the window) to its exit or today; 15 % once leave a gap past 3 months. */
static void followups(struct run *r, const struct gclient *c, int64_t org_rid, int64_t every)
{
  int gap_at = gen_rnd(100) < 15 ? 1 + (int)gen_rnd(8) : -1;
  int64_t end = c->exit_day == NO_EXIT ? r->today : c->exit_day, from = c->reg_day > r->window ? c->reg_day : r->window;
  for (int64_t d = from + gen_rnd(30), k = 0; d <= end && r->st == JK_OK; k++) {
    followup_row(r, c, org_rid, d, every);
    d += k == gap_at ? 100 + gen_rnd(60) : 40 + gen_rnd(46);
  }
}

static const char *const service_types[] = {"medication", "daily_living", "social_skills", "vocational", "home_guidance",
                                             "peer_support", "recreation", "health_education"};
static const char *const psych_types[] = {"counselling", "family_support", "family_peer"};

static void one_record(struct run *r, const struct inst *in, const int64_t *who, const bool *attended, int n, int64_t day,
                       int64_t every)
{
  if (r->st != JK_OK || n == 0) return;
  char date[11];
  day_text(day, date);
  const char *type = frand() < in->p_psych ? psych_types[gen_rnd(3)]
                                           : service_types[gen_rnd(sizeof service_types / sizeof *service_types)];
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
      if (c->start_day > last || c->exit_day < m || frand() >= in->p_month * scale) continue;
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
            if (x->start_day > day || x->exit_day < day || in_gap(x, day)) break;
            who[g] = x->rid;
            att[g++] = gen_rnd(10) != 0;
            i++;
          }
          if (g > 0) {
            one_record(r, in, who, att, g, day, every);
            continue;
          }
        }
        int64_t lo = c->start_day > m ? c->start_day : m, hi = c->exit_day < last ? c->exit_day : last, day = some_day(lo, hi);
        who[0] = c->rid;
        att[0] = gen_rnd(40) != 0;
        if (!in_gap(c, day)) one_record(r, in, who, att, 1, day, every);
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
  const char **exit_status = arena_alloc(a, (size_t)n * sizeof *exit_status);
  bool *fresh = arena_alloc(a, (size_t)n * sizeof *fresh);
  int64_t ninst = 0;
  struct forms forms;
  if ((st = forms_load(db, &forms)) != JK_OK) {
    arena_free(a);
    return st;
  }
  r.forms = &forms;
  r.cal = calendar_current(db);
  r.window = start_day;
  /* the newest clients in service at each of skip_orgs keep empty files */
  for (int k = 0; k < n_skip; k++)
    for (int64_t i = n - 1, kept = 0; i >= 0 && kept < GEN_KEEP_FRESH; i--)
      if (hc[i].org_rid == skip_orgs[k] && strcmp(hc[i].status, "in_service") == 0) fresh[i] = true, kept++;
  if ((st = db_begin_write(db)) != JK_OK) {
    forms_free(&forms);
    arena_free(a);
    return st;
  }
  /* registration, leaving, the serving institution */
  for (int64_t i = 0; i < n && r.st == JK_OK; i++) {
    struct gen_hclient *h = &hc[i];
    struct gclient *c = &cl[i];
    c->rid = h->rid;
    c->inst = -1;
    c->severe = h->severe;
    c->start_day = NO_EXIT;
    c->gap_len = 0;
    int64_t span = r.today - start_day;
    c->reg_day = (int32_t)(gen_rnd(3) == 0 ? start_day + gen_rnd(15) : start_day + gen_rnd((uint32_t)span));
    c->exit_day = NO_EXIT;
    const char *status = h->status;
    bool left = strcmp(status, "closed") == 0 || strcmp(status, "moved") == 0 || strcmp(status, "deceased") == 0;
    if (!left && !fresh[i] && gen_rnd(100) < 6) left = true, status = "closed";
    if (left) {
      int x = (int)gen_rnd(100);
      status = x < 25 ? "moved" : x < 40 ? "deceased" : "closed";
      int64_t room = r.today - c->reg_day - 30;
      c->exit_day = (int32_t)(c->reg_day + 30 + (room > 0 ? gen_rnd((uint32_t)room) : 0));
      if (c->exit_day > r.today) c->exit_day = (int32_t)r.today;
    }
    exit_status[i] = status;
    if (h->org_rid && strcmp(h->org_kind, "rehab_institution") == 0 && !fresh[i] &&
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
  struct gclient **mine = arena_alloc(a, (size_t)n * sizeof *mine);
  int64_t rows0 = r.rows;
  for (int64_t k = 0; k < ninst && r.st == JK_OK; k++) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
      if (cl[i].inst == k) mine[m++] = &cl[i];
    int64_t other = ninst > 1 ? insts[(k + 1) % ninst].rid : 0;
    for (int64_t i = 0; i < m && r.st == JK_OK; i++) {
      int64_t x = mine[i] - cl;
      const char *now = care_rows(&r, mine[i], &insts[k], other, hc[x].region, exit_status[x], 0);
      if (now && r.st == JK_OK) r.st = gen_store_client_status(db, mine[i]->rid, now);
      out->in_service += mine[i]->start_day != NO_EXIT && mine[i]->exit_day == NO_EXIT;
    }
    inst_services(&r, &insts[k], (const struct gclient *const *)mine, m, month_first(start_day), 1.0, 0.8, 0);
  }
  for (int64_t i = 0; i < n && r.st == JK_OK; i++)
    if (cl[i].severe && !fresh[i]) followups(&r, &cl[i], hc[i].org_rid, 0);
  out->rows = r.rows - rows0;
  forms_free(&forms);
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
  struct forms forms;
  if (forms_load(db, &forms) != JK_OK) return 1;
  r.forms = &forms;
  r.cal = calendar_current(db);
  struct gen_county *counties;
  char (*villages)[13];
  int64_t nc, nv;
  if (gen_store_divisions(db, &counties, &nc, &villages, &nv) != JK_OK || nc == 0 || gen_store_bulk_mode(db) != JK_OK) {
    fprintf(stderr, "jingkang: 没有行政区划数据\n");
    return 1;
  }
  int64_t window = month_first(date_to_days(date_add_months(date_today(), -12 * years)));
  r.window = window;
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
      c->gone = 0;
      const char *status = "registered";
      if (gen_rnd(100) < 12) {
        int64_t room = r.today - c->reg_day - 30;
        c->exit_day = (int32_t)(c->reg_day + 30 + (room > 0 ? gen_rnd((uint32_t)room) : 0));
        if (c->exit_day > r.today) c->exit_day = (int32_t)r.today;
        int x = (int)gen_rnd(10);
        status = x < 5 ? "closed" : x < 8 ? "moved" : "deceased";
        c->gone = (uint8_t)(x < 5 ? 1 : x < 8 ? 2 : 3);
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
  /* which clients are severe (gen_client decides) */
  int64_t *rids = malloc((size_t)made * sizeof *rids + 8);
  uint8_t *severe = malloc((size_t)made + 1);
  if (!rids || !severe) return 1;
  for (int64_t i = 0; i < made; i++) rids[i] = cl[i].rid;
  if (r.st == JK_OK) r.st = gen_store_severe(db, rids, made, severe);
  for (int64_t i = 0; i < made; i++) cl[i].severe = severe[i];
  free(rids), free(severe);
  struct gclient **mine = calloc((size_t)made + 1, sizeof *mine);
  int64_t *count = calloc((size_t)ninst + 1, sizeof *count), *start = calloc((size_t)ninst + 1, sizeof *start);
  if (!mine || !count || !start) return 1;
  for (int64_t i = 0; i < made; i++)
    if (cl[i].inst >= 0) count[cl[i].inst]++;
  for (int64_t k = 1; k <= ninst; k++) start[k] = start[k - 1] + count[k - 1];
  memset(count, 0, (size_t)(ninst + 1) * sizeof *count);
  for (int64_t i = 0; i < made; i++)
    if (cl[i].inst >= 0) mine[start[cl[i].inst] + count[cl[i].inst]++] = &cl[i];
  for (int64_t k = 0; k < ninst && r.st == JK_OK; k++) {
    static const char *const gone[] = {"", "closed", "moved", "deceased"};
    int64_t other = ninst > 1 ? insts[(k + 1) % ninst].rid : 0;
    for (int64_t i = 0; i < count[k] && r.st == JK_OK; i++) {
      struct gclient *c = mine[start[k] + i];
      const char *now = care_rows(&r, c, &insts[k], other, 0, gone[c->gone], every);
      if (now && r.st == JK_OK) r.st = gen_store_client_status(db, c->rid, now);
      if (c->severe) followups(&r, c, insts[k].rid, every);   /* here only for the served: the rows stay in proportion */
    }
    double per_unit = r.units > 10000 ? (double)r.records / (double)r.units : 1 / (0.3 * 4.6 + 0.7), scale = 1;
    double extra = left > 0 ? (double)(want_services - r.records) / (left * per_unit) - 1 : 0;
    if (extra < 0) scale = extra + 1 < 0.2 ? 0.2 : extra + 1, extra = 0;
    inst_services(&r, &insts[k], (const struct gclient *const *)(mine + start[k]), count[k], window, scale, extra, every);
    left -= expect[k];
    if ((k + 1) % 1000 == 0 || k + 1 == ninst) report(&r, "institutions served", k + 1, ninst);
  }
  if (r.st == JK_OK) r.st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  forms_free(&forms);
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
