/* fault_api.c: arming the fault injection of the durability tests (store/faultvfs.h). Only in
 * the fault build (-DJK_FAULT); the routes are public because a fault binary is a test tool
 * that must never serve real data, and because a request that has to log in first could not
 * disarm a persistent allocation failure.
 *   POST   /api/v1/_fault {"kind":"write"|"fsync"|"read"|"malloc","n":N,"persistent":bool}
 *   DELETE /api/v1/_fault   disarm everything
 *   GET    /api/v1/_fault   failures injected so far, per kind */
#ifdef JK_FAULT
#include "api/common.h"
#include "api/handlers.h"
#include "store/faultvfs.h"

static void reply_state(struct req *r, int status)
{
  json_t *o = json_object();
  for (int k = 0; k < FAULT_NKINDS; k++)
    json_object_set_new(o, fault_kind_name((enum fault_kind)k), json_integer(fault_hits((enum fault_kind)k)));
  reply_json(r, status, json_pack("{s:o,s:b}", "hits", o, "powerloss", fault_powerloss()));
}

void api_fault_arm(struct req *r)
{
  json_t *body = req_body(r);
  if (!body) return;
  static const char *const keys[] = {"kind", "n", "persistent", 0};
  const char *kind;
  int64_t n = 1;
  bool persistent = false;
  enum fault_kind k;
  if (body_only(r, body, keys) && body_str(r, body, "kind", true, 16, &kind) &&
      body_int(r, body, "n", false, 1, 1000000000, &n, 0) && body_bool(r, body, "persistent", &persistent, 0)) {
    if (!fault_kind_parse(kind, &k)) {
      bad_field(r, "kind", "kind 应为 write、fsync、read 或 malloc");
    } else {
      reply_state(r, 200); /* built before arming, so that the answer itself is not the victim */
      fault_arm(k, n, persistent);
    }
  }
  json_decref(body);
}

void api_fault_disarm(struct req *r)
{
  fault_disarm(); /* first: under a persistent allocation failure the reply needs memory */
  reply_state(r, 200);
}

void api_fault_get(struct req *r) { reply_state(r, 200); }
#else
typedef int jk_fault_api_not_built; /* production: nothing here */
#endif
