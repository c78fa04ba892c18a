/* clients.c: client records (康复对象): create, read, update, list and search, lookup by ID
 * number through the blind index, and the audited reveal of full values.
 *
 * Personal fields never reach the store in the clear: the ID number, phone, address,
 * disability certificate and guardians' phones are sealed here (sec/crypto.h) with associated
 * data naming the client and the field, and kept beside a masked form for display. Every read,
 * search, reveal and refusal is audited; changes are audited in their own transaction. */
#include "api/common.h"
#include "api/app.h"
#include "api/handlers.h"
#include "api/referral_api.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/diagnosis.h"
#include "domain/disability.h"
#include "domain/idcard.h"
#include "domain/mask.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "store/client_store.h"
#include "store/db.h"
#include "store/org_store.h"
#include <sodium.h>
#include <string.h>

static const char *const statuses[] = {"registered", "in_service", "closed", "moved", "deceased", 0};

static bool is_status(const char *s)
{
  for (int i = 0; s && statuses[i]; i++)
    if (strcmp(s, statuses[i]) == 0) return true;
  return false;
}

static struct sealed seal(struct req *r, const char *client_id, const char *field, const char *plain)
{
  struct sealed s = {0, 0};
  if (!plain) return s;
  s.p = field_seal(r->a, &r->app->keys, plain, arena_printf(r->a, "client:%s:%s", client_id, field), &s.n);
  return s;
}

static const char *unseal(struct req *r, const char *client_id, const char *field, struct sealed s)
{
  if (!s.p) return 0;
  return field_open(r->a, &r->app->keys, s.p, s.n, arena_printf(r->a, "client:%s:%s", client_id, field));
}

/* ---- input ---- */

static bool set_id_number(struct req *r, struct client_rec *c, const char *in)
{
  struct idcard card;
  struct jk_err e = {0};
  jk_status st = idcard_parse(in, date_today(), &card, &e);
  if (st != JK_OK) return reply_err(r, st, &e), false;
  char masked[19], birth[11];
  idcard_mask(card.number, masked);
  date_format(card.birth, birth);
  blind_index(&r->app->keys, "id_number", card.number, c->id_bidx);
  c->id_enc = seal(r, c->id, "id_number", card.number);
  c->id_masked = arena_strdup(r->a, masked);
  c->birth_date = arena_strdup(r->a, birth);
  c->sex = card.sex;
  return true;
}

static bool set_phone(struct req *r, struct client_rec *c, const char *phone)
{
  if (!phone_valid(phone)) return bad_field(r, "phone", "电话号码格式错误（手机号11位，或带区号的固定电话）");
  char m[32];
  phone_mask(phone, m, sizeof m);
  c->phone_enc = seal(r, c->id, "phone", phone);
  c->phone_masked = arena_strdup(r->a, m);
  return true;
}

static bool set_address(struct req *r, struct client_rec *c, const char *addr)
{
  char m[64];
  address_mask(addr, m, sizeof m);
  c->address_enc = seal(r, c->id, "address", addr);
  c->address_masked = arena_strdup(r->a, m);
  return true;
}

static bool set_disability(struct req *r, struct client_rec *c, const char *cert, const char *id_number)
{
  struct disability_cert d;
  struct jk_err e = {0};
  jk_status st = disability_parse(cert, id_number, &d, &e);
  if (st != JK_OK) return reply_err(r, st, &e), false;
  char m[21];
  disability_mask(d.number, m);
  c->disability_enc = seal(r, c->id, "disability_certificate", d.number);
  c->disability_masked = arena_strdup(r->a, m);
  c->disability_category = d.category;
  c->disability_grade = d.grade;
  return true;
}

static bool set_guardians(struct req *r, struct client_rec *c, json_t *v)
{
  static const char *const keys[] = {"name", "relation", "phone", 0};
  if (!json_is_array(v) || json_array_size(v) > 10) return bad_field(r, "guardians", "监护人应为数组（最多10人）");
  json_t *out = json_array(), *g;
  size_t i;
  json_array_foreach(v, i, g) {
    const char *name, *relation, *phone;
    if (!json_is_object(g) || !body_only(r, g, keys) || !body_str(r, g, "name", true, 50, &name) ||
        !body_str(r, g, "relation", true, 16, &relation) || !body_str(r, g, "phone", false, 20, &phone) ||
        (phone && !phone_valid(phone))) {
      json_decref(out);
      if (!r->status) bad_field(r, "guardians", "监护人信息无效（姓名、关系必填，电话格式须正确）");
      return false;
    }
    json_t *o = json_pack("{s:s,s:s}", "name", name, "relation", relation);
    if (phone) {
      char m[32];
      phone_mask(phone, m, sizeof m);
      json_object_set_new(o, "phone_masked", json_string(m));
      json_object_set_new(o, "phone_enc",
                          json_string(sealed_b64(r, arena_printf(r->a, "client:%s:guardian_phone", c->id), phone)));
    }
    json_array_append_new(out, o);
  }
  char *text = json_dumps(out, JSON_COMPACT);
  c->guardians_json = arena_strdup(r->a, text);
  free(text);
  json_decref(out);
  return true;
}

/* The client's organization: staff of an organization always their own; regional roles may
 * name a hospital or rehab institution, or none. */
static bool set_org(struct req *r, struct client_rec *c, const char *org_id)
{
  if (role_needs_org(r->who.role)) {
    if (!org_id) {
      c->org_rid = r->who.org_rid;
      return true;
    }
  } else if (!org_id) {
    return true;
  }
  struct org_rec o;
  if (org_store_by_id(r->db, r->a, org_id, &o) != JK_OK) return bad_field(r, "organization", "机构不存在");
  if (strcmp(o.kind, "hospital") != 0 && strcmp(o.kind, "rehab_institution") != 0)
    return bad_field(r, "organization", "康复对象只能归属医疗机构或康复机构");
  c->org_rid = o.rid;
  return true;
}

/* Applies the body's fields to c (create: all required ones present). */
static bool client_from_body(struct req *r, json_t *body, struct client_rec *c, bool create)
{
  static const char *const fields[] = {"name", "id_number", "phone", "address", "residence_region",
                                       "hukou_region", "diagnosis", "disability_certificate",
                                       "guardians", "organization", "status", "notes", 0};
  const char *s, *id_number = 0, *cert = 0;
  if (!body_only(r, body, fields)) return false;
  if (!body_kept_str(r, body, "name", create, 50, &s)) return false;
  if (s) c->name = s;
  if (!body_kept_str(r, body, "id_number", create, 20, &id_number)) return false;
  if (id_number && !set_id_number(r, c, id_number)) return false;
  if (!body_str(r, body, "phone", false, 20, &s) || (s && !set_phone(r, c, s))) return false;
  if (!body_str(r, body, "address", false, 200, &s) || (s && !set_address(r, c, s))) return false;
  if (!body_kept_str(r, body, "residence_region", create, 12, &s)) return false;
  if (s && !region_param(r, s, "residence_region", true, &c->residence_region)) return false;
  if (c->residence_region && region_code_level(c->residence_region) < REGION_COUNTY)
    return bad_field(r, "residence_region", "居住地应至少精确到县（市、区）");
  if (!body_str(r, body, "hukou_region", false, 12, &s)) return false;
  if (s && !region_param(r, s, "hukou_region", true, &c->hukou_region)) return false;
  if (!body_str(r, body, "diagnosis", false, 10, &s)) return false;
  if (s) {
    struct diagnosis d;
    struct jk_err e = {0};
    jk_status st = diagnosis_parse(s, &d, &e);
    if (st != JK_OK) return reply_err(r, st, &e), false;
    c->diagnosis = arena_strdup(r->a, d.code);
    c->severe = d.severe;
  }
  if (!body_str(r, body, "disability_certificate", false, 24, &cert)) return false;
  if (cert) {
    const char *idn = unseal(r, c->id, "id_number", c->id_enc);
    if (!set_disability(r, c, cert, idn)) return false;
  } else if (id_number && c->disability_enc.p) {
    const char *old = unseal(r, c->id, "disability_certificate", c->disability_enc);
    const char *idn = unseal(r, c->id, "id_number", c->id_enc);
    if (old && idn && strncmp(old, idn, 18) != 0)
      return bad_field(r, "disability_certificate", "身份证号已变更，请同时更新残疾人证号");
  }
  json_t *g = json_object_get(body, "guardians");
  if (g && !json_is_null(g) && !set_guardians(r, c, g)) return false;
  if (!body_str(r, body, "organization", false, 36, &s)) return false;
  if ((create || s) && !set_org(r, c, s)) return false;
  if (!body_str(r, body, "status", false, 16, &s)) return false;
  if (s && !is_status(s)) return bad_field(r, "status", "状态无效");
  if (s) c->status = s;
  if (!body_str(r, body, "notes", false, 2000, &s)) return false;
  if (s) c->notes = s;
  return true;
}

/* ---- output ---- */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *client_json(struct req *r, const struct client_rec *c)
{
  struct jk_date birth = {0, 0, 0};
  date_parse(c->birth_date, &birth);
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "id", c->id, "name", c->name, "sex",
                        c->sex == 1 ? "male" : "female", "birth_date", c->birth_date, "age",
                        date_age(birth, date_today()), "id_number_masked", c->id_masked);
  json_object_set_new(o, "phone_masked", str_or_null(c->phone_masked));
  json_object_set_new(o, "address_masked", str_or_null(c->address_masked));
  json_object_set_new(o, "residence_region", json_string(c->residence_region));
  json_object_set_new(o, "residence_region_name", str_or_null(region_name(r, c->residence_region)));
  json_object_set_new(o, "hukou_region", str_or_null(c->hukou_region));
  json_object_set_new(o, "hukou_region_name", str_or_null(region_name(r, c->hukou_region)));
  json_object_set_new(o, "diagnosis", str_or_null(c->diagnosis));
  struct diagnosis d;
  json_object_set_new(o, "diagnosis_name",
                      c->diagnosis && diagnosis_parse(c->diagnosis, &d, 0) == JK_OK ? str_or_null(d.name) : json_null());
  json_object_set_new(o, "severe_disorder", json_boolean(c->severe > 0));
  json_object_set_new(o, "severe_disorder_name", c->severe ? str_or_null(severe_disorder_name(c->severe)) : json_null());
  json_object_set_new(o, "disability_certificate_masked", str_or_null(c->disability_masked));
  json_object_set_new(o, "disability_category", c->disability_category ? json_integer(c->disability_category) : json_null());
  json_object_set_new(o, "disability_grade", c->disability_grade ? json_integer(c->disability_grade) : json_null());
  json_error_t je;
  json_t *stored = json_loads(c->guardians_json ? c->guardians_json : "[]", 0, &je), *guardians = json_array(), *g;
  size_t i;
  json_array_foreach(stored, i, g) {
    json_array_append_new(guardians, json_pack("{s:O,s:O,s:O}", "name", json_object_get(g, "name"), "relation",
                                               json_object_get(g, "relation"), "phone_masked",
                                               json_object_get(g, "phone_masked") ? json_object_get(g, "phone_masked") : json_null()));
  }
  json_decref(stored);
  json_object_set_new(o, "guardians", guardians);
  json_object_set_new(o, "organization", str_or_null(c->org_id));
  json_object_set_new(o, "organization_name", str_or_null(c->org_name));
  json_object_set_new(o, "status", json_string(c->status));
  json_object_set_new(o, "notes", str_or_null(c->notes));
  json_object_set_new(o, "created_at", json_string(iso_time(r, c->created_at)));
  json_object_set_new(o, "updated_at", json_string(iso_time(r, c->updated_at)));
  return o;
}

/* ---- handlers ---- */

static bool reply_duplicate(struct req *r, jk_status st, const char *existing)
{
  if (st == JK_ECONFLICT && existing) {
    struct jk_err e = {"duplicate_id_number", "该身份证号已登记为康复对象", "id_number", "existing_id", existing};
    reply_err(r, st, &e);
  } else {
    reply_err(r, st, 0);
  }
  return false;
}

static json_t *duplicate_warnings(struct req *r, const struct client_rec *c)
{
  const char **ids;
  int64_t n;
  json_t *w = json_array();
  char county[7];
  snprintf(county, sizeof county, "%s", c->residence_region);
  if (client_store_likely_duplicates(r->db, r->a, c->name, c->birth_date, county, c->id, &ids, &n) == JK_OK && n) {
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) json_array_append_new(list, json_string(ids[i]));
    json_array_append_new(w, json_pack("{s:s,s:s,s:o}", "code", "possible_duplicate", "message",
                                       "同一县内已有同名、同出生日期的康复对象，请核实是否为同一人", "client_ids", list));
  }
  return w;
}

void api_clients_create(struct req *r)
{
  struct policy_object po = {.kind = OBJ_CLIENT};
  if (policy_decide(&r->who, ACT_LIST, &po) == JK_EFORBIDDEN) { /* roles with no client data at all */
    allowed(r, ACT_CREATE, &po, "client", 0);
    return;
  }
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  clients_create_json(r, body);
  json_decref(body);
}

bool clients_prepare(struct req *r, json_t *body, struct client_rec *c, char id[37])
{
  uuid_v7(id);
  *c = (struct client_rec){.id = id, .status = "registered", .created_by = r->who.user_id};
  return client_from_body(r, body, c, true);
}

void clients_create_json(struct req *r, json_t *body)
{
  jk_status st;
  char id[37];
  struct client_rec c;
  if (!clients_prepare(r, body, &c, id)) return;
  struct policy_object po = (struct policy_object){.kind = OBJ_CLIENT, .region = c.residence_region, .org_rid = c.org_rid};
  if (!allowed(r, ACT_CREATE, &po, "client", 0)) return;
  c.created_at = c.updated_at = clock_now_ms();
  char *existing = 0;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = client_store_insert(r->db, r->a, &c, &existing)) != JK_OK ||
      (st = audit_change(r, "create", "client", id, 0)) != JK_OK) {
    db_rollback(r->db);
    if (st == JK_ECONFLICT) audit_note(r, "create", "client", existing, "conflict", "duplicate id_number");
    reply_duplicate(r, st, existing);
    return;
  }
  if (!commit_or_reply(r)) return;
  struct client_rec saved;
  if ((st = client_store_by_id(r->db, r->a, id, &saved)) != JK_OK) return reply_err(r, st, 0);
  json_t *o = client_json(r, &saved);
  json_object_set_new(o, "warnings", duplicate_warnings(r, &saved));
  reply_json(r, 201, o);
}

/* Loads the client of the path and checks access; replies and returns false otherwise. */
static bool load_client(struct req *r, enum action act, struct client_rec *c)
{
  struct policy_object po = {.kind = OBJ_CLIENT};
  if (policy_decide(&r->who, ACT_LIST, &po) == JK_EFORBIDDEN) return allowed(r, act, &po, "client", r->params[0]);
  jk_status st = uuid_valid(r->params[0]) ? client_store_by_id(r->db, r->a, r->params[0], c) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) {
    audit_note(r, act == ACT_READ ? "read" : "update", "client", r->params[0], "not_found", 0);
    return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0), false;
  }
  if (st != JK_OK) return reply_err(r, st, 0), false;
  po = (struct policy_object){.kind = OBJ_CLIENT, .region = c->residence_region, .org_rid = c->org_rid};
  return allowed(r, act, &po, "client", c->id);
}

void api_client_get(struct req *r)
{
  struct client_rec c;
  if (!load_client(r, ACT_READ, &c)) return;
  audit_note(r, "read", "client", c.id, "ok", 0);
  reply_json(r, 200, client_json(r, &c));
}

void api_client_patch(struct req *r)
{
  struct client_rec c;
  if (!load_client(r, ACT_UPDATE, &c)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  bool ok = client_from_body(r, body, &c, false);
  json_decref(body);
  if (!ok) return;
  struct policy_object after = {.kind = OBJ_CLIENT, .region = c.residence_region, .org_rid = c.org_rid};
  if (policy_decide(&r->who, ACT_UPDATE, &after) != JK_OK)
    return reply_fail(r, JK_EFORBIDDEN, "forbidden", "修改后的居住地或机构超出您的管辖范围", 0);
  c.updated_at = clock_now_ms();
  char *existing = 0;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = client_store_update(r->db, r->a, &c, &existing)) != JK_OK ||
      (st = audit_change(r, "update", "client", c.id, 0)) != JK_OK) {
    db_rollback(r->db);
    reply_duplicate(r, st, existing);
    return;
  }
  if (!commit_or_reply(r)) return;
  if ((st = client_store_by_id(r->db, r->a, c.id, &c)) != JK_OK) return reply_err(r, st, 0);
  json_t *o = client_json(r, &c);
  json_object_set_new(o, "warnings", duplicate_warnings(r, &c));
  reply_json(r, 200, o);
}

/* Finds by ID number through the blind index; out-of-scope matches are not disclosed. */
static void find_by_id_number(struct req *r, const char *in)
{
  struct idcard card;
  struct jk_err e = {0};
  jk_status st = idcard_parse(in, date_today(), &card, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  unsigned char bidx[BLIND_INDEX_BYTES];
  blind_index(&r->app->keys, "id_number", card.number, bidx);
  struct client_rec c;
  json_t *items = json_array();
  st = client_store_by_bidx(r->db, r->a, bidx, &c);
  if (st != JK_OK && st != JK_ENOTFOUND) {
    json_decref(items);
    return reply_err(r, st, 0);
  }
  struct policy_object po = {.kind = OBJ_CLIENT, .region = st == JK_OK ? c.residence_region : 0, .org_rid = st == JK_OK ? c.org_rid : 0};
  bool visible = st == JK_OK && policy_decide(&r->who, ACT_READ, &po) == JK_OK;
  if (visible) json_array_append_new(items, client_json(r, &c));
  audit_note(r, "search", "client", visible ? c.id : 0, visible ? "ok" : "not_found", "by id_number");
  reply_json(r, 200, page_envelope(items, visible, 1, 20));
}

void api_clients_list(struct req *r)
{
  const char *region = 0;
  int64_t org_rid = 0;
  jk_status st = policy_list_scope(&r->who, OBJ_CLIENT, &region, &org_rid);
  struct policy_object po = {.kind = OBJ_CLIENT};
  if (st != JK_OK) return (void)allowed(r, ACT_LIST, &po, "client", 0);
  const char *idn = req_query(r, "id_number");
  if (idn) return find_by_id_number(r, idn);
  int64_t limit, offset, page, n, total;
  if (!page_params(r, &limit, &offset, &page)) return;
  struct client_query q = {.region = region, .org_rid = org_rid, .name = req_query(r, "q"),
                           .status = req_query(r, "status"), .severe = -1, .limit = limit, .offset = offset};
  if (q.name && strlen(q.name) > 60) return (void)bad_field(r, "q", "查询词过长");
  if (q.name && !*q.name) q.name = 0;
  if (q.status && !is_status(q.status)) return (void)bad_field(r, "status", "状态无效");
  const char *sev = req_query(r, "severe");
  if (sev && strcmp(sev, "true") && strcmp(sev, "false")) return (void)bad_field(r, "severe", "severe 应为 true 或 false");
  if (sev) q.severe = strcmp(sev, "true") == 0;
  const char *want_region;
  if (!region_param(r, req_query(r, "region"), "region", false, &want_region)) return;
  if (want_region) {
    /* narrow within the scope; a region outside it yields nothing */
    if (!region || region_code_within(want_region, region)) q.region = want_region;
    else if (!region_code_within(region, want_region)) q.limit = 0;
  }
  const char *want_org = req_query(r, "organization");
  if (want_org) {
    struct org_rec o;
    if (org_store_by_id(r->db, r->a, want_org, &o) != JK_OK) return (void)bad_field(r, "organization", "机构不存在");
    if (org_rid && org_rid != o.rid) q.limit = 0;
    q.org_rid = o.rid;
  }
  struct client_rec *v = 0;
  n = total = 0;
  if (q.limit && (st = client_store_list(r->db, r->a, &q, &v, &n, &total)) != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, client_json(r, &v[i]));
  audit_note(r, "search", "client", 0, "ok",
             arena_printf(r->a, "%s%s%s%lld results", q.name ? "by name; " : "", q.status ? "by status; " : "",
                          want_region ? "by region; " : "", (long long)n));
  reply_json(r, 200, page_envelope(items, total, page, limit));
}

void api_clients_search(struct req *r)
{
  static const char *const fields[] = {"id_number", 0};
  const char *region = 0;
  int64_t org_rid = 0;
  struct policy_object po = {.kind = OBJ_CLIENT};
  if (policy_list_scope(&r->who, OBJ_CLIENT, &region, &org_rid) != JK_OK)
    return (void)allowed(r, ACT_LIST, &po, "client", 0);
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *idn;
  bool ok = body_only(r, body, fields) && body_str(r, body, "id_number", true, 20, &idn);
  json_decref(body);
  if (ok) find_by_id_number(r, idn);
}

static bool want_field(json_t *fields, const char *name)
{
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f)
    if (json_is_string(f) && strcmp(json_string_value(f), name) == 0) return true;
  return false;
}

void api_client_reveal(struct req *r)
{
  static const char *const keys[] = {"fields", "reason", 0};
  static const char *const known[] = {"id_number", "phone", "address", "guardian_phones", "disability_certificate", 0};
  struct client_rec c;
  if (!load_client(r, ACT_REVEAL, &c)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *reason;
  json_t *fields = json_object_get(body, "fields");
  bool ok = body_only(r, body, keys) && body_str(r, body, "reason", false, 200, &reason);
  if (ok && (!json_is_array(fields) || json_array_size(fields) == 0 || json_array_size(fields) > 5))
    ok = bad_field(r, "fields", "fields 应为要查看的字段名数组");
  for (size_t i = 0; ok && i < json_array_size(fields); i++) {
    json_t *f = json_array_get(fields, i);
    bool k = false;
    for (int j = 0; json_is_string(f) && known[j] && !k; j++) k = strcmp(json_string_value(f), known[j]) == 0;
    if (!k) ok = bad_field(r, "fields", "不能查看的字段");
  }
  json_t *out = json_object();
  const char *list = "";
  for (int j = 0; ok && known[j]; j++) {
    if (!want_field(fields, known[j])) continue;
    list = arena_printf(r->a, "%s%s%s", list, *list ? "," : "", known[j]);
    if (strcmp(known[j], "guardian_phones") == 0) {
      json_error_t je;
      json_t *stored = json_loads(c.guardians_json ? c.guardians_json : "[]", 0, &je), *g, *gs = json_array();
      size_t i;
      json_array_foreach(stored, i, g) {
        const char *b64 = json_string_value(json_object_get(g, "phone_enc"));
        const char *phone = 0;
        if (b64) {
          unsigned char *bin = arena_alloc(r->a, strlen(b64));
          size_t bl;
          if (sodium_base642bin(bin, strlen(b64), b64, strlen(b64), 0, &bl, 0, sodium_base64_VARIANT_ORIGINAL) == 0)
            phone = unseal(r, c.id, "guardian_phone", (struct sealed){bin, bl});
        }
        json_array_append_new(gs, json_pack("{s:O,s:O,s:o}", "name", json_object_get(g, "name"), "relation",
                                            json_object_get(g, "relation"), "phone", str_or_null(phone)));
      }
      json_decref(stored);
      json_object_set_new(out, "guardians", gs);
      continue;
    }
    struct sealed s = strcmp(known[j], "id_number") == 0 ? c.id_enc
                    : strcmp(known[j], "phone") == 0   ? c.phone_enc
                    : strcmp(known[j], "address") == 0 ? c.address_enc
                                                       : c.disability_enc;
    const char *plain = unseal(r, c.id, known[j], s);
    if (s.p && !plain) ok = false, reply_err(r, JK_EINTERNAL, 0);
    json_object_set_new(out, known[j], str_or_null(plain));
  }
  json_decref(body);
  if (!ok) {
    json_decref(out);
    return;
  }
  /* the reveal is on disk before the values leave */
  if (!audit_committed(r, "reveal", "client", c.id,
                       arena_printf(r->a, "%s%s%s", list, reason ? "; reason: " : "", reason ? reason : ""))) {
    json_decref(out);
    return;
  }
  json_object_set_new(out, "id", json_string(c.id));
  reply_json(r, 200, out);
}
