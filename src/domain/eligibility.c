/* eligibility.c: see eligibility.h. Each rule is checked on its own, so the answer names
 * every reason a person does not qualify, not just the first.
 *
 * Unknown facts fail the rule that needs them, so the referral worker knows what to obtain
 * rather than being told "eligible" by default:
 *   - 户籍 not registered, or registered only to a coarser level than the rule compares (a
 *     province code when the rule is "same county") while agreeing as far as it goes:
 *     "hukou_unknown" — only when local_hukou is not "any". A coarse code that already differs
 *     (another province) is "not_local_hukou".
 *   - no risk assessment: "risk_not_assessed", whatever the limits (the 工作规范 asks for a
 *     危险性评估 before community rehab, so it is always needed).
 *   - age negative (no birth date): "age_unknown" when an age range applies.
 * "Within N months" is by the calendar in Asia/Shanghai: an assessment of 15 January is valid
 * with a 6-month window through 15 July (31 August + 6 months → 28/29 February). */
#include "domain/eligibility.h"
#include "base/clock.h"
#include <jansson.h>
#include <string.h>

void rules_default(struct rules *out)
{
  *out = (struct rules){.local_hukou = HUKOU_COUNTY, .age_min = 18, .age_max = 60, .grade_min = 3, .grade_max = 4,
                        .severe_qualifies = true, .require_condition = true, .max_risk_level = 2,
                        .risk_window_months = 6, .followup_days = 30, .waitlist_months = 3};
}

static const char *const scopes[] = {"any", "province", "prefecture", "county"};
/* Digits of the region code that must agree for each scope. */
static const size_t scope_digits[] = {0, 2, 4, 6};

static jk_status bad(struct jk_err *e, const char *field, const char *msg)
{
  return jk_fail(e, JK_EINVAL, "invalid_rules", msg, field);
}

/* An integer member in [lo, hi]; absent keeps *out. */
static bool int_in(json_t *o, const char *key, int lo, int hi, int *out)
{
  json_t *v = json_object_get(o, key);
  if (!v) return true;
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) return false;
  *out = (int)json_integer_value(v);
  return true;
}

static bool bool_of(json_t *o, const char *key, bool *out)
{
  json_t *v = json_object_get(o, key);
  if (!v) return true;
  if (!json_is_boolean(v)) return false;
  *out = json_is_true(v);
  return true;
}

static const char *const known_keys[] = {"local_hukou", "age_min", "age_max", "grade_min", "grade_max",
                                         "severe_qualifies", "require_condition", "max_risk_level",
                                         "risk_window_months", "followup_days", "waitlist_months", 0};

/* The first failing check of o, filling r as it goes; JK_OK when all pass. */
static jk_status check_object(json_t *o, struct rules *r, struct jk_err *e)
{
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    bool known = false;
    for (int i = 0; known_keys[i] && !known; i++) known = strcmp(k, known_keys[i]) == 0;
    if (!known)
      return bad(e, "rules",
                 "规则中有不认识的项目（可用：local_hukou、age_min、age_max、grade_min、grade_max、severe_qualifies、"
                 "require_condition、max_risk_level、risk_window_months、followup_days、waitlist_months）");
  }
  json_t *scope = json_object_get(o, "local_hukou");
  if (scope) {
    int found = -1;
    for (int i = 0; i < 4 && json_is_string(scope); i++)
      if (strcmp(json_string_value(scope), scopes[i]) == 0) found = i;
    if (found < 0) return bad(e, "local_hukou", "户籍要求应为 county（本县）、prefecture（本市）、province（本省）或 any（不限）");
    r->local_hukou = (enum hukou_scope)found;
  }
  if (!int_in(o, "age_min", 0, 120, &r->age_min)) return bad(e, "age_min", "年龄下限应为0–120的整数");
  if (!int_in(o, "age_max", 0, 120, &r->age_max)) return bad(e, "age_max", "年龄上限应为0–120的整数");
  if (r->age_min > r->age_max) return bad(e, "age_min", "年龄下限不能大于上限");
  if (!int_in(o, "grade_min", 1, 4, &r->grade_min)) return bad(e, "grade_min", "残疾等级下限应为1–4级");
  if (!int_in(o, "grade_max", 1, 4, &r->grade_max)) return bad(e, "grade_max", "残疾等级上限应为1–4级");
  if (r->grade_min > r->grade_max) return bad(e, "grade_min", "残疾等级下限不能大于上限");
  if (!bool_of(o, "severe_qualifies", &r->severe_qualifies))
    return bad(e, "severe_qualifies", "“六类严重精神障碍无证亦可”应为 true 或 false");
  if (!bool_of(o, "require_condition", &r->require_condition))
    return bad(e, "require_condition", "“须持证或属严重精神障碍”应为 true 或 false");
  if (!int_in(o, "max_risk_level", 0, 5, &r->max_risk_level)) return bad(e, "max_risk_level", "危险性等级上限应为0–5级");
  if (!int_in(o, "risk_window_months", 0, 60, &r->risk_window_months))
    return bad(e, "risk_window_months", "危险性评估有效期应为0–60个月（0为不限）");
  if (!int_in(o, "followup_days", 1, 365, &r->followup_days)) return bad(e, "followup_days", "结案后回访天数应为1–365天");
  if (!int_in(o, "waitlist_months", 1, 24, &r->waitlist_months))
    return bad(e, "waitlist_months", "等候期限应为1–24个月");
  return JK_OK;
}

jk_status rules_parse(const char *text, struct rules *out, struct jk_err *e)
{
  struct rules r;
  rules_default(&r);
  json_error_t je;
  json_t *o = text ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : 0;
  jk_status st = json_is_object(o) ? check_object(o, &r, e) : bad(e, "rules", "规则应为一个JSON对象");
  json_decref(o);
  if (st == JK_OK) *out = r;
  return st;
}

char *rules_to_json(const struct rules *r)
{
  json_t *o = json_pack("{s:s,s:i,s:i,s:i,s:i,s:b,s:b,s:i,s:i,s:i,s:i}", "local_hukou", scopes[r->local_hukou], "age_min",
                        r->age_min, "age_max", r->age_max, "grade_min", r->grade_min, "grade_max", r->grade_max,
                        "severe_qualifies", r->severe_qualifies, "require_condition", r->require_condition,
                        "max_risk_level", r->max_risk_level, "risk_window_months", r->risk_window_months,
                        "followup_days", r->followup_days, "waitlist_months", r->waitlist_months);
  char *s = o ? json_dumps(o, JSON_COMPACT) : 0;
  json_decref(o);
  return s;
}

static void fail(struct elig_result *out, const char *code, const char *message)
{
  out->eligible = false;
  if (out->n < ELIG_MAX_FAILS) out->fail[out->n++] = (__typeof__(out->fail[0])){code, message};
}

static void check_hukou(const struct rules *r, const struct elig_facts *f, struct elig_result *out)
{
  static const char *const not_local[] = {"", "非本省户籍", "非本市（地区）户籍", "非本县（区）户籍"};
  size_t need = scope_digits[r->local_hukou];
  if (!need) return;
  size_t have = f->hukou_region ? strlen(f->hukou_region) : 0;
  if (!f->place_region || strlen(f->place_region) < need)
    return fail(out, "place_unknown", "服务地点的行政区划不明，无法核对户籍要求");
  size_t cmp = have < need ? have : need;
  if (cmp && strncmp(f->hukou_region, f->place_region, cmp) != 0)
    return fail(out, "not_local_hukou", not_local[r->local_hukou]);
  if (have < need) fail(out, "hukou_unknown", "户籍地未登记或登记不够详细，无法核对本地户籍要求");
}

/* True when the assessment of `assessed_ms` is more than `months` calendar months before now. */
static bool older_than_months(int64_t assessed_ms, int64_t now_ms, int months)
{
  struct jk_date d = date_from_ms(assessed_ms);
  int m0 = d.m - 1 + months;
  d.y += m0 / 12;
  d.m = m0 % 12 + 1;
  while (d.d > 28 && !date_valid(d.y, d.m, d.d)) d.d--;
  return date_to_days(date_from_ms(now_ms)) > date_to_days(d);
}

void elig_check(const struct rules *r, const struct elig_facts *f, struct elig_result *out)
{
  *out = (struct elig_result){.eligible = true};
  check_hukou(r, f, out);
  if (r->age_min || r->age_max) {
    if (f->age < 0) fail(out, "age_unknown", "出生日期不明，无法核对年龄要求");
    else if (f->age < r->age_min || f->age > r->age_max) fail(out, "age_out_of_range", "年龄不在规定范围内");
  }
  if (r->require_condition) {
    bool cert = (f->disability_category == 6 || f->disability_category == 7) && f->disability_grade >= r->grade_min &&
                f->disability_grade <= r->grade_max;
    if (!cert && !(r->severe_qualifies && f->severe))
      fail(out, "no_qualifying_condition",
           r->severe_qualifies ? "无规定等级的精神（多重）残疾证，也不属于六类严重精神障碍"
                               : "无规定等级的精神（多重）残疾证");
  }
  if (f->risk_level < 0) return fail(out, "risk_not_assessed", "尚无危险性评估，请先评估");
  if (f->risk_level > r->max_risk_level) fail(out, "risk_too_high", "危险性评估等级高于规定上限");
  if (r->risk_window_months && older_than_months(f->risk_assessed_ms, f->now_ms, r->risk_window_months))
    fail(out, "risk_assessment_outdated", "危险性评估已超过有效期，请重新评估");
}
