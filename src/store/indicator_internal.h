/* indicator_internal.h: what indicator_store.c shares with indicator_rebuild.c (the store's own
 * business; nothing outside src/store/ includes it). */
#ifndef JK_INDICATOR_INTERNAL_H
#define JK_INDICATOR_INTERNAL_H
#include "store/indicator_store.h"

struct defs {
  int n;
  struct { char region[4]; struct std_definition d; } v[48];
};

/* The 规范服务 definitions stored by province ("" = national). */
jk_status ind_load_defs(struct db *db, struct defs *out);
/* The definition for a client living in `region`; *source (may be NULL) as in indicator_store_definition. */
const struct std_definition *ind_def_for(const struct defs *defs, const char *region, const char **source);
/* Column `col` of the current row as text into dst (`size` bytes, cut short when longer; "" for
 * NULL): the bulk paths copy millions of these. */
void ind_column_text(sqlite3_stmt *st, int col, char *dst, size_t size);
/* A stored date (YYYY-MM-DD) or instant (epoch ms) as a day number. */
bool ind_day_of(const unsigned char *text, int64_t *out);
int64_t ind_day_of_ms(int64_t ms);

/* A growing array of `size`-byte items (free(v) when done). */
struct ind_vec { void *v; size_t n, cap, size; };
/* Room for one more item at the end (uninitialized); NULL on out of memory. */
void *ind_vec_push(struct ind_vec *g);

/* Which services are psychological or family support, and what of a follow-up counts (SQL
 * fragments over service_attendance.type and assessment.answers). */
#define IND_PSYCH_TYPES "('counselling', 'family_support', 'family_peer')"
#define IND_FOLLOWUP_VISITED_OF(answers) "json_extract(" answers ", '$.classification') IN (1, 2, 3)"
#define IND_FOLLOWUP_MEDICATED_OF(answers)                                                                         \
  "(json_extract(" answers ", '$.adherence') IN (1, 2) OR json_extract(" answers ", '$.hospitalization') = 1)"
#define IND_FOLLOWUP_VISITED IND_FOLLOWUP_VISITED_OF("answers")
#define IND_FOLLOWUP_MEDICATED IND_FOLLOWUP_MEDICATED_OF("answers")
/* What an assessment counts as for the indicators (assessment.ind_kind, schema migration 8):
 * 1 a comprehensive assessment (intake, periodic); 2 a satisfaction survey, 3 a satisfied one;
 * 4 a follow-up visit, 5 one that found the client on medication or in hospital; 0 other. Every
 * INSERT INTO assessment sets it with this expression over its own values (SQL text: a column
 * name or a parameter); a trigger refuses a row whose ind_kind differs (its own copy of the
 * expression, frozen in the migration), so that the rebuild can read the index alone. */
#define IND_ASSESS_KIND(instrument, band, answers)                                                                 \
  "CASE WHEN " instrument " IN ('intake', 'periodic') THEN 1"                                                      \
  " WHEN " instrument " = 'satisfaction' THEN 2 + coalesce(" band " = 'satisfied', 0)"                             \
  " WHEN " instrument " = 'followup' AND " IND_FOLLOWUP_VISITED_OF(answers) " THEN 4 + coalesce("                  \
  IND_FOLLOWUP_MEDICATED_OF(answers) ", 0) ELSE 0 END"

struct client_now {
  bool exists;
  char region[16];
  int64_t org_rid;
  struct client_facts f;
};
/* A client's facts from eleven columns from `col`: reg_m, exit_m, first, n, std, served, fu, med,
 * psych, sat, sat_ok (severe and in_service are left false). */
void ind_facts_decode(sqlite3_stmt *st, int col, struct client_facts *f);
/* Stores (or, when !c->exists, deletes) a client's facts row. */
jk_status ind_client_put(struct db *db, int64_t rid, const struct client_now *c);
/* A stored facts row from 15 columns from `col`: region, org_rid, severe, in_service, then as
 * ind_facts_decode. */
void ind_client_decode(sqlite3_stmt *st, int col, struct client_now *out);
/* Whether two clients' rows would be stored the same (the bit strings as far as they are kept). */
bool ind_client_same(const struct client_now *a, const struct client_now *b);

struct staff_now {
  bool exists;
  char region[16];
  int64_t org_rid;
  struct staff_facts f;
};
jk_status ind_staff_compute(struct db *db, int64_t rid, struct staff_now *out);
jk_status ind_staff_put(struct db *db, int64_t rid, const struct staff_now *s);
/* The service-record counts (by county and institution, by month) into `table` (ind_agg or ind_check). */
jk_status ind_svc_counts(struct db *db, const char *table);

/* Where a subject's contributions go: the nation, each prefix of its region code down to the
 * township, its organization (each metric is kept at some of them: ind_metric_levels). */
struct scopes {
  int n;
  int level[6];
  char scope[6][24];
};
void ind_scopes_of(const char *region, int64_t org_rid, struct scopes *s);
/* Adds sign × each contribution to the aggregates (table 0 ind_agg, 1 ind_check) of every scope. */
jk_status ind_apply(struct db *db, int table, const struct scopes *s, const struct contrib_list *l, int sign);
/* Moves the aggregates from (old scopes, old list) to (new scopes, new list). */
jk_status ind_move(struct db *db, int table, const struct scopes *os, const struct contrib_list *ol,
                   const struct scopes *ns, const struct contrib_list *nl);

/* ---- referrals (indicator_referral.c) ---- */
struct referral_now {
  bool exists;
  char region[16];
  int64_t org_rid;
  struct contrib_list l;
};
/* A referral's contributions now, from the raw records. */
jk_status ind_referral_compute(struct db *db, int64_t rid, struct referral_now *out);
/* Folds one referral's change into the aggregates. */
jk_status ind_referral_refresh(struct db *db, int64_t rid);
/* Stores (or, when !r->exists, deletes) a referral's row. */
jk_status ind_referral_put(struct db *db, int64_t rid, const struct referral_now *r);
/* Whether the stored row in `st` (region, org_rid, contrib from `col`) is what `r` would store. */
bool ind_referral_same(sqlite3_stmt *st, int col, const struct referral_now *r);
/* Every referral in rid order, computed by two merged scans (the rebuild); fn per referral. */
jk_status ind_referral_each(struct db *db, jk_status (*fn)(void *ctx, int64_t rid, const struct referral_now *r),
                            void *ctx, int64_t *count);

#endif
