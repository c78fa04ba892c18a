/* test_idcard.c: resident ID numbers (GB 11643-1999), domain-rules §4.1.
 * 11010519491231002X is the standard's well-known example; other numbers are made up with
 * real structure, their check characters computed by idcard_check_char. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/idcard.h"

static const struct jk_date today = {2026, 3, 15};

/* first17 plus its check character. */
static void with_check(const char *first17, char out[19])
{
  memcpy(out, first17, 17);
  out[17] = idcard_check_char(first17);
  out[18] = 0;
}

static void assert_refused(const char *in, const char *message)
{
  struct idcard c;
  struct jk_err e = {0};
  assert_int_equal(idcard_parse(in, today, &c, &e), JK_EINVAL);
  assert_string_equal(e.code, "invalid_id_number");
  assert_string_equal(e.field, "id_number");
  assert_string_equal(e.message, message);
}

static void test_well_known_example_valid(void **state)
{
  struct idcard c;
  struct jk_err e = {0};
  assert_int_equal(idcard_parse("11010519491231002X", today, &c, &e), JK_OK);
  assert_string_equal(c.number, "11010519491231002X");
  assert_int_equal(c.birth.y, 1949);
  assert_int_equal(c.birth.m, 12);
  assert_int_equal(c.birth.d, 31);
  assert_string_equal(c.region6, "110105");
  assert_false(c.upgraded);
}

static void test_even_sequence_digit_is_female(void **state)
{
  struct idcard c;
  assert_int_equal(idcard_parse("11010519491231002X", today, &c, 0), JK_OK);
  assert_int_equal(c.sex, 2);
}

static void test_odd_sequence_digit_is_male(void **state)
{
  struct idcard c;
  assert_int_equal(idcard_parse("510421199001010011", today, &c, 0), JK_OK);
  assert_int_equal(c.sex, 1);
}

static void test_check_digit_x_accepted_lowercase(void **state)
{
  struct idcard c;
  assert_int_equal(idcard_parse("11010519491231002x", today, &c, 0), JK_OK);
  assert_string_equal(c.number, "11010519491231002X");
}

static void test_surrounding_spaces_trimmed(void **state)
{
  struct idcard c;
  assert_int_equal(idcard_parse("  510421199001010011\t ", today, &c, 0), JK_OK);
  assert_string_equal(c.number, "510421199001010011");
}

static void test_fifteen_digit_upgraded(void **state)
{
  struct idcard c;
  assert_int_equal(idcard_parse("110105491231002", today, &c, 0), JK_OK);
  assert_string_equal(c.number, "11010519491231002X");
  assert_true(c.upgraded);
  assert_int_equal(c.birth.y, 1949);
  assert_int_equal(c.sex, 2);
}

static void test_fifteen_digit_with_x_refused(void **state)
{
  assert_refused("11010549123100X", "身份证号只能包含数字，最后一位可以是X");
}

static void test_wrong_length_refused(void **state)
{
  const char *msg = "身份证号应为18位（或15位旧号码）";
  assert_refused("11010519491231002", msg);
  assert_refused("11010519491231002X1", msg);
  assert_refused("1101054912310", msg);
  assert_refused("", msg);
  assert_refused("   ", msg);
  assert_refused(0, msg);
}

static void test_letters_refused(void **state)
{
  const char *msg = "身份证号只能包含数字，最后一位可以是X";
  assert_refused("1101051949123100X2", msg);
  assert_refused("11010519491231002Y", msg);
  assert_refused("110105 9491231002X", msg);
}

static void test_unknown_province_refused(void **state)
{
  char n[19];
  with_check("99042119900101001", n);
  assert_refused(n, "身份证号前两位不是有效的省级行政区划代码");
  with_check("10042119900101001", n);
  assert_refused(n, "身份证号前两位不是有效的省级行政区划代码");
}

static void test_hong_kong_macao_taiwan_provinces_accepted(void **state)
{
  char n[19];
  struct idcard c;
  with_check("71010119900101001", n);
  assert_int_equal(idcard_parse(n, today, &c, 0), JK_OK);
  with_check("81000019900101001", n);
  assert_int_equal(idcard_parse(n, today, &c, 0), JK_OK);
}

static void test_retired_county_code_accepted(void **state)
{
  char n[19];
  struct idcard c;
  with_check("51999919900101001", n);   /* 5199xx was never a county: only 51 is checked */
  assert_int_equal(idcard_parse(n, today, &c, 0), JK_OK);
  assert_string_equal(c.region6, "519999");
}

static void test_impossible_birth_date_refused(void **state)
{
  char n[19];
  with_check("51042119900230001", n);
  assert_refused(n, "身份证号中的出生日期无效");
  with_check("51042119901301001", n);
  assert_refused(n, "身份证号中的出生日期无效");
  with_check("51042119900100001", n);
  assert_refused(n, "身份证号中的出生日期无效");
}

static void test_birth_before_1900_refused(void **state)
{
  char n[19];
  with_check("51042118991231001", n);
  assert_refused(n, "身份证号中的出生日期无效");
}

static void test_leap_day_birth_accepted(void **state)
{
  char n[19];
  struct idcard c;
  with_check("51042120000229003", n);
  assert_int_equal(idcard_parse(n, today, &c, 0), JK_OK);
  assert_int_equal(c.birth.m, 2);
  assert_int_equal(c.birth.d, 29);
}

static void test_future_birth_date_refused(void **state)
{
  char n[19];
  with_check("51042120260316001", n);
  assert_refused(n, "身份证号中的出生日期晚于今天");
}

static void test_birth_today_accepted(void **state)
{
  char n[19];
  struct idcard c;
  with_check("51042120260315001", n);
  assert_int_equal(idcard_parse(n, today, &c, 0), JK_OK);
}

static void test_wrong_check_digit_names_expected_one(void **state)
{
  assert_refused("110105194912310021", "身份证号校验位错误（按前17位计算应为X）");
  assert_refused("510421199001010012", "身份证号校验位错误（按前17位计算应为1）");
}

/* Each of the 11 possible check characters has its own message naming it. */
static void test_every_expected_check_char_named(void **state)
{
  const char *chars = "0123456789X";
  for (const char *want = chars; *want; want++) {
    char n[19] = "51042119900101000";
    for (int seq = 0; seq < 1000; seq++) {
      n[14] = (char)('0' + seq / 100), n[15] = (char)('0' + seq / 10 % 10), n[16] = (char)('0' + seq % 10);
      if (idcard_check_char(n) == *want) break;
    }
    assert_int_equal(idcard_check_char(n), *want);
    n[17] = *want == '0' ? '1' : '0';
    n[18] = 0;
    struct idcard c;
    struct jk_err e = {0};
    assert_int_equal(idcard_parse(n, today, &c, &e), JK_EINVAL);
    char tail[16];
    snprintf(tail, sizeof tail, "应为%c）", *want);
    assert_non_null(strstr(e.message, tail));
  }
}

static void test_check_char_computed(void **state)
{
  assert_int_equal(idcard_check_char("11010519491231002"), 'X');
  assert_int_equal(idcard_check_char("51042119900101001"), '1');
  assert_int_equal(idcard_check_char("51042120000229003"), '0');
}

static void test_check_char_of_non_digits_is_nul(void **state)
{
  assert_int_equal(idcard_check_char("1101051949123100A"), '\0');
}

static void test_output_untouched_on_failure(void **state)
{
  struct idcard c;
  memset(&c, 0x5A, sizeof c);
  struct idcard before = c;
  assert_int_equal(idcard_parse("110105194912310021", today, &c, 0), JK_EINVAL);
  assert_memory_equal(&c, &before, sizeof c);
}

static void test_mask_keeps_first_six_and_last_four(void **state)
{
  char m[19];
  idcard_mask("510421199001010012", m);
  assert_string_equal(m, "510421********0012");
  idcard_mask("11010519491231002X", m);
  assert_string_equal(m, "110105********002X");
}

static void test_mask_of_wrong_length_is_all_stars(void **state)
{
  char m[19];
  idcard_mask("110105491231002", m);
  assert_string_equal(m, "******************");
  idcard_mask(0, m);
  assert_string_equal(m, "******************");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_well_known_example_valid),
    cmocka_unit_test(test_even_sequence_digit_is_female),
    cmocka_unit_test(test_odd_sequence_digit_is_male),
    cmocka_unit_test(test_check_digit_x_accepted_lowercase),
    cmocka_unit_test(test_surrounding_spaces_trimmed),
    cmocka_unit_test(test_fifteen_digit_upgraded),
    cmocka_unit_test(test_fifteen_digit_with_x_refused),
    cmocka_unit_test(test_wrong_length_refused),
    cmocka_unit_test(test_letters_refused),
    cmocka_unit_test(test_unknown_province_refused),
    cmocka_unit_test(test_hong_kong_macao_taiwan_provinces_accepted),
    cmocka_unit_test(test_retired_county_code_accepted),
    cmocka_unit_test(test_impossible_birth_date_refused),
    cmocka_unit_test(test_birth_before_1900_refused),
    cmocka_unit_test(test_leap_day_birth_accepted),
    cmocka_unit_test(test_future_birth_date_refused),
    cmocka_unit_test(test_birth_today_accepted),
    cmocka_unit_test(test_wrong_check_digit_names_expected_one),
    cmocka_unit_test(test_every_expected_check_char_named),
    cmocka_unit_test(test_check_char_computed),
    cmocka_unit_test(test_check_char_of_non_digits_is_nul),
    cmocka_unit_test(test_output_untouched_on_failure),
    cmocka_unit_test(test_mask_keeps_first_six_and_last_four),
    cmocka_unit_test(test_mask_of_wrong_length_is_all_stars),
  };
  return cmocka_run_group_tests_name("idcard", tests, 0, 0);
}
