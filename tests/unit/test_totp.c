/* Unit tests of TOTP (sec/totp.c): the RFC 6238 appendix B vectors (SHA-1, truncated to 6
 * digits), base32, the ±1 step window and each code only once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "sec/totp.h"

/* "12345678901234567890", the RFC's SHA-1 seed */
static const unsigned char RFC_KEY[TOTP_SECRET_BYTES] = "12345678901234567890";

static void test_rfc6238_appendix_b_vectors(void **s)
{
  static const struct { int64_t t; const char *code; } v[] = {
    {59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
    {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char c[TOTP_DIGITS + 1];
    totp_code(RFC_KEY, totp_step(v[i].t * 1000), c);
    assert_string_equal(c, v[i].code);
  }
}

static void test_base32_round_trip_and_rfc_secret(void **s)
{
  unsigned char k[TOTP_SECRET_BYTES];
  assert_true(totp_secret_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", k));
  assert_memory_equal(k, RFC_KEY, TOTP_SECRET_BYTES);
  assert_true(totp_secret_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", k));
  assert_memory_equal(k, RFC_KEY, TOTP_SECRET_BYTES);
  char b32[TOTP_B32_CHARS], b32b[TOTP_B32_CHARS];
  totp_secret_new(b32);
  totp_secret_new(b32b);
  assert_int_equal(strlen(b32), 32);
  assert_string_not_equal(b32, b32b);
  assert_true(totp_secret_decode(b32, k));
  assert_false(totp_secret_decode("GEZDGNBVGY3TQOJQ", k));          /* too short */
  assert_false(totp_secret_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", k)); /* 1 is not base32 */
}

static void test_window_is_one_step_either_side(void **s)
{
  int64_t now = 1700000015000LL, step = totp_step(now), used;
  char c[TOTP_DIGITS + 1];
  for (int d = -1; d <= 1; d++) {
    totp_code(RFC_KEY, step + d, c);
    assert_true(totp_verify(RFC_KEY, c, now, -1, &used));
    assert_int_equal(used, step + d);
  }
  totp_code(RFC_KEY, step + 2, c);
  assert_false(totp_verify(RFC_KEY, c, now, -1, &used));
  totp_code(RFC_KEY, step - 2, c);
  assert_false(totp_verify(RFC_KEY, c, now, -1, &used));
}

static void test_each_code_only_once(void **s)
{
  int64_t now = 1700000015000LL, step = totp_step(now), used;
  char c[TOTP_DIGITS + 1];
  totp_code(RFC_KEY, step, c);
  assert_true(totp_verify(RFC_KEY, c, now, step - 1, &used));
  assert_false(totp_verify(RFC_KEY, c, now, used, &used));   /* the same code again */
  totp_code(RFC_KEY, step - 1, c);
  assert_false(totp_verify(RFC_KEY, c, now, step, &used));   /* an older one after it */
  totp_code(RFC_KEY, step + 1, c);
  assert_true(totp_verify(RFC_KEY, c, now, step, &used));    /* the next one */
}

static void test_malformed_codes_refused(void **s)
{
  int64_t used;
  const char *bad[] = {"", "12345", "1234567", "12a456", " 12345", "123 45", 0};
  for (int i = 0; bad[i]; i++) assert_false(totp_verify(RFC_KEY, bad[i], 1700000000000LL, -1, &used));
  assert_false(totp_verify(RFC_KEY, 0, 1700000000000LL, -1, &used));
}

int main(void)
{
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc6238_appendix_b_vectors),
    cmocka_unit_test(test_base32_round_trip_and_rfc_secret),
    cmocka_unit_test(test_window_is_one_step_either_side),
    cmocka_unit_test(test_each_code_only_once),
    cmocka_unit_test(test_malformed_codes_refused),
  };
  return cmocka_run_group_tests_name("totp", tests, 0, 0);
}
