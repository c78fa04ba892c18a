/* Unit tests of the referral state machine (domain/referral.c): every action from every
 * status, legal or not, against the table the issue describes; steps and labels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "domain/referral.h"

/* The expected outcome of each action from each status: RS_NONE = refused. Written out in full
 * from the issue text rather than derived from the table under test. */
static enum ref_status expect(enum ref_status from, enum ref_action a)
{
  switch (a) {
  case RA_REGISTER: return from == RS_SUBMITTED ? RS_REGISTERED : RS_NONE;
  case RA_REJECT: return from == RS_SUBMITTED ? RS_REJECTED : RS_NONE;
  case RA_WITHDRAW:
    return from == RS_SUBMITTED || from == RS_REGISTERED || from == RS_DISPATCHED || from == RS_DECLINED ||
               from == RS_WAITLISTED || from == RS_RECHECK || from == RS_ACCEPTED ? RS_WITHDRAWN : RS_NONE;
  case RA_DISPATCH: return from == RS_REGISTERED || from == RS_DECLINED ? RS_DISPATCHED : RS_NONE;
  case RA_ACCEPT: return from == RS_DISPATCHED || from == RS_WAITLISTED ? RS_ACCEPTED : RS_NONE;
  case RA_DECLINE: return from == RS_DISPATCHED || from == RS_WAITLISTED ? RS_DECLINED : RS_NONE;
  case RA_WAITLIST: return from == RS_DISPATCHED ? RS_WAITLISTED : RS_NONE;
  case RA_REREFER: return from == RS_RECHECK || from == RS_WAITLISTED || from == RS_DECLINED ? RS_DISPATCHED : RS_NONE;
  case RA_CONSENT:
  case RA_AGREEMENT:
  case RA_ASSESS: return from == RS_ACCEPTED || from == RS_IN_SERVICE ? from : RS_NONE;
  case RA_START: return from == RS_ACCEPTED ? RS_IN_SERVICE : RS_NONE;
  case RA_REVIEW: return from == RS_IN_SERVICE ? RS_IN_SERVICE : RS_NONE;
  case RA_REFER_OUT: return from == RS_IN_SERVICE ? RS_CLOSED : RS_NONE;
  case RA_TRANSFER:
  case RA_RELAPSE:
    return from == RS_ACCEPTED || from == RS_IN_SERVICE ? (a == RA_TRANSFER ? RS_DISPATCHED : RS_HOSPITALIZED) : RS_NONE;
  case RA_MOVE: return from == RS_ACCEPTED || from == RS_IN_SERVICE || from == RS_WAITLISTED ? RS_DISPATCHED : RS_NONE;
  case RA_DISCHARGE: return from == RS_HOSPITALIZED ? RS_DISPATCHED : RS_NONE;
  case RA_CLOSE: return from == RS_ACCEPTED || from == RS_IN_SERVICE || from == RS_HOSPITALIZED ? RS_CLOSED : RS_NONE;
  case RA_FOLLOWUP: return from == RS_CLOSED ? RS_CLOSED : RS_NONE;
  case RA_EXPIRE: return from == RS_WAITLISTED ? RS_RECHECK : RS_NONE;
  case RA_COUNT: break;
  }
  return RS_NONE;
}

static void test_every_transition_legal_and_illegal(void **s)
{
  int legal = 0;
  for (int from = 0; from < RS_COUNT; from++)
    for (int a = 0; a < RA_COUNT; a++) {
      enum ref_status want = expect((enum ref_status)from, (enum ref_action)a);
      enum ref_status got = referral_next((enum ref_status)from, (enum ref_action)a);
      if (got != want) fail_msg("%s from %s: got %s, want %s", ref_action_name((enum ref_action)a),
                                ref_status_name((enum ref_status)from), ref_status_name(got), ref_status_name(want));
      legal += got != RS_NONE;
    }
  assert_true(legal > 30);
}

static void test_end_states_allow_nothing_but_followup(void **s)
{
  for (int a = 0; a < RA_COUNT; a++) {
    assert_int_equal(referral_next(RS_REJECTED, (enum ref_action)a), RS_NONE);
    assert_int_equal(referral_next(RS_WITHDRAWN, (enum ref_action)a), RS_NONE);
    assert_int_equal(referral_next(RS_MOVED, (enum ref_action)a), RS_NONE);
    if (a != RA_FOLLOWUP) assert_int_equal(referral_next(RS_CLOSED, (enum ref_action)a), RS_NONE);
  }
  assert_false(ref_status_open(RS_CLOSED));
  assert_true(ref_status_open(RS_WAITLISTED));
}

static void test_seven_steps(void **s)
{
  assert_int_equal(ref_step(RS_SUBMITTED, false), 1);
  assert_int_equal(ref_step(RS_REGISTERED, false), 2);
  assert_int_equal(ref_step(RS_WAITLISTED, false), 3);
  assert_int_equal(ref_step(RS_ACCEPTED, false), 4);
  assert_int_equal(ref_step(RS_IN_SERVICE, false), 5);
  assert_int_equal(ref_step(RS_IN_SERVICE, true), 6);
  assert_int_equal(ref_step(RS_CLOSED, false), 7);
  assert_string_equal(ref_step_label(4), "综合评估");
  assert_string_equal(ref_step_label(7), "结案与回访");
}

static void test_names_round_trip_and_unknown_refused(void **s)
{
  for (int i = 0; i < RS_COUNT; i++) assert_int_equal(ref_status_parse(ref_status_name((enum ref_status)i)), i);
  for (int i = 0; i < RA_EXPIRE; i++) assert_int_equal(ref_action_parse(ref_action_name((enum ref_action)i)), i);
  assert_int_equal(ref_action_parse("expire"), RA_COUNT);   /* the sweep's, not an API action */
  assert_int_equal(ref_action_parse("fly"), RA_COUNT);
  assert_int_equal(ref_status_parse(0), RS_NONE);
  assert_int_equal(referral_next(RS_NONE, RA_REGISTER), RS_NONE);
}

static void test_deadline_kinds(void **s)
{
  assert_int_equal(ref_status_deadline(RS_SUBMITTED), DL_WORKDAYS);
  assert_int_equal(ref_status_deadline(RS_REGISTERED), DL_WORKDAYS);
  assert_int_equal(ref_status_deadline(RS_WAITLISTED), DL_WAIT_LIMIT);
  assert_int_equal(ref_status_deadline(RS_CLOSED), DL_FOLLOWUP);
  assert_int_equal(ref_status_deadline(RS_IN_SERVICE), DL_NONE);
}

static void test_distance(void **s)
{
  /* 米易县城 to 攀枝花东区: about 45 km as the crow flies */
  double km = geo_distance_km(26.8871, 102.1098, 26.5806, 101.7245);
  assert_true(km > 45 && km < 55);
  assert_true(geo_distance_km(26.0, 102.0, 26.0, 102.0) < 1e-9);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_transition_legal_and_illegal),
    cmocka_unit_test(test_end_states_allow_nothing_but_followup),
    cmocka_unit_test(test_seven_steps),
    cmocka_unit_test(test_names_round_trip_and_unknown_refused),
    cmocka_unit_test(test_deadline_kinds),
    cmocka_unit_test(test_distance),
  };
  return cmocka_run_group_tests_name("referral", tests, 0, 0);
}
