/* test_region_code.c: administrative division codes (GB/T 2260 and the NBS statistical
 * code), domain-rules §4.2. 510421 is 米易县 (攀枝花市 5104, 四川省 51). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/region_code.h"

static void assert_normalizes(const char *in, const char *want)
{
  char out[13];
  assert_true(region_code_normalize(in, out));
  assert_string_equal(out, want);
}

static void assert_refused(const char *in)
{
  char out[13] = "untouched";
  assert_false(region_code_normalize(in, out));
  assert_string_equal(out, "untouched");
}

static void test_statistical_codes_keep_their_level(void **state)
{
  assert_normalizes("51", "51");
  assert_normalizes("5104", "5104");
  assert_normalizes("510421", "510421");
  assert_normalizes("510421101", "510421101");
  assert_normalizes("510421101001", "510421101001");
  assert_int_equal(region_code_level("51"), REGION_PROVINCE);
  assert_int_equal(region_code_level("5104"), REGION_PREFECTURE);
  assert_int_equal(region_code_level("510421"), REGION_COUNTY);
  assert_int_equal(region_code_level("510421101"), REGION_TOWNSHIP);
  assert_int_equal(region_code_level("510421101001"), REGION_VILLAGE);
}

static void test_gbt2260_zero_padding_stripped(void **state)
{
  assert_normalizes("510000", "51");
  assert_normalizes("510400", "5104");
  assert_normalizes("110100", "1101");
  assert_normalizes("5100", "51");
}

static void test_twelve_digit_zero_padding_stripped(void **state)
{
  assert_normalizes("510421000000", "510421");
  assert_normalizes("510421101000", "510421101");
  assert_normalizes("510400000000", "5104");
  assert_normalizes("510000000000", "51");
  assert_normalizes("510421000", "510421");
}

static void test_zero_part_before_a_nonzero_one_refused(void **state)
{
  assert_refused("510021");
  assert_refused("510400101");
  assert_refused("510421000001");
  assert_refused("510000000001");
}

static void test_zero_or_unknown_province_refused(void **state)
{
  assert_refused("00");
  assert_refused("000000");
  assert_refused("990000");
  assert_refused("10");
}

static void test_wrong_shape_refused(void **state)
{
  assert_refused("5");
  assert_refused("51042");
  assert_refused("5104211");
  assert_refused("5104211010011");
  assert_refused("51a421");
  assert_refused(" 510421");
  assert_refused("");
  assert_refused(0);
}

/* 东莞市 4419 has no counties: its townships hang under the county-level unit 441900. */
static void test_city_without_counties_keeps_its_county_unit(void **state)
{
  char out[13];
  assert_normalizes("4419", "4419");
  assert_normalizes("441900", "441900");
  assert_normalizes("441900000000", "441900");
  assert_normalizes("441900003", "441900003");
  assert_normalizes("441900003001", "441900003001");
  assert_normalizes("442000", "442000");
  assert_normalizes("460400", "460400");
  assert_int_equal(region_code_level("441900"), REGION_COUNTY);
  assert_true(region_code_parent("441900003", out));
  assert_string_equal(out, "441900");
  assert_true(region_code_parent("441900", out));
  assert_string_equal(out, "4419");
  assert_true(region_code_within("441900003", "4419"));
  assert_true(region_code_within("441900003", "441900"));
}

static void test_parent_is_one_level_up(void **state)
{
  char out[13];
  assert_true(region_code_parent("510421101001", out));
  assert_string_equal(out, "510421101");
  assert_true(region_code_parent("510421101", out));
  assert_string_equal(out, "510421");
  assert_true(region_code_parent("510421", out));
  assert_string_equal(out, "5104");
  assert_true(region_code_parent("5104", out));
  assert_string_equal(out, "51");
}

static void test_province_has_no_parent(void **state)
{
  char out[13];
  assert_false(region_code_parent("51", out));
  assert_false(region_code_parent("510000", out));
  assert_false(region_code_parent("5x", out));
}

static void test_parent_of_padded_code(void **state)
{
  char out[13];
  assert_true(region_code_parent("510400", out));
  assert_string_equal(out, "51");
  assert_true(region_code_parent("510421101000", out));
  assert_string_equal(out, "510421");
}

static void test_code_is_within_itself_and_its_ancestors(void **state)
{
  assert_true(region_code_within("510421101001", "510421101001"));
  assert_true(region_code_within("510421101001", "510421"));
  assert_true(region_code_within("510421101001", "5104"));
  assert_true(region_code_within("510421", "51"));
}

static void test_within_reads_padded_forms(void **state)
{
  assert_true(region_code_within("510421101001", "510000"));
  assert_true(region_code_within("510421000000", "510400"));
}

static void test_sibling_and_ancestor_not_within(void **state)
{
  assert_false(region_code_within("510422", "510421"));
  assert_false(region_code_within("5104", "510421"));
  assert_false(region_code_within("51", "5104"));
  assert_false(region_code_within("520421", "51"));
}

static void test_invalid_code_never_within(void **state)
{
  assert_false(region_code_within("510021", "51"));
  assert_false(region_code_within("510421", "5x"));
  assert_false(region_code_within(0, "51"));
  assert_false(region_code_within("51", 0));
}

static void test_level_names_round_trip(void **state)
{
  for (int l = REGION_PROVINCE; l <= REGION_VILLAGE; l++) {
    enum region_level back;
    assert_true(region_level_parse(region_level_name((enum region_level)l), &back));
    assert_int_equal(back, l);
  }
  assert_string_equal(region_level_name(REGION_COUNTY), "county");
}

static void test_unknown_level_named_none_and_not_parsed(void **state)
{
  enum region_level l = REGION_COUNTY;
  assert_string_equal(region_level_name(REGION_NONE), "none");
  assert_string_equal(region_level_name((enum region_level)9), "none");
  assert_false(region_level_parse("none", &l));
  assert_false(region_level_parse("County", &l));
  assert_false(region_level_parse(0, &l));
  assert_int_equal(l, REGION_COUNTY);
}

static void test_level_of_other_lengths_is_none(void **state)
{
  assert_int_equal(region_code_level("5"), REGION_NONE);
  assert_int_equal(region_code_level("51042"), REGION_NONE);
  assert_int_equal(region_code_level(0), REGION_NONE);
}

static void test_34_province_level_codes(void **state)
{
  int n = 0;
  for (int i = 0; i < 100; i++) {
    char c[3] = {(char)('0' + i / 10), (char)('0' + i % 10), 0};
    n += region_province_known(c);
  }
  assert_int_equal(n, 34);
  assert_true(region_province_known("65"));
  assert_true(region_province_known("82"));
  assert_false(region_province_known("16"));
  assert_false(region_province_known("5"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_statistical_codes_keep_their_level),
    cmocka_unit_test(test_gbt2260_zero_padding_stripped),
    cmocka_unit_test(test_twelve_digit_zero_padding_stripped),
    cmocka_unit_test(test_zero_part_before_a_nonzero_one_refused),
    cmocka_unit_test(test_zero_or_unknown_province_refused),
    cmocka_unit_test(test_wrong_shape_refused),
    cmocka_unit_test(test_city_without_counties_keeps_its_county_unit),
    cmocka_unit_test(test_parent_is_one_level_up),
    cmocka_unit_test(test_province_has_no_parent),
    cmocka_unit_test(test_parent_of_padded_code),
    cmocka_unit_test(test_code_is_within_itself_and_its_ancestors),
    cmocka_unit_test(test_within_reads_padded_forms),
    cmocka_unit_test(test_sibling_and_ancestor_not_within),
    cmocka_unit_test(test_invalid_code_never_within),
    cmocka_unit_test(test_level_names_round_trip),
    cmocka_unit_test(test_unknown_level_named_none_and_not_parsed),
    cmocka_unit_test(test_level_of_other_lengths_is_none),
    cmocka_unit_test(test_34_province_level_codes),
  };
  return cmocka_run_group_tests_name("region_code", tests, 0, 0);
}
