/* policy.h: who may do what to which object. The one place that decides.
 *
 * Every handler that touches an object asks policy_decide before reading or changing it, and
 * list handlers ask policy_list_scope for the filter to apply in the store. No handler
 * compares roles or regions itself. Roles and scopes (三权分立: system, security and audit
 * administration are separate roles, and none of the three sees client records):
 *   sysadmin         users, organizations, configuration; no client data
 *   secadmin         security settings, unlocking accounts; no client data
 *   auditor          the audit trail only
 *   official         everything in a region subtree (province, prefecture, county, township)
 *   referral_worker  registers and dispatches in a region subtree
 *   rehab_staff,     one organization: its clients
 *   hospital_staff
 *   evaluator        de-identified data only (indicators; no client records)
 * A client outside the caller's scope is JK_ENOTFOUND, never JK_EFORBIDDEN, so that its
 * existence is not disclosed. */
#ifndef JK_POLICY_H
#define JK_POLICY_H
#include <stdbool.h>
#include <stdint.h>
#include "base/status.h"

enum role {
  ROLE_NONE = 0,
  ROLE_SYSADMIN,
  ROLE_SECADMIN,
  ROLE_AUDITOR,
  ROLE_OFFICIAL,
  ROLE_REFERRAL_WORKER,
  ROLE_REHAB_STAFF,
  ROLE_HOSPITAL_STAFF,
  ROLE_EVALUATOR,
  ROLE_COUNT
};

const char *role_name(enum role r);       /* "sysadmin", ... */
const char *role_label(enum role r);      /* 系统管理员, ... */
enum role role_parse(const char *s);      /* ROLE_NONE when unknown */
bool role_needs_region(enum role r);      /* official, referral_worker */
bool role_needs_org(enum role r);         /* rehab_staff, hospital_staff */

/* The authenticated caller. Borrowed strings live as long as the request. */
struct principal {
  const char *user_id;
  const char *username;
  enum role role;
  const char *region;      /* normalized statistical code, or NULL */
  int64_t org_rid;         /* 0 when none */
  bool via_token;
};

enum action { ACT_READ, ACT_LIST, ACT_CREATE, ACT_UPDATE, ACT_REVEAL, ACT_UNLOCK };
enum object_kind { OBJ_CLIENT, OBJ_ORGANIZATION, OBJ_USER, OBJ_AUDIT, OBJ_TOKEN, OBJ_STATS, OBJ_REFERRAL, OBJ_RULES, OBJ_WEBHOOK,
                   OBJ_CARE, OBJ_SERVICE, OBJ_STAFF, OBJ_INDICATOR };

/* Indicators (OBJ_INDICATOR: region = the region asked for, "" for the whole country, or the
 * organization's region with org_rid): read by officials and referral workers within their
 * region, by evaluators within theirs (the whole country when they have none), and by
 * institution and hospital staff for their own organization only. ACT_UPDATE is the 规范服务
 * definition: a province's by its provincial officials (region = the province), the national
 * one by the system administrator. op "extract" (ACT_READ) is the de-identified record-level
 * extract: evaluators and officials only, within their region. Out of scope is JK_EFORBIDDEN:
 * regions are public. */

/* Care (OBJ_CARE: a client's assessments, plan, team, alerts — region and org_rid are the
 * client's) is read by the region's officials and referral workers and by the staff of the
 * client's institution, and written only by that institution's staff. Service records
 * (OBJ_SERVICE: the institution's region and itself) likewise. Staff records (OBJ_STAFF: the
 * staff member's region and organization, 0 for a referral worker of a region) are read by the
 * same people and kept by their organization's staff or the region's officials. */
/* What the policy needs to know of an object: its region and owning organization (a client's
 * residence region and serving organization; an organization's region and itself). For
 * ACT_LIST, or ACT_CREATE before the object exists, pass what the new object would have. */
struct policy_object {
  enum object_kind kind;
  const char *region;
  int64_t org_rid;
  /* referrals: the organization that referred (a hospital, or an institution applying on the
   * client's behalf), and for ACT_UPDATE the transition asked for ("dispatch", ...). A referral
   * is visible to officials and referral workers of its region and to the staff of the
   * organization that holds it or referred it; each transition is open to one or two roles. */
  int64_t from_org_rid;
  const char *op;
};

jk_status policy_decide(const struct principal *p, enum action act, const struct policy_object *o);

/* The filter a list of `kind` must apply for p: rows whose region is within *region (when
 * non-NULL) and whose organization is *org_rid (when non-zero; for referrals: the organization
 * holding it or the one that referred it). JK_EFORBIDDEN when the role
 * may not list that kind at all. */
jk_status policy_list_scope(const struct principal *p, enum object_kind kind, const char **region,
                            int64_t *org_rid);

#endif
