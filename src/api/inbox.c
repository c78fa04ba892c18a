/* inbox.c: each user's work list (GET /inbox) and the officials' referral overview of their
 * region (GET /referrals/overview). A referral is in the list of whoever holds its next step:
 * the region's referral workers while it is to be registered, dispatched or re-checked; the
 * institution while it is to be received, waiting, prepared, served or followed up; the
 * hospital on a relapse. Overdue items come first, in every list. */
#include "api/referral_api.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/region_code.h"
#include "store/db.h"
#include <string.h>

struct section {
  const char *key, *label, *statuses;
  int who;            /* bit per role group: 1 referral worker, 2 rehab staff, 4 hospital staff, 8 official */
  int scope;          /* 0 region / org_any, 1 held by the org, 2 referred by the org */
};

static const struct section sections[] = {
  {"overdue", "已超期", 0, 1 | 2 | 8, 1},
  {"to_register", "待初核登记", "[\"submitted\"]", 1 | 8, 0},
  {"to_dispatch", "待转介", "[\"registered\",\"declined\"]", 1 | 8, 0},
  {"recheck", "等候超期待复核", "[\"recheck\"]", 1 | 8, 0},
  {"to_receive", "待接收", "[\"dispatched\"]", 2, 1},
  {"waitlist", "等候名单", "[\"waitlisted\"]", 2, 1},
  {"preparing", "待签约开始服务", "[\"accepted\"]", 2, 1},
  {"in_service", "服务中", "[\"in_service\"]", 2, 1},
  {"green_channel", "绿色通道（复发回院）", "[\"hospitalized\"]", 4, 1},
  {"followup_due", "待回访", "[\"closed\"]", 2, 1},
  {"my_referrals", "我方提出的转介", 0, 2 | 4, 2},
};

static const char *const open_statuses =
  "[\"submitted\",\"registered\",\"dispatched\",\"declined\",\"waitlisted\",\"recheck\",\"accepted\","
  "\"in_service\",\"hospitalized\",\"closed\"]";

static int role_group(enum role r)
{
  switch (r) {
  case ROLE_REFERRAL_WORKER: return 1;
  case ROLE_REHAB_STAFF: return 2;
  case ROLE_HOSPITAL_STAFF: return 4;
  case ROLE_OFFICIAL: return 8;
  default: return 0;
  }
}

void api_inbox(struct req *r)
{
  const char *region = 0;
  int64_t org_rid = 0, now = clock_now_ms();
  if (policy_list_scope(&r->who, OBJ_REFERRAL, &region, &org_rid) != JK_OK)
    return reply_json(r, 200, json_pack("{s:[]}", "sections"));   /* no referral work for this role */
  int group = role_group(r->who.role);
  json_t *list = json_array();
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
    const struct section *s = &sections[i];
    if (!(s->who & group)) continue;
    struct referral_query q = {.statuses = s->statuses ? s->statuses : open_statuses, .region = region,
                               .by_due = true, .limit = 20};
    if (org_rid) {
      q.org_any = org_rid;
      if (s->scope == 1) q.org = org_rid;
      if (s->scope == 2) q.from_org = org_rid;
    }
    if (strcmp(s->key, "overdue") == 0) q.overdue_at = now;
    if (strcmp(s->key, "followup_due") == 0) q.followup_by = now + 7 * 86400000LL;
    struct referral_rec *items;
    int64_t n = 0, total = 0, late = 0;
    jk_status st = referral_store_list(r->db, r->a, &q, &items, &n, &total);
    if (st != JK_OK) {
      json_decref(list);
      return reply_err(r, st, 0);
    }
    json_t *arr = json_array();
    for (int64_t j = 0; j < n; j++) {
      json_t *o = referral_json(r, &items[j], false);
      late += json_is_true(json_object_get(o, "overdue"));
      json_array_append_new(arr, o);
    }
    json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:I,s:o}", "key", s->key, "label", s->label, "count",
                                          (json_int_t)total, "overdue", (json_int_t)late,
                                          "items", arr));
  }
  audit_note(r, "search", "referral", 0, "ok", "inbox");
  reply_json(r, 200, json_pack("{s:o}", "sections", list));
}

/* GET /referrals/overview?region=: counts by status for each child region of the caller's
 * region (or the region asked for, inside it). */
void api_referrals_overview(struct req *r)
{
  const char *scope = 0, *want;
  int64_t org_rid = 0;
  if (policy_list_scope(&r->who, OBJ_REFERRAL, &scope, &org_rid) != JK_OK || !scope) {
    audit_note(r, "read", "referral_overview", 0, "denied", 0);
    return reply_fail(r, JK_EFORBIDDEN, "forbidden", "只有主管部门和转介服务人员可以查看地区转介概况", 0);
  }
  if (!region_param(r, req_query(r, "region"), "region", true, &want)) return;
  if (!want) want = scope;
  if (!region_code_within(want, scope)) return reply_fail(r, JK_EFORBIDDEN, "forbidden", "该地区不在您的管辖范围内", "region");
  int len = (int)strlen(want), child = len < 6 ? len + 2 : len == 6 ? 9 : 12;
  struct referral_region_count *v;
  int64_t n;
  jk_status st = referral_store_region_counts(r->db, r->a, want, child, clock_now_ms(), &v, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *totals = json_object(), *children = json_array(), *cur = 0;
  int64_t overdue = 0;
  for (int64_t i = 0; i < n; i++) {
    json_int_t prev = json_integer_value(json_object_get(totals, v[i].status));
    json_object_set_new(totals, v[i].status, json_integer(prev + v[i].n));
    overdue += v[i].overdue;
    if (!cur || strcmp(json_string_value(json_object_get(cur, "region")), v[i].region) != 0) {
      cur = json_pack("{s:s,s:o,s:I,s:I,s:I,s:{}}", "region", v[i].region, "region_name",
                      region_name(r, v[i].region) ? json_string(region_name(r, v[i].region)) : json_null(), "open",
                      (json_int_t)0, "overdue", (json_int_t)0, "waitlisted", (json_int_t)0, "by_status");
      json_array_append_new(children, cur);
    }
    json_object_set_new(json_object_get(cur, "by_status"), v[i].status, json_integer(v[i].n));
    if (ref_status_open(ref_status_parse(v[i].status)))
      json_object_set_new(cur, "open", json_integer(json_integer_value(json_object_get(cur, "open")) + v[i].n));
    if (strcmp(v[i].status, "waitlisted") == 0) json_object_set_new(cur, "waitlisted", json_integer(v[i].n));
    json_object_set_new(cur, "overdue", json_integer(json_integer_value(json_object_get(cur, "overdue")) + v[i].overdue));
  }
  json_object_set_new(totals, "overdue", json_integer(overdue));
  audit_note(r, "read", "referral_overview", want, "ok", 0);
  reply_json(r, 200, json_pack("{s:s,s:o,s:o,s:o}", "region", want, "region_name",
                               region_name(r, want) ? json_string(region_name(r, want)) : json_null(), "totals", totals,
                               "children", children));
}
