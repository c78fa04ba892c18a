/* rules.c: the referral rule set of a region (domain/eligibility.h) — what the dispatch
 * suggestions check and the timings of waiting lists and follow-up visits.
 *   GET    /referral-rules?region=CODE   the set in force and where it comes from
 *   PUT    /referral-rules/{region}      `national` (sysadmin) or a region (its officials)
 *   DELETE /referral-rules/{region}      the region falls back to its parent's set */
#include "api/rules.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/eligibility.h"
#include "store/db.h"
#include "store/rules_store.h"
#include <stdlib.h>
#include <string.h>

bool rules_for_region(struct req *r, const char *region, struct rules *out, const char **from_region)
{
  const char *json;
  if (rules_store_effective(r->db, r->a, region, &json, from_region) != JK_OK) return false;
  if (!json) {
    rules_default(out);
    return true;
  }
  struct jk_err e = {0};
  if (rules_parse(json, out, &e) != JK_OK) {
    log_warn("rules: the stored set of region '%s' no longer parses (%s); using the default", *from_region, e.message);
    rules_default(out);
  }
  return true;
}

/* {"region","from_region","from_region_name","rules","default"}; NULL when the database fails. */
static json_t *rules_answer(struct req *r, const char *region)
{
  struct rules rules;
  const char *from = "";
  if (!rules_for_region(r, region, &rules, &from)) return 0;
  char *text = rules_to_json(&rules);
  json_error_t je;
  json_t *body = text ? json_loads(text, 0, &je) : 0;
  free(text);
  if (!body) return 0;
  const char *from_name = *from ? region_name(r, from) : "全国默认";
  return json_pack("{s:s,s:s,s:s,s:o,s:b}", "region", region ? region : "", "from_region", from, "from_region_name",
                   from_name ? from_name : from, "rules", body, "default", !*from);
}

static void reply_answer(struct req *r, const char *region)
{
  json_t *o = rules_answer(r, region);
  if (!o) return reply_err(r, JK_EUNAVAIL, 0);
  reply_json(r, 200, o);
}

void api_rules_get(struct req *r)
{
  const char *region;
  struct policy_object po = {.kind = OBJ_RULES};
  if (!allowed(r, ACT_READ, &po, "referral_rules", 0)) return;
  if (!region_param(r, req_query(r, "region"), "region", true, &region)) return;
  reply_answer(r, region);
}

/* The region of the path: "national" is '' (the default set). */
static bool path_region(struct req *r, const char **out)
{
  if (strcmp(r->params[0], "national") == 0) return *out = "", true;
  return region_param(r, r->params[0], "region", true, out);
}

void api_rules_put(struct req *r)
{
  const char *region;
  if (!path_region(r, &region)) return;
  struct policy_object po = {.kind = OBJ_RULES, .region = region};
  if (!allowed(r, ACT_UPDATE, &po, "referral_rules", *region ? region : "national")) return;
  struct rules rules;
  struct jk_err e = {0};
  json_t *body;
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  char *given = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  st = rules_parse(given, &rules, &e);
  free(given);
  if (st != JK_OK) return reply_err(r, st, &e);
  char *text = rules_to_json(&rules);
  if ((st = db_begin_write(r->db)) != JK_OK ||
      (st = rules_store_put(r->db, region, text, r->who.username, clock_now_ms())) != JK_OK ||
      (st = audit_change(r, "update", "referral_rules", *region ? region : "national", text)) != JK_OK) {
    free(text);
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  free(text);
  if (!commit_or_reply(r)) return;
  reply_answer(r, region);
}

void api_rules_delete(struct req *r)
{
  const char *region;
  if (!path_region(r, &region)) return;
  struct policy_object po = {.kind = OBJ_RULES, .region = region};
  if (!allowed(r, ACT_UPDATE, &po, "referral_rules", *region ? region : "national")) return;
  if (!*region) return reply_fail(r, JK_ERULE, "rule_violation", "全国默认规则不能删除，只能修改", 0);
  /* A region without its own set already follows its parent: 200, nothing changed, no audit. */
  jk_status st = db_begin_write(r->db);
  if (st == JK_OK && (st = rules_store_delete(r->db, region)) == JK_OK)
    st = audit_change(r, "delete", "referral_rules", region, 0);
  if (st != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    if (st != JK_ENOTFOUND) return reply_err(r, st, 0);
  } else if (!commit_or_reply(r)) {
    return;
  }
  reply_answer(r, region);
}
