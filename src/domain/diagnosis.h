/* diagnosis.h: diagnoses coded in ICD-10 chapter V (F00–F99, 精神和行为障碍), and which of
 * them are the six severe mental disorders (严重精神障碍) of the 2018 management norm.
 *
 * Only the three-character category is checked against ICD-10 (it must exist: F26 does not);
 * the one or two digits after the point are kept as written. */
#ifndef JK_DIAGNOSIS_H
#define JK_DIAGNOSIS_H
#include "base/status.h"

struct diagnosis {
  char code[8];       /* normalized, e.g. "F20.0", "F32.10", "F41" */
  const char *name;   /* static Chinese name of the three-character category */
  int severe;         /* 0, or 1..6: 01 精神分裂症 F20, 02 分裂情感性障碍 F25, 03 持久的妄想性障碍
                       * F22, 04 双相障碍 F31, 05 癫痫所致精神障碍 F06, 06 精神发育迟滞伴发精神障碍
                       * F70–F79 (domain-rules §1.1) */
};

/* Parses "F20", "f20.0", " F32.10 " (also the undotted "F200", "F3210"). On failure returns
 * JK_EINVAL, code "invalid_diagnosis", field "diagnosis"; *out is written only on success. */
jk_status diagnosis_parse(const char *in, struct diagnosis *out, struct jk_err *e);
/* "精神分裂症" … for 1..6, NULL otherwise. */
const char *severe_disorder_name(int severe);

#endif
