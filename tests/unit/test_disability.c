/* test_disability.c: second-generation disability certificate numbers (domain-rules §4.4):
 * 18-character ID number + category + grade. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/disability.h"

#define ID "510421199001010011"
#define ID_X "11010519491231002X"

static void assert_refused(const char *in, const char *id, const char *message)
{
  struct disability_cert d;
  memset(&d, 0x5A, sizeof d);
  struct disability_cert before = d;
  struct jk_err e = {0};
  assert_int_equal(disability_parse(in, id, &d, &e), JK_EINVAL);
  assert_string_equal(e.code, "invalid_disability_certificate");
  assert_string_equal(e.field, "disability_certificate");
  assert_string_equal(e.message, message);
  assert_memory_equal(&d, &before, sizeof d);
}

static void test_mental_disability_certificate_accepted(void **state)
{
  struct disability_cert d;
  struct jk_err e = {0};
  assert_int_equal(disability_parse(ID "62", ID, &d, &e), JK_OK);
  assert_string_equal(d.number, ID "62");
  assert_int_equal(d.category, 6);
  assert_int_equal(d.grade, 2);
}

static void test_multiple_disability_accepted(void **state)
{
  struct disability_cert d;
  assert_int_equal(disability_parse(ID "71", ID, &d, 0), JK_OK);
  assert_int_equal(d.category, 7);
  assert_int_equal(d.grade, 1);
}

static void test_lowercase_x_in_id_part_accepted(void **state)
{
  struct disability_cert d;
  assert_int_equal(disability_parse("11010519491231002x64", ID_X, &d, 0), JK_OK);
  assert_string_equal(d.number, ID_X "64");
}

static void test_surrounding_spaces_trimmed(void **state)
{
  struct disability_cert d;
  assert_int_equal(disability_parse("  " ID "63 ", ID, &d, 0), JK_OK);
  assert_string_equal(d.number, ID "63");
}

static void test_only_structure_checked_without_id_number(void **state)
{
  struct disability_cert d;
  assert_int_equal(disability_parse(ID_X "62", 0, &d, 0), JK_OK);
}

static void test_wrong_length_refused(void **state)
{
  const char *msg = "残疾人证号应为20位：身份证号加类别和等级";
  assert_refused(ID "6", ID, msg);
  assert_refused(ID "621", ID, msg);
  assert_refused(ID, ID, msg);
  assert_refused("", ID, msg);
  assert_refused(0, ID, msg);
}

static void test_id_part_must_match_client_id_number(void **state)
{
  assert_refused(ID_X "62", ID, "残疾人证号的前18位应与身份证号一致");
}

static void test_id_part_check_digit_checked(void **state)
{
  const char *msg = "残疾人证号的前18位不是有效的身份证号（校验位错误）";
  assert_refused("51042119900101001262", 0, msg);
  assert_refused("5104211990010100A162", 0, msg);
}

static void test_category_must_be_mental_or_multiple(void **state)
{
  const char *msg = "残疾人证类别应为6（精神）或7（多重）";
  assert_refused(ID "52", ID, msg);
  assert_refused(ID "12", ID, msg);
  assert_refused(ID "82", ID, msg);
  assert_refused(ID "02", ID, msg);
  assert_refused(ID "X2", ID, msg);
}

static void test_grade_must_be_1_to_4(void **state)
{
  const char *msg = "残疾等级应为1–4级";
  assert_refused(ID "60", ID, msg);
  assert_refused(ID "65", ID, msg);
  assert_refused(ID "6A", ID, msg);
  struct disability_cert d;
  assert_int_equal(disability_parse(ID "64", ID, &d, 0), JK_OK);
}

static void test_category_names(void **state)
{
  assert_string_equal(disability_category_name(1), "视力残疾");
  assert_string_equal(disability_category_name(6), "精神残疾");
  assert_string_equal(disability_category_name(7), "多重残疾");
  assert_null(disability_category_name(0));
  assert_null(disability_category_name(8));
}

static void test_mask_keeps_first_six_and_last_six(void **state)
{
  char m[21];
  disability_mask(ID "62", m);
  assert_string_equal(m, "510421********001162");
}

static void test_mask_of_wrong_length_is_all_stars(void **state)
{
  char m[21];
  disability_mask(ID, m);
  assert_string_equal(m, "********************");
  disability_mask(0, m);
  assert_string_equal(m, "********************");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mental_disability_certificate_accepted),
    cmocka_unit_test(test_multiple_disability_accepted),
    cmocka_unit_test(test_lowercase_x_in_id_part_accepted),
    cmocka_unit_test(test_surrounding_spaces_trimmed),
    cmocka_unit_test(test_only_structure_checked_without_id_number),
    cmocka_unit_test(test_wrong_length_refused),
    cmocka_unit_test(test_id_part_must_match_client_id_number),
    cmocka_unit_test(test_id_part_check_digit_checked),
    cmocka_unit_test(test_category_must_be_mental_or_multiple),
    cmocka_unit_test(test_grade_must_be_1_to_4),
    cmocka_unit_test(test_category_names),
    cmocka_unit_test(test_mask_keeps_first_six_and_last_six),
    cmocka_unit_test(test_mask_of_wrong_length_is_all_stars),
  };
  return cmocka_run_group_tests_name("disability", tests, 0, 0);
}
