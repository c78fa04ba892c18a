/* eligibility.c: see eligibility.h. Each rule is checked on its own, so the answer names
 * every reason a person does not qualify, not just the first. Unknown facts fail the rule
 * that needs them (an unknown 户籍 when local 户籍 is required; no risk assessment), so the
 * referral worker knows what to obtain rather than being told "eligible" by default. */
#include "domain/eligibility.h"
#include <jansson.h>
#include <string.h>

void rules_default(struct rules *out)
{
  *out = (struct rules){.local_hukou = HUKOU_COUNTY, .age_min = 18, .age_max = 60, .grade_min = 3, .grade_max = 4,
                        .severe_qualifies = true, .require_condition = true, .max_risk_level = 2,
                        .risk_window_months = 6, .followup_days = 30, .waitlist_months = 3};
}

static const char *const scopes[] = {"any", "province", "prefecture", "county"};

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

jk_status rules_parse(const char *text, struct rules *out, struct jk_err *e)
{
  static const char *const keys[] = {"local_hukou", "age_min", "age_max", "grade_min", "grade_max", "severe_qualifies",
                                     "require_condition", "max_risk_level", "risk_window_months", "followup_days",
                                     "waitlist_months", 0};
  struct rules r;
  rules_default(&r);
  json_error_t je;
  json_t *o = text ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : 0;
  jk_status st = JK_OK;
  if (!json_is_object(o)) st = bad(e, 0, "规则应为一个JSON对象");
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    bool known = false;
    for (int i = 0; keys[i] && !known; i++) known = strcmp(k, keys[i]) == 0;
    if (!known && st == JK_OK) st = bad(e, "rules", "规则中有不认识的项目（可用的项目见接口文档）");
  }
  json_t *scope = json_object_get(o, "local_hukou");
  if (st == JK_OK && scope) {
    int found = -1;
    for (int i = 0; i < 4; i++)
      if (json_is_string(scope) && strcmp(json_string_value(scope), scopes[i]) == 0) found = i;
    if (found < 0) st = bad(e, "local_hukou", "户籍要求应为 county、prefecture、province 或 any");
    else r.local_hukou = (enum hukou_scope)found;
  }
  if (st == JK_OK && (!int_in(o, "age_min", 0, 120, &r.age_min) || !int_in(o, "age_max", 0, 120, &r.age_max) ||
                      r.age_min > r.age_max))
    st = bad(e, "age_min", "年龄范围应为0–120且下限不大于上限");
  if (st == JK_OK && (!int_in(o, "grade_min", 1, 4, &r.grade_min) || !int_in(o, "grade_max", 1, 4, &r.grade_max) ||
                      r.grade_min > r.grade_max))
    st = bad(e, "grade_min", "残疾等级范围应为1–4且下限不大于上限");
  if (st == JK_OK && !bool_of(o, "severe_qualifies", &r.severe_qualifies)) st = bad(e, "severe_qualifies", "应为 true 或 false");
  if (st == JK_OK && !bool_of(o, "require_condition", &r.require_condition)) st = bad(e, "require_condition", "应为 true 或 false");
  if (st == JK_OK && !int_in(o, "max_risk_level", 0, 5, &r.max_risk_level)) st = bad(e, "max_risk_level", "危险性等级上限应为0–5");
  if (st == JK_OK && !int_in(o, "risk_window_months", 0, 60, &r.risk_window_months))
    st = bad(e, "risk_window_months", "评估有效期应为0–60个月");
  if (st == JK_OK && !int_in(o, "followup_days", 1, 365, &r.followup_days)) st = bad(e, "followup_days", "回访天数应为1–365");
  if (st == JK_OK && !int_in(o, "waitlist_months", 1, 24, &r.waitlist_months)) st = bad(e, "waitlist_months", "等候期限应为1–24个月");
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
  char *s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return s;
}

static void fail(struct elig_result *out, const char *code, const char *message)
{
  out->eligible = false;
  if (out->n < ELIG_MAX_FAILS) out->fail[out->n++] = (__typeof__(out->fail[0])){code, message};
}

void elig_check(const struct rules *r, const struct elig_facts *f, struct elig_result *out)
{
  static const size_t prefix[] = {0, 2, 4, 6};
  *out = (struct elig_result){.eligible = true};
  if (r->local_hukou != HUKOU_ANY) {
    size_t n = prefix[r->local_hukou];
    if (!f->hukou_region) fail(out, "hukou_unknown", "户籍地未登记，无法核对本地户籍要求");
    else if (!f->place_region || strlen(f->hukou_region) < n || strlen(f->place_region) < n ||
             strncmp(f->hukou_region, f->place_region, n) != 0)
      fail(out, "not_local_hukou", "非本地户籍");
  }
  if ((r->age_min || r->age_max) && (f->age < r->age_min || f->age > r->age_max))
    fail(out, "age_out_of_range", "年龄不在规定范围内");
  if (r->require_condition) {
    bool cert = (f->disability_category == 6 || f->disability_category == 7) && f->disability_grade >= r->grade_min &&
                f->disability_grade <= r->grade_max;
    if (!cert && !(r->severe_qualifies && f->severe))
      fail(out, "no_qualifying_condition", "无符合等级的精神残疾证，也不属于六类严重精神障碍");
  }
  if (f->risk_level < 0) {
    fail(out, "risk_not_assessed", "尚无危险性评估");
  } else {
    if (f->risk_level > r->max_risk_level) fail(out, "risk_too_high", "危险性评估等级高于规定上限");
    if (r->risk_window_months && f->now_ms - f->risk_assessed_ms > (int64_t)r->risk_window_months * 31 * 86400000LL)
      fail(out, "risk_assessment_outdated", "危险性评估已超过有效期");
  }
}
