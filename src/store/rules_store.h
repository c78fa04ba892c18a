/* rules_store.h: rule sets per region (domain/eligibility.h). A region without its own set
 * uses its nearest ancestor's, and finally the national default (region ''). */
#ifndef JK_RULES_STORE_H
#define JK_RULES_STORE_H
#include <stdint.h>
#include "store/db.h"

struct arena;

/* The rule set in force for `region` (JSON text) and the region that set it ('' = national;
 * *json NULL when none is stored at all, i.e. the built-in default applies). */
jk_status rules_store_effective(struct db *db, struct arena *a, const char *region, const char **json,
                                const char **from_region);
/* Stores (replaces) the region's own set; region '' is the national default. */
jk_status rules_store_put(struct db *db, const char *region, const char *json, const char *updated_by,
                          int64_t now_ms);
/* Removes the region's own set; JK_ENOTFOUND when it had none. Call inside a write transaction. */
jk_status rules_store_delete(struct db *db, const char *region);

#endif
