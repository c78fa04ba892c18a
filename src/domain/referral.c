/* referral.c: see referral.h. The transition table is the whole state machine: one row per
 * action, the statuses it may start from, and where it leads. Reading it against the issue
 * text is the review. */
#include "domain/referral.h"
#include <math.h>
#include <string.h>

#define S(x) (1u << (x))

static const struct {
  const char *name, *label;
  enum ref_deadline deadline;
  int step;
  bool open;
} statuses[RS_COUNT] = {
  [RS_SUBMITTED] = {"submitted", "待初核", DL_WORKDAYS, 1, true},
  [RS_REGISTERED] = {"registered", "待转介", DL_WORKDAYS, 2, true},
  [RS_REJECTED] = {"rejected", "不予登记", DL_NONE, 2, false},
  [RS_WITHDRAWN] = {"withdrawn", "已撤回", DL_NONE, 0, false},
  [RS_DISPATCHED] = {"dispatched", "已转介待接收", DL_WORKDAYS, 3, true},
  [RS_DECLINED] = {"declined", "机构未接收待重新转介", DL_WORKDAYS, 3, true},
  [RS_WAITLISTED] = {"waitlisted", "排队等候", DL_WAIT_LIMIT, 3, true},
  [RS_RECHECK] = {"recheck", "等候超期待复核", DL_WORKDAYS, 3, true},
  [RS_ACCEPTED] = {"accepted", "已接收待签约", DL_NONE, 4, true},
  [RS_IN_SERVICE] = {"in_service", "服务中", DL_NONE, 5, true},
  [RS_HOSPITALIZED] = {"hospitalized", "复发回院", DL_NONE, 5, true},
  [RS_CLOSED] = {"closed", "已结案", DL_FOLLOWUP, 7, false},
  [RS_MOVED] = {"moved", "已迁出", DL_NONE, 7, false},
};

static const char *const steps[8] = {
  "", "提出申请", "初核登记", "康复转介", "综合评估", "服务提供", "阶段性评估", "结案与回访",
};

#define KEEP RS_NONE /* the action keeps the status */

static const struct {
  const char *name, *label;
  unsigned from;            /* S(status) of each status it may start from */
  enum ref_status to;       /* KEEP: stays where it is */
} actions[RA_COUNT] = {
  [RA_REGISTER] = {"register", "初核登记", S(RS_SUBMITTED), RS_REGISTERED},
  [RA_REJECT] = {"reject", "不予登记", S(RS_SUBMITTED), RS_REJECTED},
  [RA_WITHDRAW] = {"withdraw", "撤回申请",
                   S(RS_SUBMITTED) | S(RS_REGISTERED) | S(RS_DISPATCHED) | S(RS_DECLINED) | S(RS_WAITLISTED) |
                     S(RS_RECHECK) | S(RS_ACCEPTED),
                   RS_WITHDRAWN},
  [RA_DISPATCH] = {"dispatch", "转介至机构", S(RS_REGISTERED) | S(RS_DECLINED), RS_DISPATCHED},
  [RA_ACCEPT] = {"accept", "机构接收", S(RS_DISPATCHED) | S(RS_WAITLISTED), RS_ACCEPTED},
  [RA_DECLINE] = {"decline", "机构不予接收", S(RS_DISPATCHED) | S(RS_WAITLISTED), RS_DECLINED},
  [RA_WAITLIST] = {"waitlist", "列入等候名单", S(RS_DISPATCHED), RS_WAITLISTED},
  [RA_REREFER] = {"rerefer", "复核意愿并重新转介", S(RS_RECHECK) | S(RS_WAITLISTED) | S(RS_DECLINED), RS_DISPATCHED},
  [RA_CONSENT] = {"consent", "签署知情同意书", S(RS_ACCEPTED) | S(RS_IN_SERVICE), KEEP},
  [RA_AGREEMENT] = {"agreement", "签订服务协议", S(RS_ACCEPTED) | S(RS_IN_SERVICE), KEEP},
  [RA_ASSESS] = {"assess", "综合评估", S(RS_ACCEPTED) | S(RS_IN_SERVICE), KEEP},
  [RA_START] = {"start", "开始服务", S(RS_ACCEPTED), RS_IN_SERVICE},
  [RA_REVIEW] = {"review", "阶段性评估", S(RS_IN_SERVICE), KEEP},
  [RA_REFER_OUT] = {"refer_out", "转出（就业/居家）", S(RS_IN_SERVICE), RS_CLOSED},
  [RA_TRANSFER] = {"transfer", "转至其他机构", S(RS_ACCEPTED) | S(RS_IN_SERVICE), RS_DISPATCHED},
  [RA_MOVE] = {"move", "迁居", S(RS_ACCEPTED) | S(RS_IN_SERVICE) | S(RS_WAITLISTED), RS_DISPATCHED},
  [RA_RELAPSE] = {"relapse", "复发转回医院", S(RS_ACCEPTED) | S(RS_IN_SERVICE), RS_HOSPITALIZED},
  [RA_DISCHARGE] = {"discharge", "出院返回机构", S(RS_HOSPITALIZED), RS_DISPATCHED},
  [RA_CLOSE] = {"close", "结案", S(RS_ACCEPTED) | S(RS_IN_SERVICE) | S(RS_HOSPITALIZED), RS_CLOSED},
  [RA_FOLLOWUP] = {"followup", "结案回访", S(RS_CLOSED), KEEP},
  [RA_EXPIRE] = {"expire", "等候超期", S(RS_WAITLISTED), RS_RECHECK},
};

static bool status_ok(enum ref_status s) { return s >= 0 && s < RS_COUNT; }

const char *ref_status_name(enum ref_status s) { return status_ok(s) ? statuses[s].name : ""; }
const char *ref_status_label(enum ref_status s) { return status_ok(s) ? statuses[s].label : ""; }
bool ref_status_open(enum ref_status s) { return status_ok(s) && statuses[s].open; }
enum ref_deadline ref_status_deadline(enum ref_status s) { return status_ok(s) ? statuses[s].deadline : DL_NONE; }

enum ref_status ref_status_parse(const char *s)
{
  for (int i = 0; s && i < RS_COUNT; i++)
    if (strcmp(s, statuses[i].name) == 0) return (enum ref_status)i;
  return RS_NONE;
}

int ref_step(enum ref_status s, bool reviewed)
{
  if (!status_ok(s)) return 0;
  return s == RS_IN_SERVICE && reviewed ? 6 : statuses[s].step;
}

const char *ref_step_label(int step) { return step >= 1 && step <= 7 ? steps[step] : ""; }

const char *ref_action_name(enum ref_action a) { return a >= 0 && a < RA_COUNT ? actions[a].name : ""; }
const char *ref_action_label(enum ref_action a) { return a >= 0 && a < RA_COUNT ? actions[a].label : ""; }

enum ref_action ref_action_parse(const char *s)
{
  for (int i = 0; s && i < RA_EXPIRE; i++)
    if (strcmp(s, actions[i].name) == 0) return (enum ref_action)i;
  return RA_COUNT;
}

enum ref_status referral_next(enum ref_status from, enum ref_action a)
{
  if (!status_ok(from) || a < 0 || a >= RA_COUNT || !(actions[a].from & S(from))) return RS_NONE;
  return actions[a].to == KEEP ? from : actions[a].to;
}

double geo_distance_km(double lat1, double lng1, double lat2, double lng2)
{
  const double rad = M_PI / 180.0;
  double dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
  double h = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlng / 2) * sin(dlng / 2);
  return 2 * 6371.0088 * asin(sqrt(h < 1 ? h : 1));
}
