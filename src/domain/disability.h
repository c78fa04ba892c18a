/* disability.h: the number of the second-generation disability certificate (第二代残疾人证).
 *
 * 20 characters: the holder's 18-character resident ID number, a category digit (1 视力
 * 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重) and a grade digit (1–4, 一级 most severe; GB/T
 * 26341-2010). Jingkang serves people with mental disorders, so only categories 6 (精神) and
 * 7 (多重) are accepted. */
#ifndef JK_DISABILITY_H
#define JK_DISABILITY_H
#include "base/status.h"

struct disability_cert {
  char number[21];   /* normalized: 20 characters, an ID check character X upper-case */
  int category;      /* 6 or 7 */
  int grade;         /* 1..4 */
};

/* Validates `in` (surrounding ASCII white space ignored, x or X in the ID part). When
 * id_number18 (the client's normalized ID number) is non-NULL the first 18 characters must be
 * that number; otherwise only their form and check character are checked. On failure returns
 * JK_EINVAL, code "invalid_disability_certificate", field "disability_certificate", a static
 * Chinese message; *out is written only on success. */
jk_status disability_parse(const char *in, const char *id_number18, struct disability_cert *out,
                           struct jk_err *e);
/* "视力残疾" … "多重残疾" for 1..7, NULL otherwise. */
const char *disability_category_name(int c);
/* "510421********001262": first 6, 8 stars, last 6 (the ID's last 4, category, grade).
 * Anything but 20 characters gives 20 stars. */
void disability_mask(const char *number20, char out[21]);

#endif
