/* test_diagnosis.c: ICD-10 chapter V codes and the six severe mental disorders
 * (domain-rules §1.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/diagnosis.h"

static struct diagnosis parsed(const char *in)
{
  struct diagnosis d;
  struct jk_err e = {0};
  assert_int_equal(diagnosis_parse(in, &d, &e), JK_OK);
  return d;
}

static void assert_refused(const char *in)
{
  struct diagnosis d;
  memset(&d, 0x5A, sizeof d);
  struct diagnosis before = d;
  struct jk_err e = {0};
  assert_int_equal(diagnosis_parse(in, &d, &e), JK_EINVAL);
  assert_string_equal(e.code, "invalid_diagnosis");
  assert_string_equal(e.field, "diagnosis");
  assert_string_equal(e.message, "诊断应为ICD-10第五章（F00–F99）编码，如F20.0");
  assert_memory_equal(&d, &before, sizeof d);
}

static void test_category_alone_accepted(void **state)
{
  struct diagnosis d = parsed("F20");
  assert_string_equal(d.code, "F20");
  assert_string_equal(d.name, "精神分裂症");
  assert_int_equal(d.severe, 1);
}

static void test_lower_case_and_spaces_normalized(void **state)
{
  assert_string_equal(parsed(" f20.0 ").code, "F20.0");
}

static void test_one_or_two_digits_after_the_point(void **state)
{
  struct diagnosis d = parsed("F32.10");
  assert_string_equal(d.code, "F32.10");
  assert_string_equal(d.name, "抑郁发作");
  assert_string_equal(parsed("F41.1").code, "F41.1");
}

static void test_undotted_form_normalized(void **state)
{
  assert_string_equal(parsed("F200").code, "F20.0");
  assert_string_equal(parsed("f3210").code, "F32.10");
}

static void test_six_severe_disorders_recognized(void **state)
{
  assert_int_equal(parsed("F20.0").severe, 1);
  assert_int_equal(parsed("F25.1").severe, 2);
  assert_int_equal(parsed("F22.0").severe, 3);
  assert_int_equal(parsed("F31.2").severe, 4);
  assert_int_equal(parsed("F06.8").severe, 5);
  const char *retardation[] = {"F70", "F71.1", "F72", "F73", "F78", "F79.9"};
  for (size_t i = 0; i < sizeof retardation / sizeof *retardation; i++)
    assert_int_equal(parsed(retardation[i]).severe, 6);
}

static void test_other_disorders_not_severe(void **state)
{
  assert_int_equal(parsed("F32.3").severe, 0);
  assert_int_equal(parsed("F41.1").severe, 0);
  assert_int_equal(parsed("F84.0").severe, 0);
  assert_int_equal(parsed("F10.2").severe, 0);
  assert_int_equal(parsed("F21").severe, 0);
}

static void test_category_names(void **state)
{
  assert_string_equal(parsed("F31").name, "双相情感障碍");
  assert_string_equal(parsed("F41").name, "其他焦虑障碍");
  assert_string_equal(parsed("F84").name, "广泛性发育障碍");
  assert_string_equal(parsed("F00").name, "阿尔茨海默病性痴呆");
  assert_string_equal(parsed("F99").name, "未特指的精神障碍");
}

static void test_category_missing_from_icd10_refused(void **state)
{
  const char *unused[] = {"F08", "F26", "F27", "F35", "F46", "F49", "F56", "F67", "F74", "F77",
                          "F85", "F96", "F97.1"};
  for (size_t i = 0; i < sizeof unused / sizeof *unused; i++) assert_refused(unused[i]);
}

/* ICD-10 chapter V has 78 three-character categories. */
static void test_78_categories_exist(void **state)
{
  int n = 0;
  for (int c = 0; c < 100; c++) {
    char code[4] = {'F', (char)('0' + c / 10), (char)('0' + c % 10), 0};
    struct diagnosis d;
    if (diagnosis_parse(code, &d, 0) == JK_OK) {
      assert_non_null(d.name);
      n++;
    }
  }
  assert_int_equal(n, 78);
}

static void test_malformed_codes_refused(void **state)
{
  const char *bad[] = {"F2", "F20.", "F20.123", "F20123", "G40", "F20.a", "20.0", "F 20",
                       "F20..0", "FF20", "F-20", "Ｆ20", "", "   "};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_refused(bad[i]);
  assert_refused(0);
}

static void test_severe_disorder_names(void **state)
{
  assert_string_equal(severe_disorder_name(1), "精神分裂症");
  assert_string_equal(severe_disorder_name(2), "分裂情感性障碍");
  assert_string_equal(severe_disorder_name(6), "精神发育迟滞伴发精神障碍");
  assert_null(severe_disorder_name(0));
  assert_null(severe_disorder_name(7));
  assert_null(severe_disorder_name(-1));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_category_alone_accepted),
    cmocka_unit_test(test_lower_case_and_spaces_normalized),
    cmocka_unit_test(test_one_or_two_digits_after_the_point),
    cmocka_unit_test(test_undotted_form_normalized),
    cmocka_unit_test(test_six_severe_disorders_recognized),
    cmocka_unit_test(test_other_disorders_not_severe),
    cmocka_unit_test(test_category_names),
    cmocka_unit_test(test_category_missing_from_icd10_refused),
    cmocka_unit_test(test_78_categories_exist),
    cmocka_unit_test(test_malformed_codes_refused),
    cmocka_unit_test(test_severe_disorder_names),
  };
  return cmocka_run_group_tests_name("diagnosis", tests, 0, 0);
}
