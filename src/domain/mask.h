/* mask.h: phone numbers and addresses — validity, and the masked forms shown in lists.
 *
 * Masked forms reveal enough to recognise a record, not enough to contact or find a person
 * (个人信息保护法 去标识化). They are written into a caller-provided buffer, always
 * NUL-terminated and never cut inside a UTF-8 sequence; a buffer of outsz 0 is left alone. */
#ifndef JK_MASK_H
#define JK_MASK_H
#include <stdbool.h>
#include <stddef.h>

/* A mainland mobile (11 digits, 1[3-9]…), or a landline: digits with at most one '-' (after an
 * area code of 3–4 digits starting with 0), 7–13 digits in all, not starting with 1. */
bool phone_valid(const char *s);
/* "138****5678" for an 11-digit number starting with 1; otherwise "****" and the last 4
 * characters ("****5678"); "****" alone when there are fewer than 5 or they are not ASCII. */
void phone_mask(const char *phone, char *out, size_t outsz);
/* The first 6 characters (code points) then "****": "四川省攀枝花****". Fewer characters are
 * kept when outsz is too small; copying stops at invalid UTF-8. */
void address_mask(const char *addr, char *out, size_t outsz);

#endif
