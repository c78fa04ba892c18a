/* test_password.c: the password policy (ASVS 2.1): 12–128 characters, not containing the
 * username, not common or simple. Needs cracklib's dictionary (Debian cracklib-runtime). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/password.h"

#define COMMON "密码过于常见或简单，请换一个"

static void assert_accepted(const char *pw, const char *username)
{
  struct jk_err e = {0};
  jk_status st = password_check(pw, username, &e);
  if (st != JK_OK) fail_msg("\"%s\" refused: %s", pw, e.message);
}

static void assert_refused(const char *pw, const char *username, const char *message)
{
  struct jk_err e = {0};
  if (password_check(pw, username, &e) != JK_EINVAL) fail_msg("\"%s\" accepted", pw);
  assert_string_equal(e.code, "weak_password");
  assert_string_equal(e.field, "password");
  assert_string_equal(e.message, message);
}

/* n distinct CJK characters (U+4E00 + 37·i), UTF-8, into out. */
static void cjk_chars(int n, char *out)
{
  for (int i = 0; i < n; i++) {
    unsigned cp = 0x4E00 + 37u * (unsigned)i;
    *out++ = (char)(0xE0 | cp >> 12);
    *out++ = (char)(0x80 | (cp >> 6 & 0x3F));
    *out++ = (char)(0x80 | (cp & 0x3F));
  }
  *out = 0;
}

static void test_dictionary_available(void **state) { assert_true(password_dictionary_ok()); }

static void test_demo_passphrases_accepted(void **state)
{
  assert_accepted("Jingkang-Demo-2026!", "admin");
  assert_accepted("康复服务平台2026安全", "admin");
  assert_accepted("correct horse battery staple", "admin");
  assert_accepted("Mental-Health-Community-Rehab", "wangfang");
  assert_accepted("k9#Tq!2vLm@x", "admin");
}

static void test_eleven_characters_refused(void **state)
{
  assert_refused("Jk-Demo-26!", "admin", "密码至少12个字符");
  assert_refused("", "admin", "密码至少12个字符");
  assert_refused(0, "admin", "密码至少12个字符");
}

static void test_length_counts_characters_not_bytes(void **state)
{
  assert_accepted("社区康复服务中心的张医生", "admin");
  assert_refused("社区康复服务中心的张医", "admin", "密码至少12个字符");
}

static void test_128_characters_accepted_129_refused(void **state)
{
  char pw[129 * 3 + 1];
  cjk_chars(128, pw);
  assert_accepted(pw, "admin");
  cjk_chars(129, pw);
  assert_refused(pw, "admin", "密码不能超过128个字符");
}

static void test_invalid_utf8_refused(void **state)
{
  assert_refused("Jingkang-Demo-\xff-2026", "admin", "密码包含无效的字符编码");
  assert_refused("Jingkang-Demo-\xC0\xAF-2026", "admin", "密码包含无效的字符编码");
  assert_refused("Jingkang-Demo-\xED\xA0\x80-2026", "admin", "密码包含无效的字符编码");
}

static void test_containing_username_refused(void **state)
{
  assert_refused("Zhangsan@Hospital2026", "zhangsan", "密码不能包含用户名");
  assert_refused("my-ZHANGSAN-kangfu", "zhangsan", "密码不能包含用户名");
}

static void test_two_letter_username_not_checked(void **state)
{
  assert_accepted("Reliable-Kangfu-2026", "li");
}

static void test_common_passwords_refused(void **state)
{
  assert_refused("password1234", "admin", COMMON);
  assert_refused("Password1234!", "admin", COMMON);
  assert_refused("P@ssw0rd2026!", "admin", COMMON);
  assert_refused("iloveyou1234", "admin", COMMON);
  assert_refused("woaini1314520", "admin", COMMON);
  assert_refused("Jingkang2026", "admin", COMMON);
}

static void test_simple_sequences_refused(void **state)
{
  assert_refused("123456789012", "admin", COMMON);
  assert_refused("qwertyuiopas", "admin", COMMON);
  assert_refused("abcdefghijkl", "admin", COMMON);
  assert_refused("lkjhgfdsa987", "admin", COMMON);
  assert_refused("1qaz2wsx3edc", "admin", COMMON);
  assert_refused("qwerty123456", "admin", COMMON);
}

static void test_repeated_characters_refused(void **state)
{
  assert_refused("aaaaaaaaaaaa", "admin", COMMON);
  assert_refused("abcabcabcabc", "admin", COMMON);
  assert_refused("密密密密密密密密密密密密", "admin", COMMON);
  assert_refused("Ab1!Ab1!Ab1!", "admin", COMMON);
}

static void test_dictionary_word_refused(void **state)
{
  /* "rehabilitate" is in cracklib-small, the one word list Debian's cracklib-runtime builds from on
   * a bare machine (a larger list, when installed, has it too) */
  assert_refused("Rehabilitated", "admin", COMMON);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dictionary_available),
    cmocka_unit_test(test_demo_passphrases_accepted),
    cmocka_unit_test(test_eleven_characters_refused),
    cmocka_unit_test(test_length_counts_characters_not_bytes),
    cmocka_unit_test(test_128_characters_accepted_129_refused),
    cmocka_unit_test(test_invalid_utf8_refused),
    cmocka_unit_test(test_containing_username_refused),
    cmocka_unit_test(test_two_letter_username_not_checked),
    cmocka_unit_test(test_common_passwords_refused),
    cmocka_unit_test(test_simple_sequences_refused),
    cmocka_unit_test(test_repeated_characters_refused),
    cmocka_unit_test(test_dictionary_word_refused),
  };
  return cmocka_run_group_tests_name("password", tests, 0, 0);
}
