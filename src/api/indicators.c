/* indicators.c: the officials' indicators (docs/internals/indicators.md).
 *
 *   GET    /indicators                      every indicator for a region (or ?organization=) and period
 *   GET    /indicators/{id}                 one indicator, and with ?by=child|organization|month its
 *                                           sub-regions, the institutions of the region, or its trend
 *   GET    /indicators/definition           the 规范服务 definition in force (?region=province)
 *   PUT    /indicators/definition           a province's (or the national) definition
 *   DELETE /indicators/definition           a province's own definition removed (the national applies)
 *
 * Periods are whole months: ?from=YYYY-MM-DD&to=YYYY-MM-DD selects the months they fall in
 * (default: this year up to the last complete month). A month, quarter, year or year to date
 * is read from the aggregates; any other range, and villages, are counted from the facts. */
#include "api/common.h"
#include "api/handlers.h"
#include "api/indicators.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/indicator.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "store/indicator_store.h"
#include "store/region_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MONTHS 120          /* ten years per query */
#define MAX_ORGS 500

/* The scope string of the aggregates for a query (the region code, or the organization's rid). */
static const char *scope_of(struct req *r, const struct ind_query *q)
{
  return q->level == IND_LEVEL_ORG ? arena_printf(r->a, "%lld", (long long)q->org.rid) : q->region;
}

static bool period_params(struct req *r, struct ind_query *q)
{
  struct jk_date t = date_today(), a, b;
  /* default: this year up to the end of last month (January: last year) */
  struct jk_date end = date_from_days(date_to_days((struct jk_date){t.y, t.m, 1}) - 1);
  struct jk_date start = {end.y, 1, 1};
  const char *from = req_query(r, "from"), *to = req_query(r, "to");
  if (from && !date_parse(from, &start)) return bad_field(r, "from", "from 应为日期（YYYY-MM-DD）");
  if (to && !date_parse(to, &end)) return bad_field(r, "to", "to 应为日期（YYYY-MM-DD）");
  a = start;
  b = end;
  if (date_to_days(a) > date_to_days(b)) return bad_field(r, "from", "from 不能晚于 to");
  if (a.y < 2000 || b.y > 2099) return bad_field(r, a.y < 2000 ? "from" : "to", "统计期间应在 2000—2099 年之间");
  /* a period that has not begun has no figures, only some counted ahead (docs/internals/indicators.md) */
  if (ind_month(a.y, a.m) > ind_month(t.y, t.m)) return bad_field(r, "from", "统计期间尚未开始，请选择本月或以前的月份");
  q->first = ind_month(a.y, a.m);
  q->last = ind_month(b.y, b.m);
  if (q->last - q->first + 1 > MAX_MONTHS) return bad_field(r, "to", "统计期间最长 10 年");
  date_format((struct jk_date){a.y, a.m, 1}, q->from);
  date_format(date_from_days(ind_month_last_day(q->last)), q->to);
  return true;
}

/* Region or organization, and the caller's right to see it. */
static bool scope_params(struct req *r, struct ind_query *q)
{
  const char *org_id = req_query(r, "organization"), *region = 0;
  memset(&q->org, 0, sizeof q->org);
  if (org_id) {
    if (req_query(r, "region")) return bad_field(r, "region", "region 与 organization 只能指定一个");
    jk_status st = uuid_valid(org_id) ? org_store_by_id(r->db, r->a, org_id, &q->org) : JK_ENOTFOUND;
    if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "机构不存在", "organization"), false;
    if (st != JK_OK) return reply_err(r, st, 0), false;
    q->region = 0;
    q->level = IND_LEVEL_ORG;
  } else if (req_query(r, "region")) {
    if (!region_param(r, req_query(r, "region"), "region", true, &region)) return false;
    q->region = region;
  } else if (role_needs_org(r->who.role) && r->who.org_rid) {
    jk_status st = org_store_by_rid(r->db, r->a, r->who.org_rid, &q->org);
    if (st != JK_OK) return reply_err(r, st, 0), false;
    q->region = 0;
    q->level = IND_LEVEL_ORG;
  } else {
    q->region = r->who.region ? r->who.region : "";
  }
  if (q->region) q->level = *q->region ? (int)region_code_level(q->region) : 0;
  struct policy_object po = {.kind = OBJ_INDICATOR, .region = q->region ? q->region : q->org.region,
                             .org_rid = q->level == IND_LEVEL_ORG ? q->org.rid : 0};
  return allowed(r, ACT_READ, &po, "indicator", 0);
}

struct figure { bool has; int64_t num, den, days; };   /* days: a waiting-time indicator's value */

static jk_status client_figures(struct req *r, const struct ind_query *q, bool severe, struct client_tally *t)
{
  memset(t, 0, sizeof *t);
  struct period p;
  /* client figures are kept down to counties; a township, a village or an institution is a few
   * hundred clients, counted from their facts, as is any range that is no standard period */
  if (q->level > 3 || !period_standard(q->first, q->last, &p))
    return indicator_store_scan(r->db, q->region, q->level == IND_LEVEL_ORG ? q->org.rid : 0, severe, q->first,
                                q->last, t);
  const char *scope = scope_of(r, q);
  char key[10];
  period_key(&p, key);
  int64_t reg = 0, exits = 0;
  const char *m_reg = severe ? "severe_reg" : "reg", *m_exit = severe ? "severe_exit" : "exit";
  jk_status st = indicator_store_flow_upto(r->db, q->level, scope, m_reg, q->last, &reg);
  if (st == JK_OK) st = indicator_store_flow_upto(r->db, q->level, scope, m_exit, q->first - 1, &exits);
  if (st == JK_OK) st = indicator_store_value(r->db, q->level, scope, severe ? "severe_std" : "std", key, &t->standardized);
  if (st == JK_OK) st = indicator_store_value(r->db, q->level, scope, severe ? "severe_served" : "served", key, &t->served);
  if (severe) {
    static const char *const metrics[] = {"severe_managed", "severe_fu", "severe_med", "severe_psych"};
    int64_t *out[] = {&t->managed, &t->followed, &t->medicated, &t->psych};
    for (int i = 0; i < 4 && st == JK_OK; i++)
      st = indicator_store_value(r->db, q->level, scope, metrics[i], key, out[i]);
  } else {
    if (st == JK_OK) st = indicator_store_value(r->db, q->level, scope, "sat", key, &t->surveyed);
    if (st == JK_OK) st = indicator_store_value(r->db, q->level, scope, "sat_ok", key, &t->satisfied);
  }
  t->on_register = reg - exits;
  return st;
}

/* The referral indicators: a flow over the period, or a flow against another. */
static const struct { const char *id; enum ind_metric num, den; } ref_flows[] = {
  {"referral_registered_on_time", IM_REF_REG_OT, IM_REF_REG},
  {"referral_dispatched_on_time", IM_REF_DISP_OT, IM_REF_DISP},
  {"referral_waits_over_3_months", IM_REF_OVER3, IM_COUNT},
  {"referral_rereferrals", IM_REF_REREFER, IM_COUNT},
  {"outcome_employment_recommended", IM_OUT_EMP_RECOMMENDED, IM_COUNT},
  {"outcome_employment_sheltered", IM_OUT_EMP_SHELTERED, IM_COUNT},
  {"outcome_employment_assisted", IM_OUT_EMP_ASSISTED, IM_COUNT},
  {"outcome_home", IM_OUT_HOME, IM_COUNT},
  {"outcome_transfers", IM_OUT_TRANSFER, IM_COUNT},
  {"outcome_relapse_readmissions", IM_OUT_RELAPSE, IM_COUNT},
  {"outcome_moved", IM_OUT_MOVED, IM_COUNT},
  {"outcome_closed_followed_up", IM_OUT_CLOSED_FU, IM_OUT_CLOSED},
};

static jk_status referral_flow(struct req *r, const struct ind_query *q, enum ind_metric m, int64_t *sum, int64_t *hist)
{
  return indicator_store_referral_flow(r->db, q->level, scope_of(r, q), q->level == IND_LEVEL_ORG ? q->org.rid : 0, m,
                                       q->first, q->last, sum, hist);
}

/* The days within which `share` per cent of the waits fall (the lower median for 50). */
static int64_t wait_percentile(const int64_t *hist, int64_t n, int share)
{
  int64_t rank = (n * share + 99) / 100, seen = 0;   /* the rank-th smallest, 1-based */
  for (int b = 0; b < IND_WAIT_BUCKETS; b++)
    if ((seen += hist[b]) >= rank) return b;
  return IND_WAIT_BUCKETS - 1;
}

static jk_status figure_of(struct req *r, const struct ind_query *q, const struct indicator_def *d, struct figure *f)
{
  memset(f, 0, sizeof *f);
  const char *id = d->id;
  jk_status st = JK_OK;
  if (strcmp(id, "county_coverage") == 0) {
    if (q->level > 3) return JK_OK;   /* a county-level indicator: not below counties, not for an organization */
    f->has = true;
    if ((st = indicator_store_counties(r->db, q->region, &f->den)) == JK_OK)
      st = indicator_store_counties_served(r->db, q->region, q->first, q->last, &f->num);
    return st;
  }
  if (strcmp(id, "rehab_places") == 0 || strcmp(id, "occupancy") == 0) {
    if (q->level == 5) return JK_OK;
    f->has = true;
    int64_t places, in_service;
    st = indicator_store_places(r->db, q->level == IND_LEVEL_ORG ? "" : q->region, q->level == IND_LEVEL_ORG ? q->org.rid : 0,
                                &places, &in_service);
    f->num = id[0] == 'r' ? places : in_service;
    f->den = places;
    return st;
  }
  if (strcmp(id, "prefecture_functions") == 0) {
    if (q->level > 2) return JK_OK;   /* a prefecture-level indicator */
    f->has = true;
    return indicator_store_prefectures(r->db, q->region, &f->num, &f->den);
  }
  if (strncmp(id, "staff_", 6) == 0) {
    if (q->level == 5) return JK_OK;   /* staff are counted down to townships */
    f->has = true;
    const char *scope = scope_of(r, q);
    bool training = strcmp(id, "staff_training_20h") == 0;
    st = indicator_store_value(r->db, q->level, scope, training ? "staff_direct" : "staff", "", &f->den);
    char key[10];
    snprintf(key, sizeof key, "Y%04u", (unsigned)ind_month_year(q->last) % 10000u);
    if (st == JK_OK) st = indicator_store_value(r->db, q->level, scope, training ? "staff_tr20" : "staff_rel",
                                                training ? key : "", &f->num);
    return st;
  }
  for (size_t i = 0; i < sizeof ref_flows / sizeof ref_flows[0]; i++) {
    if (strcmp(id, ref_flows[i].id)) continue;
    f->has = true;
    st = referral_flow(r, q, ref_flows[i].num, &f->num, 0);
    if (st == JK_OK && ref_flows[i].den != IM_COUNT) st = referral_flow(r, q, ref_flows[i].den, &f->den, 0);
    return st;
  }
  if (strncmp(id, "referral_wait_", 14) == 0) {
    int64_t hist[IND_WAIT_BUCKETS];
    f->has = true;
    if ((st = referral_flow(r, q, IM_REF_WAIT, &f->num, hist)) != JK_OK) return st;
    f->days = f->num ? wait_percentile(hist, f->num, strcmp(id, "referral_wait_p90") == 0 ? 90 : 50) : -1;
    return JK_OK;
  }
  struct client_tally t;
  bool severe = strncmp(id, "severe_", 7) == 0;
  if ((st = client_figures(r, q, severe, &t)) != JK_OK) return st;
  f->has = true;
  f->den = strcmp(id, "severe_treatment_rate") == 0 ? t.followed
         : strcmp(id, "satisfaction_rate") == 0     ? t.surveyed
                                                    : t.on_register;
  f->num = strcmp(id, "registered_clients") == 0                                         ? t.on_register
         : strcmp(id, "service_coverage") == 0 || strcmp(id, "severe_participation") == 0 ? t.served
         : strcmp(id, "severe_management_rate") == 0                                      ? t.managed
         : strcmp(id, "severe_treatment_rate") == 0                                       ? t.medicated
         : strcmp(id, "severe_psych_support") == 0                                        ? t.psych
         : strcmp(id, "satisfaction_rate") == 0                                           ? t.satisfied
                                                                                           : t.standardized;
  return JK_OK;
}

static json_t *figure_json(const struct ind_query *q, const struct indicator_def *d, const struct figure *f)
{
  json_t *o = json_object();
  int target = indicator_target(d, ind_month_year(q->last));
  if (!f->has) {
    json_object_set_new(o, "numerator", json_null());
    json_object_set_new(o, "denominator", json_null());
    json_object_set_new(o, "value", json_null());
  } else if (d->unit == IU_COUNT) {
    json_object_set_new(o, "numerator", json_integer(f->num));
    json_object_set_new(o, "denominator", json_null());
    json_object_set_new(o, "value", json_integer(f->num));
  } else if (d->unit == IU_DAYS) {   /* numerator: how many waits; value: the days */
    json_object_set_new(o, "numerator", json_integer(f->num));
    json_object_set_new(o, "denominator", json_null());
    json_object_set_new(o, "value", f->days >= 0 ? json_integer(f->days) : json_null());
  } else {
    json_object_set_new(o, "numerator", json_integer(f->num));
    json_object_set_new(o, "denominator", json_integer(f->den));
    /* percent with one decimal, rounded half up on the exact ratio */
    json_object_set_new(o, "value", f->den > 0 ? json_real((double)((f->num * 2000 + f->den) / (2 * f->den)) / 10.0)
                                               : json_null());
  }
  json_object_set_new(o, "target", target >= 0 ? json_integer(target) : json_null());
  bool judged = f->has && d->unit == IU_PERCENT && f->den > 0 && target >= 0;
  json_object_set_new(o, "met", judged ? json_boolean(f->num * 100 >= (int64_t)target * f->den) : json_null());
  return o;
}

static json_t *def_json(const struct indicator_def *d)
{
  static const char *const units[] = {[IU_PERCENT] = "percent", [IU_COUNT] = "count", [IU_DAYS] = "days"};
  return json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s,s:s}", "id", d->id, "group", d->group, "name", d->name, "numerator_label",
                   d->numerator, "denominator_label", d->denominator, "unit", units[d->unit], "note", d->note);
}

/* The definition and the figure as one object. */
static json_t *indicator_json(const struct ind_query *q, const struct indicator_def *d, const struct figure *f)
{
  json_t *x = def_json(d), *fig = figure_json(q, d, f);
  json_object_update(x, fig);
  json_decref(fig);
  return x;
}

static json_t *period_json(const struct ind_query *q)
{
  struct period p;
  char key[10] = "";
  const char *kind = "range";
  if (period_standard(q->first, q->last, &p)) {
    period_key(&p, key);
    static const char *const kinds[] = {"month", "quarter", "year_to_date", "year"};
    kind = kinds[p.kind];
  }
  return json_pack("{s:s,s:s,s:s,s:i}", "from", q->from, "to", q->to, "kind", kind, "months", q->last - q->first + 1);
}

static json_t *scope_json(struct req *r, const struct ind_query *q)
{
  if (q->level == IND_LEVEL_ORG)
    return json_pack("{s:s,s:s,s:s,s:s}", "type", "organization", "id", q->org.id, "name", q->org.name, "region",
                     q->org.region);
  const char *name = *q->region ? region_name(r, q->region) : "全国";
  return json_pack("{s:s,s:s,s:s,s:s}", "type", "region", "code", q->region, "name", name ? name : q->region, "level",
                   *q->region ? region_level_name(q->level) : "country");
}

/* The definition in force for the query's province, as {source, text, params}. */
static json_t *definition_json(struct req *r, const struct ind_query *q)
{
  const char *region = q->level == IND_LEVEL_ORG ? q->org.region : q->region;
  char province[3] = "";
  if (region && strlen(region) >= 2) snprintf(province, sizeof province, "%.2s", region);
  struct std_definition d;
  const char *source = "default";
  if (indicator_store_definition(r->db, province, &d, &source) != JK_OK) return json_null();
  char text[512];
  std_definition_text(&d, text, sizeof text);
  json_t *o = json_pack("{s:s,s:s,s:o}", "source", source, "text", text, "params", std_definition_json(&d));
  if (!*province) json_object_set_new(o, "note", json_string("各省可调整规范服务定义；全国及跨省汇总按各省所用定义分别计算后相加。"));
  return o;
}

static json_t *header_json(struct req *r, const struct ind_query *q)
{
  int64_t pending = 0;
  indicator_store_pending(r->db, &pending);
  return json_pack("{s:o,s:o,s:s,s:I,s:o}", "scope", scope_json(r, q), "period", period_json(q), "as_of",
                   iso_time(r, clock_now_ms()), "pending", (json_int_t)pending, "definition", definition_json(r, q));
}

bool ind_params(struct req *r, struct ind_query *q)
{
  return scope_params(r, q) && period_params(r, q);
}

json_t *ind_all(struct req *r, const struct ind_query *q, jk_status *st)
{
  json_t *o = header_json(r, q), *list = json_array();
  size_t n;
  const struct indicator_def *defs = indicator_defs(&n);
  *st = JK_OK;
  for (size_t i = 0; i < n; i++) {
    struct figure f;
    if ((*st = figure_of(r, q, &defs[i], &f)) != JK_OK) {
      json_decref(o);
      json_decref(list);
      return 0;
    }
    json_array_append_new(list, indicator_json(q, &defs[i], &f));
  }
  json_object_set_new(o, "indicators", list);
  return o;
}

void api_indicators(struct req *r)
{
  struct ind_query q;
  if (!ind_params(r, &q)) return;
  jk_status st;
  json_t *o = ind_all(r, &q, &st);
  if (!o) return reply_err(r, st, 0);
  reply_json(r, 200, o);
}

/* ---- one indicator by sub-region, institution or month ---- */

static int cmp_rows(const void *a, const void *b)
{
  json_t *x = json_object_get(*(json_t *const *)a, "value"), *y = json_object_get(*(json_t *const *)b, "value");
  double vx = json_is_number(x) ? json_number_value(x) : -1, vy = json_is_number(y) ? json_number_value(y) : -1;
  return vx < vy ? 1 : vx > vy ? -1 : 0;
}

/* A row: the label fields and the figure (steals row). */
static void row_add(const struct ind_query *q2, const struct indicator_def *d, const struct figure *f, json_t *row,
                    json_t *rows)
{
  json_t *fig = figure_json(q2, d, f);
  json_object_update(row, fig);
  json_decref(fig);
  json_object_set_new(row, "behind", json_boolean(json_is_false(json_object_get(row, "met"))));
  json_array_append_new(rows, row);
}

/* A row for sub-query q2 (steals label). */
static jk_status add_row(struct req *r, const struct ind_query *q2, const struct indicator_def *d, json_t *label,
                         json_t *rows)
{
  struct figure f;
  jk_status st = figure_of(r, q2, d, &f);
  if (st != JK_OK) {
    json_decref(label);
    return st;
  }
  row_add(q2, d, &f, label, rows);
  return JK_OK;
}

/* The sub-regions; then, when subjects are registered at the region's own code (a client whose
 * residence is given as the county only, an institution located at the county), a row
 * "本级" with what the sub-regions do not hold, so that the rows always add up to the total. */
static jk_status rows_by_child(struct req *r, const struct ind_query *q, const struct indicator_def *d,
                               const struct figure *total, json_t *rows)
{
  if (q->level == IND_LEVEL_ORG || q->level >= 5) return JK_OK;
  struct region *kids;
  int64_t n, num = 0, den = 0;
  bool any = false;   /* a county-level indicator has no figure below counties: no 本级 row then */
  jk_status st = region_store_children(r->db, r->a, *q->region ? q->region : 0, &kids, &n);
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    struct ind_query q2 = *q;
    q2.region = kids[i].code;
    q2.level = kids[i].level;
    struct figure f;
    if ((st = figure_of(r, &q2, d, &f)) != JK_OK) break;
    num += f.num;
    den += f.den;
    any |= f.has;
    json_t *row = json_pack("{s:s,s:s,s:s}", "code", kids[i].code, "name", kids[i].name, "level",
                            region_level_name(kids[i].level));
    row_add(&q2, d, &f, row, rows);
  }
  /* a waiting time is a percentile: it does not add up, and there is no remainder to show */
  if (st != JK_OK || !any || !total->has || d->unit == IU_DAYS || (total->num == num && total->den == den)) return st;
  struct figure rest = {true, total->num - num, total->den - den, -1};
  json_t *row = json_pack("{s:s,s:s,s:s,s:b}", "code", q->region, "name", "本级（未细分到下级区划）", "level",
                          *q->region ? region_level_name(q->level) : "country", "unassigned", 1);
  row_add(q, d, &rest, row, rows);
  return JK_OK;
}

static jk_status rows_by_org(struct req *r, const struct ind_query *q, const struct indicator_def *d, json_t *rows)
{
  if (q->level == IND_LEVEL_ORG) return JK_OK;
  struct org_query oq = {.kind = "rehab_institution", .region = *q->region ? q->region : 0, .limit = MAX_ORGS};
  struct org_rec *orgs;
  int64_t n, total;
  jk_status st = org_store_list(r->db, r->a, &oq, &orgs, &n, &total);
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    struct ind_query q2 = *q;
    q2.org = orgs[i];
    q2.region = 0;
    q2.level = IND_LEVEL_ORG;
    st = add_row(r, &q2, d, json_pack("{s:s,s:s,s:s}", "id", orgs[i].id, "name", orgs[i].name, "region", orgs[i].region),
                 rows);
  }
  return st;
}

static jk_status rows_by_month(struct req *r, const struct ind_query *q, const struct indicator_def *d, json_t *rows)
{
  jk_status st = JK_OK;
  for (int m = q->first; st == JK_OK && m <= q->last; m++) {
    struct ind_query q2 = *q;
    q2.first = q2.last = m;
    char month[8];
    snprintf(month, sizeof month, "%04u-%02u", (unsigned)ind_month_year(m) % 10000u, (unsigned)ind_month_of_year(m) % 100u);
    st = add_row(r, &q2, d, json_pack("{s:s}", "month", month), rows);
  }
  return st;
}

json_t *ind_one(struct req *r, const struct ind_query *q, const struct indicator_def *d, const char *by, jk_status *st)
{
  struct figure f;
  if ((*st = figure_of(r, q, d, &f)) != JK_OK) return 0;
  json_t *o = header_json(r, q);
  json_object_set_new(o, "indicator", indicator_json(q, d, &f));
  if (!by) return o;
  json_t *rows = json_array();
  *st = by[0] == 'c' ? rows_by_child(r, q, d, &f, rows) : by[0] == 'o' ? rows_by_org(r, q, d, rows)
                                                                     : rows_by_month(r, q, d, rows);
  if (*st != JK_OK) {
    json_decref(rows);
    json_decref(o);
    return 0;
  }
  if (by[0] != 'm') {   /* ranked: highest first, those without a value last */
    size_t n = json_array_size(rows);
    json_t **v = arena_alloc(r->a, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(rows, i));
    qsort(v, n, sizeof *v, cmp_rows);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++) json_array_append_new(rows, v[i]);
  }
  json_object_set_new(o, "by", json_string(by));
  json_object_set_new(o, "rows", rows);
  return o;
}

bool ind_by_param(struct req *r, const char **by)
{
  *by = req_query(r, "by");
  if (*by && strcmp(*by, "child") && strcmp(*by, "organization") && strcmp(*by, "month"))
    return bad_field(r, "by", "by 应为 child、organization 或 month");
  return true;
}

void api_indicator(struct req *r)
{
  const struct indicator_def *d = indicator_find(r->params[0]);
  if (!d) return reply_fail(r, JK_ENOTFOUND, "not_found", "指标不存在", 0);
  const char *by;
  struct ind_query q;
  if (!ind_by_param(r, &by) || !ind_params(r, &q)) return;
  jk_status st;
  json_t *o = ind_one(r, &q, d, by, &st);
  if (!o) return reply_err(r, st, 0);
  reply_json(r, 200, o);
}

/* ---- the 规范服务 definition ---- */

/* ?region= or the body's region: "" (national) or a province code. */
static bool definition_region(struct req *r, const char *value, const char **out)
{
  if (!value || !*value) return *out = "", true;
  if (!region_param(r, value, "region", true, out)) return false;
  if (strlen(*out) != 2) return bad_field(r, "region", "规范服务定义按省设置：region 应为省级代码，或留空表示全国");
  return true;
}

static json_t *definition_reply(struct req *r, const char *region)
{
  struct std_definition d;
  const char *source;
  if (indicator_store_definition(r->db, region, &d, &source) != JK_OK) return 0;
  char text[512];
  std_definition_text(&d, text, sizeof text);
  return json_pack("{s:s,s:s,s:o,s:s}", "region", region, "source", source, "params", std_definition_json(&d), "text",
                   text);
}

void api_indicator_definition_get(struct req *r)
{
  const char *region;
  if (!definition_region(r, req_query(r, "region"), &region)) return;
  json_t *o = definition_reply(r, region);
  if (!o) return reply_err(r, JK_EINTERNAL, 0);
  reply_json(r, 200, o);
}

void api_indicator_definition_put(struct req *r)
{
  json_t *body = req_body(r);
  if (!body) return;
  static const char *const keys[] = {"region", "definition", 0};
  const char *region_in, *region = 0, *field = 0, *msg = 0;
  struct std_definition d;
  bool ok = body_only(r, body, keys) && body_str(r, body, "region", false, 12, &region_in) &&
            definition_region(r, region_in, &region);
  bool parsed = ok && std_definition_parse(json_object_get(body, "definition"), &d, &field, &msg);
  if (ok && !parsed) field = field ? arena_printf(r->a, "definition.%s", field) : "definition";
  json_decref(body);
  if (!ok) return;
  if (!parsed) return (void)bad_field(r, field, msg);
  struct policy_object po = {.kind = OBJ_INDICATOR, .region = region};
  if (!allowed(r, ACT_UPDATE, &po, "indicator_definition", region)) return;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  int64_t marked = 0;
  json_t *params = std_definition_json(&d);
  char *detail = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(params);
  if ((st = indicator_store_set_definition(r->db, region, &d, r->who.username, clock_now_ms(), &marked)) != JK_OK ||
      (st = audit_change(r, "indicator_definition.update", "indicator_definition", *region ? region : "national",
                         detail)) != JK_OK) {
    free(detail);
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  free(detail);
  if (!commit_or_reply(r)) return;
  json_t *o = definition_reply(r, region);
  if (!o) return reply_err(r, JK_EINTERNAL, 0);
  json_object_set_new(o, "recomputing", json_integer(marked));
  reply_json(r, 200, o);
}

void api_indicator_definition_delete(struct req *r)
{
  const char *region;
  if (!definition_region(r, req_query(r, "region"), &region)) return;
  struct policy_object po = {.kind = OBJ_INDICATOR, .region = region};
  if (!allowed(r, ACT_UPDATE, &po, "indicator_definition", region)) return;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  int64_t marked = 0;
  if ((st = indicator_store_clear_definition(r->db, region, &marked)) != JK_OK ||
      (st = audit_change(r, "indicator_definition.delete", "indicator_definition", *region ? region : "national", 0)) !=
        JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  json_t *o = definition_reply(r, region);
  if (!o) return reply_err(r, JK_EINTERNAL, 0);
  json_object_set_new(o, "recomputing", json_integer(marked));
  reply_json(r, 200, o);
}
