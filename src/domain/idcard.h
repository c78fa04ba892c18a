/* idcard.h: resident identity numbers (公民身份号码, GB 11643-1999).
 *
 * 18 characters: 6 address code (地址码, the county at registration) + 8 birth date YYYYMMDD
 * + 3 sequence (顺序码, odd = male) + 1 check character (ISO 7064 MOD 11-2, 0–9 or X).
 * Legacy 15-digit numbers (GB 11643-1989, no century, no check character) are upgraded on
 * input. Only the province of the address code is checked: county codes are retired when areas
 * merge, and a number stays valid for life. */
#ifndef JK_IDCARD_H
#define JK_IDCARD_H
#include <stdbool.h>
#include "base/clock.h"
#include "base/status.h"

struct idcard {
  char number[19];      /* normalized: 18 characters, check character upper-case X */
  struct jk_date birth;
  int sex;              /* GB/T 2261.1: 1 male, 2 female (sequence digit odd = male) */
  char region6[7];      /* the address code as written; may no longer exist */
  bool upgraded;        /* came in as 15 digits */
};

/* Validates and normalizes `in` (18 characters, last may be x/X, or 15 digits; surrounding
 * ASCII white space ignored). `today` bounds the birth date. On failure returns JK_EINVAL with
 * code "invalid_id_number", field "id_number" and a static Chinese message naming the fault;
 * *out is written only on success. */
jk_status idcard_parse(const char *in, struct jk_date today, struct idcard *out, struct jk_err *e);
/* The check character ('0'–'9' or 'X') of the first 17 characters; '\0' when one of them is
 * not a digit. */
char idcard_check_char(const char first17[17]);
/* "510421********0012": first 6, 8 stars, last 4. Anything but 18 characters gives 18 stars. */
void idcard_mask(const char *number18, char out[19]);

#endif
