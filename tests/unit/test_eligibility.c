/* test_eligibility.c: the referral rule set as data (seed 001 part 3) — the default rule against
 * people who pass and fail each of its parts, what unknown facts mean, and the rule set's JSON:
 * parse errors, and a round trip to_json → parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "domain/eligibility.h"

#define COUNTY "510421"               /* 米易县 */
#define VILLAGE "510421101001"        /* a village in it */
#define OTHER_COUNTY "510422"         /* 盐边县, same prefecture */
#define OTHER_PROVINCE "440303"

/* Shanghai noon of a date, as epoch milliseconds. */
static int64_t at(int y, int m, int d)
{
  return date_to_days((struct jk_date){y, m, d}) * 86400000LL + 4 * 3600000LL;
}

/* Someone who meets every part of the default rule: 35, local to the county, certificate
 * category 6 grade 3, risk 1 assessed a month ago. */
static struct elig_facts eligible_person(void)
{
  return (struct elig_facts){.age = 35, .hukou_region = VILLAGE, .place_region = COUNTY, .disability_category = 6,
                             .disability_grade = 3, .severe = false, .risk_level = 1,
                             .risk_assessed_ms = at(2026, 2, 15), .now_ms = at(2026, 3, 15)};
}

static struct elig_result check_default(const struct elig_facts *f)
{
  struct rules r;
  rules_default(&r);
  struct elig_result out;
  elig_check(&r, f, &out);
  return out;
}

static void assert_eligible(const struct elig_facts *f)
{
  struct elig_result out = check_default(f);
  assert_true(out.eligible);
  assert_int_equal(out.n, 0);
}

/* Fails with exactly one reason, `code`, and a Chinese message. */
static void assert_fails_only(const struct elig_facts *f, const char *code)
{
  struct elig_result out = check_default(f);
  assert_false(out.eligible);
  assert_int_equal(out.n, 1);
  assert_string_equal(out.fail[0].code, code);
  assert_true(out.fail[0].message && (unsigned char)out.fail[0].message[0] >= 0x80);
}

static void test_default_is_the_pilot_rule(void **state)
{
  struct rules r;
  rules_default(&r);
  assert_int_equal(r.local_hukou, HUKOU_COUNTY);
  assert_int_equal(r.age_min, 18);
  assert_int_equal(r.age_max, 60);
  assert_int_equal(r.grade_min, 3);
  assert_int_equal(r.grade_max, 4);
  assert_true(r.severe_qualifies);
  assert_true(r.require_condition);
  assert_int_equal(r.max_risk_level, 2);
  assert_int_equal(r.risk_window_months, 6);
  assert_int_equal(r.followup_days, 30);
  assert_int_equal(r.waitlist_months, 3);
}

static void test_person_meeting_every_rule_is_eligible(void **state)
{
  struct elig_facts f = eligible_person();
  assert_eligible(&f);
}

static void test_age_18_and_60_qualify_17_and_61_do_not(void **state)
{
  struct elig_facts f = eligible_person();
  f.age = 18;
  assert_eligible(&f);
  f.age = 60;
  assert_eligible(&f);
  f.age = 17;
  assert_fails_only(&f, "age_out_of_range");
  f.age = 61;
  assert_fails_only(&f, "age_out_of_range");
}

static void test_unknown_age_fails_when_a_range_applies(void **state)
{
  struct elig_facts f = eligible_person();
  f.age = -1;
  assert_fails_only(&f, "age_unknown");
  struct rules r;
  rules_default(&r);
  r.age_min = r.age_max = 0;   /* no limit */
  struct elig_result out;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
}

static void test_hukou_in_another_county_is_not_local(void **state)
{
  struct elig_facts f = eligible_person();
  f.hukou_region = OTHER_COUNTY "101";
  assert_fails_only(&f, "not_local_hukou");
  f.hukou_region = OTHER_PROVINCE;
  assert_fails_only(&f, "not_local_hukou");
}

static void test_hukou_in_the_same_county_at_any_depth_is_local(void **state)
{
  struct elig_facts f = eligible_person();
  f.hukou_region = COUNTY;
  assert_eligible(&f);
  f.place_region = VILLAGE;   /* an institution registered at village level */
  f.hukou_region = COUNTY "102";
  assert_eligible(&f);
}

static void test_wider_hukou_scopes(void **state)
{
  struct rules r;
  rules_default(&r);
  struct elig_facts f = eligible_person();
  f.hukou_region = OTHER_COUNTY;
  struct elig_result out;
  r.local_hukou = HUKOU_PREFECTURE;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
  f.hukou_region = "5101";
  elig_check(&r, &f, &out);
  assert_false(out.eligible);
  assert_string_equal(out.fail[0].code, "not_local_hukou");
  r.local_hukou = HUKOU_PROVINCE;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
  f.hukou_region = OTHER_PROVINCE;
  r.local_hukou = HUKOU_ANY;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
}

static void test_unknown_hukou_fails_only_when_local_hukou_is_required(void **state)
{
  struct elig_facts f = eligible_person();
  f.hukou_region = 0;
  assert_fails_only(&f, "hukou_unknown");
  f.hukou_region = "51";   /* same province, county not known */
  assert_fails_only(&f, "hukou_unknown");
  f.hukou_region = "44";   /* already another province */
  assert_fails_only(&f, "not_local_hukou");
  struct rules r;
  rules_default(&r);
  r.local_hukou = HUKOU_ANY;
  f.hukou_region = 0;
  struct elig_result out;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
}

static void test_grade_2_does_not_qualify_grade_3_and_4_do(void **state)
{
  struct elig_facts f = eligible_person();
  f.disability_grade = 4;
  assert_eligible(&f);
  f.disability_category = 7;   /* 多重残疾 counts too */
  f.disability_grade = 3;
  assert_eligible(&f);
  f.disability_category = 6;
  f.disability_grade = 2;
  assert_fails_only(&f, "no_qualifying_condition");
}

static void test_other_disability_categories_do_not_qualify(void **state)
{
  struct elig_facts f = eligible_person();
  f.disability_category = 4;   /* 肢体 */
  assert_fails_only(&f, "no_qualifying_condition");
}

static void test_severe_disorder_without_certificate_qualifies(void **state)
{
  struct elig_facts f = eligible_person();
  f.disability_category = f.disability_grade = 0;
  f.severe = true;
  assert_eligible(&f);
  f.severe = false;
  assert_fails_only(&f, "no_qualifying_condition");
}

static void test_severe_does_not_qualify_when_the_region_says_so(void **state)
{
  struct rules r;
  rules_default(&r);
  r.severe_qualifies = false;
  struct elig_facts f = eligible_person();
  f.disability_category = f.disability_grade = 0;
  f.severe = true;
  struct elig_result out;
  elig_check(&r, &f, &out);
  assert_false(out.eligible);
  assert_string_equal(out.fail[0].code, "no_qualifying_condition");
  r.require_condition = false;
  elig_check(&r, &f, &out);
  assert_true(out.eligible);
}

static void test_risk_3_is_too_high(void **state)
{
  struct elig_facts f = eligible_person();
  f.risk_level = 2;
  assert_eligible(&f);
  f.risk_level = 3;
  assert_fails_only(&f, "risk_too_high");
}

static void test_risk_assessed_7_months_ago_is_outdated(void **state)
{
  struct elig_facts f = eligible_person();
  f.risk_assessed_ms = at(2025, 8, 15);
  assert_fails_only(&f, "risk_assessment_outdated");
}

static void test_risk_window_counts_calendar_months(void **state)
{
  struct elig_facts f = eligible_person();
  f.risk_assessed_ms = at(2025, 9, 15);    /* exactly 6 months before 15 March */
  assert_eligible(&f);
  f.risk_assessed_ms = at(2025, 9, 14);
  assert_fails_only(&f, "risk_assessment_outdated");
  f.risk_assessed_ms = at(2025, 8, 31);    /* + 6 months = 28 February 2026 */
  f.now_ms = at(2026, 2, 28);
  assert_eligible(&f);
  f.now_ms = at(2026, 3, 1);
  assert_fails_only(&f, "risk_assessment_outdated");
}

static void test_unknown_risk_is_a_failure_to_obtain(void **state)
{
  struct elig_facts f = eligible_person();
  f.risk_level = -1;
  f.risk_assessed_ms = 0;
  assert_fails_only(&f, "risk_not_assessed");
}

static void test_every_failure_is_named(void **state)
{
  struct elig_facts f = {.age = 70, .hukou_region = OTHER_PROVINCE, .place_region = COUNTY, .risk_level = 4,
                         .risk_assessed_ms = at(2024, 1, 1), .now_ms = at(2026, 3, 15)};
  struct elig_result out = check_default(&f);
  assert_false(out.eligible);
  assert_int_equal(out.n, 5);
  assert_string_equal(out.fail[0].code, "not_local_hukou");
  assert_string_equal(out.fail[1].code, "age_out_of_range");
  assert_string_equal(out.fail[2].code, "no_qualifying_condition");
  assert_string_equal(out.fail[3].code, "risk_too_high");
  assert_string_equal(out.fail[4].code, "risk_assessment_outdated");
}

/* Field by field: struct padding need not compare equal. */
static void assert_rules_equal(const struct rules *a, const struct rules *b)
{
  assert_int_equal(a->local_hukou, b->local_hukou);
  assert_int_equal(a->age_min, b->age_min);
  assert_int_equal(a->age_max, b->age_max);
  assert_int_equal(a->grade_min, b->grade_min);
  assert_int_equal(a->grade_max, b->grade_max);
  assert_int_equal(a->severe_qualifies, b->severe_qualifies);
  assert_int_equal(a->require_condition, b->require_condition);
  assert_int_equal(a->max_risk_level, b->max_risk_level);
  assert_int_equal(a->risk_window_months, b->risk_window_months);
  assert_int_equal(a->followup_days, b->followup_days);
  assert_int_equal(a->waitlist_months, b->waitlist_months);
}

/* Parse: refused with invalid_rules, the field named, *out untouched. */
static void assert_parse_refused(const char *json, const char *field)
{
  struct rules r;
  memset(&r, 0x5A, sizeof r);
  struct rules before = r;
  struct jk_err e = {0};
  assert_int_equal(rules_parse(json, &r, &e), JK_EINVAL);
  assert_string_equal(e.code, "invalid_rules");
  assert_string_equal(e.field, field);
  assert_true(e.message && (unsigned char)e.message[0] >= 0x80);
  assert_memory_equal(&r, &before, sizeof r);
}

static void test_parse_errors(void **state)
{
  assert_parse_refused("not json", "rules");
  assert_parse_refused("[1,2]", "rules");
  assert_parse_refused(0, "rules");
  assert_parse_refused("{\"age_minimum\":18}", "rules");
  assert_parse_refused("{\"age_min\":18,\"age_min\":20}", "rules");
  assert_parse_refused("{\"local_hukou\":\"town\"}", "local_hukou");
  assert_parse_refused("{\"local_hukou\":3}", "local_hukou");
  assert_parse_refused("{\"age_min\":-1}", "age_min");
  assert_parse_refused("{\"age_max\":121}", "age_max");
  assert_parse_refused("{\"age_max\":\"60\"}", "age_max");
  assert_parse_refused("{\"age_min\":61}", "age_min");          /* above the default age_max 60 */
  assert_parse_refused("{\"age_min\":40,\"age_max\":30}", "age_min");
  assert_parse_refused("{\"grade_min\":0}", "grade_min");
  assert_parse_refused("{\"grade_max\":5}", "grade_max");
  assert_parse_refused("{\"grade_min\":4,\"grade_max\":2}", "grade_min");
  assert_parse_refused("{\"severe_qualifies\":1}", "severe_qualifies");
  assert_parse_refused("{\"require_condition\":\"yes\"}", "require_condition");
  assert_parse_refused("{\"max_risk_level\":6}", "max_risk_level");
  assert_parse_refused("{\"max_risk_level\":1.5}", "max_risk_level");
  assert_parse_refused("{\"risk_window_months\":61}", "risk_window_months");
  assert_parse_refused("{\"followup_days\":0}", "followup_days");
  assert_parse_refused("{\"waitlist_months\":25}", "waitlist_months");
  assert_parse_refused("{\"waitlist_months\":null}", "waitlist_months");
}

static void test_missing_keys_keep_the_default(void **state)
{
  struct rules r, d;
  rules_default(&d);
  struct jk_err e = {0};
  assert_int_equal(rules_parse("{}", &r, &e), JK_OK);
  assert_rules_equal(&r, &d);
  assert_int_equal(rules_parse("{\"age_max\":65,\"local_hukou\":\"prefecture\"}", &r, &e), JK_OK);
  assert_int_equal(r.age_max, 65);
  assert_int_equal(r.local_hukou, HUKOU_PREFECTURE);
  assert_int_equal(r.age_min, 18);
  assert_int_equal(r.waitlist_months, 3);
}

static void test_round_trip_to_json_and_back(void **state)
{
  struct rules r = {.local_hukou = HUKOU_PROVINCE, .age_min = 16, .age_max = 70, .grade_min = 1, .grade_max = 4,
                    .severe_qualifies = false, .require_condition = false, .max_risk_level = 3,
                    .risk_window_months = 0, .followup_days = 60, .waitlist_months = 6};
  char *text = rules_to_json(&r);
  assert_non_null(text);
  assert_non_null(strstr(text, "\"local_hukou\":\"province\""));
  struct rules back;
  struct jk_err e = {0};
  assert_int_equal(rules_parse(text, &back, &e), JK_OK);
  assert_rules_equal(&back, &r);
  free(text);
  rules_default(&r);
  text = rules_to_json(&r);
  assert_int_equal(rules_parse(text, &back, &e), JK_OK);
  assert_rules_equal(&back, &r);
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_default_is_the_pilot_rule),
    cmocka_unit_test(test_person_meeting_every_rule_is_eligible),
    cmocka_unit_test(test_age_18_and_60_qualify_17_and_61_do_not),
    cmocka_unit_test(test_unknown_age_fails_when_a_range_applies),
    cmocka_unit_test(test_hukou_in_another_county_is_not_local),
    cmocka_unit_test(test_hukou_in_the_same_county_at_any_depth_is_local),
    cmocka_unit_test(test_wider_hukou_scopes),
    cmocka_unit_test(test_unknown_hukou_fails_only_when_local_hukou_is_required),
    cmocka_unit_test(test_grade_2_does_not_qualify_grade_3_and_4_do),
    cmocka_unit_test(test_other_disability_categories_do_not_qualify),
    cmocka_unit_test(test_severe_disorder_without_certificate_qualifies),
    cmocka_unit_test(test_severe_does_not_qualify_when_the_region_says_so),
    cmocka_unit_test(test_risk_3_is_too_high),
    cmocka_unit_test(test_risk_assessed_7_months_ago_is_outdated),
    cmocka_unit_test(test_risk_window_counts_calendar_months),
    cmocka_unit_test(test_unknown_risk_is_a_failure_to_obtain),
    cmocka_unit_test(test_every_failure_is_named),
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_missing_keys_keep_the_default),
    cmocka_unit_test(test_round_trip_to_json_and_back),
  };
  return cmocka_run_group_tests(tests, 0, 0);
}
