/* test_indicator.c: the indicator rules of domain/indicator.c — periods, the 规范服务 definition
 * month by month, over a period, with a province's own definition, and the contributions that
 * the aggregates add up (they must describe the same client as the direct tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "base/clock.h"
#include "domain/indicator.h"

static int64_t day(int y, int m, int d) { return date_to_days((struct jk_date){y, m, d}); }
#define M(y, m) ind_month(y, m)

/* A client registered 2025-01-10 with consent and agreement from 2025-01-20, a periodic assessment
 * 2025-01-25 and a plan 2025-01-25..2025-12-31; services on the 15th of the given months. */
struct fixture {
  int64_t services[24];
  int64_t assessments[2];
  struct day_span plans[1], agreements[1];
  struct client_inputs in;
};

static void fixture(struct fixture *x, const int *months, int n)
{
  memset(x, 0, sizeof *x);
  for (int i = 0; i < n; i++) x->services[i] = day(2025, months[i], 15);
  x->assessments[0] = day(2025, 1, 25);
  x->plans[0] = (struct day_span){day(2025, 1, 25), day(2025, 12, 31)};
  x->agreements[0] = (struct day_span){day(2025, 1, 20), INT64_MAX};
  x->in = (struct client_inputs){.reg_day = day(2025, 1, 10), .exit_day = -1, .service_days = x->services,
                                 .n_services = (size_t)n, .assessment_days = x->assessments, .n_assessments = 1,
                                 .plans = x->plans, .n_plans = 1, .agreements = x->agreements, .n_agreements = 1};
}

static const int ALL_YEAR[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static void test_periods_month_quarter_ytd_year_and_ranges(void **state)
{
  struct period p;
  char key[10];
  assert_true(period_standard(M(2025, 3), M(2025, 3), &p));
  period_key(&p, key);
  assert_string_equal(key, "M2025-03");
  assert_true(period_standard(M(2025, 4), M(2025, 6), &p));
  period_key(&p, key);
  assert_string_equal(key, "Q2025-2");
  assert_true(period_standard(M(2025, 1), M(2025, 10), &p));
  period_key(&p, key);
  assert_string_equal(key, "T2025-10");
  assert_true(period_standard(M(2025, 1), M(2025, 12), &p));
  period_key(&p, key);
  assert_string_equal(key, "Y2025");
  assert_false(period_standard(M(2025, 2), M(2025, 4), &p));   /* not a quarter: answered from the facts */
  assert_false(period_standard(M(2025, 6), M(2026, 5), &p));
  assert_false(period_standard(M(2025, 6), M(2025, 5), &p));
}

static void test_standardized_every_month_after_registration(void **state)
{
  struct fixture x;
  fixture(&x, ALL_YEAR, 12);
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  assert_false(client_standardized(&f, M(2025, 1), M(2025, 1)));   /* the month of registration never counts */
  for (int m = 2; m <= 12; m++) assert_true(client_standardized(&f, M(2025, m), M(2025, m)));
  assert_true(client_standardized(&f, M(2025, 1), M(2025, 12)));
  assert_true(client_on_register(&f, M(2025, 1), M(2025, 1)));
  assert_false(client_on_register(&f, M(2024, 1), M(2024, 12)));
  assert_true(client_on_register(&f, M(2030, 1), M(2030, 1)));     /* still registered: every later period */
  assert_false(client_standardized(&f, M(2026, 1), M(2026, 1)));   /* no service in 2026 */
}

static void test_one_missed_month_breaks_the_quarter_and_the_year_only(void **state)
{
  static const int months[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12};   /* none in June */
  struct fixture x;
  fixture(&x, months, 11);
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 1), M(2025, 3)));
  assert_false(client_standardized(&f, M(2025, 4), M(2025, 6)));
  assert_true(client_standardized(&f, M(2025, 7), M(2025, 9)));
  assert_false(client_standardized(&f, M(2025, 1), M(2025, 12)));
  assert_true(client_served(&f, M(2025, 4), M(2025, 6)));
  assert_false(client_served(&f, M(2025, 6), M(2025, 6)));
}

static void test_each_requirement_of_the_default_definition(void **state)
{
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  struct fixture x;
  fixture(&x, ALL_YEAR, 12);
  x.in.n_plans = 0;                                                /* no plan */
  client_facts_compute(&x.in, &d, &f);
  assert_false(client_standardized(&f, M(2025, 3), M(2025, 3)));
  fixture(&x, ALL_YEAR, 12);
  x.in.n_agreements = 0;                                           /* no agreement */
  client_facts_compute(&x.in, &d, &f);
  assert_false(client_standardized(&f, M(2025, 3), M(2025, 3)));
  fixture(&x, ALL_YEAR, 12);
  x.agreements[0].to = day(2025, 5, 31);                           /* the referral closed in May */
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 5), M(2025, 5)));
  assert_false(client_standardized(&f, M(2025, 6), M(2025, 6)));
  fixture(&x, ALL_YEAR, 12);
  x.assessments[0] = day(2024, 3, 1);                              /* assessment more than 12 months back by 2025-03 */
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 2), M(2025, 2)));
  assert_false(client_standardized(&f, M(2025, 3), M(2025, 3)));
  fixture(&x, ALL_YEAR, 12);
  x.plans[0].to = day(2025, 8, 31);                                /* the plan was due for review in August */
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 8), M(2025, 8)));
  assert_false(client_standardized(&f, M(2025, 9), M(2025, 9)));
}

static void test_a_province_may_drop_the_plan_or_ask_for_two_services(void **state)
{
  struct fixture x;
  fixture(&x, ALL_YEAR, 12);
  x.in.n_plans = 0;
  struct std_definition d;
  const char *field, *msg;
  json_t *j = json_loads("{\"require_plan\":false}", 0, 0);
  assert_true(std_definition_parse(j, &d, &field, &msg));
  json_decref(j);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 1), M(2025, 12)));
  j = json_loads("{\"min_services\":2}", 0, 0);
  assert_true(std_definition_parse(j, &d, &field, &msg));
  json_decref(j);
  fixture(&x, ALL_YEAR, 12);
  client_facts_compute(&x.in, &d, &f);
  assert_false(client_standardized(&f, M(2025, 3), M(2025, 3)));  /* one service a month is not two */
  char text[512];
  std_definition_text(&d, text, sizeof text);
  assert_non_null(strstr(text, "不少于 2 次"));
}

static void test_bad_definitions_are_refused_with_the_field(void **state)
{
  static const char *const bad[][2] = {
    {"{\"require_plan\":1}", "require_plan"}, {"{\"assessment_months\":37}", "assessment_months"},
    {"{\"min_services\":0}", "min_services"}, {"{\"colour\":\"red\"}", "colour"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct std_definition d;
    const char *field = 0, *msg = 0;
    json_t *j = json_loads(bad[i][0], 0, 0);
    assert_false(std_definition_parse(j, &d, &field, &msg));
    assert_string_equal(field, bad[i][1]);
    assert_non_null(msg);
    json_decref(j);
  }
  struct std_definition d;
  const char *field, *msg;
  assert_false(std_definition_parse(0, &d, &field, &msg));
}

static void test_leaving_the_register_ends_the_months_that_count(void **state)
{
  static const int months[] = {1, 2, 3, 4, 5, 6};
  struct fixture x;
  fixture(&x, months, 6);
  x.in.exit_day = day(2025, 6, 20);
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_standardized(&f, M(2025, 1), M(2025, 12)));   /* every month it was registered */
  assert_true(client_on_register(&f, M(2025, 4), M(2025, 6)));
  assert_false(client_on_register(&f, M(2025, 7), M(2025, 9)));
}

/* The contributions say what the direct tests say: the standardized periods are exactly those
 * where client_standardized holds, and registration and exit are one flow each. */
static void test_contributions_match_the_facts(void **state)
{
  static const int months[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12};
  struct fixture x;
  fixture(&x, months, 11);
  x.in.severe = true;
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  struct contrib_list l = {0};
  assert_true(client_contributions(&f, &l));
  size_t n = l.n;
  contrib_normalize(&l);
  assert_int_equal(l.n, n);   /* no duplicates to merge */
  int std = 0, severe_std = 0, reg = 0;
  for (size_t i = 0; i < l.n; i++) {
    char key[16];
    contrib_period_key(&l.v[i], key);
    assert_int_equal(l.v[i].value, 1);
    if (l.v[i].metric == IM_REG) reg++, assert_string_equal(key, "M2025-01");
    if (l.v[i].metric == IM_SEVERE_STD) severe_std++;
    if (l.v[i].metric != IM_STD) continue;
    std++;
    assert_true(strcmp(key, "M2025-06") && strcmp(key, "Q2025-2") && strcmp(key, "Y2025"));
  }
  /* months Feb–May, Jul–Dec (10); Q1, Q3, Q4 (3); year to date Feb–May (4) */
  assert_int_equal(std, 17);
  assert_int_equal(severe_std, std);
  assert_int_equal(reg, 1);
  for (size_t i = 1; i < l.n; i++) {   /* normalized: sorted by (metric, kind, month), no duplicates */
    const struct contribution *a = &l.v[i - 1], *b = &l.v[i];
    assert_true(a->metric < b->metric || (a->metric == b->metric && (a->kind < b->kind || (a->kind == b->kind && a->month < b->month))));
  }
  /* where each is kept: client figures down to counties, in service by institution, staff everywhere */
  assert_int_equal(ind_metric_levels(IM_STD).region_level, 3);
  assert_false(ind_metric_levels(IM_STD).by_org);
  assert_int_equal(ind_metric_levels(IM_IN_SERVICE).region_level, -1);
  assert_true(ind_metric_levels(IM_IN_SERVICE).by_org);
  assert_int_equal(ind_metric_levels(IM_STAFF_TR20).region_level, 4);
  assert_string_equal(ind_metric_name(IM_SEVERE_STD), "severe_std");
  for (int m = 1; m < IM_COUNT; m++)   /* the enum is in the stored names' order (the rebuild writes in key order) */
    assert_true(strcmp(ind_metric_name((enum ind_metric)(m - 1)), ind_metric_name((enum ind_metric)m)) < 0);
  contrib_free(&l);
}

/* A severe client registered 2025-01-10: visited in February (on medication) and May (not),
 * psychological support in March. Managed in Q1 (February and March have a visit within three
 * months) and Q2 (April: February; June: May), not in Q3 (August: none since May). The year's
 * last visit found them off medication. The same client registered as not severe: none of it. */
static void test_severe_visits_medication_support_and_satisfaction(void **state)
{
  (void)state;
  static const int services[] = {3};
  struct fixture x;
  fixture(&x, services, 1);
  int64_t psych[] = {day(2025, 3, 15)};
  struct day_flag fus[] = {{day(2025, 2, 10), true}, {day(2025, 5, 10), false}};
  x.in.severe = true;
  x.in.psych_days = psych;
  x.in.n_psych = 1;
  x.in.followups = fus;
  x.in.n_followups = 2;
  struct std_definition d;
  std_definition_default(&d);
  struct client_facts f;
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_managed(&f, M(2025, 1), M(2025, 3)));
  assert_true(client_managed(&f, M(2025, 4), M(2025, 6)));
  assert_false(client_managed(&f, M(2025, 7), M(2025, 9)));
  assert_false(client_managed(&f, M(2025, 1), M(2025, 12)));
  assert_true(client_followed(&f, M(2025, 1), M(2025, 3)));
  assert_true(client_followed(&f, M(2025, 4), M(2025, 6)));
  assert_false(client_followed(&f, M(2025, 7), M(2025, 9)));
  assert_true(client_medicated(&f, M(2025, 1), M(2025, 3)));
  assert_false(client_medicated(&f, M(2025, 1), M(2025, 12)));   /* May's visit is the last */
  assert_true(client_psych(&f, M(2025, 1), M(2025, 3)));
  assert_false(client_psych(&f, M(2025, 4), M(2025, 6)));
  struct contrib_list l = {0};
  assert_true(client_contributions(&f, &l));
  int managed_q = 0, med_y = 0;
  for (size_t i = 0; i < l.n; i++) {
    if (l.v[i].metric == IM_SEVERE_MANAGED && l.v[i].kind == PK_QUARTER) managed_q++;
    if (l.v[i].metric == IM_SEVERE_MED && l.v[i].kind == PK_YEAR) med_y++;
  }
  assert_int_equal(managed_q, 2);
  assert_int_equal(med_y, 0);
  contrib_free(&l);
  /* satisfaction, for everyone: satisfied in April, then not in October (the year's last) */
  struct day_flag surveys[] = {{day(2025, 10, 8), false}, {day(2025, 4, 2), true}};
  x.in.surveys = surveys;
  x.in.n_surveys = 2;
  x.in.severe = false;
  client_facts_compute(&x.in, &d, &f);
  assert_true(client_surveyed(&f, M(2025, 4), M(2025, 6)));
  assert_true(client_satisfied(&f, M(2025, 4), M(2025, 6)));
  assert_true(client_surveyed(&f, M(2025, 1), M(2025, 12)));
  assert_false(client_satisfied(&f, M(2025, 1), M(2025, 12)));
  assert_false(client_surveyed(&f, M(2025, 7), M(2025, 9)));
  assert_false(client_followed(&f, M(2025, 1), M(2025, 3)));
  assert_false(client_psych(&f, M(2025, 1), M(2025, 3)));
  assert_false(client_managed(&f, M(2025, 1), M(2025, 3)));
}

/* The value of one monthly contribution (0 when absent); for ref_wait, of one bucket. */
static int32_t flow_of(const struct contrib_list *l, enum ind_metric m, int month, int bucket)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].metric == m && l->v[i].kind == PK_MONTH && l->v[i].month == month && l->v[i].bucket == bucket)
      return l->v[i].value;
  return 0;
}

/* Submitted Friday 2025-03-07; registered the next Friday (5 working days: on time), dispatched
 * 8 working days later (late), declined and re-referred twice in April, in service on
 * 2025-06-20 (105 days: past 3 months, counted in June when the 3 months ran out), referred out
 * to sheltered employment in November, closed with the follow-up recorded. No calendar: plain
 * weekends. */
static void test_referral_timeliness_waits_and_outcomes(void **state)
{
  (void)state;
  struct referral_event_in ev[] = {
    {day(2025, 3, 14), "register", "registered", 0},   {day(2025, 3, 26), "dispatch", "dispatched", 0},
    {day(2025, 4, 2), "decline", "declined", 0},        {day(2025, 4, 3), "rerefer", "dispatched", 0},
    {day(2025, 4, 20), "rerefer", "dispatched", 0},     {day(2025, 5, 5), "accept", "accepted", 0},
    {day(2025, 6, 20), "start", "in_service", 0},      {day(2025, 11, 3), "refer_out", "closed", "employment_sheltered"},
    {day(2025, 12, 1), "followup", "closed", 0},
  };
  struct referral_inputs in = {day(2025, 3, 7), ev, sizeof ev / sizeof ev[0], 0};
  struct contrib_list l = {0};
  assert_true(referral_contributions(&in, &l));
  assert_int_equal(flow_of(&l, IM_REF_NEW, M(2025, 3), 0), 1);
  assert_int_equal(flow_of(&l, IM_REF_REG, M(2025, 3), 0), 1);
  assert_int_equal(flow_of(&l, IM_REF_REG_OT, M(2025, 3), 0), 1);
  assert_int_equal(flow_of(&l, IM_REF_DISP, M(2025, 3), 0), 1);
  assert_int_equal(flow_of(&l, IM_REF_DISP_OT, M(2025, 3), 0), 0);
  assert_int_equal(flow_of(&l, IM_REF_REREFER, M(2025, 4), 0), 2);
  assert_int_equal(flow_of(&l, IM_REF_WAIT, M(2025, 6), 105), 1);
  assert_int_equal(flow_of(&l, IM_REF_OVER3, M(2025, 6), 0), 1);   /* 2025-06-07 */
  assert_int_equal(flow_of(&l, IM_OUT_EMP_SHELTERED, M(2025, 11), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED, M(2025, 11), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED_FU, M(2025, 11), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_HOME, M(2025, 11), 0), 0);
  /* stored and read back as it was */
  unsigned char blob[512];
  assert_true(contrib_encoded_size(&l) <= sizeof blob);
  contrib_encode(&l, blob);
  struct contrib_list back = {0};
  assert_true(contrib_decode(blob, contrib_encoded_size(&l), &back));
  assert_int_equal(back.n, l.n);
  assert_memory_equal(back.v, l.v, l.n * sizeof *l.v);
  assert_false(contrib_decode(blob, 7, &back));
  blob[0] = IM_COUNT;   /* no such metric */
  assert_false(contrib_decode(blob, 8, &back));
  char key[16];
  struct contribution w = {IM_REF_WAIT, PK_MONTH, 17, (uint16_t)M(2025, 6), 1};
  contrib_period_key(&w, key);
  assert_string_equal(key, "M2025-06/017");
  contrib_free(&back);
  contrib_free(&l);

  /* started within days, a wait that never ran out; a late registration; a withdrawal ends it */
  struct referral_event_in quick[] = {{day(2025, 3, 17), "register", "registered", 0}, {day(2025, 3, 18), "start", "in_service", 0}};
  in = (struct referral_inputs){day(2025, 3, 7), quick, 2, 0};
  assert_true(referral_contributions(&in, &l));
  assert_int_equal(flow_of(&l, IM_REF_REG, M(2025, 3), 0), 1);
  assert_int_equal(flow_of(&l, IM_REF_REG_OT, M(2025, 3), 0), 0);   /* 6 working days */
  assert_int_equal(flow_of(&l, IM_REF_WAIT, M(2025, 3), 11), 1);
  assert_int_equal(flow_of(&l, IM_REF_OVER3, M(2025, 6), 0), 0);
  contrib_free(&l);
  /* in service, transferred, relapsed and back, referred home; another moved away */
  struct referral_event_in life[] = {
    {day(2025, 3, 10), "start", "in_service", 0},      {day(2025, 5, 6), "transfer", "dispatched", 0},
    {day(2025, 5, 20), "start", "in_service", 0},      {day(2025, 7, 1), "relapse", "hospitalized", 0},
    {day(2025, 8, 15), "discharge", "in_service", 0},  {day(2025, 9, 30), "refer_out", "closed", "home"},
  };
  in = (struct referral_inputs){day(2025, 3, 7), life, sizeof life / sizeof life[0], 0};
  assert_true(referral_contributions(&in, &l));
  assert_int_equal(flow_of(&l, IM_OUT_TRANSFER, M(2025, 5), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_RELAPSE, M(2025, 7), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_HOME, M(2025, 9), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED, M(2025, 9), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED_FU, M(2025, 9), 0), 0);   /* no follow-up yet */
  assert_int_equal(flow_of(&l, IM_REF_WAIT, M(2025, 3), 3), 1);         /* the first start only */
  assert_int_equal(flow_of(&l, IM_REF_WAIT, M(2025, 5), 74), 0);
  contrib_free(&l);
  struct referral_event_in away[] = {{day(2025, 3, 10), "start", "in_service", 0}, {day(2025, 4, 2), "move", "moved", 0}};
  in = (struct referral_inputs){day(2025, 3, 7), away, 2, 0};
  assert_true(referral_contributions(&in, &l));
  assert_int_equal(flow_of(&l, IM_OUT_MOVED, M(2025, 4), 0), 1);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED, M(2025, 4), 0), 0);
  contrib_free(&l);
  struct referral_event_in gone[] = {{day(2025, 4, 1), "withdraw", "withdrawn", 0}};
  in = (struct referral_inputs){day(2025, 3, 7), gone, 1, 0};
  assert_true(referral_contributions(&in, &l));
  assert_int_equal(flow_of(&l, IM_REF_OVER3, M(2025, 6), 0), 0);
  assert_int_equal(flow_of(&l, IM_OUT_CLOSED, M(2025, 4), 0), 0);
  contrib_free(&l);
}

static void test_targets_by_year(void **state)
{
  const struct indicator_def *cov = indicator_find("county_coverage"), *std = indicator_find("standardized_service_rate");
  assert_non_null(cov);
  assert_int_equal(indicator_target(cov, 2022), -1);
  assert_int_equal(indicator_target(cov, 2023), 50);
  assert_int_equal(indicator_target(cov, 2024), 65);
  assert_int_equal(indicator_target(cov, 2025), 80);
  assert_int_equal(indicator_target(cov, 2027), 80);
  assert_int_equal(indicator_target(std, 2024), 45);
  assert_int_equal(indicator_target(indicator_find("staff_relevant_major"), 2019), 30);
  assert_null(indicator_find("nope"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_periods_month_quarter_ytd_year_and_ranges),
    cmocka_unit_test(test_standardized_every_month_after_registration),
    cmocka_unit_test(test_one_missed_month_breaks_the_quarter_and_the_year_only),
    cmocka_unit_test(test_each_requirement_of_the_default_definition),
    cmocka_unit_test(test_a_province_may_drop_the_plan_or_ask_for_two_services),
    cmocka_unit_test(test_bad_definitions_are_refused_with_the_field),
    cmocka_unit_test(test_referral_timeliness_waits_and_outcomes),
    cmocka_unit_test(test_severe_visits_medication_support_and_satisfaction),
    cmocka_unit_test(test_leaving_the_register_ends_the_months_that_count),
    cmocka_unit_test(test_contributions_match_the_facts),
    cmocka_unit_test(test_targets_by_year),
  };
  return cmocka_run_group_tests_name("indicator", tests, 0, 0);
}
