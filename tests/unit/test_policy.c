/* Unit tests of the one access decision (sec/policy.c): every role against clients inside and
 * outside its scope, organizations, users, audit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "sec/policy.h"

static const struct principal county = {.user_id = "u1", .username = "c", .role = ROLE_OFFICIAL, .region = "510421"};
static const struct principal city = {.user_id = "u2", .username = "p", .role = ROLE_OFFICIAL, .region = "5104"};
static const struct principal referral = {.user_id = "u3", .username = "r", .role = ROLE_REFERRAL_WORKER, .region = "5104"};
static const struct principal staff = {.user_id = "u4", .username = "s", .role = ROLE_REHAB_STAFF, .org_rid = 7};
static const struct principal hospital = {.user_id = "u5", .username = "h", .role = ROLE_HOSPITAL_STAFF, .org_rid = 9};
static const struct principal sysadmin = {.user_id = "u6", .username = "a", .role = ROLE_SYSADMIN};
static const struct principal secadmin = {.user_id = "u7", .username = "b", .role = ROLE_SECADMIN};
static const struct principal auditor = {.user_id = "u8", .username = "d", .role = ROLE_AUDITOR};
static const struct principal evaluator = {.user_id = "u9", .username = "e", .role = ROLE_EVALUATOR};

static struct policy_object client_in(const char *region, int64_t org) { return (struct policy_object){.kind = OBJ_CLIENT, .region = region, .org_rid = org}; }

static void test_county_official_reads_own_county_client(void **s)
{
  struct policy_object o = client_in("510421101001", 0);
  assert_int_equal(policy_decide(&county, ACT_READ, &o), JK_OK);
}

static void test_county_official_cannot_see_neighbouring_county(void **s)
{
  struct policy_object o = client_in("510422100001", 0);
  assert_int_equal(policy_decide(&county, ACT_READ, &o), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&county, ACT_UPDATE, &o), JK_ENOTFOUND);
}

static void test_city_official_sees_all_counties_of_the_city(void **s)
{
  struct policy_object a = client_in("510421101001", 0), b = client_in("510422", 0), c = client_in("510521", 0);
  assert_int_equal(policy_decide(&city, ACT_READ, &a), JK_OK);
  assert_int_equal(policy_decide(&city, ACT_READ, &b), JK_OK);
  assert_int_equal(policy_decide(&city, ACT_READ, &c), JK_ENOTFOUND);
}

static void test_official_may_not_reveal(void **s)
{
  struct policy_object o = client_in("510421", 0);
  assert_int_equal(policy_decide(&county, ACT_REVEAL, &o), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&referral, ACT_REVEAL, &o), JK_OK);
}

static void test_creating_outside_scope_is_forbidden_not_hidden(void **s)
{
  struct policy_object o = client_in("510422", 0);
  assert_int_equal(policy_decide(&county, ACT_CREATE, &o), JK_EFORBIDDEN);
}

static void test_staff_see_only_their_organization(void **s)
{
  struct policy_object mine = client_in("510421", 7), other = client_in("510421", 8);
  assert_int_equal(policy_decide(&staff, ACT_READ, &mine), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_REVEAL, &mine), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_READ, &other), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&hospital, ACT_READ, &mine), JK_ENOTFOUND);
}

static void test_admins_auditors_evaluators_have_no_client_records(void **s)
{
  struct policy_object o = client_in("510421", 7);
  const struct principal *none[] = {&sysadmin, &secadmin, &auditor, &evaluator};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(policy_decide(none[i], ACT_READ, &o), JK_EFORBIDDEN);
    assert_int_equal(policy_decide(none[i], ACT_LIST, &o), JK_EFORBIDDEN);
    assert_int_equal(policy_decide(none[i], ACT_CREATE, &o), JK_EFORBIDDEN);
  }
}

static void test_only_auditor_reads_audit(void **s)
{
  struct policy_object o = {.kind = OBJ_AUDIT, .region = 0, .org_rid = 0};
  assert_int_equal(policy_decide(&auditor, ACT_LIST, &o), JK_OK);
  assert_int_equal(policy_decide(&sysadmin, ACT_LIST, &o), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&city, ACT_LIST, &o), JK_EFORBIDDEN);
}

static void test_users_separation_of_duties(void **s)
{
  struct policy_object o = {.kind = OBJ_USER, .region = 0, .org_rid = 0};
  assert_int_equal(policy_decide(&sysadmin, ACT_CREATE, &o), JK_OK);
  assert_int_equal(policy_decide(&secadmin, ACT_CREATE, &o), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&secadmin, ACT_UNLOCK, &o), JK_OK);
  assert_int_equal(policy_decide(&sysadmin, ACT_UNLOCK, &o), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&auditor, ACT_LIST, &o), JK_EFORBIDDEN);
}

static void test_organizations_scoped_changes(void **s)
{
  struct policy_object in = {.kind = OBJ_ORGANIZATION, .region = "510421", .org_rid = 7}, out = {.kind = OBJ_ORGANIZATION, .region = "510422", .org_rid = 8};
  assert_int_equal(policy_decide(&county, ACT_CREATE, &in), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_CREATE, &out), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &in), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &out), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&staff, ACT_CREATE, &in), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&evaluator, ACT_READ, &out), JK_OK);
}

static void test_list_scope_filters(void **s)
{
  const char *region;
  int64_t org;
  assert_int_equal(policy_list_scope(&county, OBJ_CLIENT, &region, &org), JK_OK);
  assert_string_equal(region, "510421");
  assert_int_equal(policy_list_scope(&staff, OBJ_CLIENT, &region, &org), JK_OK);
  assert_null(region);
  assert_int_equal(org, 7);
  assert_int_equal(policy_list_scope(&sysadmin, OBJ_CLIENT, &region, &org), JK_EFORBIDDEN);
}

static void test_regional_role_without_region_fails_closed(void **s)
{
  struct principal broken = {.user_id = "x", .username = "x", .role = ROLE_OFFICIAL};
  struct policy_object o = client_in("510421", 0);
  const char *region;
  int64_t org;
  assert_int_not_equal(policy_decide(&broken, ACT_READ, &o), JK_OK);
  assert_int_equal(policy_list_scope(&broken, OBJ_CLIENT, &region, &org), JK_EFORBIDDEN);
}

static void test_anonymous_is_refused(void **s)
{
  struct principal anon = {0};
  struct policy_object o = {.kind = OBJ_ORGANIZATION, .region = 0, .org_rid = 0};
  assert_int_equal(policy_decide(&anon, ACT_READ, &o), JK_EAUTH);
  assert_int_equal(policy_decide(0, ACT_READ, &o), JK_EAUTH);
}

static struct policy_object referral_at(const char *region, int64_t org, int64_t from, const char *op)
{
  return (struct policy_object){.kind = OBJ_REFERRAL, .region = region, .org_rid = org, .from_org_rid = from, .op = op};
}

static void test_referral_steps_belong_to_one_role_each(void **s)
{
  struct policy_object reg = referral_at("510421", 0, 9, "register"), acc = referral_at("510421", 7, 9, "accept");
  assert_int_equal(policy_decide(&referral, ACT_UPDATE, &reg), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_UPDATE, &reg), JK_EFORBIDDEN);     /* officials oversee, do not act */
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &acc), JK_OK);
  assert_int_equal(policy_decide(&referral, ACT_UPDATE, &acc), JK_EFORBIDDEN);
  struct policy_object dis = referral_at("510421", 9, 0, "discharge");
  assert_int_equal(policy_decide(&hospital, ACT_UPDATE, &dis), JK_OK);
  struct policy_object wd = referral_at("510421", 0, 9, "withdraw");
  assert_int_equal(policy_decide(&hospital, ACT_UPDATE, &wd), JK_OK);           /* the referrer may withdraw */
  struct policy_object unknown = referral_at("510421", 7, 9, "fly");
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &unknown), JK_EFORBIDDEN);
}

static void test_referral_seen_by_holder_referrer_and_region_only(void **s)
{
  struct policy_object o = referral_at("510421", 7, 9, 0);
  assert_int_equal(policy_decide(&staff, ACT_READ, &o), JK_OK);      /* holds it */
  assert_int_equal(policy_decide(&hospital, ACT_READ, &o), JK_OK);   /* referred it */
  assert_int_equal(policy_decide(&county, ACT_READ, &o), JK_OK);
  struct policy_object elsewhere = referral_at("510422", 8, 10, 0);
  assert_int_equal(policy_decide(&staff, ACT_READ, &elsewhere), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&county, ACT_READ, &elsewhere), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&sysadmin, ACT_READ, &o), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&evaluator, ACT_READ, &o), JK_EFORBIDDEN);
  struct policy_object mine = referral_at(0, 0, 9, 0), theirs = referral_at(0, 0, 10, 0);
  assert_int_equal(policy_decide(&hospital, ACT_CREATE, &mine), JK_OK);
  assert_int_equal(policy_decide(&hospital, ACT_CREATE, &theirs), JK_EFORBIDDEN);
}

/* Care records (assessments, plans, team): written only by the client's institution; read by
 * it and by the region's officials and referral workers; hidden from other institutions. */
static void test_care_written_by_the_institution_only(void **s)
{
  (void)s;
  struct policy_object mine = {.kind = OBJ_CARE, .region = "510421101001", .org_rid = 7};
  struct policy_object other = {.kind = OBJ_CARE, .region = "510421101001", .org_rid = 8};
  assert_int_equal(policy_decide(&staff, ACT_CREATE, &mine), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_READ, &other), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &other), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&county, ACT_READ, &mine), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_CREATE, &mine), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&referral, ACT_READ, &mine), JK_OK);
  assert_int_equal(policy_decide(&referral, ACT_UPDATE, &mine), JK_EFORBIDDEN);
  struct policy_object elsewhere = {.kind = OBJ_CARE, .region = "510422", .org_rid = 7};
  assert_int_equal(policy_decide(&county, ACT_READ, &elsewhere), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&evaluator, ACT_READ, &mine), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&sysadmin, ACT_LIST, &mine), JK_EFORBIDDEN);
}

/* Staff records: kept by their organization and by the region's officials (who alone keep the
 * referral workers of a region, org 0). */
static void test_staff_records_kept_by_organization_and_officials(void **s)
{
  (void)s;
  struct policy_object worker = {.kind = OBJ_STAFF, .region = "510421", .org_rid = 7};
  struct policy_object regional = {.kind = OBJ_STAFF, .region = "510421", .org_rid = 0};
  assert_int_equal(policy_decide(&staff, ACT_UPDATE, &worker), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_UPDATE, &worker), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_CREATE, &regional), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_CREATE, &regional), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&hospital, ACT_READ, &worker), JK_ENOTFOUND);
  assert_int_equal(policy_decide(&referral, ACT_UPDATE, &regional), JK_EFORBIDDEN);
  const char *region;
  int64_t org;
  assert_int_equal(policy_list_scope(&staff, OBJ_STAFF, &region, &org), JK_OK);
  assert_int_equal(org, 7);
  assert_int_equal(policy_list_scope(&county, OBJ_SERVICE, &region, &org), JK_OK);
  assert_string_equal(region, "510421");
}

static void test_indicators_by_region_or_own_organization(void **s)
{
  (void)s;
  struct policy_object miyi = {.kind = OBJ_INDICATOR, .region = "510421"}, city_r = {.kind = OBJ_INDICATOR, .region = "5104"},
                       nation = {.kind = OBJ_INDICATOR, .region = ""},
                       own_org = {.kind = OBJ_INDICATOR, .region = "510421", .org_rid = 7},
                       other_org = {.kind = OBJ_INDICATOR, .region = "510421", .org_rid = 8};
  assert_int_equal(policy_decide(&county, ACT_READ, &miyi), JK_OK);
  assert_int_equal(policy_decide(&county, ACT_READ, &city_r), JK_EFORBIDDEN);   /* regions are public: 403 */
  assert_int_equal(policy_decide(&city, ACT_READ, &miyi), JK_OK);
  assert_int_equal(policy_decide(&city, ACT_READ, &nation), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&referral, ACT_READ, &own_org), JK_OK);
  assert_int_equal(policy_decide(&evaluator, ACT_READ, &nation), JK_OK);       /* an evaluator without a region */
  assert_int_equal(policy_decide(&staff, ACT_READ, &own_org), JK_OK);
  assert_int_equal(policy_decide(&staff, ACT_READ, &other_org), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&staff, ACT_READ, &miyi), JK_EFORBIDDEN);      /* not the region, only its own */
  assert_int_equal(policy_decide(&hospital, ACT_READ, &own_org), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&sysadmin, ACT_READ, &nation), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&auditor, ACT_READ, &miyi), JK_EFORBIDDEN);
  struct principal province = {.user_id = "u10", .username = "q", .role = ROLE_OFFICIAL, .region = "51"};
  struct policy_object def51 = {.kind = OBJ_INDICATOR, .region = "51"}, def5104 = {.kind = OBJ_INDICATOR, .region = "5104"};
  assert_int_equal(policy_decide(&province, ACT_UPDATE, &def51), JK_OK);          /* a province sets its own definition */
  assert_int_equal(policy_decide(&city, ACT_UPDATE, &def51), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&city, ACT_UPDATE, &def5104), JK_EFORBIDDEN);    /* definitions are by province */
  assert_int_equal(policy_decide(&province, ACT_UPDATE, &nation), JK_EFORBIDDEN);
  assert_int_equal(policy_decide(&sysadmin, ACT_UPDATE, &nation), JK_OK);
  assert_int_equal(policy_decide(&evaluator, ACT_UPDATE, &nation), JK_EFORBIDDEN);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_county_official_reads_own_county_client),
    cmocka_unit_test(test_county_official_cannot_see_neighbouring_county),
    cmocka_unit_test(test_city_official_sees_all_counties_of_the_city),
    cmocka_unit_test(test_official_may_not_reveal),
    cmocka_unit_test(test_creating_outside_scope_is_forbidden_not_hidden),
    cmocka_unit_test(test_staff_see_only_their_organization),
    cmocka_unit_test(test_admins_auditors_evaluators_have_no_client_records),
    cmocka_unit_test(test_only_auditor_reads_audit),
    cmocka_unit_test(test_users_separation_of_duties),
    cmocka_unit_test(test_organizations_scoped_changes),
    cmocka_unit_test(test_list_scope_filters),
    cmocka_unit_test(test_regional_role_without_region_fails_closed),
    cmocka_unit_test(test_anonymous_is_refused),
    cmocka_unit_test(test_referral_steps_belong_to_one_role_each),
    cmocka_unit_test(test_referral_seen_by_holder_referrer_and_region_only),
    cmocka_unit_test(test_care_written_by_the_institution_only),
    cmocka_unit_test(test_staff_records_kept_by_organization_and_officials),
    cmocka_unit_test(test_indicators_by_region_or_own_organization),
  };
  return cmocka_run_group_tests_name("policy", tests, 0, 0);
}
