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

/* Who may take each referral transition, and how the object must relate to them: 'r' in their
 * region, 'o' held by their organization, 'f' referred by their organization. */
static const struct {
  const char *op;
  struct { enum role role; char scope; } who[2];
} referral_ops[] = {
  {"register", {{ROLE_REFERRAL_WORKER, 'r'}}},
  {"reject", {{ROLE_REFERRAL_WORKER, 'r'}}},
  {"dispatch", {{ROLE_REFERRAL_WORKER, 'r'}}},
  {"rerefer", {{ROLE_REFERRAL_WORKER, 'r'}}},
  {"withdraw", {{ROLE_REFERRAL_WORKER, 'r'}, {ROLE_NONE, 'f'}}},   /* ROLE_NONE + 'f': staff of the referrer */
  {"accept", {{ROLE_REHAB_STAFF, 'o'}}},
  {"decline", {{ROLE_REHAB_STAFF, 'o'}}},
  {"waitlist", {{ROLE_REHAB_STAFF, 'o'}}},
  {"consent", {{ROLE_REHAB_STAFF, 'o'}}},
  {"agreement", {{ROLE_REHAB_STAFF, 'o'}}},
  {"assess", {{ROLE_REHAB_STAFF, 'o'}}},
  {"start", {{ROLE_REHAB_STAFF, 'o'}}},
  {"review", {{ROLE_REHAB_STAFF, 'o'}}},
  {"refer_out", {{ROLE_REHAB_STAFF, 'o'}}},
  {"transfer", {{ROLE_REHAB_STAFF, 'o'}}},
  {"relapse", {{ROLE_REHAB_STAFF, 'o'}}},
  {"close", {{ROLE_REHAB_STAFF, 'o'}}},
  {"move", {{ROLE_REHAB_STAFF, 'o'}, {ROLE_REFERRAL_WORKER, 'r'}}},
  {"discharge", {{ROLE_HOSPITAL_STAFF, 'o'}}},
  {"followup", {{ROLE_REHAB_STAFF, 'o'}, {ROLE_REFERRAL_WORKER, 'r'}}},
};

static bool referral_op_allowed(const struct principal *p, const struct policy_object *o)
{
  for (size_t i = 0; o->op && i < sizeof referral_ops / sizeof referral_ops[0]; i++) {
    if (strcmp(o->op, referral_ops[i].op) != 0) continue;
    for (int k = 0; k < 2; k++) {
      enum role role = referral_ops[i].who[k].role;
      char scope = referral_ops[i].who[k].scope;
      if (scope == 'f' && role_needs_org(p->role) && in_org(p, o->from_org_rid)) return true;
      if (role != p->role) continue;
      if ((scope == 'r' && in_region(p, o->region)) || (scope == 'o' && in_org(p, o->org_rid))) return true;
    }
    return false;
  }
  return false;
}

/* Referrals: seen by the region's officials and referral workers, and by the organizations
 * that hold or referred them; changed one transition at a time (referral_ops). */
static jk_status decide_referral(const struct principal *p, enum action act, const struct policy_object *o)
{
  bool org_role = role_needs_org(p->role), region_role = role_needs_region(p->role);
  if (act == ACT_LIST) return org_role || region_role ? JK_OK : JK_EFORBIDDEN;
  if (act == ACT_CREATE) {
    if (p->role == ROLE_REFERRAL_WORKER) return in_region(p, o->region) ? JK_OK : JK_EFORBIDDEN;
    return org_role && in_org(p, o->from_org_rid) ? JK_OK : JK_EFORBIDDEN;
  }
  bool sees = region_role ? in_region(p, o->region) : org_role && (in_org(p, o->org_rid) || in_org(p, o->from_org_rid));
  if (!sees) return org_role || region_role ? JK_ENOTFOUND : JK_EFORBIDDEN;
  if (act == ACT_READ) return JK_OK;
  if (act == ACT_UPDATE) return referral_op_allowed(p, o) ? JK_OK : JK_EFORBIDDEN;
  return JK_EFORBIDDEN;
}

/* Care records, service records and staff: seen by the region's officials and referral
 * workers and by the organization's staff; written by the organization's staff (and, for staff
 * records, the region's officials). */
static jk_status decide_care(const struct principal *p, enum action act, const struct policy_object *o)
{
  bool org_role = role_needs_org(p->role), region_role = role_needs_region(p->role);
  if (!org_role && !region_role) return JK_EFORBIDDEN;
  if (act == ACT_LIST) return JK_OK;
  bool sees = region_role ? in_region(p, o->region) : in_org(p, o->org_rid);
  if (act == ACT_READ) return sees ? JK_OK : JK_ENOTFOUND;
  if (act != ACT_CREATE && act != ACT_UPDATE) return JK_EFORBIDDEN;
  bool writes = org_role ? sees : o->kind == OBJ_STAFF && p->role == ROLE_OFFICIAL && sees;
  if (writes) return JK_OK;
  return act == ACT_UPDATE && !sees ? JK_ENOTFOUND : JK_EFORBIDDEN;
}

static jk_status decide_indicator(const struct principal *p, enum action act, const struct policy_object *o)
{
  const char *region = o->region ? o->region : "";
  if (act == ACT_UPDATE) {
    if (!*region) return p->role == ROLE_SYSADMIN ? JK_OK : JK_EFORBIDDEN;
    return p->role == ROLE_OFFICIAL && p->region && strcmp(p->region, region) == 0 && strlen(region) == 2 ? JK_OK
                                                                                                   : JK_EFORBIDDEN;
  }
  if (act != ACT_READ) return JK_EFORBIDDEN;
  if (o->op && strcmp(o->op, "extract") == 0) {   /* record-level, de-identified: evaluators and officials */
    if (p->role == ROLE_EVALUATOR && !p->region) return JK_OK;
    return (p->role == ROLE_EVALUATOR || p->role == ROLE_OFFICIAL) && *region && in_region(p, region) ? JK_OK
                                                                                                       : JK_EFORBIDDEN;
  }
  if (role_needs_org(p->role)) return o->org_rid && in_org(p, o->org_rid) ? JK_OK : JK_EFORBIDDEN;
  if (p->role == ROLE_EVALUATOR && !p->region) return JK_OK;
  if (role_needs_region(p->role) || p->role == ROLE_EVALUATOR) return *region && in_region(p, region) ? JK_OK : JK_EFORBIDDEN;
  return JK_EFORBIDDEN;
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
  case OBJ_TOKEN:
  case OBJ_WEBHOOK: return p->role == ROLE_SYSADMIN ? JK_OK : JK_EFORBIDDEN;
  case OBJ_AUDIT: return p->role == ROLE_AUDITOR && (act == ACT_READ || act == ACT_LIST) ? JK_OK : JK_EFORBIDDEN;
  case OBJ_STATS: return act == ACT_READ ? JK_OK : JK_EFORBIDDEN;
  case OBJ_REFERRAL: return decide_referral(p, act, o);
  case OBJ_CARE:
  case OBJ_SERVICE:
  case OBJ_STAFF: return decide_care(p, act, o);
  case OBJ_INDICATOR: return decide_indicator(p, act, o);
  case OBJ_RULES: /* referral rules: read by all; the national set by sysadmin, a region's by its officials */
    if (act == ACT_READ) return JK_OK;
    if (act != ACT_UPDATE) return JK_EFORBIDDEN;
    if (!o->region || !*o->region) return p->role == ROLE_SYSADMIN ? JK_OK : JK_EFORBIDDEN;
    return p->role == ROLE_SYSADMIN || (p->role == ROLE_OFFICIAL && in_region(p, o->region)) ? JK_OK : JK_EFORBIDDEN;
  }
  return JK_EFORBIDDEN;
}

jk_status policy_list_scope(const struct principal *p, enum object_kind kind, const char **region,
                            int64_t *org_rid)
{
  *region = 0;
  *org_rid = 0;
  struct policy_object o = {.kind = kind};
  jk_status st = policy_decide(p, ACT_LIST, &o);
  if (st != JK_OK) return st;
  if (kind == OBJ_ORGANIZATION || kind == OBJ_USER || kind == OBJ_AUDIT || kind == OBJ_TOKEN || kind == OBJ_STATS ||
      kind == OBJ_RULES || kind == OBJ_WEBHOOK)
    return JK_OK;
  if (role_needs_region(p->role)) {
    if (!p->region) return JK_EFORBIDDEN; /* fail closed: a regional role without a region */
    *region = p->region;
  } else if (role_needs_org(p->role)) {
    if (!p->org_rid) return JK_EFORBIDDEN;
    *org_rid = p->org_rid;
  }
  return JK_OK;
}
