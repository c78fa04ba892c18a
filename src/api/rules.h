/* rules.h: the referral rule set in force for a region (domain/eligibility.h), for handlers. */
#ifndef JK_API_RULES_H
#define JK_API_RULES_H
#include <stdbool.h>
#include "http/server.h"

struct rules;

/* Loads and parses the effective rules of `region` (its own, an ancestor's, or the national
 * default); *from_region names where they come from ('' = national). A stored set that no
 * longer parses is logged and the built-in default used. False only when the database fails. */
bool rules_for_region(struct req *r, const char *region, struct rules *out, const char **from_region);

#endif
