/* audit_api.c: the auditor's questions — who looked at client X, what did user Y touch,
 * what happened between two dates — and a check of the chain. Reading the trail is itself
 * audited (the auditor is audited too). */
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "sec/audit.h"
#include "store/audit_store.h"
#include <string.h>

static bool time_param(struct req *r, const char *key, bool end_of_day, int64_t *out)
{
  const char *v = req_query(r, key);
  *out = 0;
  if (!v) return true;
  if (!time_parse(v, out)) return bad_field(r, key, "时间格式应为 YYYY-MM-DD 或 ISO 8601");
  if (end_of_day && strlen(v) == 10) *out += 86400000LL; /* "to=2026-11-22" includes that day */
  return true;
}

void api_audit_list(struct req *r)
{
  struct policy_object po = {.kind = OBJ_AUDIT};
  if (!allowed(r, ACT_LIST, &po, "audit", 0)) return;
  int64_t limit, offset, page, n, total;
  if (!page_params(r, &limit, &offset, &page)) return;
  struct audit_query q = {.username = req_query(r, "user"), .object_type = req_query(r, "object_type"),
                          .object_id = req_query(r, "object_id"), .action = req_query(r, "action"),
                          .limit = limit, .offset = offset};
  if (!time_param(r, "from", false, &q.from) || !time_param(r, "to", true, &q.to)) return;
  struct audit_row *rows;
  jk_status st = audit_store_query(r->db, r->a, &q, &rows, &n, &total);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) {
    const struct audit_row *a = &rows[i];
    json_t *o = json_pack("{s:I,s:s,s:s,s:s}", "seq", (json_int_t)a->seq, "time", iso_time(r, a->time),
                          "action", a->action, "result", a->result);
#define OPT(k, v) json_object_set_new(o, k, (v) ? json_string(v) : json_null())
    OPT("user_id", a->user_id);
    OPT("username", a->username);
    OPT("role", a->role);
    OPT("object_type", a->object_type);
    OPT("object_id", a->object_id);
    OPT("request_id", a->request_id);
    OPT("detail", a->detail);
#undef OPT
    json_array_append_new(items, o);
  }
  audit_note(r, "search", "audit", 0, "ok", arena_printf(r->a, "%lld results", (long long)n));
  reply_json(r, 200, page_envelope(items, total, page, limit));
}

void api_audit_verify(struct req *r)
{
  struct policy_object po = {.kind = OBJ_AUDIT};
  if (!allowed(r, ACT_READ, &po, "audit", 0)) return;
  audit_queue_flush(r->app->audit);
  db_end_read(r->db); /* verify what was just flushed, not the snapshot from before it */
  struct audit_check c;
  jk_status st = audit_verify(r->db, &r->app->keys, &c);
  if (st != JK_OK) return reply_err(r, st, 0);
  audit_note(r, "verify", "audit", 0, c.ok ? "ok" : "failed", 0);
  json_t *o = json_pack("{s:b,s:I}", "ok", c.ok, "entries", (json_int_t)c.entries);
  if (!c.ok) {
    json_object_set_new(o, "first_bad_seq", json_integer(c.first_bad_seq));
    json_object_set_new(o, "message", json_string(c.why));
  }
  reply_json(r, 200, o);
}
