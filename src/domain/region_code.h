/* region_code.h: administrative division codes (行政区划代码) as pure functions.
 *
 * The statistical code of the National Bureau of Statistics (统计用区划代码) is a tree by prefix:
 * province 2 digits (51), prefecture 4 (5104), county 6 (510421), township 9 (510421101),
 * village 12 (510421101001). GB/T 2260 writes six digits padded with zeros (510000 = 51,
 * 510400 = 5104) and the statistical code is often written as twelve (510421000000 = 510421).
 * Normalizing strips that padding, so every other function works on the unpadded form, where
 * "below" is "has as prefix".
 *
 * One exception to the padding rule: the prefecture-level cities without counties (东莞 4419,
 * 中山 4420, 儋州 4604) have a county-level unit coded XXXX00 in the statistical data, whose
 * townships hang below it (441900003 东城街道). For those, 441900 stays 441900 (a county below
 * 4419) instead of becoming 4419. See docs/internals/domain.md. */
#ifndef JK_REGION_CODE_H
#define JK_REGION_CODE_H
#include <stdbool.h>

enum region_level {
  REGION_NONE = 0,
  REGION_PROVINCE = 1,  /* 省级: 2 digits */
  REGION_PREFECTURE,    /* 地级: 4 */
  REGION_COUNTY,        /* 县级: 6 */
  REGION_TOWNSHIP,      /* 乡级（乡、镇、街道）: 9 */
  REGION_VILLAGE,       /* 村级（村委会、居委会）: 12 */
};

/* Normalizes `in` (2, 4, 6, 9 or 12 ASCII digits, zero padding allowed) into out. False on any
 * other shape, on an all-zero province, and on a zero part followed by a non-zero one
 * (510021: a county without a prefecture). out is written only on success. */
bool region_code_normalize(const char *in, char out[13]);
/* The level of a normalized code, by its length; REGION_NONE for anything else or NULL. */
enum region_level region_code_level(const char *normalized);
/* The parent of a code (normalized first); false for a province or an invalid code. */
bool region_code_parent(const char *code, char out[13]);
/* True when code equals ancestor or lies below it; both are normalized first, and an invalid
 * one is never within anything. */
bool region_code_within(const char *code, const char *ancestor);
/* "province", "prefecture", "county", "township", "village"; "none" for anything else. */
const char *region_level_name(enum region_level l);
/* The inverse of region_level_name for the five levels; false otherwise ("none" included). */
bool region_level_parse(const char *name, enum region_level *out);
/* True for the 34 province-level codes of GB/T 2260 (11–15, 21–23, 31–37, 41–46, 50–54,
 * 61–65, 71, 81, 82); reads the first two characters of `code`. */
bool region_province_known(const char *code);

#endif
