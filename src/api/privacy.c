/* privacy.c: PIPL duties towards the people whose records we hold.
 *
 * Separate consent (单独同意, PIPL Art. 29): health and mental-health information is sensitive
 * personal information (Art. 28). Each client's explicit consent is recorded on its own, not
 * inside the referral documents: who signed (the client or a guardian, by name), on what date,
 * which text version, for which scope (health_records: diagnosis, assessments and plans;
 * service_records; information_sharing: passing the record between the institutions of the
 * referral loop), who recorded it and when. A withdrawal (Art. 15) is recorded on the consent
 * with date, reason and who took it; nothing is deleted. Processing that rests on a statutory
 * duty (Art. 13(3), the 精神卫生法 follow-up of severe mental disorders) goes on without consent,
 * so the system does not stop care: it flags each client whose health record has no consent in
 * force (`status` below, shown on the client page and in the export) so that it is obtained.
 *
 * Export of one's own data (查阅、复制, Art. 45): GET /clients/{id}/export?reason=... gives, to
 * staff who may see the client's full values (ACT_REVEAL), one JSON document with everything
 * held about the person — the record with its protected fields opened, referrals with their
 * documents, assessments, plans, care team, services, due dates, alerts, consents, and the
 * list of accesses to the record from the audit trail. The export is audited (with the reason)
 * before any value leaves, like a reveal. */
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/referral.h"
#include "sec/crypto.h"
#include "store/audit_store.h"
#include "store/care_store.h"
#include "store/client_store.h"
#include "store/privacy_store.h"
#include "store/referral_store.h"
#include "store/service_store.h"
#include <sodium.h>
#include <string.h>

static const char *const SCOPES[] = {"health_records", "service_records", "information_sharing", 0};
#define EXPORT_ROWS 10000

/* Loads the client of the path and asks the policy for act; replies and returns false otherwise
 * (404 out of scope, as for any client). */
static bool privacy_client(struct req *r, enum action act, struct client_rec *c)
{
  struct policy_object po = {.kind = OBJ_CLIENT};
  /* roles that never see client records (the administrators): 403, found or not */
  if (policy_decide(&r->who, ACT_LIST, &po) == JK_EFORBIDDEN) return allowed(r, act, &po, "client", r->params[0]);
  jk_status st = uuid_valid(r->params[0]) ? client_store_by_id(r->db, r->a, r->params[0], c) : JK_ENOTFOUND;
  if (st != JK_OK && st != JK_ENOTFOUND) return reply_err(r, st, 0), false;
  if (st == JK_OK) po = (struct policy_object){.kind = OBJ_CLIENT, .region = c->residence_region, .org_rid = c->org_rid};
  if (st == JK_ENOTFOUND || policy_decide(&r->who, ACT_READ, &po) != JK_OK) {
    audit_note(r, act == ACT_READ ? "read" : act == ACT_REVEAL ? "export" : "update", "client", r->params[0], "not_found", 0);
    return reply_fail(r, JK_ENOTFOUND, "not_found", "对象不存在或不在您的管辖范围内", 0), false;
  }
  return allowed(r, act, &po, "client", c->id);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Epoch-ms members of each row → ISO text. */
static void rows_times(struct req *r, json_t *rows, const char *const *keys)
{
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row)
    for (const char *const *k = keys; *k; k++) {
      json_t *v = json_object_get(row, *k);
      if (json_is_integer(v)) json_object_set_new(row, *k, json_string(iso_time(r, json_integer_value(v))));
    }
}

/* The consents and the status they give: given, withdrawn or missing. */
static jk_status consents_json(struct req *r, int64_t client_rid, json_t **out)
{
  static const char *const times[] = {"recorded_at", "withdrawn_at", 0};
  json_t *rows = json_array();
  bool in_force = false, withdrawn = false;
  jk_status st = consent_store_list(r->db, client_rid, rows);
  if (st == JK_OK) st = consent_store_in_force(r->db, client_rid, "health_records", &in_force, &withdrawn);
  if (st != JK_OK) {
    json_decref(rows);
    return st;
  }
  rows_times(r, rows, times);
  const char *status = in_force ? "given" : withdrawn ? "withdrawn" : "missing";
  const char *label = in_force ? "已取得处理敏感个人信息的单独同意"
                    : withdrawn ? "单独同意已撤回：仅可在法定职责范围内继续处理，请尽快处理"
                                : "尚未取得处理敏感个人信息的单独同意，请补签";
  *out = json_pack("{s:s,s:s,s:b,s:o}", "status", status, "status_label", label, "flagged", !in_force, "items", rows);
  return JK_OK;
}

void api_consents_list(struct req *r)
{
  struct client_rec c;
  if (!privacy_client(r, ACT_READ, &c)) return;
  json_t *o;
  jk_status st = consents_json(r, c.rid, &o);
  if (st != JK_OK) return reply_err(r, st, 0);
  audit_note(r, "read", "consent", c.id, "ok", 0);
  reply_json(r, 200, o);
}

static bool scope_ok(struct req *r, json_t *v, const char **out)
{
  if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 3)
    return bad_field(r, "scope", "scope 应为同意范围的数组：health_records、service_records、information_sharing");
  for (size_t i = 0; i < json_array_size(v); i++) {
    const char *s = json_string_value(json_array_get(v, i));
    bool known = false;
    for (int j = 0; s && SCOPES[j]; j++) known = known || strcmp(s, SCOPES[j]) == 0;
    if (!known) return bad_field(r, "scope", "未知的同意范围");
    for (size_t k = 0; k < i; k++)
      if (strcmp(s, json_string_value(json_array_get(v, k))) == 0) return bad_field(r, "scope", "同意范围重复");
  }
  char *text = json_dumps(v, JSON_COMPACT);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

void api_consents_create(struct req *r)
{
  static const char *const keys[] = {"scope", "signed_by", "guardian_name", "signed_on", "version", 0};
  struct client_rec c;
  if (!privacy_client(r, ACT_UPDATE, &c)) return;
  json_t *body = req_body(r);
  if (!body) return;
  struct consent_rec cr = {.client_rid = c.rid, .recorded_by = r->who.username, .recorded_at = clock_now_ms()};
  bool ok = body_only(r, body, keys) && scope_ok(r, json_object_get(body, "scope"), &cr.scope_json) &&
            body_str(r, body, "signed_by", true, 16, &cr.signed_by) &&
            body_str(r, body, "guardian_name", false, 64, &cr.guardian_name) &&
            body_date(r, body, "signed_on", true, true, &cr.signed_on) &&
            body_str(r, body, "version", true, 32, &cr.version);
  json_decref(body);
  if (!ok) return;
  if (strcmp(cr.signed_by, "client") != 0 && strcmp(cr.signed_by, "guardian") != 0)
    return (void)bad_field(r, "signed_by", "signed_by 应为 client（本人）或 guardian（监护人）");
  if (strcmp(cr.signed_by, "guardian") == 0 && !cr.guardian_name)
    return (void)reply_fail(r, JK_EINVAL, "missing_field", "监护人签署时须填写监护人姓名", "guardian_name");
  char id[37];
  uuid_v7(id);
  cr.id = id;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  if ((st = consent_store_insert(r->db, &cr)) != JK_OK ||
      (st = audit_change(r, "consent", "client", c.id, arena_printf(r->a, "consent %s scope %s", id, cr.scope_json))) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  json_t *o;
  if ((st = consents_json(r, c.rid, &o)) != JK_OK) return reply_err(r, st, 0);
  json_object_set_new(o, "id", json_string(id));
  reply_json(r, 201, o);
}

void api_consent_withdraw(struct req *r)
{
  static const char *const keys[] = {"withdrawn_on", "reason", 0};
  struct client_rec c;
  if (!privacy_client(r, ACT_UPDATE, &c)) return;
  json_t *body = req_body(r);
  if (!body) return;
  const char *on, *reason;
  bool ok = body_only(r, body, keys) && body_date(r, body, "withdrawn_on", true, true, &on) &&
            body_str(r, body, "reason", false, 200, &reason);
  json_decref(body);
  if (!ok) return;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  st = consent_store_withdraw(r->db, c.rid, r->params[1], on, reason, r->who.username, clock_now_ms());
  if (st == JK_OK) st = audit_change(r, "consent_withdraw", "client", c.id, arena_printf(r->a, "consent %s", r->params[1]));
  if (st != JK_OK) {
    db_rollback(r->db);
    if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "该同意记录不存在", 0);
    if (st == JK_ECONFLICT) return reply_fail(r, st, "already_withdrawn", "该同意已撤回", 0);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  json_t *o;
  if ((st = consents_json(r, c.rid, &o)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, o);
}

/* ---- export ---- */

static const char *unseal(struct req *r, const char *client_id, const char *field, struct sealed s, bool *bad)
{
  if (!s.p) return 0;
  char *v = field_open(r->a, &r->app->keys, s.p, s.n, arena_printf(r->a, "client:%s:%s", client_id, field));
  if (!v) *bad = true;
  return v;
}

static json_t *stored_json(const char *text)
{
  json_error_t e;
  json_t *v = text ? json_loads(text, 0, &e) : 0;
  return v ? v : json_null();
}

/* The record with every protected field opened; NULL when a sealed value does not open. */
static json_t *record_json(struct req *r, const struct client_rec *c)
{
  bool bad = false;
  json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", c->id, "name", c->name, "birth_date", c->birth_date,
                        "sex", c->sex == 1 ? "male" : "female");
  json_object_set_new(o, "id_number", str_or_null(unseal(r, c->id, "id_number", c->id_enc, &bad)));
  json_object_set_new(o, "phone", str_or_null(unseal(r, c->id, "phone", c->phone_enc, &bad)));
  json_object_set_new(o, "address", str_or_null(unseal(r, c->id, "address", c->address_enc, &bad)));
  json_object_set_new(o, "disability_certificate", str_or_null(unseal(r, c->id, "disability_certificate", c->disability_enc, &bad)));
  json_object_set_new(o, "residence_region", str_or_null(c->residence_region));
  json_object_set_new(o, "hukou_region", str_or_null(c->hukou_region));
  json_object_set_new(o, "diagnosis", str_or_null(c->diagnosis));
  json_object_set_new(o, "severe", json_boolean(c->severe));
  json_object_set_new(o, "disability_category", c->disability_category ? json_integer(c->disability_category) : json_null());
  json_object_set_new(o, "disability_grade", c->disability_grade ? json_integer(c->disability_grade) : json_null());
  json_object_set_new(o, "organization", str_or_null(c->org_id));
  json_object_set_new(o, "organization_name", str_or_null(c->org_name));
  json_object_set_new(o, "status", str_or_null(c->status));
  json_object_set_new(o, "notes", str_or_null(c->notes));
  json_object_set_new(o, "created_at", json_string(iso_time(r, c->created_at)));
  json_object_set_new(o, "updated_at", json_string(iso_time(r, c->updated_at)));
  /* guardians: name, relation and the opened phone */
  json_t *stored = stored_json(c->guardians_json), *g, *gs = json_array();
  size_t i;
  json_array_foreach(stored, i, g) {
    const char *b64 = json_string_value(json_object_get(g, "phone_enc"));
    const char *phone = 0;
    if (b64) {
      size_t n = strlen(b64), bl;
      unsigned char *bin = arena_alloc(r->a, n + 1);
      if (sodium_base642bin(bin, n, b64, n, 0, &bl, 0, sodium_base64_VARIANT_ORIGINAL) == 0)
        phone = unseal(r, c->id, "guardian_phone", (struct sealed){bin, bl}, &bad);
      else bad = true;
    }
    json_array_append_new(gs, json_pack("{s:O,s:O,s:o}", "name", json_object_get(g, "name"), "relation",
                                        json_object_get(g, "relation"), "phone", str_or_null(phone)));
  }
  json_decref(stored);
  json_object_set_new(o, "guardians", gs);
  if (bad) json_decref(o);
  return bad ? 0 : o;
}

static json_t *referrals_json(struct req *r, const struct client_rec *c, jk_status *st)
{
  json_t *statuses = json_array();
  for (int s = 0; s < RS_COUNT; s++) json_array_append_new(statuses, json_string(ref_status_name((enum ref_status)s)));
  char *text = json_dumps(statuses, JSON_COMPACT);
  json_decref(statuses);
  struct referral_query q = {.statuses = arena_strdup(r->a, text), .client_rid = c->rid, .limit = 1000};
  free(text);
  struct referral_rec *v;
  int64_t n = 0, total;
  json_t *out = json_array();
  if ((*st = referral_store_list(r->db, r->a, &q, &v, &n, &total)) != JK_OK) return out;
  for (int64_t i = 0; i < n; i++) {
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", v[i].id, "status", v[i].status, "source", v[i].source,
                          "created_at", iso_time(r, v[i].created_at));
    json_object_set_new(o, "from_organization", str_or_null(v[i].from_org_name));
    json_object_set_new(o, "organization", str_or_null(v[i].org_name));
    json_object_set_new(o, "need", stored_json(v[i].need_json));
    json_object_set_new(o, "reporter", stored_json(v[i].reporter_json));
    json_object_set_new(o, "consent", stored_json(v[i].consent_json));
    json_object_set_new(o, "assessment", stored_json(v[i].assessment_json));
    json_object_set_new(o, "informed_consent", stored_json(v[i].informed_consent_json));
    json_object_set_new(o, "agreement", stored_json(v[i].agreement_json));
    json_object_set_new(o, "outcome", str_or_null(v[i].outcome));
    json_object_set_new(o, "outcome_detail", stored_json(v[i].outcome_detail_json));
    json_array_append_new(out, o);
  }
  return out;
}

/* Who accessed the record (every audit entry about it), oldest first. */
static json_t *accesses_json(struct req *r, const struct client_rec *c, jk_status *st)
{
  struct audit_query q = {.object_type = "client", .object_id = c->id, .limit = EXPORT_ROWS};
  struct audit_row *rows;
  int64_t n = 0, total;
  json_t *out = json_array();
  if ((*st = audit_store_query(r->db, r->a, &q, &rows, &n, &total)) != JK_OK) return out;
  for (int64_t i = n - 1; i >= 0; i--) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "time", iso_time(r, rows[i].time), "action", rows[i].action, "result",
                          rows[i].result);
    json_object_set_new(o, "username", str_or_null(rows[i].username));
    json_object_set_new(o, "role", str_or_null(rows[i].role));
    json_array_append_new(out, o);
  }
  return out;
}

void api_client_export(struct req *r)
{
  struct client_rec c;
  if (!privacy_client(r, ACT_REVEAL, &c)) return;
  const char *reason = req_query(r, "reason");
  size_t rl = reason ? strlen(reason) : 0;
  while (rl && reason[rl - 1] == ' ') rl--;
  if (!rl) return (void)reply_fail(r, JK_EINVAL, "missing_field", "导出个人信息须说明理由（如：本人依《个人信息保护法》第45条申请查阅复制）", "reason");
  if (rl > 200) return (void)bad_field(r, "reason", "理由不超过200个字符");
  jk_status st = JK_OK;
  json_t *doc = json_object(), *rows;
  json_t *rec = record_json(r, &c);
  if (!rec) {
    json_decref(doc);
    return reply_err(r, JK_EINTERNAL, 0);
  }
  json_object_set_new(doc, "client", rec);
  json_object_set_new(doc, "referrals", referrals_json(r, &c, &st));
  if (st == JK_OK) st = assessment_store_list(r->db, c.rid, 0, 0, EXPORT_ROWS, rows = json_array()), json_object_set_new(doc, "assessments", rows);
  if (st == JK_OK) st = plan_store_versions(r->db, c.rid, rows = json_array()), json_object_set_new(doc, "plans", rows);
  if (st == JK_OK) st = team_store_list(r->db, c.rid, rows = json_array()), json_object_set_new(doc, "care_team", rows);
  if (st == JK_OK)
    st = service_store_of_client(r->db, c.rid, "0000-01-01", "9999-12-31", EXPORT_ROWS, 0, rows = json_array(), 0),
    json_object_set_new(doc, "services", rows);
  if (st == JK_OK) st = care_due_of_client(r->db, c.rid, rows = json_array()), json_object_set_new(doc, "due", rows);
  if (st == JK_OK) st = alert_store_list(r->db, 0, 0, c.rid, EXPORT_ROWS, rows = json_array()), json_object_set_new(doc, "alerts", rows);
  if (st == JK_OK && (st = consents_json(r, c.rid, &rows)) == JK_OK) json_object_set_new(doc, "consents", rows);
  if (st == JK_OK) json_object_set_new(doc, "accesses", accesses_json(r, &c, &st));
  if (st != JK_OK) {
    json_decref(doc);
    return reply_err(r, st, 0);
  }
  /* the export is on disk before the values leave */
  const char *why = arena_strndup(r->a, reason, rl);
  if (!audit_committed(r, "export", "client", c.id, arena_printf(r->a, "PIPL Art. 45 export; reason: %s", why))) {
    json_decref(doc);
    return;
  }
  json_object_set_new(doc, "exported_at", json_string(iso_time(r, clock_now_ms())));
  json_object_set_new(doc, "exported_by", json_string(r->who.username));
  json_object_set_new(doc, "reason", json_string(why));
  json_object_set_new(doc, "format", json_string("jingkang-client-export/1"));
  r->disposition = arena_printf(r->a, "attachment; filename=\"client-%s.json\"", c.id);
  reply_json(r, 200, doc);
}
