/* referral_actions.c: POST /referrals/{id}/{action} — one transition of the closed loop.
 *
 * Order of checks, so that a refused request changes nothing: the referral must be visible
 * (404), the caller's role must own the action (policy: 403), the action must be legal from
 * the current status (domain/referral.c: 409 invalid_transition), the body must be valid
 * (400) and the field's rules met (422). The change is then made in one write transaction
 * that first re-reads the referral: if someone else moved it in between, 409 stale; places
 * are counted inside that transaction, so two staff accepting the last free place cannot
 * both win (writes are serialized by BEGIN IMMEDIATE). */
#include "api/referral_api.h"
#include "api/handlers.h"
#include "api/rules.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/eligibility.h"
#include "domain/region_code.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/region_store.h"
#include <string.h>

/* What a step does besides the status: filled while parsing the body, applied in the
 * transaction. */
struct step {
  enum ref_action action;
  enum ref_status to;
  const char *reason;
  json_t *detail;              /* the event's detail (owned) */
  int64_t event_org;           /* the organization the step names */
  bool check_place;            /* accept: a free place must exist */
  const char *client_status;   /* the client record follows: in_service, closed, moved, deceased */
  bool client_org;             /* the client record moves to the referral's organization */
  const char *new_region;      /* move: the client's new residence */
};

static const char *const outcomes[] = {"completed", "refused", "died", "other", 0};
static const char *const out_types[] = {"employment_recommended", "employment_sheltered", "employment_assisted", "home", 0};
static const char *const recommendations[] = {"continue", "employment", "transfer", "home", "hospital", 0};

static bool one_of(const char *s, const char *const *set)
{
  for (int i = 0; s && set[i]; i++)
    if (strcmp(s, set[i]) == 0) return true;
  return false;
}

/* An organization by id, of one of the kinds in `kinds` (NULL-terminated). */
static bool org_of_kind(struct req *r, json_t *body, const char *key, bool required, const char *const *kinds,
                        const char *message, struct org_rec *o)
{
  const char *id;
  if (!body_str(r, body, key, required, 36, &id)) return false;
  if (!id) return o->rid = 0, true;
  if (!uuid_valid(id) || org_store_by_id(r->db, r->a, id, o) != JK_OK) return bad_field(r, key, "机构不存在");
  if (!one_of(o->kind, kinds)) return bad_field(r, key, message);
  return true;
}

static const char *const rehab_kind[] = {"rehab_institution", 0};
static const char *const hospital_kind[] = {"hospital", 0};
static const char *const employer_kind[] = {"employer", "social_org", 0};
static const char *const home_kind[] = {"community", "hospital", "social_org", 0};

/* The signed document of consent/agreement: who signed, when, which version. */
static bool parse_signature(struct req *r, json_t *body, bool agreement, struct referral_rec *f, struct step *s)
{
  static const char *const keys[] = {"client_signed", "guardian_signed", "guardian_name", "signed_on", "version",
                                     "price_terms", "note", 0};
  static const char *const consent_keys[] = {"client_signed", "guardian_signed", "guardian_name", "signed_on",
                                             "version", "note", 0};
  bool client = false, guardian = false, present;
  const char *name, *on, *version, *terms = 0, *note;
  if (!body_only(r, body, agreement ? keys : consent_keys) || !body_bool(r, body, "client_signed", &client, &present) ||
      !body_bool(r, body, "guardian_signed", &guardian, &present) || !body_str(r, body, "guardian_name", false, 50, &name) ||
      !body_date(r, body, "signed_on", true, true, &on) || !body_str(r, body, "version", true, 32, &version) ||
      (agreement && !body_str(r, body, "price_terms", true, 2000, &terms)) || !body_str(r, body, "note", false, 500, &note))
    return false;
  if (!client) return reply_fail(r, JK_ERULE, "signature_required", "须由康复对象本人签署", "client_signed"), false;
  if (guardian && !name) return bad_field(r, "guardian_name", "监护人签署时须填写监护人姓名");
  json_t *doc = json_pack("{s:b,s:b,s:s,s:s,s:s,s:s}", "client_signed", 1, "guardian_signed", guardian, "signed_on", on,
                          "version", version, "recorded_by", r->who.username, "recorded_at", iso_time(r, clock_now_ms()));
  if (name) json_object_set_new(doc, "guardian_name", json_string(name));
  if (terms) json_object_set_new(doc, "price_terms", json_string(terms));
  if (note) json_object_set_new(doc, "note", json_string(note));
  char *text = json_dumps(doc, JSON_COMPACT);
  *(agreement ? &f->agreement_json : &f->informed_consent_json) = arena_strdup(r->a, text);
  free(text);
  s->detail = doc;
  return true;
}

static json_t *pack_note(const char *k1, const char *v1, const char *k2, const char *v2)
{
  json_t *o = json_object();
  if (v1) json_object_set_new(o, k1, json_string(v1));
  if (k2 && v2) json_object_set_new(o, k2, json_string(v2));
  return o;
}

/* Points the referral at a new organization (keeping the one it leaves as prev). */
static void hand_to(struct referral_rec *f, const struct org_rec *o, struct step *s)
{
  if (f->org_rid != o->rid) f->prev_org_rid = f->org_rid;
  f->org_rid = o->rid;
  f->org_id = o->id;
  s->event_org = o->rid;
}

/* Parses the body of `s->action` and applies it to f; replies and returns false on error. */
static bool parse_step(struct req *r, json_t *body, struct referral_rec *f, struct step *s)
{
  static const char *const k_note[] = {"note", 0}, *const k_reason[] = {"reason", 0},
                           *const k_dispatch[] = {"organization", "note", 0},
                           *const k_rerefer[] = {"wishes_confirmed", "organization", "note", 0},
                           *const k_assess[] = {"date", "summary", 0},
                           *const k_review[] = {"date", "summary", "recommendation", 0},
                           *const k_out[] = {"type", "organization", "visit_plan", "note", 0},
                           *const k_transfer[] = {"organization", "reason", 0},
                           *const k_move[] = {"residence_region", "organization", "reason", 0},
                           *const k_relapse[] = {"hospital", "reason", 0},
                           *const k_close[] = {"outcome", "note", 0}, *const k_followup[] = {"date", "note", 0};
  const char *note = 0, *a = 0, *b = 0, *c = 0;
  struct org_rec o;
  bool yes = false, present;
  switch (s->action) {
  case RA_REGISTER:
  case RA_ACCEPT:
  case RA_WAITLIST:
  case RA_START:
  case RA_DISCHARGE:
    if (!body_only(r, body, k_note) || !body_str(r, body, "note", false, 500, &note)) return false;
    s->reason = note;
    if (s->action == RA_ACCEPT) s->check_place = s->client_org = true;
    if (s->action == RA_WAITLIST) f->waitlisted_at = clock_now_ms();
    if (s->action == RA_START) {
      if (!f->informed_consent_json || !f->agreement_json)
        return reply_fail(r, JK_ERULE, "consent_required", "开始服务前须签署知情同意书和服务协议", 0), false;
      s->client_status = "in_service";
    }
    if (s->action == RA_DISCHARGE) { /* back to the institution that sent them, else to the referral worker */
      f->urgent = false;
      int64_t back = f->prev_org_rid;
      f->prev_org_rid = f->org_rid;
      f->org_rid = back;
      f->org_id = back && org_store_by_rid(r->db, r->a, back, &o) == JK_OK ? o.id : 0;
      s->event_org = back;
      if (!back) s->to = RS_REGISTERED;
    }
    return true;
  case RA_REJECT:
  case RA_WITHDRAW:
  case RA_DECLINE:
    if (!body_only(r, body, k_reason) || !body_str(r, body, "reason", true, 500, &s->reason)) return false;
    return true;
  case RA_DISPATCH:
    if (!body_only(r, body, k_dispatch) || !org_of_kind(r, body, "organization", true, rehab_kind, "应转介至社区康复机构", &o) ||
        !body_str(r, body, "note", false, 500, &s->reason))
      return false;
    hand_to(f, &o, s);
    return true;
  case RA_REREFER:
    if (!body_only(r, body, k_rerefer) || !body_bool(r, body, "wishes_confirmed", &yes, &present) ||
        !org_of_kind(r, body, "organization", false, rehab_kind, "应转介至社区康复机构", &o) ||
        !body_str(r, body, "note", false, 500, &s->reason))
      return false;
    if (!yes) return reply_fail(r, JK_ERULE, "wishes_not_confirmed", "重新转介前须复核并确认申请人的意愿", "wishes_confirmed"), false;
    if (!o.rid) {
      int64_t rid = referral_nearest_free(r, f, f->org_rid);
      if (!rid || org_store_by_rid(r->db, r->a, rid, &o) != JK_OK)
        return reply_fail(r, JK_ERULE, "no_alternative", "附近没有其他有空余床位且符合条件的康复机构，请手动选择", "organization"), false;
    } else if (o.rid == f->org_rid) {
      return bad_field(r, "organization", "应转介至另一家机构");
    }
    f->waitlisted_at = 0;
    hand_to(f, &o, s);
    return true;
  case RA_CONSENT:
  case RA_AGREEMENT:
    return parse_signature(r, body, s->action == RA_AGREEMENT, f, s);
  case RA_ASSESS:
  case RA_REVIEW:
    if (!body_only(r, body, s->action == RA_ASSESS ? k_assess : k_review) || !body_date(r, body, "date", true, true, &a) ||
        !body_str(r, body, "summary", true, 4000, &b))
      return false;
    if (s->action == RA_REVIEW) {
      if (!body_str(r, body, "recommendation", true, 16, &c)) return false;
      if (!one_of(c, recommendations)) return bad_field(r, "recommendation", "建议应为 continue、employment、transfer、home 或 hospital");
      f->reviewed_at = clock_now_ms();
    }
    s->detail = pack_note("date", a, "summary", b);
    if (c) json_object_set_new(s->detail, "recommendation", json_string(c));
    return true;
  case RA_REFER_OUT:
    if (!body_only(r, body, k_out) || !body_str(r, body, "type", true, 32, &a)) return false;
    if (!one_of(a, out_types)) return bad_field(r, "type", "转出类型应为 employment_recommended、employment_sheltered、employment_assisted 或 home");
    bool home = strcmp(a, "home") == 0;
    if (!org_of_kind(r, body, "organization", true, home ? home_kind : employer_kind,
                     home ? "居家康复应移交村（居）委会、社区卫生服务机构或社会组织" : "就业转出应指向用人单位或社会组织", &o) ||
        !body_str(r, body, "visit_plan", home, 1000, &b) || !body_str(r, body, "note", false, 500, &note))
      return false;
    s->detail = json_pack("{s:s,s:s,s:s}", "type", a, "organization", o.id, "organization_name", o.name);
    if (b) json_object_set_new(s->detail, "visit_plan", json_string(b));
    if (note) json_object_set_new(s->detail, "note", json_string(note));
    f->outcome = a;
    s->event_org = o.rid;
    s->client_status = "closed";
    return true;
  case RA_TRANSFER:
    if (!body_only(r, body, k_transfer) || !org_of_kind(r, body, "organization", true, rehab_kind, "应转至社区康复机构", &o) ||
        !body_str(r, body, "reason", true, 500, &s->reason))
      return false;
    if (o.rid == f->org_rid) return bad_field(r, "organization", "应转至另一家机构");
    hand_to(f, &o, s);
    return true;
  case RA_MOVE:
    if (!body_only(r, body, k_move) || !body_str(r, body, "residence_region", true, 12, &a) ||
        !org_of_kind(r, body, "organization", false, rehab_kind, "应推送至新居住地的社区康复机构", &o) ||
        !body_str(r, body, "reason", true, 500, &s->reason))
      return false;
    if (strcmp(a, "outside") == 0) {
      if (o.rid) return bad_field(r, "organization", "迁出本系统时不能指定机构");
      s->to = RS_MOVED;
      s->client_status = "moved";
      return true;
    }
    if (!region_param(r, a, "residence_region", true, &s->new_region)) return false;
    if (region_code_level(s->new_region) < REGION_COUNTY) return bad_field(r, "residence_region", "新居住地应至少精确到县（市、区）");
    f->region = s->new_region;
    f->waitlisted_at = 0;
    f->has_location = false;   /* the old location no longer says where they live */
    s->detail = json_pack("{s:s}", "residence_region", s->new_region);
    if (o.rid) hand_to(f, &o, s);
    else s->to = RS_REGISTERED, f->prev_org_rid = f->org_rid, f->org_rid = 0, f->org_id = 0;
    return true;
  case RA_RELAPSE:
    if (!body_only(r, body, k_relapse) || !org_of_kind(r, body, "hospital", true, hospital_kind, "应为医疗机构", &o) ||
        !body_str(r, body, "reason", true, 500, &s->reason))
      return false;
    hand_to(f, &o, s);
    f->urgent = true;
    return true;
  case RA_CLOSE:
    if (!body_only(r, body, k_close) || !body_str(r, body, "outcome", true, 16, &a) || !body_str(r, body, "note", false, 500, &s->reason))
      return false;
    if (!one_of(a, outcomes)) return bad_field(r, "outcome", "结案原因应为 completed、refused、died 或 other");
    f->outcome = a;
    s->client_status = strcmp(a, "died") == 0 ? "deceased" : "closed";
    return true;
  case RA_FOLLOWUP:
    if (!body_only(r, body, k_followup) || !body_date(r, body, "date", true, true, &a) || !body_str(r, body, "note", true, 2000, &b))
      return false;
    f->followup_done = clock_now_ms();
    s->detail = pack_note("date", a, "note", b);
    return true;
  case RA_EXPIRE:
  case RA_COUNT: break;
  }
  return reply_fail(r, JK_ENOTFOUND, "not_found", "没有这个操作", 0), false;
}

/* Inside the transaction: the rules that depend on other rows, then the writes. */
static bool apply_step(struct req *r, struct referral_rec *f, const char *from, const struct step *s)
{
  jk_status st;
  int64_t now = f->updated_at;
  if (s->check_place) {
    struct org_rec o;
    int64_t occupied = 0, waiting = 0;
    if ((st = org_store_by_rid(r->db, r->a, f->org_rid, &o)) != JK_OK ||
        (st = referral_store_load(r->db, f->org_rid, &occupied, &waiting)) != JK_OK)
      return reply_err(r, st, 0), false;
    if (occupied >= o.capacity)
      return reply_fail(r, JK_ERULE, "no_free_place", arena_printf(r->a, "%s 已无空余名额（%lld/%lld），可列入等候名单",
                                                                  o.name, (long long)occupied, (long long)o.capacity), 0),
             false;
  }
  if (s->to == RS_CLOSED && !f->followup_done) {
    struct rules rules;
    const char *rr;
    if (!rules_for_region(r, f->region, &rules, &rr)) rules_default(&rules);
    f->followup_due = time_day_end(now + (int64_t)rules.followup_days * 86400000LL);
  }
  f->due_at = referral_deadline(r, r->db, f, s->to, now);
  if ((st = referral_store_update(r->db, f)) != JK_OK) return reply_err(r, st, 0), false;
  if (s->client_status || s->client_org || s->new_region) {
    if ((st = client_store_follow(r->db, f->client_rid, s->client_status, s->client_org ? f->org_rid : -1,
                                  s->new_region, now)) != JK_OK ||
        (st = audit_change(r, "update", "client", f->client_id, arena_printf(r->a, "by referral %s", ref_action_name(s->action)))) != JK_OK)
      return reply_err(r, st, 0), false;
  }
  if ((st = referral_record(r, r->db, f, ref_action_name(s->action), from, s->event_org, s->reason, s->detail)) != JK_OK)
    return reply_err(r, st, 0), false;
  return true;
}

void api_referral_action(struct req *r) { referral_step(r, 0); }

void referral_step(struct req *r, json_t *given)
{
  enum ref_action a = ref_action_parse(r->params[1]);
  if (a == RA_COUNT) return reply_fail(r, JK_ENOTFOUND, "not_found", "没有这个操作", 0);
  struct referral_rec f;
  if (!referral_load(r, ACT_UPDATE, ref_action_name(a), &f)) return;
  enum ref_status from = ref_status_parse(f.status);
  struct step s = {.action = a, .to = referral_next(from, a)};
  if (s.to == RS_NONE || (a == RA_FOLLOWUP && f.followup_done)) {
    audit_note(r, ref_action_name(a), "referral", f.id, "conflict", f.status);
    return reply_fail(r, JK_ECONFLICT, "invalid_transition",
                      arena_printf(r->a, "当前状态为“%s”，不能执行“%s”", ref_status_label(from), ref_action_label(a)), 0);
  }
  json_t *body = given;
  struct jk_err e = {0};
  jk_status st = given ? (json_incref(given), JK_OK) : req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *seen_status = f.status;
  int64_t seen_at = f.updated_at;
  bool ok = parse_step(r, body, &f, &s);
  json_decref(body);
  if (!ok) {
    json_decref(s.detail);
    return;
  }
  f.status = ref_status_name(s.to);
  f.updated_at = clock_now_ms();
  if (f.updated_at <= seen_at) f.updated_at = seen_at + 1;
  if ((st = db_begin_write(r->db)) != JK_OK) {
    json_decref(s.detail);
    return reply_err(r, st, 0);
  }
  struct referral_rec now;
  if ((st = referral_store_by_id(r->db, r->a, f.id, &now)) != JK_OK || strcmp(now.status, seen_status) != 0 ||
      now.updated_at != seen_at) {
    db_rollback(r->db);
    json_decref(s.detail);
    if (st != JK_OK) return reply_err(r, st, 0);
    return reply_fail(r, JK_ECONFLICT, "stale", "该转介刚被他人更新，请刷新后重试", 0);
  }
  ok = apply_step(r, &f, seen_status, &s);
  json_decref(s.detail);
  if (!ok) {
    db_rollback(r->db);
    return;
  }
  if (!commit_or_reply(r)) return;
  if ((st = referral_store_by_id(r->db, r->a, f.id, &now)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, referral_json(r, &now, true));
}
