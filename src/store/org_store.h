/* org_store.h: organizations — hospitals, rehab institutions, employers, communities, social
 * organizations and government offices. `functions` and `services` are stored as JSON text
 * validated by the API layer (api/organizations.c). */
#ifndef JK_ORG_STORE_H
#define JK_ORG_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct org_rec {
  int64_t rid;
  const char *id, *name, *kind, *region, *address;
  bool has_location;
  double lat, lng;
  int64_t capacity;
  const char *operating_mode, *functions_json, *services_json, *phone, *contact;
  int64_t created_at, updated_at;
};

jk_status org_store_insert(struct db *db, struct org_rec *o);   /* sets o->rid */
jk_status org_store_update(struct db *db, const struct org_rec *o);
jk_status org_store_by_id(struct db *db, struct arena *a, const char *id, struct org_rec *out);
jk_status org_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct org_rec *out);

struct org_query {
  const char *kind, *region, *q;
  int64_t limit, offset;
};
jk_status org_store_list(struct db *db, struct arena *a, const struct org_query *q,
                         struct org_rec **out, int64_t *n, int64_t *total);
/* Count of organizations of `kind` in the region subtree (all when region is NULL). */
int64_t org_store_count(struct db *db, const char *kind, const char *region);

#endif
