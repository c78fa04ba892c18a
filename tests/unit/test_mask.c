/* test_mask.c: phone numbers and addresses — validity and masked forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/mask.h"

static void test_mainland_mobile_valid(void **state)
{
  assert_true(phone_valid("13812345678"));
  assert_true(phone_valid("19912345678"));
  assert_true(phone_valid("16612345678"));
}

static void test_mobile_second_digit_must_be_3_to_9(void **state)
{
  assert_false(phone_valid("12812345678"));
  assert_false(phone_valid("10812345678"));
}

static void test_mobile_must_have_eleven_digits(void **state)
{
  assert_false(phone_valid("1381234567"));
  assert_false(phone_valid("138123456789"));
  assert_false(phone_valid("138-1234-5678"));
}

static void test_landline_with_area_code_and_hyphen_valid(void **state)
{
  assert_true(phone_valid("028-85551234"));
  assert_true(phone_valid("0571-88886666"));
  assert_true(phone_valid("0812-3334444"));
}

static void test_landline_without_hyphen_valid(void **state)
{
  assert_true(phone_valid("02885551234"));
  assert_true(phone_valid("85551234"));
  assert_true(phone_valid("8555123"));
}

static void test_landline_digit_count_7_to_13(void **state)
{
  assert_false(phone_valid("855512"));
  assert_false(phone_valid("028-855"));
  assert_true(phone_valid("0812-123456789"));
  assert_false(phone_valid("0812-1234567890"));
}

static void test_hyphen_only_after_area_code(void **state)
{
  assert_false(phone_valid("8555-1234"));
  assert_false(phone_valid("-85551234"));
  assert_false(phone_valid("02885551234-"));
  assert_false(phone_valid("028-8555-1234"));
  assert_false(phone_valid("02-885551234"));
}

static void test_other_characters_refused(void **state)
{
  assert_false(phone_valid("+8613812345678"));
  assert_false(phone_valid("138 1234 5678"));
  assert_false(phone_valid("028（85551234）"));
  assert_false(phone_valid(""));
  assert_false(phone_valid(0));
}

static void test_mobile_mask_keeps_first_three_and_last_four(void **state)
{
  char m[32];
  phone_mask("13812345678", m, sizeof m);
  assert_string_equal(m, "138****5678");
}

static void test_landline_mask_keeps_last_four(void **state)
{
  char m[32];
  phone_mask("028-85551234", m, sizeof m);
  assert_string_equal(m, "****1234");
  phone_mask("85551234", m, sizeof m);
  assert_string_equal(m, "****1234");
}

static void test_short_or_missing_phone_mask_is_stars(void **state)
{
  char m[32];
  phone_mask("1234", m, sizeof m);
  assert_string_equal(m, "****");
  phone_mask(0, m, sizeof m);
  assert_string_equal(m, "****");
}

static void test_phone_mask_never_overflows(void **state)
{
  char m[8];
  memset(m, 'Z', sizeof m);
  phone_mask("13812345678", m, 6);
  assert_string_equal(m, "138**");
  assert_int_equal(m[6], 'Z');
  phone_mask("13812345678", m, 0);
  assert_int_equal(m[0], '1');
}

static void test_address_keeps_first_six_characters(void **state)
{
  char m[64];
  address_mask("四川省攀枝花市米易县攀莲镇", m, sizeof m);
  assert_string_equal(m, "四川省攀枝花****");
  address_mask("No. 5 Renmin Road", m, sizeof m);
  assert_string_equal(m, "No. 5 ****");
}

static void test_short_address_still_masked(void **state)
{
  char m[64];
  address_mask("米易县", m, sizeof m);
  assert_string_equal(m, "米易县****");
  address_mask("", m, sizeof m);
  assert_string_equal(m, "****");
  address_mask(0, m, sizeof m);
  assert_string_equal(m, "****");
}

static void test_address_counts_code_points_not_bytes(void **state)
{
  char m[64];
  address_mask("A区😀街道12号楼", m, sizeof m);
  assert_string_equal(m, "A区😀街道1****");
}

static void test_address_stops_at_invalid_utf8(void **state)
{
  char m[64];
  address_mask("成都\xE5\xBA市武侯区", m, sizeof m);
  assert_string_equal(m, "成都****");
  address_mask("成都\xC0\xAF武侯区", m, sizeof m);   /* overlong '/' */
  assert_string_equal(m, "成都****");
}

/* For every buffer size the output is a whole-character prefix followed by the stars. */
static void test_address_never_cut_inside_a_character(void **state)
{
  const char *addr = "四川省攀枝花市米易县";
  for (size_t outsz = 1; outsz <= 32; outsz++) {
    char m[32];
    address_mask(addr, m, outsz);
    size_t len = strlen(m);
    assert_true(len < outsz);
    const char *stars = strstr(m, "*");
    size_t kept = stars ? (size_t)(stars - m) : len;
    assert_int_equal(kept % 3, 0);
    assert_memory_equal(m, addr, kept);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mainland_mobile_valid),
    cmocka_unit_test(test_mobile_second_digit_must_be_3_to_9),
    cmocka_unit_test(test_mobile_must_have_eleven_digits),
    cmocka_unit_test(test_landline_with_area_code_and_hyphen_valid),
    cmocka_unit_test(test_landline_without_hyphen_valid),
    cmocka_unit_test(test_landline_digit_count_7_to_13),
    cmocka_unit_test(test_hyphen_only_after_area_code),
    cmocka_unit_test(test_other_characters_refused),
    cmocka_unit_test(test_mobile_mask_keeps_first_three_and_last_four),
    cmocka_unit_test(test_landline_mask_keeps_last_four),
    cmocka_unit_test(test_short_or_missing_phone_mask_is_stars),
    cmocka_unit_test(test_phone_mask_never_overflows),
    cmocka_unit_test(test_address_keeps_first_six_characters),
    cmocka_unit_test(test_short_address_still_masked),
    cmocka_unit_test(test_address_counts_code_points_not_bytes),
    cmocka_unit_test(test_address_stops_at_invalid_utf8),
    cmocka_unit_test(test_address_never_cut_inside_a_character),
  };
  return cmocka_run_group_tests_name("mask", tests, 0, 0);
}
