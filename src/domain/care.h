/* care.h: the code lists of care work, each with its Chinese label — service types (domain.md
 * "Services"), where and how a service is given, care team roles ("九管一", seed 003; the same
 * structure as the drug-rehab working group of seed 001), staff professions, degrees and majors,
 * training kinds — and the staff targets of the 精康融合行动 (20 training hours a year for each
 * direct-service worker; 30% of staff with a mental-health, psychology or social-work major). */
#ifndef JK_CARE_H
#define JK_CARE_H
#include <stdbool.h>

struct code { const char *id, *label; };

enum care_list {
  CL_SERVICE_TYPE, CL_PLACE, CL_MODE, CL_TEAM_ROLE, CL_PROFESSION, CL_DEGREE, CL_MAJOR_FIELD, CL_TRAINING_KIND,
  CL_GOAL_STATUS, CL_COUNT
};

/* The codes of a list, terminated by {0, 0}; its name as the API shows it ("service_types"...). */
const struct code *care_codes(enum care_list l);
const char *care_list_name(enum care_list l);
/* The label of id in list l, or NULL when id is not one of its codes. */
const char *care_label(enum care_list l, const char *id);
bool care_code_valid(enum care_list l, const char *id);
/* Majors that count towards the 30% qualified-staff target. */
bool major_field_relevant(const char *id);

#define TRAINING_HOURS_TARGET_X10 200   /* 20 hours a year, in tenths */
#define QUALIFIED_SHARE_TARGET_PCT 30

#endif
