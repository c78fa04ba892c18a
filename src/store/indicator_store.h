/* indicator_store.h: the indicator aggregates (docs/internals/indicators.md).
 *
 * Writes never touch the aggregates themselves: triggers (schema.c, migration 5) put each client
 * and staff member whose inputs changed into ind_dirty, and indicator_store_flush, called in the
 * same write transaction before it commits, recomputes their facts and moves the aggregates by
 * the difference between the old contributions and the new. Service records are counted by
 * triggers. So every path that writes — the API, the CLI, a generator, a hand-made SQL fix —
 * ends up counted, and what a flush has not reached yet is reported as pending.
 *
 * Levels: 0 the nation (scope ""), 1–4 province, prefecture, county, township (scope = region
 * code), 9 an organization (scope = its rid in decimal); which metric is kept where:
 * ind_metric_levels. What is not kept (client figures below counties, villages, ranges that are
 * no standard period) is answered from the facts. Subjects: 1 a client, 2 a staff member, 3 a
 * referral. */
#ifndef JK_INDICATOR_STORE_H
#define JK_INDICATOR_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "domain/indicator.h"
#include "store/db.h"

#define IND_LEVEL_ORG 9

/* Folds up to `limit` pending subjects into the aggregates; the caller holds the write
 * transaction. *done (may be NULL) gets how many. */
jk_status indicator_store_flush(struct db *db, int64_t limit, int64_t *done);
jk_status indicator_store_pending(struct db *db, int64_t *n);
/* Folds everything pending, `batch` subjects per write transaction (its own transactions);
 * progress (may be NULL) after each with the running count and `total` (for display). */
jk_status indicator_store_drain(struct db *db, int64_t batch, void (*progress)(void *ctx, int64_t done, int64_t total),
                                void *ctx, int64_t total, int64_t *subjects);
/* Drops every aggregate and fact and counts everything again from the raw records, in one write
 * transaction (writers wait; readers see the previous figures until it commits); progress after
 * every 100,000 clients and at the end, with `total` the number of clients. *subjects gets the
 * clients, staff and referrals counted. */
jk_status indicator_store_rebuild(struct db *db, void (*progress)(void *ctx, int64_t done, int64_t total), void *ctx,
                                  int64_t *subjects);
/* Recomputes every aggregate from the raw records, in memory, and compares it with the stored
 * one. Calls report for each difference (a line of text), *mismatches gets their number. */
jk_status indicator_store_check(struct db *db, void (*report)(void *ctx, const char *line), void *ctx,
                                int64_t *mismatches, int64_t *compared);

/* ---- 规范服务 definitions: "" = national default, else a province code ---- */
/* The definition in force for a province (its own, or the national one, or Jingkang's default);
 * *source (may be NULL) gets "province", "national" or "default". */
jk_status indicator_store_definition(struct db *db, const char *province, struct std_definition *out,
                                     const char **source);
/* Stores a definition and marks the clients it applies to for recomputation. */
jk_status indicator_store_set_definition(struct db *db, const char *region, const struct std_definition *d,
                                         const char *by, int64_t now, int64_t *marked);
/* Drops a province's own definition (the national one applies again); nothing to do if none. */
jk_status indicator_store_clear_definition(struct db *db, const char *region, int64_t *marked);

/* ---- reading ---- */
/* The value of a metric for one period key ("M2025-03", "Y2025", "" for stocks); 0 if none. */
jk_status indicator_store_value(struct db *db, int level, const char *scope, const char *metric, const char *period,
                                int64_t *out);
/* Sum of a monthly flow over every month up to and including month `upto`. */
jk_status indicator_store_flow_upto(struct db *db, int level, const char *scope, const char *metric, int upto,
                                    int64_t *out);
/* Counties within `prefix` ("" = all) with a service record in months first..last; and all
 * counties within it (from the division data). */
jk_status indicator_store_counties_served(struct db *db, const char *prefix, int first, int last, int64_t *out);
jk_status indicator_store_counties(struct db *db, const char *prefix, int64_t *out);
/* Service records of an organization (level 9) or a county (level 3) in months first..last. */
jk_status indicator_store_svc(struct db *db, int level, const char *scope, int first, int last, int64_t *out);

/* A referral flow (ref_*, out_*) summed over months first..last: counties and above (org_rid 0,
 * level ≤ 3) from the aggregates, a township, a village (scope = its code) or an institution
 * from its referrals; hist (IND_WAIT_BUCKETS values, may be NULL) gets ref_wait by bucket. */
jk_status indicator_store_referral_flow(struct db *db, int level, const char *scope, int64_t org_rid,
                                        enum ind_metric metric, int first, int last, int64_t *sum, int64_t *hist);

/* Places of the rehab institutions within `prefix` (or of one, org_rid ≠ 0) and the clients they
 * serve now. */
jk_status indicator_store_places(struct db *db, const char *prefix, int64_t org_rid, int64_t *places, int64_t *in_service);
/* Prefectures within `prefix` whose organizations have the functions 评估转介, 培训督导 and 服务示范,
 * and all prefectures within it. */
jk_status indicator_store_prefectures(struct db *db, const char *prefix, int64_t *with_functions, int64_t *all);

/* The de-identified extract: one row per client living within `region` and on the register in
 * months first..last, at most `limit` (the caller asks for one more to tell "too many"). The
 * strings are valid during the callback only; the caller decides what of them leaves. */
struct extract_row {
  const char *id, *birth_date, *region, *diagnosis, *status, *organization;
  int sex, disability_category, disability_grade;
  bool severe;
  struct client_facts facts;
};
jk_status indicator_store_extract(struct db *db, const char *region, int first, int last, int64_t limit,
                                  void (*fn)(void *ctx, const struct extract_row *row), void *ctx, int64_t *n);
jk_status indicator_store_extract_count(struct db *db, const char *region, int first, int last, int64_t *n);

/* Client figures counted from the facts (any range; villages; the check): clients whose
 * residence is within `region` (when non-NULL) or served by org_rid (when non-zero). */
struct client_tally { int64_t on_register, standardized, served, managed, followed, medicated, psych, surveyed, satisfied; };
jk_status indicator_store_scan(struct db *db, const char *region, int64_t org_rid, bool severe_only, int first,
                               int last, struct client_tally *out);

#endif
