/* fuzz_region: administrative division codes (domain/region_code.c). Properties: normalizing
 * is idempotent and gives a code of a known level; a code lies within itself and within its
 * parent, whose level is one above; the level names round-trip. */
#include "fz_check.h"
#include "domain/region_code.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 64) return 0;
  char s[65], norm[13], again[13], parent[13];
  memcpy(s, data, size);
  s[size] = 0;
  /* a second code after a NUL byte, for `within` */
  const char *other = memchr(data, 0, size) ? s + strlen(s) + 1 : "51";
  if (region_code_normalize(s, norm)) {
    enum region_level l = region_code_level(norm);
    FZ_CHECK(l != REGION_NONE);
    FZ_CHECK(region_code_normalize(norm, again) && strcmp(again, norm) == 0);
    FZ_CHECK(region_code_within(s, s) && region_code_within(norm, s));
    FZ_CHECK(region_province_known(norm) == region_province_known(s));
    enum region_level back;
    FZ_CHECK(region_level_parse(region_level_name(l), &back) && back == l);
    if (region_code_parent(s, parent)) {
      FZ_CHECK(region_code_level(parent) == l - 1);
      FZ_CHECK(region_code_within(s, parent) && !region_code_within(parent, s));
    } else {
      FZ_CHECK(l == REGION_PROVINCE);
    }
    char on[13];
    if (region_code_within(s, other)) FZ_CHECK(region_code_normalize(other, on) && strncmp(norm, on, strlen(on)) == 0);
  } else {
    FZ_CHECK(!region_code_within(s, "51") && !region_code_parent(s, parent));
  }
  enum region_level lv;
  if (region_level_parse(s, &lv)) FZ_CHECK(strcmp(region_level_name(lv), s) == 0);
  return 0;
}
