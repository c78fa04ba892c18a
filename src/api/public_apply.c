/* public_apply.c: the application anyone can make without an account (个人自愿申请), and the
 * status page behind its receipt number.
 *
 * The applicant gives name, ID number, phone, residence and need; the referral starts as
 * `submitted`, in the work list of the region's referral workers, with the 5-working-day
 * deadline for 初核登记. If the person is already registered, the application joins their
 * record silently: the answer is the same either way, so the form discloses nothing about
 * anyone. The receipt is 60 random bits; its status page shows the step, dates and the
 * receiving institution's name and phone, never personal data. Both endpoints are limited per
 * address (JINGKANG_PUBLIC_APPLY_LIMIT applications per hour, default 5; 60 status lookups per
 * hour) so that neither can be used to flood the workers or guess receipts. */
#include "api/referral_api.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "sec/ratelimit.h"
#include "store/db.h"
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

static int apply_limit(void)
{
  const char *v = getenv("JINGKANG_PUBLIC_APPLY_LIMIT");
  int n = v ? atoi(v) : 0;
  return n > 0 ? n : 5;
}

static bool rate_ok(struct req *r, const char *purpose, int max)
{
  if (ratelimit_allow(purpose, req_client_ip(r), max, HOUR_MS, clock_now_ms())) return true;
  audit_note(r, purpose, "referral", 0, "rate_limited", req_client_ip(r));
  reply_fail(r, JK_ERATE, "rate_limited", "提交过于频繁，请稍后再试", 0);
  return false;
}

/* The public form as a new-client body (as POST /clients) plus the need. */
static bool public_body(struct req *r, json_t *body, json_t **client, const char **need, struct referral_rec *f)
{
  static const char *const keys[] = {"name", "id_number", "phone", "residence_region", "need", "guardian", "location", 0};
  const char *name, *idn, *phone, *region;
  if (!body_only(r, body, keys) || !body_str(r, body, "name", true, 50, &name) ||
      !body_str(r, body, "id_number", true, 20, &idn) || !body_str(r, body, "phone", true, 20, &phone) ||
      !body_str(r, body, "residence_region", true, 12, &region) || !referral_need(r, json_object_get(body, "need"), need) ||
      !referral_location(r, json_object_get(body, "location"), f))
    return false;
  *client = json_pack("{s:s,s:s,s:s,s:s}", "name", name, "id_number", idn, "phone", phone, "residence_region", region);
  json_t *g = json_object_get(body, "guardian");
  if (g && !json_is_null(g)) json_object_set_new(*client, "guardians", json_pack("[O]", g));
  return true;
}

void api_public_apply(struct req *r)
{
  if (!rate_ok(r, "public_apply", apply_limit())) return;
  json_t *body, *client = 0;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  char id[37], cid[37];
  uuid_v7(id);
  int64_t now = clock_now_ms();
  struct referral_rec f = {.id = id, .source = "self", .submitted_at = now, .created_at = now, .updated_at = now};
  struct client_rec c;
  bool ok = public_body(r, body, &client, &f.need_json, &f) && clients_prepare(r, client, &c, cid);
  json_decref(client);
  json_decref(body);
  if (!ok) return;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if (!referral_insert(r, &c, &f)) return db_rollback(r->db);
  if (!commit_or_reply(r)) return;
  char day[11];
  date_format(date_from_ms(f.due_at), day);
  reply_json(r, 201, json_pack("{s:s,s:s,s:s,s:s,s:s}", "receipt", f.receipt, "status", f.status, "status_label",
                               ref_status_label(RS_SUBMITTED), "submitted_at", iso_time(r, now), "due_date", day));
}

static bool receipt_form(const char *s)
{
  if (!s || strlen(s) != 14) return false;
  for (int i = 0; i < 14; i++)
    if (i % 5 == 4 ? s[i] != '-' : !strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", s[i]) || !s[i]) return false;
  return true;
}

void api_public_status(struct req *r)
{
  if (!rate_ok(r, "public_status", 60)) return;
  struct referral_rec f;
  char receipt[15];
  snprintf(receipt, sizeof receipt, "%s", r->params[0]);
  for (char *p = receipt; *p; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
  jk_status st = receipt_form(receipt) ? referral_store_by_receipt(r->db, r->a, receipt, &f) : JK_ENOTFOUND;
  if (st != JK_OK) {
    audit_note(r, "read", "referral", 0, "not_found", "by receipt");
    if (st != JK_ENOTFOUND) return reply_err(r, st, 0);
    return reply_fail(r, JK_ENOTFOUND, "not_found", "没有找到这个回执号，请核对后再试", 0);
  }
  enum ref_status s = ref_status_parse(f.status);
  int step = ref_step(s, f.reviewed_at != 0);
  json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "receipt", f.receipt, "status", f.status, "status_label",
                        ref_status_label(s), "step", step, "step_label", ref_step_label(step), "submitted_at",
                        iso_time(r, f.submitted_at), "updated_at", iso_time(r, f.updated_at));
  bool at_institution = f.org_name && s != RS_HOSPITALIZED;
  json_object_set_new(o, "organization_name", at_institution ? json_string(f.org_name) : json_null());
  json_object_set_new(o, "organization_phone", at_institution && f.org_phone ? json_string(f.org_phone) : json_null());
  audit_note(r, "read", "referral", f.id, "ok", "by receipt");
  reply_json(r, 200, o);
}
