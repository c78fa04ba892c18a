/* organizations.c: the directory of organizations (机构库): hospitals, community rehab
 * institutions, employers, communities (村/居委会), social organizations and government
 * offices, with operating mode, functions, capacity and published prices (明码标价, fen). */
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/org_store.h"
#include <string.h>

static const char *const kinds[] = {"hospital", "rehab_institution", "employer", "community",
                                    "social_org", "government", 0};
static const char *const modes[] = {"public", "public_private", "purchased", "private_nonprofit", 0};
static const char *const functions[] = {"residential", "day_care", "home_support", "transitional_housing",
                                        "vocational", "assessment_referral", "training_supervision",
                                        "service_demonstration", 0};

static bool one_of(const char *s, const char *const *set)
{
  for (int i = 0; s && set[i]; i++)
    if (strcmp(s, set[i]) == 0) return true;
  return false;
}

static bool parse_location(struct req *r, json_t *v, struct org_rec *o)
{
  if (!body_location(r, v, &o->lat, &o->lng)) return false;
  o->has_location = true;
  return true;
}

static bool parse_functions(struct req *r, json_t *v, struct org_rec *o)
{
  if (!json_is_array(v) || json_array_size(v) > sizeof functions / sizeof functions[0] - 1)
    return bad_field(r, "functions", "机构功能应为功能代码的数组");
  size_t i;
  json_t *f;
  json_array_foreach(v, i, f) {
    if (!json_is_string(f) || !one_of(json_string_value(f), functions))
      return bad_field(r, "functions", "机构功能代码无效");
    for (size_t j = 0; j < i; j++)
      if (json_equal(f, json_array_get(v, j))) return bad_field(r, "functions", "机构功能重复");
  }
  char *s = json_dumps(v, JSON_COMPACT);
  o->functions_json = arena_strdup(r->a, s);
  free(s);
  return true;
}

static bool parse_services(struct req *r, json_t *v, struct org_rec *o)
{
  static const char *const keys[] = {"name", "price_fen", "unit", 0};
  if (!json_is_array(v) || json_array_size(v) > 100) return bad_field(r, "services", "服务项目应为数组（最多100项）");
  json_t *clean = json_array(), *s;
  size_t i;
  json_array_foreach(v, i, s) {
    const char *name, *unit;
    int64_t price;
    if (!json_is_object(s) || !body_only(r, s, keys) || !body_str(r, s, "name", true, 64, &name) ||
        !body_int(r, s, "price_fen", true, 0, 100000000, &price, 0) || !body_str(r, s, "unit", false, 16, &unit)) {
      json_decref(clean);
      if (!r->status) bad_field(r, "services", "服务项目应为 {\"name\",\"price_fen\",\"unit\"}");
      return false;
    }
    json_array_append_new(clean, json_pack("{s:s,s:I,s:s}", "name", name, "price_fen", (json_int_t)price,
                                           "unit", unit ? unit : "次"));
  }
  char *text = json_dumps(clean, JSON_COMPACT);
  o->services_json = arena_strdup(r->a, text);
  free(text);
  json_decref(clean);
  return true;
}

/* Applies the fields present in body to o. On create, the required ones must be there. */
static bool org_from_body(struct req *r, json_t *body, struct org_rec *o, bool create)
{
  static const char *const fields[] = {"name", "kind", "region", "address", "location", "capacity",
                                       "operating_mode", "functions", "services", "phone", "contact", 0};
  const char *s;
  int64_t cap;
  bool has;
  if (!body_only(r, body, fields)) return false;
  if (!body_kept_str(r, body, "name", create, 100, &s)) return false;
  if (s) o->name = s;
  if (!body_kept_str(r, body, "kind", create, 32, &s)) return false;
  if (s && !one_of(s, kinds)) return bad_field(r, "kind", "机构类型无效");
  if (s) o->kind = s;
  if (!body_kept_str(r, body, "region", create, 12, &s)) return false;
  if (s && !region_param(r, s, "region", true, &o->region)) return false;
  if (!body_kept_str(r, body, "address", create, 200, &s)) return false;
  if (s) o->address = s;
  json_t *v = json_object_get(body, "location");
  if (create && (!v || json_is_null(v)))
    return reply_fail(r, JK_EINVAL, "missing_field", "缺少必填字段：location", "location"), false;
  if (v && !parse_location(r, v, o)) return false;
  if (!body_int(r, body, "capacity", false, 0, 100000, &cap, &has)) return false;
  if (has) o->capacity = cap;
  if (!body_str(r, body, "operating_mode", false, 32, &s)) return false;
  if (s && !one_of(s, modes)) return bad_field(r, "operating_mode", "运营方式无效");
  if (s) o->operating_mode = s;
  if ((v = json_object_get(body, "functions")) && !parse_functions(r, v, o)) return false;
  if ((v = json_object_get(body, "services")) && !parse_services(r, v, o)) return false;
  if (!body_str(r, body, "phone", false, 32, &s)) return false;
  if (s) o->phone = s;
  if (!body_str(r, body, "contact", false, 64, &s)) return false;
  if (s) o->contact = s;
  return true;
}

static json_t *org_json(struct req *r, const struct org_rec *o)
{
  json_error_t je;
  json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "id", o->id, "name", o->name, "kind", o->kind,
                        "region", o->region, "address", o->address, "capacity", (json_int_t)o->capacity);
  const char *rn = region_name(r, o->region);
  json_object_set_new(j, "region_name", rn ? json_string(rn) : json_null());
  json_object_set_new(j, "location", o->has_location ? json_pack("{s:f,s:f}", "lat", o->lat, "lng", o->lng) : json_null());
  json_object_set_new(j, "operating_mode", o->operating_mode ? json_string(o->operating_mode) : json_null());
  json_object_set_new(j, "functions", json_loads(o->functions_json ? o->functions_json : "[]", 0, &je));
  json_object_set_new(j, "services", json_loads(o->services_json ? o->services_json : "[]", 0, &je));
  json_object_set_new(j, "phone", o->phone ? json_string(o->phone) : json_null());
  json_object_set_new(j, "contact", o->contact ? json_string(o->contact) : json_null());
  json_object_set_new(j, "created_at", json_string(iso_time(r, o->created_at)));
  json_object_set_new(j, "updated_at", json_string(iso_time(r, o->updated_at)));
  return j;
}

void api_orgs_create(struct req *r)
{
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  orgs_create_json(r, body);
  json_decref(body);
}

void orgs_create_json(struct req *r, json_t *body)
{
  jk_status st;
  struct org_rec o = {0};
  if (!org_from_body(r, body, &o, true)) return;
  struct policy_object po = {.kind = OBJ_ORGANIZATION, .region = o.region};
  if (!allowed(r, ACT_CREATE, &po, "organization", 0)) return;
  char id[37];
  uuid_v7(id);
  o.id = id;
  o.created_at = o.updated_at = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = org_store_insert(r->db, &o)) != JK_OK || (st = audit_change(r, "create", "organization", id, o.kind)) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_json(r, 201, org_json(r, &o));
}

static bool load_org(struct req *r, struct org_rec *o)
{
  jk_status st = org_store_by_id(r->db, r->a, r->params[0], o);
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "机构不存在", 0), false;
  if (st != JK_OK) return reply_err(r, st, 0), false;
  return true;
}

void api_org_get(struct req *r)
{
  struct org_rec o;
  if (!load_org(r, &o)) return;
  struct policy_object po = {.kind = OBJ_ORGANIZATION, .region = o.region, .org_rid = o.rid};
  if (!allowed(r, ACT_READ, &po, "organization", o.id)) return;
  reply_json(r, 200, org_json(r, &o));
}

void api_org_patch(struct req *r)
{
  struct org_rec o;
  if (!load_org(r, &o)) return;
  struct policy_object before = {.kind = OBJ_ORGANIZATION, .region = o.region, .org_rid = o.rid};
  if (!allowed(r, ACT_UPDATE, &before, "organization", o.id)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  bool ok = org_from_body(r, body, &o, false);
  json_decref(body);
  if (!ok) return;
  struct policy_object after = {.kind = OBJ_ORGANIZATION, .region = o.region, .org_rid = o.rid}; /* a move must stay in scope */
  if (!allowed(r, ACT_UPDATE, &after, "organization", o.id)) return;
  o.updated_at = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = org_store_update(r->db, &o)) != JK_OK || (st = audit_change(r, "update", "organization", o.id, 0)) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_json(r, 200, org_json(r, &o));
}

void api_orgs_list(struct req *r)
{
  struct policy_object po = {.kind = OBJ_ORGANIZATION};
  if (!allowed(r, ACT_LIST, &po, "organization", 0)) return;
  int64_t limit, offset, page, n, total;
  if (!page_params(r, &limit, &offset, &page)) return;
  struct org_query q = {.kind = req_query(r, "kind"), .q = req_query(r, "q"), .limit = limit, .offset = offset};
  if (q.kind && !one_of(q.kind, kinds)) return (void)bad_field(r, "kind", "机构类型无效");
  if (q.q && strlen(q.q) > 100) return (void)bad_field(r, "q", "查询词过长");
  if (!region_param(r, req_query(r, "region"), "region", false, &q.region)) return;
  struct org_rec *v;
  jk_status st = org_store_list(r->db, r->a, &q, &v, &n, &total);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, org_json(r, &v[i]));
  reply_json(r, 200, page_envelope(items, total, page, limit));
}
