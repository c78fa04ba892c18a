/* care.c: the care endpoints' shared helpers, and the alerts and due items of the work lists:
 * GET /alerts, POST /alerts/{id}/ack, GET /care/due. A client's care record is reached only
 * through care_client, which asks the policy (OBJ_CARE) once per request. */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/care.h"
#include "sec/crypto.h"
#include "store/care_store.h"
#include "store/db.h"
#include "store/staff_store.h"
#include <stdlib.h>
#include <string.h>

const char *today_text(struct req *r)
{
  char *s = arena_alloc(r->a, 11);
  date_format(date_today(), s);
  return s;
}

json_t *care_staff_ref(struct req *r, json_t *v, int64_t org_rid, const char *field)
{
  struct staff_rec st;
  jk_status s = json_is_string(v) && uuid_valid(json_string_value(v))
                  ? staff_store_by_id(r->db, r->a, json_string_value(v), &st) : JK_ENOTFOUND;
  if (s == JK_OK && st.active && org_rid && st.org_rid == org_rid)
    return json_pack("{s:s,s:s}", "id", st.id, "name", st.name);
  if (s != JK_OK && s != JK_ENOTFOUND) return reply_err(r, s, 0), (json_t *)0; /* storage, not the caller */
  reply_fail(r, JK_ERULE, "unknown_staff", "工作人员应为本机构在职人员（见人员管理）", field);
  return 0;
}

static void url_encode(const char *s, char *out, size_t cap)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
        *p == '_')
      out[o++] = (char)*p;
    else
      out[o++] = '%', out[o++] = hex[*p >> 4], out[o++] = hex[*p & 15];
  }
  out[o] = 0;
}

static void disposition(struct req *r, const char *filename)
{
  char enc[512];
  url_encode(filename, enc, sizeof enc);
  const char *ext = strrchr(filename, '.');   /* the plain name for old clients: "export" and the real extension */
  r->disposition = arena_printf(r->a, "attachment; filename=\"export%s\"; filename*=UTF-8''%s",
                                ext && strlen(ext) <= 5 ? ext : "", enc);
}

void reply_download(struct req *r, const char *ctype, const char *filename, char *data, size_t len)
{
  disposition(r, filename);
  reply_text(r, 200, ctype, data, len);
}

void reply_download_fd(struct req *r, const char *ctype, const char *filename, int fd, uint64_t size)
{
  disposition(r, filename);
  reply_fd(r, 200, ctype, fd, size);
}

bool care_client(struct req *r, enum action act, struct client_rec *c)
{
  struct policy_object po = {.kind = OBJ_CARE};
  if (policy_decide(&r->who, ACT_LIST, &po) == JK_EFORBIDDEN) return allowed(r, act, &po, "client", r->params[0]);
  jk_status st = uuid_valid(r->params[0]) ? client_store_by_id(r->db, r->a, r->params[0], c) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) {
    audit_note(r, act == ACT_READ ? "read" : "update", "client", r->params[0], "not_found", 0);
    return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0), false;
  }
  if (st != JK_OK) return reply_err(r, st, 0), false;
  po = (struct policy_object){.kind = OBJ_CARE, .region = c->residence_region, .org_rid = c->org_rid};
  if (act != ACT_READ && !allowed(r, ACT_READ, &po, "client", c->id)) return false;
  return allowed(r, act, &po, "client", c->id);
}

/* The caller's scope for lists of care items: an organization, or a region subtree. */
static bool care_scope(struct req *r, const char **region, int64_t *org_rid)
{
  jk_status st = policy_list_scope(&r->who, OBJ_CARE, region, org_rid);
  if (st == JK_OK) return true;
  struct policy_object po = {.kind = OBJ_CARE};
  return allowed(r, ACT_LIST, &po, "alert", 0);
}

void api_alerts_list(struct req *r)
{
  const char *region;
  int64_t org_rid;
  if (!care_scope(r, &region, &org_rid)) return;
  json_t *rows = json_array();
  jk_status st = alert_store_list(r->db, org_rid, region, 0, 200, rows);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  audit_note(r, "search", "alert", 0, "ok", arena_printf(r->a, "%zu", json_array_size(rows)));
  reply_json(r, 200, json_pack("{s:o}", "items", rows));
}

void api_alert_ack(struct req *r)
{
  int64_t client_rid = 0, ack_at = 0;
  jk_status st = uuid_valid(r->params[0]) ? alert_store_client(r->db, r->params[0], &client_rid, &ack_at) : JK_ENOTFOUND;
  struct client_rec c;
  if (st == JK_OK) st = client_store_by_rid(r->db, r->a, client_rid, &c);
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0);
  if (st != JK_OK) return reply_err(r, st, 0);
  struct policy_object po = {.kind = OBJ_CARE, .region = c.residence_region, .org_rid = c.org_rid};
  if (!allowed(r, ACT_READ, &po, "alert", r->params[0]) || !allowed(r, ACT_UPDATE, &po, "alert", r->params[0])) return;
  json_t *body = req_body(r);
  if (!body) return;
  static const char *const keys[] = {"note", 0};
  const char *note = 0;
  bool ok = body_only(r, body, keys) && body_str(r, body, "note", true, 500, &note);
  note = note ? arena_strdup(r->a, note) : 0;
  json_decref(body);
  if (!ok) return;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = alert_store_ack(r->db, r->params[0], r->who.username, note, clock_now_ms())) != JK_OK ||
      (st = audit_change(r, "acknowledge", "alert", r->params[0], c.id)) != JK_OK) {
    db_rollback(r->db);
    if (st == JK_ECONFLICT) return reply_fail(r, st, "already_acknowledged", "该预警已处理", 0);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_status(r, 204);
}

void api_care_due(struct req *r)
{
  const char *region;
  int64_t org_rid;
  if (!care_scope(r, &region, &org_rid)) return;
  const char *d = req_query(r, "days");
  char *end = 0;
  long days = d ? strtol(d, &end, 10) : 14;
  if (d && (!*d || *end || days < 0 || days > 366)) return reply_fail(r, JK_EINVAL, "invalid_query", "days 应为0—366", "days");
  char until[11];
  date_format(date_from_days(date_to_days(date_today()) + days), until);
  json_t *rows = json_array();
  jk_status st = care_due_list(r->db, org_rid, region, until, 500, rows);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  const char *today = today_text(r);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    const char *due = json_string_value(json_object_get(row, "due_date"));
    json_object_set_new(row, "overdue", json_boolean(due && strcmp(due, today) < 0));
  }
  audit_note(r, "search", "care_due", 0, "ok", arena_printf(r->a, "%zu", json_array_size(rows)));
  reply_json(r, 200, json_pack("{s:o,s:s}", "items", rows, "until", until));
}

void api_care_catalogue(struct req *r)
{
  json_t *o = json_object();
  for (int l = 0; l < CL_COUNT; l++) {
    json_t *list = json_array();
    for (const struct code *c = care_codes((enum care_list)l); c->id; c++)
      json_array_append_new(list, json_pack("{s:s,s:s}", "id", c->id, "label", c->label));
    json_object_set_new(o, care_list_name((enum care_list)l), list);
  }
  json_object_set_new(o, "targets", json_pack("{s:i,s:i}", "training_hours", TRAINING_HOURS_TARGET_X10 / 10,
                                              "qualified_share_pct", QUALIFIED_SHARE_TARGET_PCT));
  reply_json(r, 200, o);
}
