/* policy.c: see policy.h. Decisions are table-like switch statements so that a reader can
 * check each role against the issue text in one screen. */
#include "sec/policy.h"
#include "domain/region_code.h"
#include <string.h>

static const char *const names[ROLE_COUNT] = {
  "", "sysadmin", "secadmin", "auditor", "official", "referral_worker", "rehab_staff",
  "hospital_staff", "evaluator",
};
static const char *const labels[ROLE_COUNT] = {
  "", "系统管理员", "安全管理员", "审计员", "主管部门", "转介服务人员", "康复机构工作人员",
  "医疗机构工作人员", "第三方评估",
};

const char *role_name(enum role r) { return r > 0 && r < ROLE_COUNT ? names[r] : ""; }
const char *role_label(enum role r) { return r > 0 && r < ROLE_COUNT ? labels[r] : ""; }

enum role role_parse(const char *s)
{
  for (int r = 1; s && r < ROLE_COUNT; r++)
    if (strcmp(s, names[r]) == 0) return (enum role)r;
  return ROLE_NONE;
}

bool role_needs_region(enum role r) { return r == ROLE_OFFICIAL || r == ROLE_REFERRAL_WORKER; }
bool role_needs_org(enum role r) { return r == ROLE_REHAB_STAFF || r == ROLE_HOSPITAL_STAFF; }

static bool in_region(const struct principal *p, const char *region)
{
  return p->region && region && region_code_within(region, p->region);
}

static bool in_org(const struct principal *p, int64_t org_rid)
{
  return p->org_rid != 0 && org_rid == p->org_rid;
}

/* Client records: regional roles by residence region, organization staff by organization. */
static jk_status decide_client(const struct principal *p, enum action act, const struct policy_object *o)
{
  bool scoped;
  switch (p->role) {
  case ROLE_OFFICIAL:
    /* Outside the region the client does not exist for them (404); inside, officials see the
     * masked record only (403 on reveal). */
    scoped = act == ACT_LIST || in_region(p, o->region);
    if (scoped && act == ACT_REVEAL) return JK_EFORBIDDEN;
    break;
  case ROLE_REFERRAL_WORKER:
    scoped = act == ACT_LIST || in_region(p, o->region);
    break;
  case ROLE_REHAB_STAFF:
  case ROLE_HOSPITAL_STAFF:
    scoped = act == ACT_LIST || in_org(p, o->org_rid);
    break;
  default:
    return JK_EFORBIDDEN;
  }
  if (scoped) return JK_OK;
  return act == ACT_CREATE ? JK_EFORBIDDEN : JK_ENOTFOUND;
}

/* The directory of organizations is readable by every user; changes are scoped. */
static jk_status decide_org(const struct principal *p, enum action act, const struct policy_object *o)
{
  if (act == ACT_READ || act == ACT_LIST) return p->role != ROLE_NONE ? JK_OK : JK_EFORBIDDEN;
  if (act != ACT_CREATE && act != ACT_UPDATE) return JK_EFORBIDDEN;
  switch (p->role) {
  case ROLE_SYSADMIN: return JK_OK;
  case ROLE_OFFICIAL: return in_region(p, o->region) ? JK_OK : JK_EFORBIDDEN;
  case ROLE_REHAB_STAFF:
  case ROLE_HOSPITAL_STAFF: return act == ACT_UPDATE && in_org(p, o->org_rid) ? JK_OK : JK_EFORBIDDEN;
  default: return JK_EFORBIDDEN;
  }
}

jk_status policy_decide(const struct principal *p, enum action act, const struct policy_object *o)
{
  if (!p || p->role == ROLE_NONE) return JK_EAUTH;
  switch (o->kind) {
  case OBJ_CLIENT: return decide_client(p, act, o);
  case OBJ_ORGANIZATION: return decide_org(p, act, o);
  case OBJ_USER:
    if (act == ACT_UNLOCK) return p->role == ROLE_SECADMIN ? JK_OK : JK_EFORBIDDEN;
    if (act == ACT_READ || act == ACT_LIST)
      return p->role == ROLE_SYSADMIN || p->role == ROLE_SECADMIN ? JK_OK : JK_EFORBIDDEN;
    return p->role == ROLE_SYSADMIN ? JK_OK : JK_EFORBIDDEN;
  case OBJ_TOKEN: return p->role == ROLE_SYSADMIN ? JK_OK : JK_EFORBIDDEN;
  case OBJ_AUDIT: return p->role == ROLE_AUDITOR && (act == ACT_READ || act == ACT_LIST) ? JK_OK : JK_EFORBIDDEN;
  case OBJ_STATS: return act == ACT_READ ? JK_OK : JK_EFORBIDDEN;
  }
  return JK_EFORBIDDEN;
}

jk_status policy_list_scope(const struct principal *p, enum object_kind kind, const char **region,
                            int64_t *org_rid)
{
  *region = 0;
  *org_rid = 0;
  struct policy_object o = {kind, 0, 0};
  jk_status st = policy_decide(p, ACT_LIST, &o);
  if (st != JK_OK) return st;
  if (kind != OBJ_CLIENT) return JK_OK;
  if (role_needs_region(p->role)) {
    if (!p->region) return JK_EFORBIDDEN; /* fail closed: a regional role without a region */
    *region = p->region;
  } else if (role_needs_org(p->role)) {
    if (!p->org_rid) return JK_EFORBIDDEN;
    *org_rid = p->org_rid;
  }
  return JK_OK;
}
