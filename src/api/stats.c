/* stats.c: the home page's counts, limited to what the caller may see: client counts within
 * the caller's client scope (none for roles without client data), organizations in the
 * caller's region (or all), and account counts for the administrators. */
#include "api/common.h"
#include "api/handlers.h"
#include "store/client_store.h"
#include "store/org_store.h"
#include "store/user_store.h"

void api_stats_overview(struct req *r)
{
  struct policy_object po = {.kind = OBJ_STATS};
  if (!allowed(r, ACT_READ, &po, "stats", 0)) return;
  json_t *o = json_object();
  const char *region = 0;
  int64_t org_rid = 0;
  if (policy_list_scope(&r->who, OBJ_CLIENT, &region, &org_rid) == JK_OK) {
    struct client_counts c;
    jk_status st = client_store_counts(r->db, region, org_rid, &c);
    if (st != JK_OK) {
      json_decref(o);
      return reply_err(r, st, 0);
    }
    json_object_set_new(o, "clients", json_integer(c.total));
    json_object_set_new(o, "clients_severe", json_integer(c.severe));
    json_object_set_new(o, "clients_by_status",
                        json_pack("{s:I,s:I,s:I,s:I,s:I}", "registered", (json_int_t)c.by_status[0], "in_service",
                                  (json_int_t)c.by_status[1], "closed", (json_int_t)c.by_status[2], "moved",
                                  (json_int_t)c.by_status[3], "deceased", (json_int_t)c.by_status[4]));
  }
  static const char *const kinds[] = {"hospital", "rehab_institution", "employer", "community", "social_org", "government"};
  json_t *orgs = json_object();
  for (int i = 0; i < 6; i++)
    json_object_set_new(orgs, kinds[i], json_integer(org_store_count(r->db, kinds[i], r->who.region)));
  json_object_set_new(o, "organizations", orgs);
  struct policy_object users = {.kind = OBJ_USER};
  if (policy_decide(&r->who, ACT_LIST, &users) == JK_OK) json_object_set_new(o, "users", json_integer(user_store_count(r->db)));
  reply_json(r, 200, o);
}
