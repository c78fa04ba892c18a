/* fuzz_idcard: the ID-number parser (domain/idcard.c) and the date parser it rests on
 * (base/clock.c). Properties: a number that parses is 18 characters with the right check
 * character, parsing it again gives the same result, its mask keeps the first 6 and last 4;
 * a date that parses formats back to text that parses to the same date. */
#include "fz_check.h"
#include "base/clock.h"
#include "domain/idcard.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 256) return 0;
  char s[257];
  memcpy(s, data, size);
  s[size] = 0;
  struct jk_date today = {2026, 11, 23};
  struct idcard id, again;
  struct jk_err e = {0};
  if (idcard_parse(s, today, &id, &e) == JK_OK) {
    FZ_CHECK(strlen(id.number) == 18);
    FZ_CHECK(idcard_check_char(id.number) == id.number[17]);
    FZ_CHECK(id.sex == 1 || id.sex == 2);
    FZ_CHECK(date_to_days(id.birth) <= date_to_days(today));
    struct jk_err e2 = {0};
    FZ_CHECK(idcard_parse(id.number, today, &again, &e2) == JK_OK);
    FZ_CHECK(strcmp(again.number, id.number) == 0 && again.sex == id.sex);
    FZ_CHECK(again.birth.y == id.birth.y && again.birth.m == id.birth.m && again.birth.d == id.birth.d);
    char masked[19];
    idcard_mask(id.number, masked);
    FZ_CHECK(strlen(masked) == 18 && memcmp(masked, id.number, 6) == 0 && memcmp(masked + 14, id.number + 14, 4) == 0);
  } else {
    FZ_CHECK(e.code && strcmp(e.code, "invalid_id_number") == 0 && e.message);
  }
  if (size >= 17) (void)idcard_check_char(s);
  char masked[19];
  idcard_mask(s, masked);
  FZ_CHECK(strlen(masked) == 18);
  struct jk_date d, d2;
  if (date_parse(s, &d)) {
    char out[11];
    date_format(d, out);
    FZ_CHECK(date_parse(out, &d2) && d2.y == d.y && d2.m == d.m && d2.d == d.d);
    FZ_CHECK(date_to_days(date_from_days(date_to_days(d))) == date_to_days(d));
  }
  return 0;
}
