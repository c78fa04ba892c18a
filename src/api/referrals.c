/* referrals.c: the closed-loop referral — create, read, list, dispatch suggestions, and what
 * the other referral files share (the JSON of a referral, deadlines, the event/audit/webhook
 * record of each step). The transitions are in referral_actions.c, the work lists in
 * inbox.c, the public application in public_apply.c, the time-based rules in
 * referral_sweep.c.
 *
 * Personal data: a referral shows its client's name, sex, age and masked ID number only, to
 * those the policy lets see the referral; the full record stays behind /clients and its
 * reveal. Every read and list is audited; every step is an event, an audit record and (for
 * subscribers) a webhook delivery, written in the step's own transaction. */
#include "api/referral_api.h"
#include "api/app.h"
#include "api/handlers.h"
#include "api/rules.h"
#include "api/webhooks.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/eligibility.h"
#include "domain/mask.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/org_store.h"
#include <math.h>
#include <sodium.h>
#include <string.h>

static const char *const sources[] = {"hospital", "self", "community", 0};
static const char *const functions[] = {"residential", "day_care", "home_support", "transitional_housing",
                                        "vocational", "assessment_referral", "training_supervision", 0};
static const char *const reporter_kinds[] = {"employer", "community", "social_org", "individual", 0};

static bool one_of(const char *s, const char *const *set)
{
  for (int i = 0; s && set[i]; i++)
    if (strcmp(s, set[i]) == 0) return true;
  return false;
}

struct policy_object referral_po(const struct referral_rec *f, const char *op)
{
  return (struct policy_object){.kind = OBJ_REFERRAL, .region = f->region, .org_rid = f->org_rid,
                                .from_org_rid = f->from_org_rid, .op = op};
}

bool referral_load(struct req *r, enum action act, const char *op, struct referral_rec *f)
{
  struct policy_object po = {.kind = OBJ_REFERRAL};
  if (policy_decide(&r->who, ACT_LIST, &po) == JK_EFORBIDDEN) return allowed(r, act, &po, "referral", r->params[0]);
  jk_status st = uuid_valid(r->params[0]) ? referral_store_by_id(r->db, r->a, r->params[0], f) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) {
    audit_note(r, op ? op : "read", "referral", r->params[0], "not_found", 0);
    return reply_fail(r, st, "not_found", "转介不存在或不在您的管辖范围内", 0), false;
  }
  if (st != JK_OK) return reply_err(r, st, 0), false;
  po = referral_po(f, op);
  return allowed(r, act, &po, "referral", f->id);
}

/* ---- deadlines ---- */

/* The same Shanghai time of day `months` calendar months later (the 31st falls back to the
 * month's last day). */
static int64_t add_months(int64_t ms, int months)
{
  struct jk_date d = date_from_ms(ms);
  int64_t into_day = ms - (date_to_days(d) * 86400000LL - 8 * 3600000LL);
  int m0 = d.m - 1 + months;
  d.y += m0 / 12;
  d.m = m0 % 12 + 1;
  while (!date_valid(d.y, d.m, d.d)) d.d--;
  return date_to_days(d) * 86400000LL - 8 * 3600000LL + into_day;
}

static void rules_of(struct req *r, const char *region, struct rules *out)
{
  const char *from;
  if (!r || !rules_for_region(r, region, out, &from)) rules_default(out);
}

int64_t referral_deadline(struct req *r, struct db *db, const struct referral_rec *f, enum ref_status s, int64_t now)
{
  struct rules rules;
  switch (ref_status_deadline(s)) {
  case DL_WORKDAYS: return calendar_deadline(db, now, REFERRAL_WORKDAYS);
  case DL_WAIT_LIMIT:
    rules_of(r, f->region, &rules);
    return add_months(f->waitlisted_at ? f->waitlisted_at : now, rules.waitlist_months);
  case DL_FOLLOWUP: return f->followup_done ? 0 : f->followup_due;
  case DL_NONE: break;
  }
  return 0;
}

/* ---- output ---- */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *stored_json(const char *text)
{
  json_error_t je;
  json_t *v = text ? json_loads(text, 0, &je) : 0;
  return v ? v : json_null();
}

static json_t *time_or_null(struct req *r, int64_t ms) { return ms ? json_string(iso_time(r, ms)) : json_null(); }

static json_t *org_ref(const char *id, const char *name, const char *kind, const char *phone)
{
  if (!id) return json_null();
  json_t *o = json_pack("{s:s,s:s}", "id", id, "name", name ? name : "");
  if (kind) json_object_set_new(o, "kind", json_string(kind));
  if (kind) json_object_set_new(o, "phone", str_or_null(phone));
  return o;
}

static json_t *actions_for(struct req *r, const struct referral_rec *f, enum ref_status s)
{
  json_t *list = json_array();
  for (int a = 0; a < RA_EXPIRE; a++) {
    if (referral_next(s, (enum ref_action)a) == RS_NONE) continue;
    if (a == RA_FOLLOWUP && f->followup_done) continue;
    struct policy_object po = referral_po(f, ref_action_name((enum ref_action)a));
    if (policy_decide(&r->who, ACT_UPDATE, &po) == JK_OK) json_array_append_new(list, json_string(po.op));
  }
  return list;
}

static json_t *event_json(struct req *r, const struct referral_event *e)
{
  enum ref_action a = ref_action_parse(e->action);
  const char *label = a != RA_COUNT ? ref_action_label(a)
                    : strcmp(e->action, "submit") == 0 ? "提出申请"
                    : strcmp(e->action, "expire") == 0 ? ref_action_label(RA_EXPIRE) : e->action;
  json_t *o = json_pack("{s:s,s:s,s:s}", "time", iso_time(r, e->time), "action", e->action, "action_label", label);
  json_object_set_new(o, "from_status", str_or_null(e->from_status));
  json_object_set_new(o, "to_status", str_or_null(e->to_status));
  json_object_set_new(o, "to_status_label", str_or_null(ref_status_label(ref_status_parse(e->to_status))));
  json_object_set_new(o, "actor_name", str_or_null(e->actor_name));
  json_object_set_new(o, "actor_role", str_or_null(e->actor_role));
  json_object_set_new(o, "organization", str_or_null(e->org_id));
  json_object_set_new(o, "organization_name", str_or_null(e->org_name));
  json_object_set_new(o, "reason", str_or_null(e->reason));
  json_object_set_new(o, "detail", stored_json(e->detail_json));
  return o;
}

json_t *referral_json(struct req *r, const struct referral_rec *f, bool with_events)
{
  enum ref_status s = ref_status_parse(f->status);
  int64_t now = clock_now_ms();
  int step = ref_step(s, f->reviewed_at != 0);
  bool overdue = f->due_at && f->due_at < now && s != RS_WAITLISTED;
  struct jk_date birth = {0, 0, 0};
  date_parse(f->client_birth_date, &birth);
  json_t *client = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "id", f->client_id, "name", f->client_name, "sex",
                             f->client_sex == 1 ? "male" : "female", "age", date_age(birth, date_today()),
                             "id_number_masked", f->client_id_masked, "residence_region", f->client_region);
  json_object_set_new(client, "residence_region_name", str_or_null(region_name(r, f->client_region)));
  json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:b,s:o}", "id", f->id, "status", f->status, "status_label",
                        ref_status_label(s), "step", step, "step_label", ref_step_label(step), "source", f->source,
                        "urgent", f->urgent, "client", client);
  json_object_set_new(o, "receipt", str_or_null(f->receipt));
  json_object_set_new(o, "region", json_string(f->region));
  json_object_set_new(o, "region_name", str_or_null(region_name(r, f->region)));
  json_object_set_new(o, "from_organization", org_ref(f->from_org_id, f->from_org_name, 0, 0));
  json_object_set_new(o, "organization", org_ref(f->org_id, f->org_name, f->org_kind, f->org_phone));
  json_object_set_new(o, "need", stored_json(f->need_json));
  json_object_set_new(o, "consent", stored_json(f->consent_json));
  json_object_set_new(o, "assessment", stored_json(f->assessment_json));
  json_t *reporter = stored_json(f->reporter_json);
  if (json_is_object(reporter)) json_object_del(reporter, "phone_enc");
  json_object_set_new(o, "reporter", reporter);
  json_object_set_new(o, "informed_consent", stored_json(f->informed_consent_json));
  json_object_set_new(o, "agreement", stored_json(f->agreement_json));
  json_object_set_new(o, "outcome", str_or_null(f->outcome));
  json_object_set_new(o, "outcome_detail", stored_json(f->outcome_detail_json));
  json_object_set_new(o, "due_at", time_or_null(r, f->due_at));
  char day[11];
  date_format(date_from_ms(f->due_at), day);
  json_object_set_new(o, "due_date", f->due_at ? json_string(day) : json_null());
  json_object_set_new(o, "overdue", json_boolean(overdue));
  json_object_set_new(o, "waitlist_position",
                      s == RS_WAITLISTED ? json_integer(referral_store_wait_position(r->db, f)) : json_null());
  json_object_set_new(o, "waitlisted_at", time_or_null(r, s == RS_WAITLISTED ? f->waitlisted_at : 0));
  json_object_set_new(o, "reviewed_at", time_or_null(r, f->reviewed_at));
  json_object_set_new(o, "followup_due", time_or_null(r, f->followup_due));
  json_object_set_new(o, "followup_done", time_or_null(r, f->followup_done));
  json_object_set_new(o, "location", f->has_location ? json_pack("{s:f,s:f}", "lat", f->lat, "lng", f->lng) : json_null());
  json_object_set_new(o, "submitted_at", json_string(iso_time(r, f->submitted_at)));
  json_object_set_new(o, "created_at", json_string(iso_time(r, f->created_at)));
  json_object_set_new(o, "updated_at", json_string(iso_time(r, f->updated_at)));
  json_object_set_new(o, "actions", actions_for(r, f, s));
  if (with_events) {
    struct referral_event *ev;
    int64_t n = 0;
    json_t *list = json_array();
    if (referral_store_events(r->db, r->a, f->rid, &ev, &n) == JK_OK)
      for (int64_t i = 0; i < n; i++) json_array_append_new(list, event_json(r, &ev[i]));
    json_object_set_new(o, "events", list);
  }
  return o;
}

/* ---- the record of a step ---- */

jk_status referral_record(struct req *r, struct db *db, const struct referral_rec *f, const char *action,
                          const char *from_status, int64_t event_org, const char *reason, json_t *detail)
{
  char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : 0;
  struct referral_event e = {
    .referral_rid = f->rid, .time = f->updated_at, .org_rid = event_org, .action = action,
    .from_status = from_status, .to_status = f->status, .actor_id = r ? r->who.user_id : 0,
    .actor_name = r ? r->who.username : "系统", .actor_role = r ? role_name(r->who.role) : "system",
    .reason = reason, .detail_json = detail_text,
  };
  jk_status st = referral_store_add_event(db, &e);
  free(detail_text);
  if (st != JK_OK) return st;
  if (r && (st = audit_change(r, action, "referral", f->id, arena_printf(r->a, "%s → %s", from_status ? from_status : "-", f->status))) != JK_OK)
    return st;
  json_t *payload = json_pack("{s:s,s:s,s:s,s:s,s:b}", "referral", f->id, "action", action, "status", f->status,
                              "region", f->region, "urgent", f->urgent);
  json_object_set_new(payload, "from_status", str_or_null(from_status));
  json_object_set_new(payload, "organization", str_or_null(f->org_id));
  json_object_set_new(payload, "from_organization", str_or_null(f->from_org_id));
  char *text = json_dumps(payload, JSON_COMPACT);
  json_decref(payload);
  char event[48];
  snprintf(event, sizeof event, "referral.%s", strcmp(action, "submit") == 0 ? "created" : action);
  st = text ? webhook_emit(db, event, f->region, text) : JK_EINTERNAL;
  free(text);
  return st;
}

/* ---- input shared with the public application ---- */

bool referral_need(struct req *r, json_t *v, const char **out)
{
  static const char *const keys[] = {"functions", "note", 0};
  if (!v || json_is_null(v)) return reply_fail(r, JK_EINVAL, "missing_field", "请填写服务需求", "need"), false;
  if (!json_is_object(v)) return bad_field(r, "need", "需求应为 {\"functions\":[服务功能],\"note\":\"说明\"}");
  if (!body_only(r, v, keys)) return false;
  json_t *fs = json_object_get(v, "functions"), *f;
  const char *note;
  if (fs && !json_is_null(fs) && (!json_is_array(fs) || json_array_size(fs) > 7))
    return bad_field(r, "need", "需求的服务功能应为功能代码的数组");
  size_t i;
  json_t *canon = json_array();
  json_array_foreach(fs, i, f) {
    if (!json_is_string(f) || !one_of(json_string_value(f), functions)) {
      json_decref(canon);
      return bad_field(r, "need", "需求的服务功能代码无效");
    }
    json_array_append(canon, f);
  }
  if (!body_str(r, v, "note", false, 500, &note)) return json_decref(canon), false;
  if (!json_array_size(canon) && !note) {
    json_decref(canon);
    return bad_field(r, "need", "请至少选择一项服务需求或填写需求说明");
  }
  json_t *o = json_pack("{s:o}", "functions", canon);
  if (note) json_object_set_new(o, "note", json_string(note));
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

bool referral_location(struct req *r, json_t *v, struct referral_rec *f)
{
  if (!v || json_is_null(v)) return true;
  if (!body_location(r, v, &f->lat, &f->lng)) return false;
  f->has_location = true;
  return true;
}

/* A receipt number for the applicant: 12 characters of Crockford base32 (60 random bits),
 * grouped by four. Unguessable, so it can be the only key of the public status page. */
static const char *new_receipt(struct req *r)
{
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  unsigned char b[12];
  randombytes_buf(b, sizeof b);
  char *s = arena_alloc(r->a, 15);
  for (int i = 0, k = 0; i < 12; i++) {
    if (i && i % 4 == 0) s[k++] = '-';
    s[k++] = alphabet[b[i] & 31];
  }
  return s;
}

bool referral_insert(struct req *r, struct client_rec *c, struct referral_rec *f)
{
  jk_status st;
  struct client_rec existing;
  char *dup = 0;
  if (!c->rid) {
    st = client_store_by_bidx(r->db, r->a, c->id_bidx, &existing);
    if (st == JK_OK) *c = existing;   /* the person is known: the referral joins their record */
    else if (st != JK_ENOTFOUND) return reply_err(r, st, 0), false;
    else {
      c->created_at = c->updated_at = f->created_at;   /* registered now, with the referral */
      if ((st = client_store_insert(r->db, r->a, c, &dup)) != JK_OK ||
          (st = audit_change(r, "create", "client", c->id, "with referral")) != JK_OK)
        return reply_err(r, st, 0), false;
    }
  }
  f->client_rid = c->rid;
  f->client_id = c->id;
  f->region = c->residence_region;
  f->receipt = new_receipt(r);
  f->status = ref_status_name(RS_SUBMITTED);
  f->due_at = referral_deadline(r, r->db, f, RS_SUBMITTED, f->submitted_at);
  if ((st = referral_store_insert(r->db, f)) != JK_OK ||
      (st = referral_record(r, r->db, f, "submit", 0, f->from_org_rid, 0, 0)) != JK_OK)
    return reply_err(r, st, 0), false;
  return true;
}

/* ---- create ---- */

static bool parse_consent(struct req *r, json_t *v, const char **out)
{
  static const char *const keys[] = {"client_agreed", "guardian_agreed", "guardian_name", "signed_on", "note", 0};
  if (!v || json_is_null(v)) return reply_fail(r, JK_EINVAL, "missing_field", "医院转介须附患者及监护人的转介同意记录", "consent"), false;
  const char *name, *on, *note;
  bool client_ok = false, guardian_ok = false, present;
  struct jk_date d;
  if (!json_is_object(v) || !body_only(r, v, keys) || !body_bool(r, v, "client_agreed", &client_ok, &present) ||
      !body_bool(r, v, "guardian_agreed", &guardian_ok, &present) || !body_str(r, v, "guardian_name", false, 50, &name) ||
      !body_str(r, v, "signed_on", true, 10, &on) || !body_str(r, v, "note", false, 500, &note))
    return r->status ? false : bad_field(r, "consent", "转介同意记录无效");
  if (!date_parse(on, &d) || date_to_days(d) > date_to_days(date_today()))
    return bad_field(r, "consent", "同意日期无效（YYYY-MM-DD，不晚于今天）");
  if (!client_ok || !guardian_ok)
    return reply_fail(r, JK_ERULE, "consent_required", "须经患者和监护人同意后方可转介", "consent"), false;
  char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

static bool parse_assessment(struct req *r, json_t *v, const char **out)
{
  static const char *const keys[] = {"date", "risk_level", "summary", "assessor", 0};
  if (!v || json_is_null(v)) return true;
  const char *date, *summary, *assessor;
  int64_t level;
  bool present;
  struct jk_date d;
  if (!json_is_object(v) || !body_only(r, v, keys) || !body_str(r, v, "date", true, 10, &date) ||
      !body_int(r, v, "risk_level", true, 0, 5, &level, &present) || !body_str(r, v, "summary", false, 2000, &summary) ||
      !body_str(r, v, "assessor", false, 50, &assessor))
    return r->status ? false : bad_field(r, "assessment", "评估记录无效");
  if (!date_parse(date, &d) || date_to_days(d) > date_to_days(date_today()))
    return bad_field(r, "assessment", "评估日期无效（YYYY-MM-DD，不晚于今天）");
  char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

static bool parse_reporter(struct req *r, json_t *v, const char *referral_id, const char **out)
{
  static const char *const keys[] = {"name", "kind", "phone", "organization_name", 0};
  const char *name, *kind, *phone, *org;
  if (!v || json_is_null(v)) return reply_fail(r, JK_EINVAL, "missing_field", "其他主体协助申请须填写发现人信息", "reporter"), false;
  if (!json_is_object(v) || !body_only(r, v, keys) || !body_str(r, v, "name", true, 50, &name) ||
      !body_str(r, v, "kind", true, 16, &kind) || !body_str(r, v, "phone", false, 20, &phone) ||
      !body_str(r, v, "organization_name", false, 100, &org))
    return r->status ? false : bad_field(r, "reporter", "发现人信息无效");
  if (!one_of(kind, reporter_kinds)) return bad_field(r, "reporter", "发现人类型应为 employer、community、social_org 或 individual");
  json_t *o = json_pack("{s:s,s:s}", "name", name, "kind", kind);
  if (org) json_object_set_new(o, "organization_name", json_string(org));
  if (phone) {
    if (!phone_valid(phone)) return json_decref(o), bad_field(r, "reporter", "发现人电话格式错误");
    char m[32];
    phone_mask(phone, m, sizeof m);
    json_object_set_new(o, "phone_masked", json_string(m));
    json_object_set_new(o, "phone_enc", json_string(sealed_b64(r, arena_printf(r->a, "referral:%s:reporter_phone", referral_id), phone)));
  }
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

/* The organization named by `key`, which must be of `kind`. */
static bool named_org(struct req *r, const char *key, const char *id, const char *kind, struct org_rec *o)
{
  if (org_store_by_id(r->db, r->a, id, o) != JK_OK) return bad_field(r, key, "机构不存在");
  if (kind && strcmp(o->kind, kind) != 0)
    return bad_field(r, key, strcmp(kind, "hospital") == 0 ? "应为医疗机构" : "应为社区康复机构");
  return true;
}

/* The client of a new referral: an id the caller can see, or a new-client object (which may
 * turn out to be a person already registered; referral_insert links them). */
static bool referral_client(struct req *r, json_t *v, struct client_rec *c, char id[37])
{
  if (json_is_string(v)) {
    const char *cid = json_string_value(v);
    /* absent and out of scope answer alike: 404, as everywhere else (authz.test.mjs) */
    struct policy_object po = {.kind = OBJ_CLIENT};
    if (uuid_valid(cid) && client_store_by_id(r->db, r->a, cid, c) == JK_OK)
      po = (struct policy_object){.kind = OBJ_CLIENT, .region = c->residence_region, .org_rid = c->org_rid};
    if (!po.region || policy_decide(&r->who, ACT_READ, &po) != JK_OK)
      return reply_fail(r, JK_ENOTFOUND, "not_found", "康复对象不存在或不在您的管辖范围内", "client"), false;
    return true;
  }
  if (!json_is_object(v)) return reply_fail(r, JK_EINVAL, "missing_field", "请指定康复对象（已有对象的 id 或新对象的信息）", "client"), false;
  return clients_prepare(r, v, c, id);
}

static bool referral_from_body(struct req *r, json_t *body, struct referral_rec *f, struct client_rec *c, char cid[37])
{
  static const char *const keys[] = {"client", "source", "need", "from_organization", "consent", "assessment",
                                     "reporter", "urgent", "location", 0};
  const char *s;
  bool present;
  struct org_rec from;
  if (!body_only(r, body, keys)) return false;
  if (!body_str(r, body, "source", true, 16, &f->source)) return false;
  if (!one_of(f->source, sources)) return bad_field(r, "source", "来源应为 hospital、self 或 community");
  if (!referral_need(r, json_object_get(body, "need"), &f->need_json)) return false;
  if (!body_str(r, body, "from_organization", false, 36, &s)) return false;
  if (s && !named_org(r, "from_organization", s, strcmp(f->source, "hospital") == 0 ? "hospital" : 0, &from)) return false;
  if (s) f->from_org_rid = from.rid;
  else if (role_needs_org(r->who.role)) f->from_org_rid = r->who.org_rid;
  if (strcmp(f->source, "hospital") == 0) {
    if (!f->from_org_rid) return reply_fail(r, JK_EINVAL, "missing_field", "医院转介须注明转出医院", "from_organization"), false;
    if (!s && org_store_by_rid(r->db, r->a, f->from_org_rid, &from) == JK_OK && strcmp(from.kind, "hospital") != 0)
      return bad_field(r, "source", "只有医疗机构可以提出医院转介");
    if (!parse_consent(r, json_object_get(body, "consent"), &f->consent_json)) return false;
  } else if (json_object_get(body, "consent")) {
    return bad_field(r, "consent", "转介同意记录只用于医院转介");
  }
  if (!parse_assessment(r, json_object_get(body, "assessment"), &f->assessment_json)) return false;
  if (strcmp(f->source, "community") == 0) {
    if (!parse_reporter(r, json_object_get(body, "reporter"), f->id, &f->reporter_json)) return false;
  } else if (json_object_get(body, "reporter")) {
    return bad_field(r, "reporter", "发现人信息只用于其他主体协助申请（community）");
  }
  if (!body_bool(r, body, "urgent", &f->urgent, &present)) return false;
  if (!referral_location(r, json_object_get(body, "location"), f)) return false;
  return referral_client(r, json_object_get(body, "client"), c, cid);
}

/* The Idempotency-Key of a system's resubmission: a repeat with the same body answers with the
 * referral made the first time. */
static bool idempotent_replay(struct req *r, struct referral_rec *f)
{
  const char *key = req_header(r, "Idempotency-Key");
  if (!key) return false;
  size_t n = strlen(key);
  bool ok = n >= 8 && n <= 64;
  for (size_t i = 0; ok && i < n; i++) ok = key[i] > 32 && key[i] < 127;
  if (!ok) return reply_fail(r, JK_EINVAL, "invalid_idempotency_key", "Idempotency-Key 应为8–64个可见ASCII字符", 0), true;
  f->idem_key = arena_strdup(r->a, key);
  crypto_generichash(f->idem_hash, 32, (const unsigned char *)r->body.data, r->body.len, 0, 0);
  f->has_idem_hash = true;
  struct referral_rec old;
  if (!r->who.user_id || referral_store_by_idem(r->db, r->a, r->who.user_id, key, &old) != JK_OK) return false;
  if (!old.has_idem_hash || memcmp(old.idem_hash, f->idem_hash, 32) != 0)
    return reply_fail(r, JK_ERULE, "idempotency_mismatch", "同一 Idempotency-Key 已用于内容不同的请求", 0), true;
  audit_note(r, "create", "referral", old.id, "replayed", "idempotent resubmission");
  reply_json(r, 200, referral_json(r, &old, true));
  return true;
}

void api_referrals_create(struct req *r)
{
  json_t *body;
  struct jk_err e = {0};
  struct policy_object po = {.kind = OBJ_REFERRAL, .region = r->who.region, .from_org_rid = r->who.org_rid};
  if (!allowed(r, ACT_CREATE, &po, "referral", 0)) return;
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  referrals_create_json(r, body);
  json_decref(body);
}

void referrals_create_json(struct req *r, json_t *body)
{
  /* first: may this role refer at all (its own region or organization)? */
  struct policy_object po = {.kind = OBJ_REFERRAL, .region = r->who.region, .from_org_rid = r->who.org_rid};
  if (!allowed(r, ACT_CREATE, &po, "referral", 0)) return;
  char id[37], cid[37];
  uuid_v7(id);
  int64_t now = clock_now_ms();
  struct referral_rec f = {.id = id, .created_by = r->who.user_id, .submitted_at = now, .created_at = now, .updated_at = now};
  if (r->conn && idempotent_replay(r, &f)) return;
  struct client_rec c = {0};
  if (!referral_from_body(r, body, &f, &c, cid)) return;
  po = (struct policy_object){.kind = OBJ_REFERRAL, .region = c.residence_region, .from_org_rid = f.from_org_rid};
  if (!allowed(r, ACT_CREATE, &po, "referral", 0)) return;
  jk_status st;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if (!referral_insert(r, &c, &f)) {
    db_rollback(r->db);
    if (f.idem_key) { /* a concurrent twin with the same key won the race: answer with it */
      struct referral_rec old;
      if (referral_store_by_idem(r->db, r->a, r->who.user_id, f.idem_key, &old) == JK_OK) {
        free(r->resp);
        r->resp = 0;
        r->status = 0;
        reply_json(r, 200, referral_json(r, &old, true));
      }
    }
    return;
  }
  if (!commit_or_reply(r)) return;
  struct referral_rec saved;
  if ((st = referral_store_by_id(r->db, r->a, id, &saved)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 201, referral_json(r, &saved, true));
}

/* ---- read ---- */

void api_referral_get(struct req *r)
{
  struct referral_rec f;
  if (!referral_load(r, ACT_READ, 0, &f)) return;
  audit_note(r, "read", "referral", f.id, "ok", 0);
  reply_json(r, 200, referral_json(r, &f, true));
}

/* ?status=a,b → a JSON array of valid names; every status when absent. */
static bool status_filter(struct req *r, const char *in, const char **out)
{
  json_t *list = json_array();
  for (int s = 0; s < RS_COUNT; s++) {
    const char *name = ref_status_name((enum ref_status)s);
    if (!in) {
      json_array_append_new(list, json_string(name));
      continue;
    }
    size_t n = strlen(name);
    for (const char *p = in; (p = strstr(p, name)); p += n)
      if ((p == in || p[-1] == ',') && (p[n] == ',' || !p[n])) {
        json_array_append_new(list, json_string(name));
        break;
      }
  }
  size_t want = 1;
  for (const char *p = in; p && *p; p++) want += *p == ',';
  if (in && json_array_size(list) != want) {
    json_decref(list);
    return bad_field(r, "status", "状态无效");
  }
  char *text = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

void api_referrals_list(struct req *r)
{
  const char *region = 0;
  int64_t org_rid = 0, limit, offset, page, n = 0, total = 0;
  struct policy_object po = {.kind = OBJ_REFERRAL};
  if (policy_list_scope(&r->who, OBJ_REFERRAL, &region, &org_rid) != JK_OK)
    return (void)allowed(r, ACT_LIST, &po, "referral", 0);
  if (!page_params(r, &limit, &offset, &page)) return;
  struct referral_query q = {.region = region, .org_any = org_rid, .limit = limit, .offset = offset};
  if (!status_filter(r, req_query(r, "status"), &q.statuses)) return;
  const char *want_region, *v;
  if (!region_param(r, req_query(r, "region"), "region", false, &want_region)) return;
  if (want_region) {
    if (!region || region_code_within(want_region, region)) q.region = want_region;
    else if (!region_code_within(region, want_region)) q.limit = 0;
  }
  if ((v = req_query(r, "organization"))) {
    struct org_rec o;
    if (!uuid_valid(v) || org_store_by_id(r->db, r->a, v, &o) != JK_OK) return (void)bad_field(r, "organization", "机构不存在");
    q.org = o.rid;
  }
  if ((v = req_query(r, "source")) && !one_of(v, sources)) return (void)bad_field(r, "source", "来源无效");
  q.source = v;
  if ((v = req_query(r, "overdue"))) {
    if (strcmp(v, "true") && strcmp(v, "false")) return (void)bad_field(r, "overdue", "overdue 应为 true 或 false");
    if (strcmp(v, "true") == 0) q.overdue_at = clock_now_ms();
  }
  if ((v = req_query(r, "client"))) {
    struct client_rec c;
    if (!uuid_valid(v) || client_store_by_id(r->db, r->a, v, &c) != JK_OK) q.limit = 0;
    else q.client_rid = c.rid;
  }
  q.by_due = q.overdue_at != 0;
  struct referral_rec *items = 0;
  jk_status st = q.limit ? referral_store_list(r->db, r->a, &q, &items, &n, &total) : JK_OK;
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *list = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(list, referral_json(r, &items[i], false));
  audit_note(r, "search", "referral", 0, "ok", arena_printf(r->a, "%lld results", (long long)n));
  reply_json(r, 200, page_envelope(list, total, page, limit));
}

/* ---- dispatch suggestions ---- */

struct ranked {
  const struct referral_candidate *c;
  double km;          /* < 0: unknown */
  int nearness;       /* common region-code prefix length with the client's residence */
  bool matched, full, eligible;
  json_t *failures;
};

static int prefix_len(const char *a, const char *b)
{
  int n = 0;
  while (a[n] && a[n] == b[n]) n++;
  return n;
}

static int cmp_ranked(const void *x, const void *y)
{
  const struct ranked *a = x, *b = y;
  if (a->km >= 0 && b->km >= 0 && a->km != b->km) return a->km < b->km ? -1 : 1;
  if ((a->km >= 0) != (b->km >= 0)) return a->km >= 0 ? -1 : 1;
  if (a->nearness != b->nearness) return b->nearness - a->nearness;
  return a->c->rid < b->c->rid ? -1 : a->c->rid > b->c->rid;
}

/* Where the client lives, for distances: the referral's own location, else the middle of the
 * institutions with a known location in the smallest area around the residence that has any. */
static bool client_point(const struct referral_rec *f, const struct referral_candidate *c, int64_t n, double *lat,
                         double *lng)
{
  if (f->has_location) return *lat = f->lat, *lng = f->lng, true;
  for (int len = (int)strlen(f->region); len >= 4; len = len > 6 ? 6 : len - 2) {
    double sl = 0, sg = 0;
    int k = 0;
    for (int64_t i = 0; i < n; i++)
      if (c[i].has_location && strncmp(c[i].region, f->region, (size_t)len) == 0) sl += c[i].lat, sg += c[i].lng, k++;
    if (k) return *lat = sl / k, *lng = sg / k, true;
  }
  return false;
}

static bool has_function(const char *functions_json, const char *code)
{
  char quoted[40];
  snprintf(quoted, sizeof quoted, "\"%s\"", code);
  return functions_json && strstr(functions_json, quoted);
}

static void eligibility_of(struct req *r, const struct client_rec *c, const struct referral_rec *f,
                           const char *place, struct elig_result *out, const char **rules_region)
{
  struct rules rules;
  if (!rules_for_region(r, place, &rules, rules_region)) rules_default(&rules), *rules_region = "";
  struct jk_date birth = {0, 0, 0};
  date_parse(c->birth_date, &birth);
  struct elig_facts facts = {.age = date_age(birth, date_today()), .hukou_region = c->hukou_region,
                             .place_region = place, .disability_category = c->disability_category,
                             .disability_grade = c->disability_grade, .severe = c->severe > 0, .risk_level = -1,
                             .now_ms = clock_now_ms()};
  json_error_t je;
  json_t *as = f->assessment_json ? json_loads(f->assessment_json, 0, &je) : 0;
  struct jk_date d;
  if (as && date_parse(json_string_value(json_object_get(as, "date")), &d)) {
    facts.risk_level = (int)json_integer_value(json_object_get(as, "risk_level"));
    facts.risk_assessed_ms = date_to_days(d) * 86400000LL - 8 * 3600000LL;
  }
  json_decref(as);
  elig_check(&rules, &facts, out);
}

static json_t *failures_json(const struct elig_result *e)
{
  json_t *list = json_array();
  for (int i = 0; i < e->n; i++)
    json_array_append_new(list, json_pack("{s:s,s:s}", "code", e->fail[i].code, "message", e->fail[i].message));
  return list;
}

/* Candidates in the client's prefecture (the province when the prefecture has none), ranked. */
static struct ranked *rank_candidates(struct req *r, const struct referral_rec *f, const struct client_rec *c,
                                      int64_t exclude_rid, int64_t *n)
{
  struct referral_candidate *cand = 0;
  char area[5];
  *n = 0;
  for (int len = 4; len >= 2 && !*n; len -= 2) {
    snprintf(area, sizeof area, "%.*s", len, f->region);
    if (referral_store_candidates(r->db, r->a, area, &cand, n) != JK_OK) *n = 0;
  }
  double lat = 0, lng = 0;
  bool located = client_point(f, cand, *n, &lat, &lng);
  json_error_t je;
  json_t *need = json_loads(f->need_json ? f->need_json : "{}", 0, &je);
  struct ranked *v = arena_alloc(r->a, (size_t)(*n ? *n : 1) * sizeof *v);
  int64_t k = 0;
  for (int64_t i = 0; i < *n; i++) {
    if (cand[i].rid == exclude_rid) continue;
    struct ranked *x = &v[k++];
    x->c = &cand[i];
    x->km = located && cand[i].has_location ? geo_distance_km(lat, lng, cand[i].lat, cand[i].lng) : -1;
    x->nearness = prefix_len(cand[i].region, f->region);
    x->full = cand[i].capacity - cand[i].occupied <= 0;
    x->matched = true;
    size_t j;
    json_t *fn;
    json_array_foreach(json_object_get(need, "functions"), j, fn)
      if (!has_function(cand[i].functions_json, json_string_value(fn))) x->matched = false;
    struct elig_result er;
    const char *from;
    eligibility_of(r, c, f, cand[i].region, &er, &from);
    x->eligible = er.eligible;
    x->failures = er.eligible ? 0 : failures_json(&er);
  }
  json_decref(need);
  qsort(v, (size_t)k, sizeof *v, cmp_ranked);
  *n = k;
  return v;
}

json_t *referral_suggestions(struct req *r, const struct referral_rec *f, int64_t exclude_rid, int include)
{
  struct client_rec c;
  if (client_store_by_id(r->db, r->a, f->client_id, &c) != JK_OK) return 0;
  int64_t n, full = 0, unmatched = 0, ineligible = 0;
  struct ranked *v = rank_candidates(r, f, &c, exclude_rid, &n);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) {
    const struct referral_candidate *x = v[i].c;
    json_decref(v[i].failures);
    if (!v[i].eligible) ineligible++;
    else if (!v[i].matched) unmatched++;
    else if (v[i].full) full++;
    bool shown = include == SUGGEST_ALL || (v[i].eligible && v[i].matched && (!v[i].full || include == SUGGEST_FULL));
    if (!shown) continue;
    json_error_t je;
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "id", x->id, "name", x->name, "region", x->region, "capacity",
                          (json_int_t)x->capacity, "free_places", (json_int_t)(x->capacity - x->occupied > 0 ? x->capacity - x->occupied : 0),
                          "waitlist", (json_int_t)x->waiting);
    json_object_set_new(o, "region_name", str_or_null(region_name(r, x->region)));
    json_object_set_new(o, "address", str_or_null(x->address));
    json_object_set_new(o, "distance_km", v[i].km >= 0 ? json_real(round(v[i].km * 10) / 10) : json_null());
    json_object_set_new(o, "functions", json_loads(x->functions_json ? x->functions_json : "[]", 0, &je));
    json_object_set_new(o, "eligible", json_boolean(v[i].eligible));
    json_object_set_new(o, "matched", json_boolean(v[i].matched));
    json_array_append_new(items, o);
  }
  struct elig_result er;
  const char *rules_region;
  eligibility_of(r, &c, f, f->region, &er, &rules_region);
  json_t *elig = json_pack("{s:b,s:o,s:s}", "eligible", er.eligible, "failures", failures_json(&er), "rules_region",
                           rules_region ? rules_region : "");
  return json_pack("{s:o,s:{s:I,s:I,s:I},s:o}", "items", items, "excluded", "full", (json_int_t)full, "unmatched",
                   (json_int_t)unmatched, "ineligible", (json_int_t)ineligible, "eligibility", elig);
}

int64_t referral_nearest_free(struct req *r, const struct referral_rec *f, int64_t exclude_rid)
{
  struct client_rec c;
  if (client_store_by_id(r->db, r->a, f->client_id, &c) != JK_OK) return 0;
  int64_t n;
  struct ranked *v = rank_candidates(r, f, &c, exclude_rid, &n);
  int64_t best = 0;
  for (int64_t i = 0; i < n; i++) {
    if (!best && v[i].eligible && v[i].matched && !v[i].full) best = v[i].c->rid;
    json_decref(v[i].failures);
  }
  return best;
}

void api_referral_suggestions(struct req *r)
{
  struct referral_rec f;
  if (!referral_load(r, ACT_READ, 0, &f)) return;
  struct policy_object po = referral_po(&f, "dispatch");
  if (policy_decide(&r->who, ACT_UPDATE, &po) != JK_OK && (po.op = "rerefer", policy_decide(&r->who, ACT_UPDATE, &po)) != JK_OK)
    return (void)allowed(r, ACT_UPDATE, &po, "referral", f.id);
  const char *inc = req_query(r, "include");
  if (inc && strcmp(inc, "full") && strcmp(inc, "all")) return (void)bad_field(r, "include", "include 应为 full 或 all");
  json_t *o = referral_suggestions(r, &f, 0, !inc ? SUGGEST_FREE : strcmp(inc, "full") == 0 ? SUGGEST_FULL : SUGGEST_ALL);
  if (!o) return reply_err(r, JK_EINTERNAL, 0);
  audit_note(r, "suggest", "referral", f.id, "ok", 0);
  reply_json(r, 200, o);
}
