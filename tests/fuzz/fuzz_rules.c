/* fuzz_rules: the referral rule-set reader (domain/eligibility.c; rule sets are JSON documents
 * stored per region). Round trip: a set that parses is written canonically, and that text
 * parses to the same canonical text; eligibility is then checked against it. */
#include "fz_check.h"
#include "domain/eligibility.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > (1u << 16)) return 0;
  char *s = malloc(size + 1);
  FZ_CHECK(s);
  memcpy(s, data, size);
  s[size] = 0;
  struct rules r, r2;
  struct jk_err e = {0};
  if (rules_parse(s, &r, &e) == JK_OK) {
    char *canon = rules_to_json(&r);
    FZ_CHECK(canon);
    struct jk_err e2 = {0};
    FZ_CHECK(rules_parse(canon, &r2, &e2) == JK_OK);
    char *again = rules_to_json(&r2);
    FZ_CHECK(strcmp(canon, again) == 0);
    struct elig_facts f = {.age = size % 100, .hukou_region = "510421", .place_region = "5104",
                           .disability_category = 6, .disability_grade = (int)(size % 5),
                           .severe = size & 1, .risk_level = (int)(size % 7) - 1,
                           .risk_assessed_ms = 0, .now_ms = 1790000000000};
    struct elig_result res;
    elig_check(&r, &f, &res);
    free(canon);
    free(again);
  } else {
    FZ_CHECK(e.message);
  }
  free(s);
  return 0;
}
