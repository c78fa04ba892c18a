/* staff.c: staff records and training (人才库), and the two staff targets of the 精康融合行动.
 *
 *   GET   /staff                 ?organization= | ?region=, with each person's training hours this
 *                                year and the summary against the targets
 *   POST  /staff                 {name, profession, degree, major, major_field, direct_service,
 *                                 referral_worker, certificates, hired_on, organization | region}
 *   GET   /staff/{id}            with the training records
 *   PATCH /staff/{id}
 *   POST  /staff/{id}/trainings  {kind, date, hours, topic, provider, needs_assessment}
 *
 * Targets: every direct-service worker trained ≥ 20 hours in the calendar year; at least 30% of
 * an organization's active staff with a mental-health, psychology or social-work major; every
 * referral worker trained in needs assessment. Staff of an organization are kept by its own staff
 * and the region's officials; referral workers of a region (no organization) by the officials. */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/care.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/staff_store.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool code(struct req *r, json_t *body, const char *key, bool required, enum care_list l, const char **out)
{
  if (!body_set_str(r, body, key, required, true, 32, out)) return false;
  static const struct { const char *key, *label; } names[] = {
    {"profession", "职业"}, {"degree", "学历"}, {"major_field", "专业类别"}, {"kind", "培训类型"}};
  const char *label = key;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i].key, key) == 0) label = names[i].label;
  return !*out || care_code_valid(l, *out) || bad_field(r, key, arena_printf(r->a, "%s不在可选范围内（见服务目录与代码表）", label));
}

static bool parse_certificates(struct req *r, json_t *v, const char **out)
{
  static const char *const keys[] = {"name", "number", "issued_on", 0};
  if (!v) return true;
  if (!json_is_array(v) || json_array_size(v) > 20) return bad_field(r, "certificates", "certificates 应为最多20项的数组");
  json_t *list = json_array(), *c;
  size_t i;
  json_array_foreach(v, i, c) {
    const char *name, *number, *on;
    if (!json_is_object(c) || !body_only(r, c, keys) || !body_str(r, c, "name", true, 100, &name) ||
        !body_str(r, c, "number", false, 50, &number) || !body_date(r, c, "issued_on", false, true, &on)) {
      json_decref(list);
      return r->status ? false : bad_field(r, "certificates", "每项证书应为 {\"name\",\"number\",\"issued_on\"}");
    }
    json_t *o = json_pack("{s:s}", "name", name);
    if (number) json_object_set_new(o, "number", json_string(number));
    if (on) json_object_set_new(o, "issued_on", json_string(on));
    json_array_append_new(list, o);
  }
  char *text = json_dumps(list, JSON_COMPACT);
  *out = arena_strdup(r->a, text);
  free(text);
  json_decref(list);
  return true;
}

static bool staff_from_body(struct req *r, json_t *body, struct staff_rec *s, bool create)
{
  static const char *const k_create[] = {"name", "profession", "degree", "major", "major_field", "direct_service",
                                         "referral_worker", "certificates", "hired_on", "organization", "region", 0},
                           *const k_update[] = {"name", "profession", "degree", "major", "major_field", "direct_service",
                                                "referral_worker", "certificates", "hired_on", "active", 0};
  bool present, b;
#define GIVEN(k) (create || json_object_get(body, k))
  if (!body_only(r, body, create ? k_create : k_update) || !body_set_str(r, body, "name", true, create, 50, &s->name) ||
      (GIVEN("profession") && !code(r, body, "profession", true, CL_PROFESSION, &s->profession)) ||
      (GIVEN("degree") && !code(r, body, "degree", false, CL_DEGREE, &s->degree)) ||
      !body_set_str(r, body, "major", false, create, 50, &s->major) ||
      (GIVEN("major_field") && !code(r, body, "major_field", false, CL_MAJOR_FIELD, &s->major_field)) ||
      (GIVEN("hired_on") && !body_date(r, body, "hired_on", false, true, &s->hired_on)) ||
      !parse_certificates(r, json_object_get(body, "certificates"), &s->certificates_json))
    return false;
#undef GIVEN
  if (!body_bool(r, body, "direct_service", &b, &present)) return false;
  if (present) s->direct_service = b;
  if (!body_bool(r, body, "referral_worker", &b, &present)) return false;
  if (present) s->referral_worker = b;
  if (!create) {
    if (!body_bool(r, body, "active", &b, &present)) return false;
    if (present) s->active = b;
  }
  if (!s->major_field) s->major_field = "other";
  if (!create && !s->org_rid && !s->referral_worker)
    return bad_field(r, "referral_worker", "不属于任何机构的人员只能是本地区的转介服务人员");
  return true;
}

/* Where a new staff member belongs: an organization, or (referral workers) a region. */
static bool staff_home(struct req *r, json_t *body, struct staff_rec *s)
{
  const char *org_id = 0, *region = 0;
  if (!body_str(r, body, "organization", false, 36, &org_id) || !body_str(r, body, "region", false, 12, &region)) return false;
  if (org_id && region) return bad_field(r, "region", "organization 与 region 只能给出其一");
  if (!org_id && !region && r->who.org_rid) {
    struct org_rec o;
    if (org_store_by_rid(r->db, r->a, r->who.org_rid, &o) != JK_OK) return reply_err(r, JK_EINTERNAL, 0), false;
    s->org_rid = o.rid, s->region = o.region;
    return true;
  }
  if (org_id) {
    struct org_rec o;
    if (!uuid_valid(org_id) || org_store_by_id(r->db, r->a, org_id, &o) != JK_OK) return bad_field(r, "organization", "机构不存在");
    s->org_rid = o.rid, s->region = o.region;
    return true;
  }
  if (!region) return reply_fail(r, JK_EINVAL, "missing_field", "请指定所属机构（organization）或地区（region）", "organization"), false;
  if (!region_param(r, region, "region", true, &s->region)) return false;
  s->referral_worker = true;
  return true;
}

static const char *year_start(struct req *r, int y) { return arena_printf(r->a, "%04d-01-01", y); }
static const char *year_end(struct req *r, int y) { return arena_printf(r->a, "%04d-12-31", y); }

/* Adds labels and target marks to the rows and returns the summary. The 30% share is over the
 * staff of organizations (a region's referral workers belong to no institution's count); the
 * 20-hour target over every direct-service worker. */
static json_t *summarize(json_t *rows)
{
  int64_t active = 0, qualified = 0, direct = 0, direct_ok = 0, workers = 0, workers_ok = 0;
  size_t i;
  json_t *s;
  json_array_foreach(rows, i, s) {
    bool is_active = json_is_true(json_object_get(s, "active")), is_direct = json_is_true(json_object_get(s, "direct_service"));
    bool relevant = major_field_relevant(json_string_value(json_object_get(s, "major_field")));
    int64_t hours = json_integer_value(json_object_get(s, "hours_x10"));
    json_object_set_new(s, "hours", json_real((double)hours / 10.0));
    json_object_del(s, "hours_x10");
    json_object_set_new(s, "relevant_major", json_boolean(relevant));
    json_object_set_new(s, "hours_met", json_boolean(!is_direct || hours >= TRAINING_HOURS_TARGET_X10));
    json_object_set_new(s, "profession_label",
                        json_string(care_label(CL_PROFESSION, json_string_value(json_object_get(s, "profession")))));
    if (!is_active) continue;
    bool in_org = !json_is_null(json_object_get(s, "organization"));
    active += in_org;
    qualified += in_org && relevant;
    if (is_direct) direct++, direct_ok += hours >= TRAINING_HOURS_TARGET_X10;
    if (json_is_true(json_object_get(s, "referral_worker")))
      workers++, workers_ok += json_integer_value(json_object_get(s, "needs_assessment_trainings")) > 0;
  }
  return json_pack("{s:I,s:I,s:f,s:i,s:I,s:I,s:i,s:I,s:I}", "active", (json_int_t)active, "qualified", (json_int_t)qualified,
                   "qualified_share", active ? round(1000.0 * (double)qualified / (double)active) / 1000.0 : 0.0,
                   "qualified_target_pct", QUALIFIED_SHARE_TARGET_PCT, "direct_service", (json_int_t)direct,
                   "direct_service_trained", (json_int_t)direct_ok, "hours_target", TRAINING_HOURS_TARGET_X10 / 10,
                   "referral_workers", (json_int_t)workers, "referral_workers_trained", (json_int_t)workers_ok);
}

void api_staff_list(struct req *r)
{
  const char *region = 0, *org_id = req_query(r, "organization"), *q_region = req_query(r, "region");
  int64_t org_rid = 0;
  jk_status st = policy_list_scope(&r->who, OBJ_STAFF, &region, &org_rid);
  if (st != JK_OK) return (void)allowed(r, ACT_LIST, &(struct policy_object){.kind = OBJ_STAFF}, "staff", 0);
  struct org_rec o;
  if (org_id) {
    if (!uuid_valid(org_id) || org_store_by_id(r->db, r->a, org_id, &o) != JK_OK)
      return reply_fail(r, JK_ENOTFOUND, "not_found", "机构不存在", "organization");
    struct policy_object po = {.kind = OBJ_STAFF, .region = o.region, .org_rid = o.rid};
    if (!allowed(r, ACT_READ, &po, "staff", o.id)) return;
    org_rid = o.rid;
  } else if (q_region && !org_rid) {
    if (!region_param(r, q_region, "region", true, &q_region)) return;
    if (!region_code_within(q_region, region)) return reply_fail(r, JK_EFORBIDDEN, "forbidden", "超出您的管辖范围", "region");
    region = q_region;
  }
  const char *y = req_query(r, "year");
  struct jk_date today = date_today();
  int year = y ? atoi(y) : today.y;
  if (year < 2000 || year > 2100) return reply_fail(r, JK_EINVAL, "invalid_query", "year 应为 2000—2100", "year");
  bool all = req_query(r, "include_inactive") && strcmp(req_query(r, "include_inactive"), "true") == 0;
  json_t *rows = json_array();
  if ((st = staff_store_list(r->db, org_rid, region, year_start(r, year), year_end(r, year), !all, rows)) != JK_OK)
    return json_decref(rows), reply_err(r, st, 0);
  json_t *summary = summarize(rows);
  audit_note(r, "search", "staff", org_id, "ok", arena_printf(r->a, "%zu", json_array_size(rows)));
  reply_json(r, 200, json_pack("{s:o,s:o,s:i}", "items", rows, "summary", summary, "year", year));
}

void api_staff_create(struct req *r)
{
  struct policy_object po = {.kind = OBJ_STAFF};
  if (policy_decide(&r->who, ACT_LIST, &po) != JK_OK) return (void)allowed(r, ACT_CREATE, &po, "staff", 0);
  json_t *body = req_body(r);
  if (!body) return;
  staff_create_json(r, body);
  json_decref(body);
}

void staff_create_json(struct req *r, json_t *body)
{
  jk_status st;
  struct policy_object po;
  char id[37];
  uuid_v7(id);
  struct staff_rec s = {.id = id, .direct_service = true, .active = true, .certificates_json = "[]",
                        .created_by = r->who.user_id, .created_at = clock_now_ms()};
  s.updated_at = s.created_at;
  if (!staff_from_body(r, body, &s, true) || !staff_home(r, body, &s)) return;
  po = (struct policy_object){.kind = OBJ_STAFF, .region = s.region, .org_rid = s.org_rid};
  if (!allowed(r, ACT_CREATE, &po, "staff", 0)) return;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = staff_store_insert(r->db, &s)) != JK_OK || (st = audit_change(r, "create", "staff", id, 0)) != JK_OK)
    return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  r->params[0] = id;
  api_staff_get(r);
  if (r->status == 200) r->status = 201;
}

static bool load_staff(struct req *r, enum action act, struct staff_rec *s)
{
  jk_status st = uuid_valid(r->params[0]) ? staff_store_by_id(r->db, r->a, r->params[0], s) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0), false;
  if (st != JK_OK) return reply_err(r, st, 0), false;
  struct policy_object po = {.kind = OBJ_STAFF, .region = s->region, .org_rid = s->org_rid};
  if (!allowed(r, ACT_READ, &po, "staff", s->id)) return false;
  return act == ACT_READ || allowed(r, act, &po, "staff", s->id);
}

void api_staff_get(struct req *r)
{
  struct staff_rec s;
  if (!load_staff(r, ACT_READ, &s)) return;
  int y = date_today().y;
  json_t *rows = json_array(), *trainings = json_array();
  jk_status st = staff_store_row(r->db, s.rid, year_start(r, y), year_end(r, y), rows);
  if (st == JK_OK) st = training_store_list(r->db, s.rid, trainings);
  if (st != JK_OK || json_array_size(rows) != 1)
    return json_decref(rows), json_decref(trainings), reply_err(r, st != JK_OK ? st : JK_EINTERNAL, 0);
  json_decref(summarize(rows)); /* adds the per-person fields: hours, relevant_major, hours_met, labels */
  json_t *me = json_incref(json_array_get(rows, 0)), *x;
  size_t i;
  json_decref(rows);
  json_array_foreach(trainings, i, x) {
    json_object_set_new(x, "hours", json_real((double)json_integer_value(json_object_get(x, "hours_x10")) / 10.0));
    json_object_del(x, "hours_x10");
  }
  json_object_set_new(me, "trainings", trainings);
  audit_note(r, "read", "staff", s.id, "ok", 0);
  reply_json(r, 200, me);
}

void api_staff_patch(struct req *r)
{
  struct staff_rec s;
  if (!load_staff(r, ACT_UPDATE, &s)) return;
  json_t *body = req_body(r);
  if (!body) return;
  jk_status st;
  bool ok = staff_from_body(r, body, &s, false);
  json_decref(body);
  if (!ok) return;
  s.updated_at = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = staff_store_update(r->db, &s)) != JK_OK || (st = audit_change(r, "update", "staff", s.id, 0)) != JK_OK)
    return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  api_staff_get(r);
}

void api_training_create(struct req *r)
{
  struct staff_rec s;
  if (!load_staff(r, ACT_UPDATE, &s)) return;
  json_t *body = req_body(r);
  if (!body) return;
  training_create_json(r, body);
  json_decref(body);
}

void training_create_json(struct req *r, json_t *body)
{
  struct staff_rec s;
  jk_status st;
  if (!load_staff(r, ACT_UPDATE, &s)) return;
  static const char *const keys[] = {"kind", "date", "hours", "topic", "provider", "needs_assessment", 0};
  char id[37];
  uuid_v7(id);
  struct training_rec t = {.id = id, .staff_rid = s.rid, .created_by = r->who.user_id, .created_at = clock_now_ms()};
  bool present = false, ok = body_only(r, body, keys) && code(r, body, "kind", true, CL_TRAINING_KIND, &t.kind) &&
                            body_date(r, body, "date", true, true, &t.date) && body_str(r, body, "topic", true, 100, &t.topic) &&
                            body_str(r, body, "provider", false, 100, &t.provider) &&
                            body_bool(r, body, "needs_assessment", &t.needs_assessment, &present);
  json_t *h = json_object_get(body, "hours");
  double hours = json_is_number(h) ? json_number_value(h) : -1;
  if (ok && (hours < 0.5 || hours > 200 || fabs(hours * 10 - round(hours * 10)) > 1e-6))
    ok = bad_field(r, "hours", "学时应为 0.5—200，最多一位小数");
  t.hours_x10 = (int64_t)round(hours * 10);
  if (!ok) return;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = training_store_insert(r->db, &t)) != JK_OK || (st = audit_change(r, "create", "training", id, s.id)) != JK_OK)
    return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  api_staff_get(r);
  if (r->status == 200) r->status = 201;
}
