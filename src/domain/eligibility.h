/* eligibility.h: who may be served by community rehab in a place — the rule set as data.
 *
 * A rule set is JSON, stored per region (store/rules_store.h; '' is the national default) and
 * editable by officials. The default is the pilot rule of seed 001 part 3: local 户籍 (hukou in
 * the same county as the place of service), age 18–60, a psychiatric disability certificate
 * (category 6 or 7) of grade 3–4 OR one of the six severe disorders, risk level 0–2 over the
 * last 6 months. The same document carries the referral timings a region may change: days to
 * the follow-up visit after closing (default 30) and months on a waiting list before the case
 * comes back for re-referral (default 3). Unknown keys are refused. Pure functions. */
#ifndef JK_ELIGIBILITY_H
#define JK_ELIGIBILITY_H
#include <stdbool.h>
#include <stdint.h>
#include "base/status.h"

enum hukou_scope { HUKOU_ANY = 0, HUKOU_PROVINCE, HUKOU_PREFECTURE, HUKOU_COUNTY };

struct rules {
  enum hukou_scope local_hukou;   /* "any" | "province" | "prefecture" | "county" */
  int age_min, age_max;           /* inclusive; 0/0 = no limit */
  int grade_min, grade_max;       /* psychiatric disability grades that qualify (1..4) */
  bool severe_qualifies;          /* one of the six severe disorders qualifies instead */
  bool require_condition;         /* false: neither certificate nor severe disorder needed */
  int max_risk_level;             /* 0..5 */
  int risk_window_months;         /* the risk assessment must be this recent; 0 = any */
  int followup_days;              /* 回访 after closing */
  int waitlist_months;            /* waiting-list limit before re-referral */
};

void rules_default(struct rules *out);
/* Parses and validates a rule set; missing keys keep the default. On failure JK_EINVAL with
 * code "invalid_rules", field the offending key, a static Chinese message. */
jk_status rules_parse(const char *json, struct rules *out, struct jk_err *e);
/* The canonical JSON of a rule set (malloc'd; caller frees). */
char *rules_to_json(const struct rules *r);

struct elig_facts {
  int age;                          /* whole years; negative when unknown (no birth date) */
  const char *hukou_region;         /* NULL when unknown; a normalized region code */
  const char *place_region;         /* the region of the place of service (institution) */
  int disability_category, disability_grade;   /* 0 when none */
  bool severe;                      /* one of the six severe disorders */
  int risk_level;                   /* -1 when not assessed */
  int64_t risk_assessed_ms;         /* when assessed */
  int64_t now_ms;
};

#define ELIG_MAX_FAILS 8
struct elig_result {
  bool eligible;
  int n;
  struct { const char *code, *message; } fail[ELIG_MAX_FAILS];   /* static strings */
};

/* Checks every rule; out->fail lists each failure with an English code and a Chinese message:
 * not_local_hukou, hukou_unknown (none registered, or too coarse to compare), place_unknown,
 * age_out_of_range, age_unknown, no_qualifying_condition, risk_not_assessed (always needed),
 * risk_too_high, risk_assessment_outdated (calendar months, Asia/Shanghai). */
void elig_check(const struct rules *r, const struct elig_facts *f, struct elig_result *out);

#endif
