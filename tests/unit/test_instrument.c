/* test_instrument.c: the shipped instruments (data/instruments/<id>.json) scored against their
 * published rules with hand-computed answers at every band boundary — PHQ-9 4/5/9/10/14/15/19/20,
 * GAD-7 4/5/9/10/14/15, SDSS with 不适用 (9) left out, risk levels — the PHQ-9 item 9 alert
 * whatever the total; the follow-up form's classification → next visit; refusal of bad answers;
 * and refusal of bad definitions (so that a broken data file never reaches scoring). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/arena.h"
#include "base/clock.h"
#include "domain/instrument.h"

static struct instrument *load(const char *id)
{
  char path[256];
  snprintf(path, sizeof path, "data/instruments/%s.json", id);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char text[256 * 1024];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  struct instrument *in;
  char err[256];
  jk_status st = instrument_parse(text, &in, err, sizeof err);
  if (st != JK_OK) fail_msg("%s: %s", id, err);
  return in;
}

/* Answers q1..qn with the given values (-1 leaves an item out). */
static json_t *answers_q(int n, const int *v)
{
  json_t *o = json_object();
  for (int i = 0; i < n; i++) {
    char k[16];
    snprintf(k, sizeof k, "q%d", i + 1);
    if (v[i] >= 0) json_object_set_new(o, k, json_integer(v[i]));
  }
  return o;
}

static bool has_flag(const struct instr_result *r, const char *id)
{
  for (int i = 0; i < r->nflags; i++)
    if (strcmp(r->flags[i]->id, id) == 0) return true;
  return false;
}

static struct instr_result score_q(const struct instrument *in, int n, const int *v)
{
  struct arena *a = arena_new();
  json_t *ans = answers_q(n, v);
  struct instr_result r;
  struct jk_err e = {0};
  jk_status st = instrument_check(in, ans, a, &r, &e);
  if (st != JK_OK) fail_msg("%s: %s", in->id, e.message);
  json_decref(ans);
  arena_free(a);
  return r;
}

/* PHQ-9 answers summing to `total` with item 9 = 0 (spread over items 1–8). */
static struct instr_result phq9_total(const struct instrument *in, int total, int q9)
{
  int v[9] = {0};
  int left = total - q9;
  for (int i = 0; i < 8 && left > 0; i++) {
    v[i] = left > 3 ? 3 : left;
    left -= v[i];
  }
  v[8] = q9;
  return score_q(in, 9, v);
}

static void test_phq9_bands_at_every_boundary(void **state)
{
  (void)state;
  struct instrument *in = load("phq9");
  static const struct { int total; const char *band; } cases[] = {
    {0, "minimal"}, {4, "minimal"}, {5, "mild"}, {9, "mild"}, {10, "moderate"}, {14, "moderate"},
    {15, "moderately_severe"}, {19, "moderately_severe"}, {20, "severe"}, {24, "severe"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct instr_result r = phq9_total(in, cases[i].total, 0);
    assert_true(r.has_score);
    assert_int_equal(r.score, cases[i].total);
    assert_string_equal(r.band->id, cases[i].band);
    assert_false(has_flag(&r, "suicide_risk"));
    assert_int_equal(has_flag(&r, "depression_positive"), cases[i].total >= 10);
  }
  int all3[9] = {3, 3, 3, 3, 3, 3, 3, 3, 3};
  struct instr_result r = score_q(in, 9, all3);
  assert_int_equal(r.score, 27);
  assert_string_equal(r.band->id, "severe");
  instrument_free(in);
}

static void test_phq9_item9_alerts_whatever_the_total(void **state)
{
  (void)state;
  struct instrument *in = load("phq9");
  struct instr_result r = phq9_total(in, 1, 1);   /* total 1: minimal, yet item 9 = 1 */
  assert_int_equal(r.score, 1);
  assert_string_equal(r.band->id, "minimal");
  assert_true(has_flag(&r, "suicide_risk"));
  assert_true(r.alert);
  r = phq9_total(in, 20, 0);                      /* severe without item 9: no alert */
  assert_false(r.alert);
  instrument_free(in);
}

static void test_gad7_bands(void **state)
{
  (void)state;
  struct instrument *in = load("gad7");
  static const struct { int v[7]; int total; const char *band; } cases[] = {
    {{1, 1, 1, 1, 0, 0, 0}, 4, "minimal"}, {{1, 1, 1, 1, 1, 0, 0}, 5, "mild"}, {{3, 3, 3, 0, 0, 0, 0}, 9, "mild"},
    {{3, 3, 3, 1, 0, 0, 0}, 10, "moderate"}, {{2, 2, 2, 2, 2, 2, 2}, 14, "moderate"},
    {{3, 3, 3, 3, 3, 0, 0}, 15, "severe"}, {{3, 3, 3, 3, 3, 3, 3}, 21, "severe"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct instr_result r = score_q(in, 7, cases[i].v);
    assert_int_equal(r.score, cases[i].total);
    assert_string_equal(r.band->id, cases[i].band);
    assert_int_equal(has_flag(&r, "anxiety_positive"), cases[i].total >= 10);
  }
  instrument_free(in);
}

static void test_sdss_leaves_out_not_applicable(void **state)
{
  (void)state;
  struct instrument *in = load("sdss");
  /* Unmarried, no children: 9 on items 2 and 3 adds nothing; one deficit of 1 → total 1. */
  int one[10] = {0, 9, 9, 1, 0, 0, 0, 0, 0, 0};
  struct instr_result r = score_q(in, 10, one);
  assert_int_equal(r.score, 1);
  assert_string_equal(r.band->id, "normal");
  assert_false(has_flag(&r, "social_function_deficit"));
  /* Total 2 is a deficit (≥ 2). */
  int two[10] = {1, 9, 9, 1, 0, 0, 0, 0, 0, 0};
  r = score_q(in, 10, two);
  assert_int_equal(r.score, 2);
  assert_string_equal(r.band->id, "deficit");
  assert_true(has_flag(&r, "social_function_deficit"));
  /* Everything not applicable: 0, no deficit. */
  int nine[10] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  r = score_q(in, 10, nine);
  assert_int_equal(r.score, 0);
  /* The maximum: 10 items × 2. */
  int all2[10] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  assert_int_equal(score_q(in, 10, all2).score, 20);
  instrument_free(in);
}

static struct instr_result score_obj(const struct instrument *in, const char *json, jk_status want, const char *field)
{
  struct arena *a = arena_new();
  json_t *ans = json_loads(json, 0, 0);
  assert_non_null(ans);
  struct instr_result r;
  struct jk_err e = {0};
  jk_status st = instrument_check(in, ans, a, &r, &e);
  assert_int_equal(st, want);
  if (field) assert_string_equal(e.field, field);
  json_decref(ans);
  arena_free(a);
  return r;
}

static void test_risk_levels_and_high_risk_flag(void **state)
{
  (void)state;
  struct instrument *in = load("risk");
  for (int level = 0; level <= 5; level++) {
    char json[64];
    snprintf(json, sizeof json, "{\"level\": %d}", level);
    struct instr_result r = score_obj(in, json, JK_OK, 0);
    assert_int_equal(r.score, level);
    char band[24];
    snprintf(band, sizeof band, "level%d", level);
    assert_string_equal(r.band->id, band);
    assert_int_equal(r.alert, level >= 3);
  }
  json_t *five = json_integer(5);
  const char *label = instrument_option_label(in, 0, five);
  assert_non_null(label);
  assert_non_null(strstr(label, "持械"));
  json_decref(five);
  instrument_free(in);
}

static void test_bad_answers_are_refused(void **state)
{
  (void)state;
  struct instrument *in = load("phq9");
  score_obj(in, "{\"q1\":0,\"q2\":0,\"q3\":0,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0,\"q8\":0}", JK_EINVAL, "answers.q9");
  score_obj(in, "{\"q1\":4,\"q2\":0,\"q3\":0,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0,\"q8\":0,\"q9\":0}", JK_EINVAL, "answers.q1");
  score_obj(in, "{\"q1\":\"0\",\"q2\":0,\"q3\":0,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0,\"q8\":0,\"q9\":0}", JK_EINVAL, "answers.q1");
  score_obj(in, "{\"q1\":0,\"q2\":0,\"q3\":0,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0,\"q8\":0,\"q9\":0,\"q10\":1}", JK_EINVAL, "answers");
  score_obj(in, "{\"q1\":null,\"q2\":0,\"q3\":0,\"q4\":0,\"q5\":0,\"q6\":0,\"q7\":0,\"q8\":0,\"q9\":0}", JK_EINVAL, "answers.q1");
  instrument_free(in);
}

static const char FORM[] =
  "{\"id\":\"visit\",\"version\":1,\"name\":\"随访\",\"kind\":\"form\",\"sections\":[{\"id\":\"s\",\"title\":\"随访\",\"items\":["
  "{\"id\":\"cls\",\"text\":\"分类\",\"type\":\"choice\",\"options\":[{\"value\":0,\"label\":\"未访到\"},{\"value\":1,\"label\":\"不稳定\"},"
  "{\"value\":2,\"label\":\"基本稳定\"},{\"value\":3,\"label\":\"稳定\"}]},"
  "{\"id\":\"why\",\"text\":\"失访原因\",\"type\":\"text\",\"show_if\":{\"item\":\"cls\",\"in\":[0]}},"
  "{\"id\":\"sym\",\"text\":\"症状\",\"type\":\"multi\",\"max_choices\":2,\"options\":[{\"value\":1,\"label\":\"幻觉\"},{\"value\":2,\"label\":\"猜疑\"},{\"value\":3,\"label\":\"其他\"}],"
  "\"show_if\":{\"item\":\"cls\",\"in\":[1,2,3]}},"
  "{\"id\":\"n\",\"text\":\"自伤次数\",\"type\":\"number\",\"min\":0,\"max\":99,\"required\":false}]}],"
  "\"flags\":[{\"id\":\"hallucination\",\"label\":\"幻觉\",\"when\":{\"item\":\"sym\",\"op\":\"in\",\"value\":[1]}},"
  "{\"id\":\"self_harm\",\"label\":\"自伤\",\"alert\":true,\"when\":{\"item\":\"n\",\"op\":\">\",\"value\":0}}],"
  "\"schedule\":{\"due\":\"visit\",\"by_item\":\"cls\",\"intervals\":{\"0\":{\"days\":14},\"1\":{\"days\":14},\"2\":{\"days\":14},"
  "\"3\":{\"months\":3}},\"default\":{\"months\":3},\"min_per_year\":4}}";

static struct instrument *parse_ok(const char *json)
{
  struct instrument *in;
  char err[256];
  jk_status st = instrument_parse(json, &in, err, sizeof err);
  if (st != JK_OK) fail_msg("%s", err);
  return in;
}

static void test_show_if_and_multi(void **state)
{
  (void)state;
  struct instrument *in = parse_ok(FORM);
  score_obj(in, "{\"cls\":0,\"why\":\"外出务工\"}", JK_OK, 0);
  score_obj(in, "{\"cls\":0}", JK_EINVAL, "answers.why");                       /* required when shown */
  score_obj(in, "{\"cls\":3,\"sym\":[],\"why\":\"x\"}", JK_EINVAL, "answers.why");  /* hidden: must be left out */
  score_obj(in, "{\"cls\":2,\"sym\":[1,1]}", JK_EINVAL, "answers.sym");
  score_obj(in, "{\"cls\":2,\"sym\":[1,2,3]}", JK_EINVAL, "answers.sym");         /* max_choices 2 */
  score_obj(in, "{\"cls\":2,\"sym\":[2],\"n\":100}", JK_EINVAL, "answers.n");
  struct instr_result r = score_obj(in, "{\"cls\":1,\"sym\":[2,1],\"n\":1}", JK_OK, 0);
  assert_int_equal(r.nflags, 2);
  assert_true(r.alert);
  assert_false(r.has_score);
  r = score_obj(in, "{\"cls\":1,\"sym\":[2]}", JK_OK, 0);
  assert_int_equal(r.nflags, 0);
  instrument_free(in);
}

static void assert_due(const struct instrument *in, const char *answers, struct jk_date from, struct jk_date want)
{
  json_t *a = json_loads(answers, 0, 0);
  struct jk_date due;
  assert_true(instrument_next_due(in, a, from, &due));
  assert_int_equal(due.y, want.y);
  assert_int_equal(due.m, want.m);
  assert_int_equal(due.d, want.d);
  json_decref(a);
}

static void test_followup_classification_sets_next_visit(void **state)
{
  (void)state;
  struct instrument *in = parse_ok(FORM);
  struct jk_date d = {2026, 11, 20};
  assert_due(in, "{\"cls\":1}", d, (struct jk_date){2026, 12, 4});     /* 不稳定: 2 weeks */
  assert_due(in, "{\"cls\":2}", d, (struct jk_date){2026, 12, 4});     /* 基本稳定: observe 2 weeks */
  assert_due(in, "{\"cls\":3}", d, (struct jk_date){2027, 2, 20});     /* 稳定: 3 months */
  assert_due(in, "{\"cls\":3}", (struct jk_date){2026, 11, 30}, (struct jk_date){2027, 2, 28});
  assert_due(in, "{\"cls\":0}", d, (struct jk_date){2026, 12, 4});
  instrument_free(in);
  /* The shipped follow-up form keeps the same rule. */
  in = load("followup");
  assert_string_equal(in->due, "followup");
  instrument_free(in);
}

static void test_date_add_months_clamps_to_month_end(void **state)
{
  (void)state;
  struct jk_date r = date_add_months((struct jk_date){2026, 1, 31}, 1);
  assert_int_equal(r.m, 2);
  assert_int_equal(r.d, 28);
  r = date_add_months((struct jk_date){2027, 11, 30}, 3);
  assert_int_equal(r.y, 2028);
  assert_int_equal(r.m, 2);
  assert_int_equal(r.d, 29);
  r = date_add_months((struct jk_date){2026, 3, 15}, -3);
  assert_int_equal(r.y, 2025);
  assert_int_equal(r.m, 12);
}

static void refused(const char *json, const char *needle)
{
  struct instrument *in;
  char err[256];
  assert_int_equal(instrument_parse(json, &in, err, sizeof err), JK_EINVAL);
  assert_null(in);
  if (!strstr(err, needle)) fail_msg("expected “%s” in: %s", needle, err);
}

#define HEAD "{\"id\":\"x\",\"version\":1,\"name\":\"X\",\"kind\":\"scale\","
#define ONE_ITEM "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"items\":[{\"id\":\"a\",\"text\":\"A\",\"type\":\"choice\",\"options\":[{\"value\":0,\"label\":\"否\"},{\"value\":1,\"label\":\"是\"}]}]}]"

static void test_bad_definitions_are_refused(void **state)
{
  (void)state;
  refused("{", "JSON");
  refused(HEAD ONE_ITEM ",\"colour\":1}", "colour");
  refused(HEAD "\"sections\":[]}", "sections");
  refused(HEAD ONE_ITEM ",\"score\":{\"sum\":[\"b\"]}}", "score.sum");
  refused(HEAD ONE_ITEM ",\"flags\":[{\"id\":\"f\",\"label\":\"F\",\"when\":{\"item\":\"zz\",\"op\":\">\",\"value\":0}}]}", "f");
  refused(HEAD ONE_ITEM ",\"flags\":[{\"id\":\"f\",\"label\":\"F\",\"when\":{\"score\":true,\"op\":\">\",\"value\":0}}]}", "总分");
  refused(HEAD ONE_ITEM ",\"schedule\":{\"due\":\"x\",\"default\":{\"months\":4},\"min_per_year\":4}}", "每年至少4次");
  refused(HEAD "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"items\":[{\"id\":\"a\",\"text\":\"A\",\"type\":\"text\","
          "\"show_if\":{\"item\":\"b\",\"in\":[1]}},{\"id\":\"b\",\"text\":\"B\",\"type\":\"choice\",\"options\":[{\"value\":1,\"label\":\"1\"}]}]}]}",
          "show_if");
  refused(HEAD "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"items\":[{\"id\":\"a\",\"text\":\"A\",\"type\":\"choice\","
          "\"options\":[{\"value\":1,\"label\":\"1\"},{\"value\":1,\"label\":\"2\"}]}]}]}",
          "重复");
  refused(HEAD "\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"signer\":\"janitor\",\"items\":[]}]}", "题目总数");
}

static void test_every_shipped_instrument_loads(void **state)
{
  (void)state;
  static const char *const ids[] = {"risk", "sdss", "phq9", "gad7", "intake", "periodic", "followup", "satisfaction"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    struct instrument *in = load(ids[i]);
    assert_string_equal(in->id, ids[i]);
    assert_true(in->nitems > 0);
    instrument_free(in);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_phq9_bands_at_every_boundary),
    cmocka_unit_test(test_phq9_item9_alerts_whatever_the_total),
    cmocka_unit_test(test_gad7_bands),
    cmocka_unit_test(test_sdss_leaves_out_not_applicable),
    cmocka_unit_test(test_risk_levels_and_high_risk_flag),
    cmocka_unit_test(test_bad_answers_are_refused),
    cmocka_unit_test(test_show_if_and_multi),
    cmocka_unit_test(test_followup_classification_sets_next_visit),
    cmocka_unit_test(test_date_add_months_clamps_to_month_end),
    cmocka_unit_test(test_bad_definitions_are_refused),
    cmocka_unit_test(test_every_shipped_instrument_loads),
  };
  return cmocka_run_group_tests(tests, 0, 0);
}
