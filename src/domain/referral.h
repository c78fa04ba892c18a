/* referral.h: the closed-loop referral as a state machine (资源共享与转介管理办法).
 *
 * The seven steps 提出申请 → 初核登记 → 康复转介 → 综合评估 → 服务提供 → 阶段性评估 → 结案与回访
 * are carried by the statuses below; the side states (rejected, withdrawn, declined, waiting
 * list, re-check after the waiting limit, back to hospital, moved away) are what the flow
 * needs so that a referral is never lost. Each action is legal only from the statuses named in
 * referral.c's table; `referral_next` is the one place that answers "may this happen now, and
 * where does it lead". Who may take an action is the policy's business (sec/policy.c); the
 * rules that need data (free places, signed documents) are the API's, checked before this. */
#ifndef JK_REFERRAL_H
#define JK_REFERRAL_H
#include <stdbool.h>

enum ref_status {
  RS_NONE = -1,
  RS_SUBMITTED = 0,   /* 提出申请: waiting for 初核登记 */
  RS_REGISTERED,      /* 初核登记 done: waiting for dispatch */
  RS_REJECTED,        /* need not confirmed (end) */
  RS_WITHDRAWN,       /* applicant withdrew (end) */
  RS_DISPATCHED,      /* 康复转介: pushed to an institution, waiting for its answer */
  RS_DECLINED,        /* the institution declined: back to the referral worker */
  RS_WAITLISTED,      /* on the institution's waiting list */
  RS_RECHECK,         /* waited past the limit: re-check wishes, re-refer */
  RS_ACCEPTED,        /* 综合评估: accepted, consent and agreement being signed */
  RS_IN_SERVICE,      /* 服务提供 (阶段性评估 once reviewed) */
  RS_HOSPITALIZED,    /* relapse: back to hospital through the green channel */
  RS_CLOSED,          /* 结案与回访 */
  RS_MOVED,           /* moved out of the system's area (end) */
  RS_COUNT
};

enum ref_action {
  RA_REGISTER = 0, RA_REJECT, RA_WITHDRAW, RA_DISPATCH, RA_ACCEPT, RA_DECLINE, RA_WAITLIST,
  RA_REREFER, RA_CONSENT, RA_AGREEMENT, RA_ASSESS, RA_START, RA_REVIEW, RA_REFER_OUT,
  RA_TRANSFER, RA_MOVE, RA_RELAPSE, RA_DISCHARGE, RA_CLOSE, RA_FOLLOWUP,
  RA_EXPIRE,          /* the sweep: waiting limit passed (not an API action) */
  RA_COUNT
};

/* What the deadline of a status is counted from and how. */
enum ref_deadline {
  DL_NONE,            /* no deadline */
  DL_WORKDAYS,        /* REFERRAL_WORKDAYS working days from entering the status */
  DL_WAIT_LIMIT,      /* the region's waiting-list limit (months) from waitlisted_at */
  DL_FOLLOWUP         /* the follow-up visit date, until it is recorded */
};

#define REFERRAL_WORKDAYS 5

const char *ref_status_name(enum ref_status s);      /* "submitted", ... */
const char *ref_status_label(enum ref_status s);     /* 待初核, ... */
enum ref_status ref_status_parse(const char *s);     /* RS_NONE when unknown */
bool ref_status_open(enum ref_status s);             /* not an end state */
/* The step 1..7 of the national procedure; `reviewed` moves in_service from 5 to 6. */
int ref_step(enum ref_status s, bool reviewed);
const char *ref_step_label(int step);
enum ref_deadline ref_status_deadline(enum ref_status s);

const char *ref_action_name(enum ref_action a);      /* "register", ... */
const char *ref_action_label(enum ref_action a);     /* 初核登记, ... */
enum ref_action ref_action_parse(const char *s);     /* RA_COUNT when unknown (RA_EXPIRE too) */

/* The status after `a` from `from`: RS_NONE when illegal. Actions that keep the status
 * (consent, agreement, assess, review, followup) return `from`. `move` returns
 * RS_DISPATCHED; the API turns it into RS_REGISTERED or RS_MOVED by what the body names. */
enum ref_status referral_next(enum ref_status from, enum ref_action a);

/* Great-circle distance in km (haversine, mean earth radius). */
double geo_distance_km(double lat1, double lng1, double lat2, double lng2);

#endif
