/* Unit tests of working-day arithmetic on the official calendar (domain/workday.c), with the
 * 2026 Spring Festival and its 调休 Saturdays and National Day 2025, and of the eligibility
 * rules (domain/eligibility.c) against the default rule set of seed 001. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/clock.h"
#include "domain/eligibility.h"
#include "domain/workday.h"

static int64_t day(const char *s)
{
  struct jk_date d;
  assert_true(date_parse(s, &d));
  return date_to_days(d);
}

/* chinese-days 2026 Spring Festival: off 2026-02-15..23, working Saturdays 02-14 and 02-28;
 * National Day 2025: off 10-01..08, working Sundays 09-28 and 10-11. */
static struct workcal *official(void)
{
  struct workday_exception ex[32];
  int n = 0;
  for (int d = 15; d <= 23; d++) ex[n++] = (struct workday_exception){day("2026-02-01") + d - 1, true};
  ex[n++] = (struct workday_exception){day("2026-02-14"), false};
  ex[n++] = (struct workday_exception){day("2026-02-28"), false};
  for (int d = 1; d <= 8; d++) ex[n++] = (struct workday_exception){day("2025-10-01") + d - 1, true};
  ex[n++] = (struct workday_exception){day("2025-09-28"), false};
  ex[n++] = (struct workday_exception){day("2025-10-11"), false};
  int years[] = {2025, 2026};
  return workcal_new(ex, n, years, 2);
}

static void test_five_working_days_across_the_spring_festival(void **s)
{
  struct workcal *c = official();
  /* Thu 12 Feb → Fri 13, Sat 14 (调休), then the holiday to the 23rd, Tue 24, Wed 25, Thu 26 */
  assert_int_equal(workcal_add(c, day("2026-02-12"), 5), day("2026-02-26"));
  assert_true(workcal_is_workday(c, day("2026-02-14")));
  assert_false(workcal_is_workday(c, day("2026-02-16")));   /* a Monday in the holiday */
  assert_int_equal(workcal_count(c, day("2026-02-12"), day("2026-02-26")), 5);
  workcal_free(c);
}

static void test_national_day_and_its_working_sundays(void **s)
{
  struct workcal *c = official();
  /* Fri 26 Sep 2025 → Sun 28 (调休), Mon 29, Tue 30, (1–8 off), Thu 9, Fri 10 */
  assert_int_equal(workcal_add(c, day("2025-09-26"), 5), day("2025-10-10"));
  assert_int_equal(workcal_add(c, day("2025-10-10"), 1), day("2025-10-11"));   /* Saturday, a working day */
  workcal_free(c);
}

static void test_plain_weeks_and_edges(void **s)
{
  struct workcal *c = official();
  assert_int_equal(workcal_add(c, day("2026-11-20"), 5), day("2026-11-27"));  /* Fri → next Fri */
  assert_int_equal(workcal_add(c, day("2026-11-21"), 1), day("2026-11-23"));  /* Sat → Mon */
  assert_int_equal(workcal_add(c, day("2026-11-23"), 0), day("2026-11-23"));
  assert_int_equal(workcal_add(c, day("2027-12-30"), 2), day("2028-01-03"));  /* a year not loaded: weekends only */
  assert_true(workcal_has_year(c, 2026));
  assert_false(workcal_has_year(c, 2027));
  assert_int_equal(workcal_count(c, day("2026-11-27"), day("2026-11-20")), 0);
  workcal_free(c);
  assert_int_equal(workcal_add(0, day("2026-11-20"), 1), day("2026-11-23"));  /* no calendar at all */
}

static struct elig_facts person(void)
{
  return (struct elig_facts){.age = 35, .hukou_region = "510421101001", .place_region = "510421",
                             .disability_category = 6, .disability_grade = 3, .severe = false, .risk_level = 1,
                             .risk_assessed_ms = 1000LL * 86400000LL, .now_ms = 1030LL * 86400000LL};
}

static bool fails(const struct elig_result *r, const char *code)
{
  for (int i = 0; i < r->n; i++)
    if (strcmp(r->fail[i].code, code) == 0) return true;
  return false;
}

static void test_default_rules_pass_and_fail_each_rule(void **s)
{
  struct rules r;
  rules_default(&r);
  struct elig_result out;
  struct elig_facts f = person();
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
  f.age = 17; elig_check(&r, &f, &out); assert_true(fails(&out, "age_out_of_range"));
  f.age = 18; elig_check(&r, &f, &out); assert_true(out.eligible);
  f.age = 61; elig_check(&r, &f, &out); assert_true(fails(&out, "age_out_of_range"));
  f = person(); f.hukou_region = "510422"; elig_check(&r, &f, &out); assert_true(fails(&out, "not_local_hukou"));
  f = person(); f.hukou_region = 0; elig_check(&r, &f, &out); assert_true(fails(&out, "hukou_unknown"));
  f = person(); f.disability_grade = 2; elig_check(&r, &f, &out); assert_true(fails(&out, "no_qualifying_condition"));
  f.severe = true; elig_check(&r, &f, &out); assert_true(out.eligible);   /* a severe disorder qualifies instead */
  f = person(); f.risk_level = 3; elig_check(&r, &f, &out); assert_true(fails(&out, "risk_too_high"));
  f = person(); f.now_ms = f.risk_assessed_ms + 200LL * 86400000LL; elig_check(&r, &f, &out);
  assert_true(fails(&out, "risk_assessment_outdated"));
  f = person(); f.risk_level = -1; elig_check(&r, &f, &out); assert_true(fails(&out, "risk_not_assessed"));
  f = person(); f.age = 70; f.hukou_region = "51"; f.risk_level = 4; elig_check(&r, &f, &out);
  assert_int_equal(out.n, 3);   /* every reason, not only the first */
}

static void test_rules_parse_and_round_trip(void **s)
{
  struct rules r, back;
  struct jk_err e = {0};
  assert_int_equal(rules_parse("{\"local_hukou\":\"prefecture\",\"age_max\":65,\"waitlist_months\":2}", &r, &e), JK_OK);
  assert_int_equal(r.local_hukou, HUKOU_PREFECTURE);
  assert_int_equal(r.age_max, 65);
  assert_int_equal(r.age_min, 18);   /* missing keys keep the default */
  char *text = rules_to_json(&r);
  assert_int_equal(rules_parse(text, &back, &e), JK_OK);
  free(text);
  /* Field by field: the struct has padding after the two bools, which no assignment defines
   * (memcmp over it read uninitialised bytes under valgrind). */
  assert_int_equal(back.local_hukou, r.local_hukou);
  assert_int_equal(back.age_min, r.age_min);
  assert_int_equal(back.age_max, r.age_max);
  assert_int_equal(back.grade_min, r.grade_min);
  assert_int_equal(back.grade_max, r.grade_max);
  assert_int_equal(back.severe_qualifies, r.severe_qualifies);
  assert_int_equal(back.require_condition, r.require_condition);
  assert_int_equal(back.max_risk_level, r.max_risk_level);
  assert_int_equal(back.risk_window_months, r.risk_window_months);
  assert_int_equal(back.followup_days, r.followup_days);
  assert_int_equal(back.waitlist_months, r.waitlist_months);
  assert_int_equal(rules_parse("{\"age_min\":70,\"age_max\":60}", &r, &e), JK_EINVAL);
  assert_int_equal(rules_parse("{\"colour\":1}", &r, &e), JK_EINVAL);
  assert_string_equal(e.field, "rules");   /* a static name: the key itself dies with the parsed JSON */
  assert_int_equal(rules_parse("{\"local_hukou\":\"planet\"}", &r, &e), JK_EINVAL);
  assert_int_equal(rules_parse("[1]", &r, &e), JK_EINVAL);
  assert_int_equal(rules_parse("{\"max_risk_level\":6}", &r, &e), JK_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_five_working_days_across_the_spring_festival),
    cmocka_unit_test(test_national_day_and_its_working_sundays),
    cmocka_unit_test(test_plain_weeks_and_edges),
    cmocka_unit_test(test_default_rules_pass_and_fail_each_rule),
    cmocka_unit_test(test_rules_parse_and_round_trip),
  };
  return cmocka_run_group_tests_name("workday_rules", tests, 0, 0);
}
