/* plans.c: a client's individualized rehab plan (个性化康复方案) and care team.
 *
 *   GET  /clients/{id}/plan               the current plan with its progress, and every version
 *   POST /clients/{id}/plans              a new version: {start_date, review_date, goals, services, note}
 *   GET  /clients/{id}/team               the care team ("九管一")
 *   POST /clients/{id}/team               add a member; PATCH/DELETE /clients/{id}/team/{member}
 *
 * A plan is never edited: each change is the next version, and the old ones stay readable. Its
 * progress compares, for each planned service, what the client attended since the plan started
 * (service records) with what the plan's frequency asks for over the same time. The plan's
 * review date becomes a due item of the client's institution. One team member at a time is
 * responsible for the next step. */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/care.h"
#include "domain/mask.h"
#include "sec/crypto.h"
#include "store/care_store.h"
#include "store/db.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dump(struct req *r, json_t *v)
{
  char *text = json_dumps(v, JSON_COMPACT);
  char *out = arena_strdup(r->a, text ? text : "[]");
  free(text);
  return out;
}

static bool parse_goals(struct req *r, json_t *v, const char *start, json_t *out)
{
  static const char *const keys[] = {"text", "target_date", "status", 0};
  if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 20) return bad_field(r, "goals", "goals 应为 1—20 个目标");
  size_t i;
  json_t *g;
  json_array_foreach(v, i, g) {
    const char *text, *target, *status;
    if (!json_is_object(g)) return bad_field(r, "goals", "每个目标应为 {\"text\",\"target_date\",\"status\"}");
    if (!body_only(r, g, keys) || !body_str(r, g, "text", true, 200, &text) ||
        !body_date(r, g, "target_date", true, false, &target) || !body_str(r, g, "status", false, 16, &status))
      return false;
    if (status && !care_code_valid(CL_GOAL_STATUS, status)) return bad_field(r, "status", "目标状态应为 pending、in_progress、achieved 或 dropped");
    if (strcmp(target, start) < 0) return bad_field(r, "target_date", "目标日期不能早于方案开始日期");
    json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "text", text, "target_date", target, "status", status ? status : "pending"));
  }
  return true;
}

static bool parse_plan_services(struct req *r, json_t *v, int64_t org_rid, json_t *out)
{
  static const char *const keys[] = {"type", "per_month", "staff", "note", 0};
  if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 30)
    return bad_field(r, "services", "services 应为 1—30 项服务");
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    const char *type, *note;
    int64_t per_month;
    bool present;
    if (!json_is_object(s)) return bad_field(r, "services", "每项服务应为 {\"type\",\"per_month\",\"staff\",\"note\"}");
    if (!body_only(r, s, keys) || !body_str(r, s, "type", true, 32, &type) ||
        !body_int(r, s, "per_month", true, 1, 62, &per_month, &present) || !body_str(r, s, "note", false, 200, &note))
      return false;
    if (!care_code_valid(CL_SERVICE_TYPE, type)) return bad_field(r, "type", "服务类型不在服务目录中");
    json_t *staff = care_staff_ref(r, json_object_get(s, "staff"), org_rid, "staff");
    if (!staff) return false;
    json_t *o = json_pack("{s:s,s:s,s:I,s:o}", "type", type, "label", care_label(CL_SERVICE_TYPE, type), "per_month",
                          (json_int_t)per_month, "staff", staff);
    if (note) json_object_set_new(o, "note", json_string(note));
    json_array_append_new(out, o);
  }
  return true;
}

void api_plan_create(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_CREATE, &c)) return;
  json_t *body = req_body(r);
  if (!body) return;
  jk_status st;
  static const char *const keys[] = {"start_date", "review_date", "goals", "services", "note", 0};
  struct plan_rec p = {.client_rid = c.rid, .org_rid = c.org_rid, .author_id = r->who.user_id,
                       .author_name = r->who.username};
  json_t *goals = json_array(), *services = json_array();
  bool ok = body_only(r, body, keys) && body_date(r, body, "start_date", true, false, &p.start_date) &&
            body_date(r, body, "review_date", true, false, &p.review_date) && body_str(r, body, "note", false, 2000, &p.note);
  if (ok && strcmp(p.review_date, p.start_date) <= 0) ok = bad_field(r, "review_date", "评估（复核）日期应晚于开始日期");
  struct jk_date s, rv;
  if (ok && date_parse(p.start_date, &s) && date_parse(p.review_date, &rv) &&
      date_to_days(rv) > date_to_days(date_add_months(s, 12)))
    ok = bad_field(r, "review_date", "方案至迟应在开始后12个月内复核");
  ok = ok && parse_goals(r, json_object_get(body, "goals"), p.start_date, goals) &&
       parse_plan_services(r, json_object_get(body, "services"), c.org_rid, services);
  p.goals_json = dump(r, goals);
  p.services_json = dump(r, services);
  json_decref(goals);
  json_decref(services);
  json_decref(body);
  if (!ok) return;
  char id[37];
  uuid_v7(id);
  p.id = id;
  p.created_at = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  json_t *cur = 0;
  st = plan_store_current(r->db, c.rid, &cur);
  if (st == JK_OK && json_is_object(cur)) {
    p.series = arena_strdup(r->a, json_string_value(json_object_get(cur, "series")));
    p.version = (int)json_integer_value(json_object_get(cur, "version")) + 1;
  } else {
    p.series = id;
    p.version = 1;
  }
  json_decref(cur);
  if (st == JK_OK) st = plan_store_insert(r->db, &p);
  if (st == JK_OK) st = care_due_set(r->db, c.rid, "plan_review", p.review_date, c.org_rid, c.residence_region);
  if (st == JK_OK) st = audit_change(r, "create", "rehab_plan", id, arena_printf(r->a, "client %s version %d", c.id, p.version));
  if (st != JK_OK) return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  if ((st = plan_store_current(r->db, c.rid, &cur)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 201, cur);
}

/* For each planned service: attended since the start (to today or the review date, whichever
 * is first) against per_month × the months elapsed, and this month's count. */
static jk_status add_progress(struct req *r, const struct client_rec *c, json_t *plan)
{
  const char *start = json_string_value(json_object_get(plan, "start_date"));
  const char *review = json_string_value(json_object_get(plan, "review_date"));
  const char *today = today_text(r);
  const char *end = strcmp(today, review) < 0 ? today : review;
  json_t *since = json_object(), *month = json_object();
  struct jk_date t = date_today(), s, e;
  char first[11];
  date_format((struct jk_date){t.y, t.m, 1}, first);
  jk_status st = plan_store_attended(r->db, c->rid, start, end, since);
  if (st == JK_OK) st = plan_store_attended(r->db, c->rid, first, today, month);
  date_parse(start, &s);
  date_parse(end, &e);
  double months = (double)(date_to_days(e) - date_to_days(s) + 1) / 30.4375;
  if (months < 0) months = 0;
  size_t i;
  json_t *sv;
  json_array_foreach(json_object_get(plan, "services"), i, sv) {
    const char *type = json_string_value(json_object_get(sv, "type"));
    int64_t per = json_integer_value(json_object_get(sv, "per_month"));
    int64_t expected = (int64_t)ceil((double)per * months - 1e-9), done = json_integer_value(json_object_get(since, type));
    json_object_set_new(sv, "done", json_integer(done));
    json_object_set_new(sv, "expected", json_integer(expected));
    json_object_set_new(sv, "this_month", json_integer(json_integer_value(json_object_get(month, type))));
    json_object_set_new(sv, "on_track", json_boolean(done >= expected));
  }
  json_object_set_new(plan, "review_overdue", json_boolean(strcmp(review, today) < 0));
  json_decref(since);
  json_decref(month);
  return st;
}

void api_plan_get(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_READ, &c)) return;
  json_t *cur = 0, *versions = json_array();
  jk_status st = plan_store_current(r->db, c.rid, &cur);
  if (st == JK_OK && json_is_object(cur)) st = add_progress(r, &c, cur);
  if (st == JK_OK) st = plan_store_versions(r->db, c.rid, versions);
  if (st != JK_OK) return json_decref(cur), json_decref(versions), reply_err(r, st, 0);
  audit_note(r, "read", "rehab_plan", c.id, "ok", 0);
  reply_json(r, 200, json_pack("{s:o,s:o}", "current", cur, "versions", versions));
}

/* ---- care team ---- */

static bool team_from_body(struct req *r, const struct client_rec *c, json_t *body, struct team_rec *t, bool create)
{
  static const char *const keys[] = {"role", "name", "phone", "unit", "responsible", "next_step", "next_step_due", 0};
  const char *phone = 0;
  bool present, responsible;
  if (!body_only(r, body, keys) || !body_set_str(r, body, "role", true, create, 32, &t->role) ||
      !body_set_str(r, body, "name", true, create, 50, &t->name) || !body_str(r, body, "phone", false, 20, &phone) ||
      !body_set_str(r, body, "unit", false, create, 100, &t->unit) ||
      !body_bool(r, body, "responsible", &responsible, &present) ||
      !body_set_str(r, body, "next_step", false, create, 500, &t->next_step) ||
      ((create || json_object_get(body, "next_step_due")) && !body_date(r, body, "next_step_due", false, false, &t->next_step_due)))
    return false;
  if (t->role && !care_code_valid(CL_TEAM_ROLE, t->role)) return bad_field(r, "role", "团队角色不在可选范围内");
  if (present) t->responsible = responsible;
  if (phone) {
    if (!phone_valid(phone)) return bad_field(r, "phone", "电话号码格式错误（手机号11位，或带区号的固定电话）");
    char m[32];
    phone_mask(phone, m, sizeof m);
    t->phone_masked = arena_strdup(r->a, m);
    t->phone_enc = field_seal(r->a, &r->app->keys, phone, arena_printf(r->a, "client:%s:team_phone", c->id), &t->phone_len);
  } else if (json_is_null(json_object_get(body, "phone"))) {
    t->phone_masked = 0, t->phone_enc = 0, t->phone_len = 0;
  }
  return true;
}

static void reply_team(struct req *r, const struct client_rec *c, int status)
{
  json_t *rows = json_array();
  jk_status st = team_store_list(r->db, c->rid, rows);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  size_t i;
  json_t *m;
  json_array_foreach(rows, i, m)
    json_object_set_new(m, "role_label", json_string(care_label(CL_TEAM_ROLE, json_string_value(json_object_get(m, "role")))));
  reply_json(r, status, json_pack("{s:o}", "items", rows));
}

void api_team_get(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_READ, &c)) return;
  audit_note(r, "read", "care_team", c.id, "ok", 0);
  reply_team(r, &c, 200);
}

/* Writes t (insert or update) and keeps at most one member responsible. */
static void save_member(struct req *r, const struct client_rec *c, struct team_rec *t, bool create)
{
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  st = create ? team_store_insert(r->db, t) : team_store_update(r->db, t);
  if (st == JK_OK && t->responsible) st = team_store_clear_responsible(r->db, c->rid, t->id);
  if (st == JK_OK) st = audit_change(r, create ? "create" : "update", "care_team", t->id, c->id);
  if (st != JK_OK) return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  reply_team(r, c, create ? 201 : 200);
}

void api_team_add(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_CREATE, &c)) return;
  json_t *body = req_body(r);
  if (!body) return;
  char id[37];
  uuid_v7(id);
  struct team_rec t = {.id = id, .client_rid = c.rid, .created_at = clock_now_ms()};
  t.updated_at = t.created_at;
  bool ok = team_from_body(r, &c, body, &t, true);
  json_decref(body);
  if (ok) save_member(r, &c, &t, true);
}

static bool load_member(struct req *r, struct client_rec *c, struct team_rec *t)
{
  if (!care_client(r, ACT_UPDATE, c)) return false;
  jk_status st = uuid_valid(r->params[1]) ? team_store_by_id(r->db, r->a, c->rid, r->params[1], t) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "团队成员不存在", 0), false;
  return st == JK_OK || (reply_err(r, st, 0), false);
}

void api_team_patch(struct req *r)
{
  struct client_rec c;
  struct team_rec t;
  if (!load_member(r, &c, &t)) return;
  json_t *body = req_body(r);
  if (!body) return;
  bool ok = team_from_body(r, &c, body, &t, false);
  json_decref(body);
  t.updated_at = clock_now_ms();
  if (ok) save_member(r, &c, &t, false);
}

void api_team_delete(struct req *r)
{
  struct client_rec c;
  struct team_rec t;
  if (!load_member(r, &c, &t)) return;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  if ((st = team_store_delete(r->db, c.rid, t.id)) != JK_OK || (st = audit_change(r, "delete", "care_team", t.id, c.id)) != JK_OK)
    return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  reply_status(r, 204);
}
