/* gen_store.h: the rows the data generators write directly (cli/cmd_gen_history.c: a history
 * for existing clients, and a national-scale data set for the indicator benchmark).
 *
 * Raw rows with bound parameters and cached statements, no validation beyond the schema's: the
 * callers make plausible values. Every write goes through the tables' triggers, so the indicator
 * engine sees generated rows exactly as it sees the API's (ind_dirty, service counts). Personal
 * fields are never written here: clients come from gen_client (sealed as the API seals them). */
#ifndef JK_GEN_STORE_H
#define JK_GEN_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

/* A client the history generator may give a past: no referral, assessment, plan or service yet. */
struct gen_hclient {
  int64_t rid, org_rid;             /* org_rid 0: none */
  char region[16], status[12], org_kind[24];
  int64_t created_at;
  bool severe;
};
jk_status gen_store_history_clients(struct db *db, struct arena *a, struct gen_hclient **out, int64_t *n);

/* Registration and leaving: created_at, organization (0: none), status; exited_at (0: on the
 * register) becomes updated_at as well, so the exit trigger agrees whatever the old status. */
jk_status gen_store_client_history(struct db *db, int64_t rid, int64_t created_at, int64_t org_rid, const char *status,
                                   int64_t exited_at);

/* A client's status alone (a client still waiting for service: 'registered'). */
jk_status gen_store_client_status(struct db *db, int64_t rid, const char *status);

/* An organization (kind rehab_institution) and its staff; *rid gets the new rid. */
jk_status gen_store_org(struct db *db, const char *name, const char *region, int capacity, int64_t now, int64_t *rid);
jk_status gen_store_staff(struct db *db, int64_t org_rid, const char *region, const char *name, const char *profession,
                          const char *major_field, const char *degree, bool direct, const char *hired_on, int64_t now,
                          int64_t *rid, char id_out[37]);
/* Active staff of an organization: rid, id and name (arena). */
struct gen_staff { int64_t rid; const char *id, *name; };
jk_status gen_store_org_staff(struct db *db, struct arena *a, int64_t org_rid, struct gen_staff **out, int64_t *n);
jk_status gen_store_training(struct db *db, int64_t staff_rid, const char *date, int hours_x10, const char *topic,
                             int64_t now);

/* A referral and its events, in time order (the API's columns: each event's from and to status,
 * the organization it concerns, the actor's role; detail a JSON object or NULL). The referral row
 * is as its last event left it; consent_on / agreement_on (YYYY-MM-DD) NULL when not signed yet,
 * outcome NULL when none; 0 for an instant that is not set. */
struct gen_event {
  int64_t time, org_rid;            /* org_rid 0: none */
  const char *action, *from, *to, *role, *reason, *detail;
};
struct gen_referral {
  int64_t client_rid, org_rid, prev_org_rid, submitted, updated_at;
  const char *region, *source, *status, *consent_on, *agreement_on, *outcome;
  int64_t due_at, waitlisted_at, followup_due, followup_done;
  bool urgent;
  const struct gen_event *events;
  int n_events;
};
jk_status gen_store_referral(struct db *db, const struct gen_referral *r);
/* A comprehensive assessment ('intake' or 'periodic'; answers '{}'), a series of its own. */
jk_status gen_store_assessment(struct db *db, int64_t client_rid, int64_t org_rid, const char *instrument,
                               const char *date, int64_t created_at);
/* An assessment scored by the caller as the API scores it (instrument_check): answers and flags
 * JSON, score (has_score false: NULL), band id and label and next_due (NULL: none). */
struct gen_form {
  const char *instrument, *answers, *band, *band_label, *flags;
  int version;
  bool has_score;
  int64_t score;
};
jk_status gen_store_form(struct db *db, int64_t client_rid, int64_t org_rid, const struct gen_form *f, const char *date,
                         const char *next_due, int64_t created_at);
/* The severe flag of the clients rids[0..n) (ascending), in one scan. */
jk_status gen_store_severe(struct db *db, const int64_t *rids, int64_t n, uint8_t *out);
jk_status gen_store_plan(struct db *db, int64_t client_rid, int64_t org_rid, const char *start, const char *review,
                         int64_t created_at);
/* One service record and then its attendance rows. */
jk_status gen_store_service(struct db *db, int64_t org_rid, const char *type, bool group, const char *date,
                            int n_clients, int n_attended, const char *staff_json, int64_t created_at, int64_t *rid);
jk_status gen_store_attendance(struct db *db, int64_t client_rid, const char *date, int64_t record_rid, const char *type,
                               bool attended);

/* ---- the national data set ---- */
/* Each county (6 digits) with the number of its villages, in code order. */
struct gen_county { char code[7]; int64_t villages, first_village; };
/* Counties and every village code (12 characters + NUL, in code order, grouped by county). */
jk_status gen_store_divisions(struct db *db, struct gen_county **counties, int64_t *nc, char (**villages)[13],
                              int64_t *nv);
/* Bulk-load settings for the generator's own connection: no fsync, no foreign-key checks (the
 * generator makes only valid references), a large cache. Never on a
 * server's connection: a crash during generation may lose the generated data. */
jk_status gen_store_bulk_mode(struct db *db);

#endif
