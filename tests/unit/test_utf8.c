/* Unit tests of the UTF-8 checks applied to query strings (base/utf8.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "base/utf8.h"

static void test_chinese_and_ascii_are_clean(void **s)
{
  assert_true(utf8_clean(""));
  assert_true(utf8_clean("510421"));
  assert_true(utf8_clean("攀枝花市米易县"));
  assert_true(utf8_clean("\xf0\x9f\x98\x80")); /* U+1F600, four bytes */
}

static void test_control_characters_refused(void **s)
{
  assert_false(utf8_clean("a\tb"));
  assert_false(utf8_clean("a\nb"));
  assert_false(utf8_clean("a\x7f"));
}

static void test_malformed_sequences_refused(void **s)
{
  assert_false(utf8_clean("\xff"));             /* never valid */
  assert_false(utf8_clean("\xc0\xaf"));         /* overlong '/' */
  assert_false(utf8_clean("\xe0\x80\xaf"));     /* overlong, three bytes */
  assert_false(utf8_clean("\xed\xa0\x80"));     /* UTF-16 surrogate */
  assert_false(utf8_clean("\xf4\x90\x80\x80")); /* past U+10FFFF */
  assert_false(utf8_clean("\xe6\x94"));         /* cut short at the end */
  assert_false(utf8_clean("\xe6\x94x"));        /* cut short in the middle */
  assert_false(utf8_clean("\x80"));             /* lone continuation byte */
}

static void test_characters_counted_not_bytes(void **s)
{
  assert_int_equal(utf8_chars("攀枝花"), 3);
  assert_int_equal(utf8_chars("a攀b"), 3);
  assert_int_equal(utf8_chars(""), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chinese_and_ascii_are_clean),
    cmocka_unit_test(test_control_characters_refused),
    cmocka_unit_test(test_malformed_sequences_refused),
    cmocka_unit_test(test_characters_counted_not_bytes),
  };
  return cmocka_run_group_tests(tests, 0, 0);
}
