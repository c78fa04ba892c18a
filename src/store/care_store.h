/* care_store.h: a client's care record — instrument definitions, assessments (append-only
 * versions), what falls due next, alerts, rehab plans (append-only versions) and the care team.
 *
 * Reads that feed a response come back as JSON rows (db_rows_json: public ids only, never a
 * rowid); writes take records. Personal values (team members' phones) arrive sealed. */
#ifndef JK_CARE_STORE_H
#define JK_CARE_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

/* ---- instruments ---- */
/* Stores definition text as (id, version) unless present. JK_ECONFLICT when that version is
 * stored with other text (a changed file must raise its version); *added tells a new row. */
jk_status instrument_store_put(struct db *db, const char *id, int version, const char *definition, int64_t now,
                               bool *added);
/* Calls fn for every stored definition, oldest version first. */
jk_status instrument_store_each(struct db *db, void (*fn)(void *ctx, const char *definition), void *ctx);

/* ---- assessments ---- */
struct assessment_rec {
  int64_t rid;
  const char *id, *series;
  int version;
  int64_t client_rid, org_rid;
  const char *client_id;            /* filled on read */
  const char *instrument;
  int instrument_version;
  const char *date, *answers_json;
  bool has_score;
  int64_t score;
  const char *band, *band_label, *flags_json, *signatures_json, *next_due, *outcome;
  const char *author_id, *author_name, *reason;
  int64_t created_at;
};
jk_status assessment_store_insert(struct db *db, struct assessment_rec *a);
/* The record with public id `id` (any version) and the client it belongs to. */
jk_status assessment_store_by_id(struct db *db, struct arena *a, const char *id, struct assessment_rec *out);
/* The highest version of a series. */
jk_status assessment_store_latest(struct db *db, const char *series, int *version);
/* A client's assessments as JSON rows, newest date first: current versions only, or (series
 * non-NULL) every version of one series. */
jk_status assessment_store_list(struct db *db, int64_t client_rid, const char *instrument, const char *series,
                                int64_t limit, json_t *rows);

/* ---- due dates and alerts ---- */
jk_status care_due_set(struct db *db, int64_t client_rid, const char *kind, const char *due_date, int64_t org_rid,
                       const char *region);
/* Items due on or before `until` for an organization (org_rid) or a region subtree. */
jk_status care_due_list(struct db *db, int64_t org_rid, const char *region, const char *until, int64_t limit,
                        json_t *rows);
jk_status care_due_of_client(struct db *db, int64_t client_rid, json_t *rows);

jk_status alert_store_insert(struct db *db, const char *id, int64_t client_rid, int64_t org_rid, const char *region,
                             const char *kind, const char *label, int64_t assessment_rid, int64_t now);
/* Open (unacknowledged) alerts of an organization or region; or all of one client (client_rid). */
jk_status alert_store_list(struct db *db, int64_t org_rid, const char *region, int64_t client_rid, int64_t limit,
                           json_t *rows);
/* The client an alert concerns; JK_ENOTFOUND when none. */
jk_status alert_store_client(struct db *db, const char *id, int64_t *client_rid, int64_t *ack_at);
jk_status alert_store_ack(struct db *db, const char *id, const char *by, const char *note, int64_t now);

/* ---- rehab plans ---- */
struct plan_rec {
  int64_t rid;
  const char *id, *series;
  int version;
  int64_t client_rid, org_rid;
  const char *start_date, *review_date, *goals_json, *services_json, *note, *author_id, *author_name;
  int64_t created_at;
};
jk_status plan_store_insert(struct db *db, struct plan_rec *p);
/* The client's current plan (highest rid) as one JSON row, or JSON null; and every version. */
jk_status plan_store_current(struct db *db, int64_t client_rid, json_t **row);
jk_status plan_store_versions(struct db *db, int64_t client_rid, json_t *rows);
/* Services of each type the client attended from `from` to `to` (inclusive): {type: count}. */
jk_status plan_store_attended(struct db *db, int64_t client_rid, const char *from, const char *to, json_t *counts);

/* ---- care team ---- */
struct team_rec {
  int64_t rid;
  const char *id;
  int64_t client_rid;
  const char *role, *name, *phone_masked, *unit, *next_step, *next_step_due;
  const void *phone_enc;
  size_t phone_len;
  bool responsible;
  int64_t created_at, updated_at;
};
jk_status team_store_insert(struct db *db, struct team_rec *t);
/* Updates every field of the member `t->id` of client t->client_rid; JK_ENOTFOUND when none. */
jk_status team_store_update(struct db *db, const struct team_rec *t);
jk_status team_store_delete(struct db *db, int64_t client_rid, const char *id);
/* Only one member is responsible for the next step: clears the flag on the others. */
jk_status team_store_clear_responsible(struct db *db, int64_t client_rid, const char *except_id);
jk_status team_store_list(struct db *db, int64_t client_rid, json_t *rows);
jk_status team_store_by_id(struct db *db, struct arena *a, int64_t client_rid, const char *id, struct team_rec *out);

#endif
