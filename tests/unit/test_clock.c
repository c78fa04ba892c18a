/* Unit tests of the one clock and Shanghai dates (base/clock.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "base/clock.h"

static void test_fixed_clock_and_jump_ahead(void **s)
{
  clock_set_ms(1700000000000LL);
  assert_int_equal(clock_now_ms(), 1700000000000LL);
  clock_advance_ms(86400000LL);
  assert_int_equal(clock_now_ms(), 1700086400000LL);
  clock_set_ms(0);
  assert_true(clock_now_ms() > 1700000000000LL);
}

static void test_shanghai_date_turns_at_utc_sixteen(void **s)
{
  int64_t ms;
  assert_true(time_parse("2026-11-22T15:59:59Z", &ms));
  struct jk_date d = date_from_ms(ms);
  assert_int_equal(d.d, 22);
  assert_true(time_parse("2026-11-22T16:00:00Z", &ms));
  d = date_from_ms(ms);
  assert_int_equal(d.d, 23);
}

static void test_date_parse_refuses_impossible_dates(void **s)
{
  struct jk_date d;
  assert_true(date_parse("2024-02-29", &d));
  assert_false(date_parse("2023-02-29", &d));
  assert_false(date_parse("2023-13-01", &d));
  assert_false(date_parse("2023-1-01", &d));
  assert_false(date_parse("2023-01-01x", &d));
}

static void test_age_counts_the_birthday(void **s)
{
  struct jk_date b = {1990, 11, 22};
  assert_int_equal(date_age(b, (struct jk_date){2026, 11, 21}), 35);
  assert_int_equal(date_age(b, (struct jk_date){2026, 11, 22}), 36);
}

static void test_days_round_trip(void **s)
{
  for (int64_t z = -800000; z < 800000; z += 997) {
    struct jk_date d = date_from_days(z);
    assert_true(date_valid(d.y, d.m, d.d) || d.y < 1800);
    assert_int_equal(date_to_days(d), z);
  }
}

static void test_time_format_is_iso_with_offset(void **s)
{
  char out[32];
  int64_t ms;
  assert_true(time_parse("2026-11-22T09:30:00+08:00", &ms));
  time_format(ms, out);
  assert_string_equal(out, "2026-11-22T09:30:00+08:00");
  assert_true(time_parse("2026-11-22", &ms));
  time_format(ms, out);
  assert_string_equal(out, "2026-11-22T00:00:00+08:00");
  assert_false(time_parse("yesterday", &ms));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fixed_clock_and_jump_ahead),
    cmocka_unit_test(test_shanghai_date_turns_at_utc_sixteen),
    cmocka_unit_test(test_date_parse_refuses_impossible_dates),
    cmocka_unit_test(test_age_counts_the_birthday),
    cmocka_unit_test(test_days_round_trip),
    cmocka_unit_test(test_time_format_is_iso_with_offset),
  };
  return cmocka_run_group_tests_name("clock", tests, 0, 0);
}
