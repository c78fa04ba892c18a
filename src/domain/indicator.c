/* indicator.c: periods, the 规范服务 definition, facts and contributions, the catalogue.
 *
 * Invariant: a subject's contributions depend on its facts only, and its facts on its inputs and
 * the definition only — never on the clock. So the aggregates kept by adding and removing
 * contributions equal, at any moment, a recomputation from the raw records (the test and
 * `jingkang indicators check` compare them). */
#include "domain/indicator.h"
#include "base/clock.h"
#include "domain/care.h"
#include "domain/referral.h"
#include "domain/workday.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ind_month_of_day(int64_t day)
{
  struct jk_date d = date_from_days(day);
  return ind_month(d.y, d.m);
}

int64_t ind_month_first_day(int month)
{
  return date_to_days((struct jk_date){ind_month_year(month), ind_month_of_year(month), 1});
}

int64_t ind_month_last_day(int month)
{
  return ind_month_first_day(month + 1) - 1;
}

/* ---- periods ---- */

void period_key(const struct period *p, char out[10])
{
  /* months are 0 … IND_MAX_MONTHS − 1: years 2000–2099 (the modulos only tell the compiler) */
  unsigned y = (unsigned)ind_month_year(p->first) % 10000u, m = (unsigned)ind_month_of_year(p->first) % 100u;
  switch (p->kind) {
  case PK_MONTH: snprintf(out, 10, "M%04u-%02u", y, m); break;
  case PK_QUARTER: snprintf(out, 10, "Q%04u-%u", y, (m - 1) / 3 % 10 + 1); break;
  case PK_YTD: snprintf(out, 10, "T%04u-%02u", y, (unsigned)ind_month_of_year(p->last) % 100u); break;
  case PK_YEAR: snprintf(out, 10, "Y%04u", y); break;
  case PK_STOCK: out[0] = 0; break;
  }
}

bool period_standard(int first, int last, struct period *out)
{
  if (first < 0 || last < first || last >= IND_MAX_MONTHS) return false;
  enum period_kind k;
  if (first == last) k = PK_MONTH;
  else if (first % 3 == 0 && last == first + 2) k = PK_QUARTER;
  else if (first % 12 == 0 && last == first + 11) k = PK_YEAR;
  else if (first % 12 == 0 && last < first + 11) k = PK_YTD;
  else return false;
  *out = (struct period){k, first, last};
  return true;
}

/* ---- the definition ---- */

void std_definition_default(struct std_definition *d)
{
  *d = (struct std_definition){.require_agreement = true, .assessment_months = 12, .require_plan = true, .min_services = 1};
}

bool std_definition_parse(json_t *j, struct std_definition *out, const char **field, const char **msg)
{
  struct std_definition d;
  std_definition_default(&d);
  if (!json_is_object(j)) {
    *field = 0;
    *msg = "规范服务定义应为 JSON 对象";
    return false;
  }
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    *field = k;
    if (strcmp(k, "require_agreement") == 0 || strcmp(k, "require_plan") == 0) {
      if (!json_is_boolean(v)) return *msg = "应为 true 或 false", false;
      *(k[8] == 'a' ? &d.require_agreement : &d.require_plan) = json_is_true(v);
    } else if (strcmp(k, "assessment_months") == 0) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 36)
        return *msg = "评估有效期应为 0—36 个月（0 表示不要求评估）", false;
      d.assessment_months = (int)json_integer_value(v);
    } else if (strcmp(k, "min_services") == 0) {
      if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 31)
        return *msg = "每月服务次数应为 1—31", false;
      d.min_services = (int)json_integer_value(v);
    } else {
      return *msg = "未知的定义项", false;
    }
  }
  *out = d;
  return true;
}

json_t *std_definition_json(const struct std_definition *d)
{
  return json_pack("{s:b,s:i,s:b,s:i}", "require_agreement", d->require_agreement, "assessment_months",
                   d->assessment_months, "require_plan", d->require_plan, "min_services", d->min_services);
}

void std_definition_text(const struct std_definition *d, char *out, size_t size)
{
  char assess[96] = "", services[64];
  if (d->assessment_months > 0)
    snprintf(assess, sizeof assess, "近 %d 个月内（含当月）有综合评估或阶段性评估；", d->assessment_months);
  snprintf(services, sizeof services, "当月接受服务不少于 %d 次", d->min_services);
  snprintf(out, size, "登记后次月起，期间内在册的每个月均满足：%s%s%s%s", d->require_agreement ? "知情同意书与服务协议有效；" : "",
           assess, d->require_plan ? "有当期康复方案（已开始、复核日期未过）；" : "", services);
}

bool std_definition_equal(const struct std_definition *a, const struct std_definition *b)
{
  return a->require_agreement == b->require_agreement && a->assessment_months == b->assessment_months &&
         a->require_plan == b->require_plan && a->min_services == b->min_services;
}

/* ---- a client ---- */

static bool bit(const uint8_t *bits, int i) { return bits[i / 8] >> (i % 8) & 1; }
static void set_bit(uint8_t *bits, int i) { bits[i / 8] |= (uint8_t)(1u << (i % 8)); }

static bool span_covers(const struct day_span *s, size_t n, int64_t from, int64_t to)
{
  for (size_t i = 0; i < n; i++)
    if (s[i].from <= to && s[i].to >= from) return true;
  return false;
}

static bool assessed(const struct client_inputs *in, int months, int m)
{
  int64_t from = ind_month_first_day(m - months + 1), to = ind_month_last_day(m);
  for (size_t i = 0; i < in->n_assessments; i++)
    if (in->assessment_days[i] >= from && in->assessment_days[i] <= to) return true;
  return false;
}

/* The last month on the register with one of the dated flags, or `last` if later. */
static int last_month(const struct day_flag *v, size_t n, const struct client_facts *f, int last)
{
  for (size_t i = 0; i < n; i++) {
    int m = ind_month_of_day(v[i].day);
    if (m >= f->first && m <= f->exit_m && m < IND_MAX_MONTHS && m > last) last = m;
  }
  return last;
}

/* `any` for each month with a dated flag; `yes` when the month's last one (the latest day; of
 * one day, the last given) says yes. */
static void month_flags(const struct day_flag *v, size_t n, const struct client_facts *f, uint8_t *any, uint8_t *yes)
{
  for (size_t i = 0; i < n; i++) {
    int m = ind_month_of_day(v[i].day);
    if (m < f->first || m > f->exit_m || m - f->first >= f->n) continue;
    bool latest = true;
    for (size_t j = 0; j < n && latest; j++)
      if (j != i && ind_month_of_day(v[j].day) == m && (v[j].day > v[i].day || (v[j].day == v[i].day && j > i)))
        latest = false;
    set_bit(any, m - f->first);
    if (latest && v[i].yes) set_bit(yes, m - f->first);
  }
}

void client_facts_compute(const struct client_inputs *in, const struct std_definition *d, struct client_facts *out)
{
  memset(out, 0, sizeof *out);
  out->reg_m = ind_month_of_day(in->reg_day);
  out->exit_m = in->exit_day < 0 ? IND_NO_EXIT : ind_month_of_day(in->exit_day);
  out->severe = in->severe;
  out->in_service = in->in_service;
  out->first = out->reg_m;
  if (out->reg_m < 0 || out->reg_m >= IND_MAX_MONTHS || out->exit_m < out->reg_m) {
    out->first = out->reg_m < 0 ? 0 : out->reg_m;   /* outside the calendar: on no bit at all */
    return;
  }
  int last = -1;
  unsigned char count[IND_MAX_MONTHS] = {0};
  for (size_t i = 0; i < in->n_services; i++) {
    int m = ind_month_of_day(in->service_days[i]);
    if (m < out->first || m > out->exit_m || m >= IND_MAX_MONTHS) continue;
    if (count[m] < 255) count[m]++;
    if (m > last) last = m;
  }
  if (in->severe) {
    last = last_month(in->followups, in->n_followups, out, last);
    for (size_t i = 0; i < in->n_psych; i++) {
      int m = ind_month_of_day(in->psych_days[i]);
      if (m >= out->first && m <= out->exit_m && m < IND_MAX_MONTHS && m > last) last = m;
    }
  }
  last = last_month(in->surveys, in->n_surveys, out, last);
  if (last < 0) return;
  out->n = last - out->first + 1;
  if (in->severe) {
    month_flags(in->followups, in->n_followups, out, out->fu, out->med);
    for (size_t i = 0; i < in->n_psych; i++) {
      int m = ind_month_of_day(in->psych_days[i]);
      if (m >= out->first && m <= out->exit_m && m <= last) set_bit(out->psych, m - out->first);
    }
  }
  month_flags(in->surveys, in->n_surveys, out, out->sat, out->sat_ok);
  for (int m = out->first; m <= last; m++) {
    if (!count[m]) continue;
    int i = m - out->first;
    set_bit(out->served, i);
    if (m == out->reg_m || count[m] < d->min_services) continue;   /* 规范服务 starts the month after registration */
    if (d->assessment_months > 0 && !assessed(in, d->assessment_months, m)) continue;
    int64_t from = ind_month_first_day(m), to = ind_month_last_day(m);
    if (d->require_plan && !span_covers(in->plans, in->n_plans, from, to)) continue;
    if (d->require_agreement && !span_covers(in->agreements, in->n_agreements, from, to)) continue;
    set_bit(out->std, i);
  }
}

bool client_on_register(const struct client_facts *f, int first, int last)
{
  return f->reg_m <= last && f->exit_m >= first;
}

bool client_standardized(const struct client_facts *f, int first, int last)
{
  if (!client_on_register(f, first, last)) return false;
  int lo = first > f->reg_m + 1 ? first : f->reg_m + 1, hi = last < f->exit_m ? last : f->exit_m;
  if (lo > hi) return false;
  for (int m = lo; m <= hi; m++) {
    int i = m - f->first;
    if (i < 0 || i >= f->n || !bit(f->std, i)) return false;
  }
  return true;
}

/* Whether any month of first..last has its bit set in `bits`. */
static bool any_bit(const struct client_facts *f, const uint8_t *bits, int first, int last)
{
  for (int m = first < f->first ? f->first : first; m <= last && m - f->first < f->n; m++)
    if (bit(bits, m - f->first)) return true;
  return false;
}

bool client_served(const struct client_facts *f, int first, int last)
{
  return any_bit(f, f->served, first, last);
}

bool client_managed(const struct client_facts *f, int first, int last)
{
  if (!f->severe || !client_on_register(f, first, last)) return false;
  int lo = first > f->reg_m + 1 ? first : f->reg_m + 1, hi = last < f->exit_m ? last : f->exit_m;
  if (lo > hi) return false;
  for (int m = lo; m <= hi; m++)
    if (!any_bit(f, f->fu, m - 2 > f->reg_m ? m - 2 : f->reg_m, m)) return false;
  return true;
}

bool client_followed(const struct client_facts *f, int first, int last)
{
  return f->severe && any_bit(f, f->fu, first, last);
}

/* Whether the last month of first..last with a bit in `any` has its bit in `yes`. */
static bool last_says_yes(const struct client_facts *f, const uint8_t *any, const uint8_t *yes, int first, int last)
{
  for (int m = (last - f->first < f->n ? last : f->first + f->n - 1); m >= first && m >= f->first; m--)
    if (bit(any, m - f->first)) return bit(yes, m - f->first);
  return false;
}

bool client_medicated(const struct client_facts *f, int first, int last)
{
  return f->severe && last_says_yes(f, f->fu, f->med, first, last);
}

bool client_psych(const struct client_facts *f, int first, int last)
{
  return f->severe && any_bit(f, f->psych, first, last);
}

bool client_surveyed(const struct client_facts *f, int first, int last)
{
  return any_bit(f, f->sat, first, last);
}

bool client_satisfied(const struct client_facts *f, int first, int last)
{
  return last_says_yes(f, f->sat, f->sat_ok, first, last);
}

/* ---- contributions ---- */

static const char *const metric_names[IM_COUNT] = {
  "exit", "in_service", "out_closed", "out_closed_fu", "out_emp_assisted", "out_emp_recommended", "out_emp_sheltered",
  "out_home", "out_moved", "out_relapse", "out_transfer", "ref_disp", "ref_disp_ot", "ref_new", "ref_over3", "ref_reg",
  "ref_reg_ot", "ref_rerefer", "ref_wait", "reg", "sat", "sat_ok", "served", "severe_exit", "severe_fu",
  "severe_managed", "severe_med", "severe_psych", "severe_reg", "severe_served", "severe_std", "staff", "staff_direct",
  "staff_rel", "staff_tr20", "std", "svc"};

const char *ind_metric_name(enum ind_metric m)
{
  return (unsigned)m < IM_COUNT ? metric_names[m] : "";
}

struct metric_levels ind_metric_levels(enum ind_metric m)
{
  if (m == IM_IN_SERVICE) return (struct metric_levels){-1, true};
  if (m >= IM_STAFF && m <= IM_STAFF_TR20) return (struct metric_levels){4, true};
  if (m == IM_SVC) return (struct metric_levels){3, true};
  return (struct metric_levels){3, false};
}

struct period contrib_period(const struct contribution *c)
{
  int m = c->month;
  switch ((enum period_kind)c->kind) {
  case PK_MONTH: return (struct period){PK_MONTH, m, m};
  case PK_QUARTER: return (struct period){PK_QUARTER, m - 2, m};
  case PK_YTD:
  case PK_YEAR: return (struct period){(enum period_kind)c->kind, m - m % 12, m};
  case PK_STOCK: break;
  }
  return (struct period){PK_STOCK, 0, 0};
}

void contrib_period_key(const struct contribution *c, char out[16])
{
  struct period p = contrib_period(c);
  period_key(&p, out);
  if (c->metric == IM_REF_WAIT) snprintf(out + strlen(out), 7, "/%03u", (unsigned)c->bucket % 1000u);
}

size_t contrib_encoded_size(const struct contrib_list *l)
{
  return l->n * 8;
}

void contrib_encode(const struct contrib_list *l, unsigned char *out)
{
  for (size_t i = 0; i < l->n; i++, out += 8) {
    const struct contribution *c = &l->v[i];
    uint32_t v = (uint32_t)c->value & 0xffffff;
    unsigned char b[8] = {c->metric, c->kind, c->bucket, (unsigned char)(c->month & 255), (unsigned char)(c->month >> 8),
                          (unsigned char)(v & 255), (unsigned char)(v >> 8 & 255), (unsigned char)(v >> 16)};
    memcpy(out, b, 8);
  }
}

bool contrib_decode(const unsigned char *blob, size_t n, struct contrib_list *out)
{
  if (n % 8) return false;
  out->n = 0;
  if (n / 8 > out->cap) {
    struct contribution *v = realloc(out->v, n / 8 * sizeof *v);
    if (!v) return false;
    out->v = v;
    out->cap = n / 8;
  }
  for (size_t i = 0; i < n; i += 8) {
    const unsigned char *b = blob + i;
    int32_t v = (int32_t)((uint32_t)b[5] | (uint32_t)b[6] << 8 | (uint32_t)b[7] << 16);
    if (v & 0x800000) v -= 0x1000000;   /* 24-bit two's complement */
    struct contribution c = {b[0], b[1], b[2], (uint16_t)(b[3] | b[4] << 8), v};
    if (c.metric >= IM_COUNT || c.kind > PK_STOCK || c.bucket >= IND_WAIT_BUCKETS || c.month >= IND_MAX_MONTHS) return false;
    out->v[out->n++] = c;
  }
  return true;
}

void contrib_free(struct contrib_list *l)
{
  free(l->v);
  *l = (struct contrib_list){0};
}

static bool add_bucket(struct contrib_list *l, enum ind_metric metric, enum period_kind kind, int month, int bucket)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 128;
    struct contribution *v = realloc(l->v, cap * sizeof *v);
    if (!v) return false;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = (struct contribution){(uint8_t)metric, (uint8_t)kind, (uint8_t)bucket, (uint16_t)month, 1};
  return true;
}

static bool add(struct contrib_list *l, enum ind_metric metric, enum period_kind kind, int month)
{
  return add_bucket(l, metric, kind, month, 0);
}

static int cmp_contrib(const void *a, const void *b)
{
  const struct contribution *x = a, *y = b;
  if (x->metric != y->metric) return x->metric < y->metric ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  if (x->month != y->month) return x->month < y->month ? -1 : 1;
  return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

void contrib_normalize(struct contrib_list *l)
{
  if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_contrib);
  size_t w = 0;
  for (size_t i = 0; i < l->n; i++) {
    if (w && cmp_contrib(&l->v[w - 1], &l->v[i]) == 0) l->v[w - 1].value += l->v[i].value;
    else l->v[w++] = l->v[i];
  }
  size_t k = 0;
  for (size_t i = 0; i < w; i++)
    if (l->v[i].value) l->v[k++] = l->v[i];
  l->n = k;
}

/* Each standard period ending in months lo..hi (month; quarter; year to date, February to
 * November; year) for which test() holds. */
static bool periods(const struct client_facts *f, int lo, int hi, enum ind_metric metric,
                    bool (*test)(const struct client_facts *, int, int), struct contrib_list *out)
{
  for (int m = lo < 0 ? 0 : lo; m <= hi && m < IND_MAX_MONTHS; m++) {
    int y0 = m - m % 12;
    if (test(f, m, m) && !add(out, metric, PK_MONTH, m)) return false;
    if (m % 3 == 2 && test(f, m - 2, m) && !add(out, metric, PK_QUARTER, m)) return false;
    if (m % 12 != 0 && test(f, y0, m) && !add(out, metric, m % 12 == 11 ? PK_YEAR : PK_YTD, m)) return false;
  }
  return true;
}

/* The last month a period with a served or standardized month can end in: the end of the year
 * of the last month with bits (later periods start after it and hold none). */
static int last_period_end(const struct client_facts *f)
{
  int hi = f->first + f->n - 1;
  return hi + 11 - hi % 12;
}

bool client_contributions(const struct client_facts *f, struct contrib_list *out)
{
  if (f->reg_m < 0 || f->reg_m >= IND_MAX_MONTHS || f->exit_m < f->reg_m) return true;
  if (f->in_service && !add(out, IM_IN_SERVICE, PK_STOCK, 0)) return false;
  for (int pass = 0; pass < (f->severe ? 2 : 1); pass++) {
    if (!add(out, pass ? IM_SEVERE_REG : IM_REG, PK_MONTH, f->reg_m)) return false;
    if (f->exit_m != IND_NO_EXIT && !add(out, pass ? IM_SEVERE_EXIT : IM_EXIT, PK_MONTH, f->exit_m)) return false;
    if (f->n == 0) continue;
    if (!periods(f, f->reg_m, last_period_end(f), pass ? IM_SEVERE_STD : IM_STD, client_standardized, out)) return false;
    if (!periods(f, f->first, last_period_end(f), pass ? IM_SEVERE_SERVED : IM_SERVED, client_served, out)) return false;
  }
  if (f->n && (!periods(f, f->first, last_period_end(f), IM_SAT, client_surveyed, out) ||
                !periods(f, f->first, last_period_end(f), IM_SAT_OK, client_satisfied, out)))
    return false;
  if (f->severe && f->n) {   /* managed holds up to two months past the last visit */
    int hi = f->first + f->n + 1;
    if (!periods(f, f->reg_m, hi + 11 - hi % 12, IM_SEVERE_MANAGED, client_managed, out) ||
        !periods(f, f->first, last_period_end(f), IM_SEVERE_FU, client_followed, out) ||
        !periods(f, f->first, last_period_end(f), IM_SEVERE_MED, client_medicated, out) ||
        !periods(f, f->first, last_period_end(f), IM_SEVERE_PSYCH, client_psych, out))
      return false;
  }
  return true;
}

/* ---- a referral ---- */

static const struct referral_event_in *first_event(const struct referral_inputs *in, const char *action,
                                                   const char *to_status)
{
  for (size_t i = 0; i < in->n_events; i++) {
    const struct referral_event_in *e = &in->events[i];
    if ((!action || (e->action && strcmp(e->action, action) == 0)) &&
        (!to_status || (e->to_status && strcmp(e->to_status, to_status) == 0)))
      return e;
  }
  return 0;
}

static bool in_months(int64_t day)
{
  int m = ind_month_of_day(day);
  return m >= 0 && m < IND_MAX_MONTHS;
}

static bool flow(struct contrib_list *l, enum ind_metric metric, int64_t day)
{
  return !in_months(day) || add(l, metric, PK_MONTH, ind_month_of_day(day));
}

/* Working days in (from, to] on the calendar (plain weekends without one). */
static int workdays(const struct workcal *cal, int64_t from, int64_t to)
{
  if (cal) return workcal_count(cal, from, to);
  int n = 0;
  for (int64_t d = from + 1; d <= to; d++)
    if ((d + 3) % 7 < 5) n++;   /* 1970-01-01 was a Thursday: (d + 3) % 7 is 0 on Mondays */
  return n;
}

bool referral_contributions(const struct referral_inputs *in, struct contrib_list *out)
{
  int64_t sub = in->submitted_day;
  if (!in_months(sub)) return true;
  if (!flow(out, IM_REF_NEW, sub)) return false;
  const struct referral_event_in *reg = first_event(in, "register", 0), *disp = first_event(in, "dispatch", 0),
                                 *start = first_event(in, 0, "in_service"), *end = 0;
  static const char *const ends[] = {"closed", "moved", "rejected", "withdrawn"};
  for (size_t i = 0; i < in->n_events && !end; i++)
    for (int k = 0; k < 4 && !end; k++)
      if (in->events[i].to_status && strcmp(in->events[i].to_status, ends[k]) == 0) end = &in->events[i];
  if (reg && (!flow(out, IM_REF_REG, reg->day) ||
              (workdays(in->cal, sub, reg->day) <= REFERRAL_WORKDAYS && !flow(out, IM_REF_REG_OT, reg->day))))
    return false;
  if (disp && reg && disp->day >= reg->day &&
      (!flow(out, IM_REF_DISP, disp->day) ||
       (workdays(in->cal, reg->day, disp->day) <= REFERRAL_WORKDAYS && !flow(out, IM_REF_DISP_OT, disp->day))))
    return false;
  if (start && start->day >= sub && in_months(start->day)) {
    int64_t days = start->day - sub;
    if (!add_bucket(out, IM_REF_WAIT, PK_MONTH, ind_month_of_day(start->day),
                    days < IND_WAIT_BUCKETS - 1 ? (int)days : IND_WAIT_BUCKETS - 1))
      return false;
  }
  int64_t limit = date_to_days(date_add_months(date_from_days(sub), 3));
  if ((!start || start->day > limit) && (!end || end->day > limit) && !flow(out, IM_REF_OVER3, limit)) return false;
  for (size_t i = 0; i < in->n_events; i++) {
    const struct referral_event_in *e = &in->events[i];
    const char *a = e->action ? e->action : "";
    enum ind_metric m = IM_COUNT;
    if (strcmp(a, "rerefer") == 0) m = IM_REF_REREFER;
    else if (strcmp(a, "transfer") == 0) m = IM_OUT_TRANSFER;
    else if (strcmp(a, "relapse") == 0) m = IM_OUT_RELAPSE;
    else if (strcmp(a, "refer_out") == 0 && e->out_type) {
      if (strcmp(e->out_type, "home") == 0) m = IM_OUT_HOME;
      else if (strcmp(e->out_type, "employment_recommended") == 0) m = IM_OUT_EMP_RECOMMENDED;
      else if (strcmp(e->out_type, "employment_sheltered") == 0) m = IM_OUT_EMP_SHELTERED;
      else if (strcmp(e->out_type, "employment_assisted") == 0) m = IM_OUT_EMP_ASSISTED;
    }
    if (m != IM_COUNT && !flow(out, m, e->day)) return false;
  }
  const struct referral_event_in *moved = first_event(in, 0, "moved"), *closed = first_event(in, 0, "closed");
  if (moved && !flow(out, IM_OUT_MOVED, moved->day)) return false;
  if (closed && (!flow(out, IM_OUT_CLOSED, closed->day) ||
                 (first_event(in, "followup", 0) && !flow(out, IM_OUT_CLOSED_FU, closed->day))))
    return false;
  contrib_normalize(out);   /* events of one kind in one month: one contribution */
  return true;
}

bool staff_contributions(const struct staff_facts *f, struct contrib_list *out)
{
  if (!f->active) return true;
  if (!add(out, IM_STAFF, PK_STOCK, 0)) return false;
  if (f->relevant && !add(out, IM_STAFF_REL, PK_STOCK, 0)) return false;
  if (!f->direct) return true;
  if (!add(out, IM_STAFF_DIRECT, PK_STOCK, 0)) return false;
  for (int i = 0; i < f->n_years; i++) {
    int y = f->trained_years[i];
    if (y >= 2000 && y < 2100 && !add(out, IM_STAFF_TR20, PK_YEAR, ind_month(y, 12))) return false;
  }
  return true;
}

/* ---- the catalogue ---- */

static const struct indicator_def defs[] = {
  {"服务覆盖", "county_coverage", "开展社区康复服务的县（市、区）占比", "期间内有康复机构提供服务的县（市、区）", "辖区内县（市、区）总数",
   "以服务记录为准：期间内辖区某县至少有一条服务记录即计为开展服务。《关于开展“精康融合行动”的通知》（民发〔2022〕104号）目标。",
   IU_PERCENT, {{2023, 50}, {2024, 65}, {2025, 80}}, -1},
  {"服务覆盖", "standardized_service_rate", "登记康复对象接受规范服务率", "接受规范服务的登记康复对象", "期间内在册的登记康复对象",
   "规范服务的定义见报告所附定义；各省可调整，报告注明所用定义。", IU_PERCENT, {{2023, 30}, {2024, 45}, {2025, 60}}, -1},
  {"服务覆盖", "registered_clients", "登记康复对象数", "期间内在册的登记康复对象", 0, "期间内任一天在册即计入。", IU_COUNT, {{0}}, -1},
  {"服务覆盖", "service_coverage", "接受服务的康复对象占比", "期间内至少接受一次服务的康复对象", "期间内在册的登记康复对象",
   "登记当月起计。", IU_PERCENT, {{0}}, -1},
  {"严重精神障碍", "severe_standardized_service_rate", "严重精神障碍康复对象接受规范服务率", "接受规范服务的严重精神障碍康复对象",
   "期间内在册的严重精神障碍康复对象", "口径同规范服务率，限登记为严重精神障碍者。", IU_PERCENT, {{0}}, -1},
  {"严重精神障碍", "severe_participation", "居家严重精神障碍患者参与社区康复率", "期间内至少接受一次社区康复服务的严重精神障碍康复对象",
   "期间内在册的严重精神障碍康复对象",
   "《芜湖市全国社会心理服务体系建设试点实施方案》（2019）：居家患者在社区参与康复率达到60%以上。", IU_PERCENT, {{0}}, 60},
  {"严重精神障碍", "severe_psych_support", "居家严重精神障碍患者及家属接受心理疏导率",
   "期间内接受心理疏导、家庭支援或家属互助服务的严重精神障碍康复对象", "期间内在册的严重精神障碍康复对象",
   "《芜湖市全国社会心理服务体系建设试点实施方案》（2019）：对50%以上居家患者及家属提供心理疏导服务。服务类型：心理疏导、"
   "居家支持与家庭支援、家属专家交流互助。", IU_PERCENT, {{0}}, 50},
  {"严重精神障碍", "severe_management_rate", "严重精神障碍患者规范管理率", "规范管理的严重精神障碍康复对象",
   "期间内在册的严重精神障碍康复对象",
   "规范管理：相邻两次随访间隔不超过3个月（地方规范通行口径）。按月计：登记次月起期间内在册的每个月，当月或前两个月内有一次访到的随访。",
   IU_PERCENT, {{0}}, -1},
  {"严重精神障碍", "severe_treatment_rate", "严重精神障碍患者服药率", "末次随访规律服药、间断服药或正在住院的",
   "期间内有访到随访的严重精神障碍康复对象（在管）", "服药率 =（末次随访规律服药 + 间断服药 + 在院）/ 在管（地方规范通行口径）。",
   IU_PERCENT, {{0}}, -1},
  {"转介", "referral_registered_on_time", "申请后5个工作日内完成初核登记的比例", "5个工作日内完成初核登记的申请",
   "期间内完成初核登记的申请", "《精神障碍社区康复服务资源共享与转介管理办法》：转介服务人员5个工作日内初步核实并确认登记。按法定节假日与调休日历计工作日；按登记所在月统计。",
   IU_PERCENT, {{0}}, 100},
  {"转介", "referral_dispatched_on_time", "登记后5个工作日内转介至机构的比例", "登记后5个工作日内首次转介至康复机构的申请",
   "期间内首次转介至康复机构的申请", "《精神障碍社区康复服务资源共享与转介管理办法》：确认登记后5个工作日内将申请人信息转介至适合的社区康复机构。按首次转介所在月统计。",
   IU_PERCENT, {{0}}, 100},
  {"转介", "referral_wait_median", "等待时间中位数（天）", "期间内开始接受服务的转介", 0,
   "自提出申请至开始接受服务（服务提供）的天数，按开始服务所在月统计；120天及以上按120天计。", IU_DAYS, {{0}}, -1},
  {"转介", "referral_wait_p90", "等待时间第90百分位（天）", "期间内开始接受服务的转介", 0,
   "九成转介在此天数内开始接受服务；120天及以上按120天计。", IU_DAYS, {{0}}, -1},
  {"转介", "referral_waits_over_3_months", "等待超过3个月的转介", "提出申请满3个月仍未开始服务且未结束的转介", 0,
   "按满3个月所在月统计（含之后才开始服务的）。", IU_COUNT, {{0}}, -1},
  {"转介", "referral_rereferrals", "重新转介次数", "机构拒收或候补超时后复核意愿并重新转介的次数", 0, "按重新转介所在月统计。",
   IU_COUNT, {{0}}, -1},
  {"结局", "outcome_employment_recommended", "转出：推荐就业", "转出至用人单位的推荐就业", 0, "按转出所在月统计。", IU_COUNT,
   {{0}}, -1},
  {"结局", "outcome_employment_sheltered", "转出：庇护性就业", "转出至庇护性就业", 0, "按转出所在月统计。", IU_COUNT, {{0}}, -1},
  {"结局", "outcome_employment_assisted", "转出：辅助性就业", "转出至辅助性就业", 0, "按转出所在月统计。", IU_COUNT, {{0}}, -1},
  {"结局", "outcome_home", "转出：居家康复", "移交村（居）委会、社区卫生服务机构或社会组织的居家康复", 0, "按转出所在月统计。",
   IU_COUNT, {{0}}, -1},
  {"结局", "outcome_transfers", "转至其他康复机构", "服务期间转至另一家社区康复机构的次数", 0, "按转机构所在月统计。", IU_COUNT,
   {{0}}, -1},
  {"结局", "outcome_relapse_readmissions", "复发返院", "康复期间病情复发经绿色通道转回医院的次数", 0, "按转回医院所在月统计。",
   IU_COUNT, {{0}}, -1},
  {"结局", "outcome_moved", "迁出本系统区域", "迁出本系统覆盖区域而结束的转介", 0, "按迁出所在月统计。", IU_COUNT, {{0}}, -1},
  {"结局", "outcome_closed_followed_up", "结案后完成回访的比例", "结案且已记录回访的转介", "期间内结案的转介",
   "按结案所在月统计；回访在结案后进行，近期结案的比例会随回访记录上升。", IU_PERCENT, {{0}}, 100},
  {"结局", "satisfaction_rate", "康复对象满意率", "期间内末次满意度调查为“满意”的康复对象", "期间内接受满意度调查的康复对象",
   "满意度调查（8项，每项1—5分）总分32分及以上为满意；同一人期间内多次调查以末次为准。", IU_PERCENT, {{0}}, -1},
  {"人员", "staff_relevant_major", "精神卫生、心理、社会工作等相关专业人员占比", "相关专业在岗人员", "在岗服务人员",
   "按当前在岗人员计。", IU_PERCENT, {{0}}, QUALIFIED_SHARE_TARGET_PCT},
  {"人员", "staff_training_20h", "直接服务人员年度培训达标率", "当年培训不少于 20 小时的直接服务人员", "在岗直接服务人员",
   "年度取期间结束所在年份。", IU_PERCENT, {{0}}, 100},
  {"能力", "rehab_places", "社区康复机构床位（服务名额）", "辖区内社区康复机构核定服务名额之和", 0, "按机构登记的服务名额，当前数。",
   IU_COUNT, {{0}}, -1},
  {"能力", "occupancy", "服务名额使用率", "当前在这些机构接受服务的康复对象", "辖区内社区康复机构服务名额之和", "当前数，不随统计期间变化。",
   IU_PERCENT, {{0}}, -1},
  {"能力", "prefecture_functions", "具备评估转介、培训督导、服务示范功能的地市占比", "辖区内机构同时具备三项功能的地级市",
   "辖区内地级市", "《关于开展“精康融合行动”的通知》：每个地级市应有具备评估转介、培训督导、服务示范功能的机构。", IU_PERCENT,
   {{0}}, 100},
};

const struct indicator_def *indicator_defs(size_t *n)
{
  *n = sizeof defs / sizeof defs[0];
  return defs;
}

const struct indicator_def *indicator_find(const char *id)
{
  for (size_t i = 0; id && i < sizeof defs / sizeof defs[0]; i++)
    if (strcmp(defs[i].id, id) == 0) return &defs[i];
  return 0;
}

int indicator_target(const struct indicator_def *d, int year)
{
  if (d->target_all_years >= 0) return d->target_all_years;
  int t = -1;
  for (int i = 0; i < 3 && d->targets[i][0]; i++)
    if (d->targets[i][0] <= year) t = d->targets[i][1];
  return t;
}
