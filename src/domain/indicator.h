/* indicator.h: the officials' indicators as definitions, and what each subject (a client, a
 * staff member, a service record) contributes to them. Pure functions: the store gathers a
 * subject's inputs, this module turns them into facts and the facts into contributions, and the
 * store adds contributions up by region and period (docs/internals/indicators.md).
 *
 * Months are counted from 2000-01 (month 0). Periods are months, quarters and years; a query
 * for any other range is answered month by month. A contribution is (metric, period, value):
 *   reg, exit      a client entering / leaving the register (flows in the month they happen)
 *   std            the client received standardized services (规范服务) over the period
 *   served         the client received at least one service in the period
 *   severe_*       reg, exit, std and served for clients with a severe mental disorder; and
 *                  their managed, fu (在管), med and psych (client_managed … client_psych)
 *   sat, sat_ok    clients surveyed for satisfaction in the period; whose last survey was satisfied
 *   svc            a service record delivered in the period (counted by triggers, by the
 *                  institution's county and by institution)
 *   staff, staff_rel, staff_direct   staff now employed; with a relevant major; in direct service
 *   staff_tr20     direct-service staff with ≥ 20 training hours in the year
 *   in_service     a client receiving services now (a stock; by institution: occupancy)
 * Stocks (clients on the register during a period) are sums of flows, so that a client who
 * stays registered for years touches two rows, not one per month. */
#ifndef JK_INDICATOR_H
#define JK_INDICATOR_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IND_NO_EXIT INT32_MAX
#define IND_MAX_MONTHS 1200           /* 2000-01 .. 2099-12 */
#define IND_BITS_BYTES (IND_MAX_MONTHS / 8)

static inline int ind_month(int y, int m) { return (y - 2000) * 12 + (m - 1); }
static inline int ind_month_year(int mi) { return 2000 + mi / 12; }
static inline int ind_month_of_year(int mi) { return mi % 12 + 1; }
/* The month of a day number (days since 1970-01-01). */
int ind_month_of_day(int64_t day);
int64_t ind_month_first_day(int month);
int64_t ind_month_last_day(int month);

/* ---- periods ---- */
enum period_kind { PK_MONTH, PK_QUARTER, PK_YTD, PK_YEAR, PK_STOCK };
struct period { enum period_kind kind; int first, last; };   /* months, inclusive */
/* "M2025-03", "Q2025-1", "T2025-10" (January to October: year to date), "Y2025"; "" for a
 * stock (now). out needs 10 bytes. */
void period_key(const struct period *p, char out[10]);
/* The standard period (month, quarter, year to date, year) covering exactly months
 * first..last; false when the range is none of them. */
bool period_standard(int first, int last, struct period *out);

/* ---- 规范服务: the definition ---- */
/* Jingkang's default (the national texts give none): in each month of the period during which
 * the client is on the register, from the month after registration on, the client has informed
 * consent and a service agreement in force, a comprehensive assessment (intake or periodic)
 * dated within the last 12 months, a current rehab plan (started, review date not passed before
 * the month began) and at least one service attended. A province may change each part. */
struct std_definition {
  bool require_agreement;
  int assessment_months;    /* 0: no assessment required */
  bool require_plan;
  int min_services;         /* attended services in the month, ≥ 1 */
};
void std_definition_default(struct std_definition *d);
/* Parses {"require_agreement":bool,"assessment_months":0..36,"require_plan":bool,
 * "min_services":1..31}; missing keys keep the default. False with *field and *msg (Chinese)
 * on anything else. */
bool std_definition_parse(json_t *j, struct std_definition *out, const char **field, const char **msg);
json_t *std_definition_json(const struct std_definition *d);
/* The definition in one Chinese sentence, for reports ("每月：知情同意与服务协议有效；…"). */
void std_definition_text(const struct std_definition *d, char *out, size_t size);
bool std_definition_equal(const struct std_definition *a, const struct std_definition *b);

/* ---- a client ---- */
struct day_span { int64_t from, to; };   /* days, inclusive; to = INT64_MAX when open */
/* A dated yes/no: a follow-up visit (随访, instrument "followup") that reached the client (访到)
 * and whether it found them taking medication (regularly or intermittently) or in hospital; a
 * satisfaction survey and whether it came out satisfied (满意). */
struct day_flag { int64_t day; bool yes; };
struct client_inputs {
  int64_t reg_day, exit_day;          /* exit_day < 0: still registered */
  bool severe;
  bool in_service;                    /* receiving services now (status in_service): occupancy */
  const int64_t *service_days; size_t n_services;     /* attended services, any order */
  const int64_t *assessment_days; size_t n_assessments;
  const struct day_span *plans; size_t n_plans;       /* start .. review date */
  const struct day_span *agreements; size_t n_agreements; /* consent and agreement both signed .. referral end */
  const int64_t *psych_days; size_t n_psych;          /* attended psychological or family support (心理疏导, 家庭支援) */
  const struct day_flag *followups; size_t n_followups;
  const struct day_flag *surveys; size_t n_surveys;
};
/* What is kept of a client between writes: months on the register, and bit i of each string
 * for month first + i (first = the registration month): std 规范服务, served, and for severe
 * clients only fu (visited by a follow-up that month), med (that month's last visit found them
 * on medication or in hospital), psych (psychological or family support that month); for all,
 * sat and sat_ok (a satisfaction survey that month; the month's last one satisfied). */
struct client_facts {
  int reg_m, exit_m;                  /* exit_m = IND_NO_EXIT when registered now */
  bool severe, in_service;
  int first, n;                       /* months of the bit strings */
  uint8_t std[IND_BITS_BYTES], served[IND_BITS_BYTES];
  uint8_t fu[IND_BITS_BYTES], med[IND_BITS_BYTES], psych[IND_BITS_BYTES];
  uint8_t sat[IND_BITS_BYTES], sat_ok[IND_BITS_BYTES];   /* surveyed that month; its last survey satisfied */
};
void client_facts_compute(const struct client_inputs *in, const struct std_definition *d, struct client_facts *out);
/* Whether the client counts for months first..last: on the register (registered by the end,
 * not left before the start); and whether it received standardized services over them (every
 * month on the register from the month after registration, at least one such month); served:
 * at least one service in them. */
bool client_on_register(const struct client_facts *f, int first, int last);
bool client_standardized(const struct client_facts *f, int first, int last);
bool client_served(const struct client_facts *f, int first, int last);
/* Severe clients (严重精神障碍管理治疗工作规范 indicators, as local specifications count them):
 * managed (规范管理) — in every month on the register from the month after registration there
 * was a visit in it or the two months before (no gap between visits longer than 3 months);
 * followed (在管) — visited in the period; medicated (服药) — the period's last visit found them
 * taking medication or in hospital; psych — psychological or family support in the period. */
bool client_managed(const struct client_facts *f, int first, int last);
bool client_followed(const struct client_facts *f, int first, int last);
bool client_medicated(const struct client_facts *f, int first, int last);
bool client_psych(const struct client_facts *f, int first, int last);
/* Surveyed for satisfaction in the period; and the period's last survey satisfied. */
bool client_surveyed(const struct client_facts *f, int first, int last);
bool client_satisfied(const struct client_facts *f, int first, int last);

/* ---- contributions ---- */
/* The metrics, in the alphabetical order of their stored names (the aggregates' key order). The
 * out_* and ref_* ones are a referral's (monthly flows, by the month the event happened):
 *   ref_new, ref_reg, ref_disp        referrals submitted / registered (初核登记) / first dispatched
 *   ref_reg_ot, ref_disp_ot           … within 5 working days of submission / of registration
 *   ref_wait                          service began: a histogram of the days waited since
 *                                     submission (bucket = days, IND_WAIT_BUCKETS − 1 = that many or more)
 *   ref_over3                         still waiting (not in service, not ended) 3 months after submission
 *   ref_rerefer                       re-referred (复核意愿并重新转介) after a decline or a wait
 *   out_emp_*, out_home               referred out to employment (by type) / home-based rehab
 *   out_transfer, out_relapse         transferred to another institution / back to hospital (relapse)
 *   out_moved, out_closed             moved out of the system's area / closed (结案);
 *   out_closed_fu                     closed and the follow-up visit (回访) recorded */
enum ind_metric {
  IM_EXIT, IM_IN_SERVICE, IM_OUT_CLOSED, IM_OUT_CLOSED_FU, IM_OUT_EMP_ASSISTED, IM_OUT_EMP_RECOMMENDED,
  IM_OUT_EMP_SHELTERED, IM_OUT_HOME, IM_OUT_MOVED, IM_OUT_RELAPSE, IM_OUT_TRANSFER, IM_REF_DISP, IM_REF_DISP_OT,
  IM_REF_NEW, IM_REF_OVER3, IM_REF_REG, IM_REF_REG_OT, IM_REF_REREFER, IM_REF_WAIT, IM_REG, IM_SAT, IM_SAT_OK, IM_SERVED,
  IM_SEVERE_EXIT, IM_SEVERE_FU, IM_SEVERE_MANAGED, IM_SEVERE_MED, IM_SEVERE_PSYCH, IM_SEVERE_REG, IM_SEVERE_SERVED,
  IM_SEVERE_STD, IM_STAFF, IM_STAFF_DIRECT, IM_STAFF_REL, IM_STAFF_TR20, IM_STD, IM_SVC, IM_COUNT
};
#define IND_WAIT_BUCKETS 121
const char *ind_metric_name(enum ind_metric m);   /* "exit", "in_service", ... */
/* Where a metric is kept: by region down to `region_level` (0 nation … 4 township; -1 none) and,
 * when `by_org`, by organization. Client figures stop at the county (a township or an
 * institution is a few hundred clients: answered from the facts), a client receiving services
 * now counts for its institution only (occupancy), staff go everywhere (they are few), service
 * records by their institution and its county (kept by triggers, never rolled up). */
struct metric_levels { int region_level; bool by_org; };
struct metric_levels ind_metric_levels(enum ind_metric m);

/* (metric, period, value): the period is a kind and its last month (a stock has neither); a
 * histogram's contributions (ref_wait) also name their bucket. */
struct contribution { uint8_t metric, kind, bucket; uint16_t month; int32_t value; };
struct contrib_list { struct contribution *v; size_t n, cap; };
void contrib_free(struct contrib_list *l);
/* The period of a contribution, and its key as stored ("M2025-03", … "" for a stock; a
 * histogram's with its bucket: "M2025-03/017"). */
struct period contrib_period(const struct contribution *c);
void contrib_period_key(const struct contribution *c, char out[16]);
/* A contribution list as stored (8 bytes each) and back; decode false on a malformed blob. */
size_t contrib_encoded_size(const struct contrib_list *l);
void contrib_encode(const struct contrib_list *l, unsigned char *out);
bool contrib_decode(const unsigned char *blob, size_t n, struct contrib_list *out);
/* Appends a subject's contributions (no duplicates, in no particular order). False on out of
 * memory. */
bool client_contributions(const struct client_facts *f, struct contrib_list *out);

/* A referral: its submission and its events in time order (days since 1970-01-01, Shanghai
 * dates); out_type is the refer_out event's type ("employment_sheltered", "home", …) or NULL.
 * Working days from the calendar (domain/workday.h; NULL: plain weekends). */
struct workcal;
struct referral_event_in { int64_t day; const char *action, *to_status, *out_type; };
struct referral_inputs {
  int64_t submitted_day;
  const struct referral_event_in *events;
  size_t n_events;
  const struct workcal *cal;
};
bool referral_contributions(const struct referral_inputs *in, struct contrib_list *out);

struct staff_facts {
  bool active, relevant, direct;
  int n_years;
  int trained_years[64];              /* years with ≥ 20 training hours, ascending */
};
bool staff_contributions(const struct staff_facts *f, struct contrib_list *out);
/* Sorts by (metric, period kind, month) and merges equal keys (values added, zero sums dropped). */
void contrib_normalize(struct contrib_list *l);

/* ---- the catalogue ---- */
enum ind_unit { IU_PERCENT, IU_COUNT, IU_DAYS };
struct indicator_def {
  const char *group;                  /* 服务覆盖, 转介, 结局, 严重精神障碍, 人员, 能力 */
  const char *id, *name, *numerator, *denominator, *note;
  enum ind_unit unit;
  int targets[3][2];                  /* {year, percent}, by year ascending; {0, 0} unused */
  int target_all_years;               /* a target that holds every year (percent), or -1 */
};
const struct indicator_def *indicator_defs(size_t *n);
const struct indicator_def *indicator_find(const char *id);
/* The target for the year (the latest year's when past the table; -1 before it or none). */
int indicator_target(const struct indicator_def *d, int year);

#endif
