/* referral_store.h: referrals and their timeline (referral_event). JSON columns (need,
 * consent, assessment, reporter, informed_consent, agreement, outcome_detail) are text
 * validated by the API layer (api/referrals.c). Instants are epoch ms, 0 for "none". */
#ifndef JK_REFERRAL_STORE_H
#define JK_REFERRAL_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct referral_rec {
  int64_t rid;
  const char *id, *receipt;
  int64_t client_rid;
  const char *region, *source, *reporter_json;
  int64_t from_org_rid, org_rid, prev_org_rid;
  const char *status, *need_json, *consent_json, *assessment_json, *informed_consent_json, *agreement_json;
  const char *outcome, *outcome_detail_json;
  bool urgent;
  int64_t due_at, waitlisted_at, reviewed_at, followup_due, followup_done, overdue_sent;
  bool has_location;
  double lat, lng;
  const char *idem_key;
  unsigned char idem_hash[32];
  bool has_idem_hash;
  const char *created_by;
  int64_t submitted_at, created_at, updated_at;
  /* filled on read (joins) */
  const char *client_id, *client_name, *client_id_masked, *client_birth_date, *client_region;
  int client_sex;
  const char *from_org_id, *from_org_name, *org_id, *org_name, *org_kind, *org_phone;
};

struct referral_event {
  int64_t referral_rid, time, org_rid;
  const char *action, *from_status, *to_status, *actor_id, *actor_name, *actor_role, *reason, *detail_json;
  const char *org_id, *org_name;   /* filled on read */
};

jk_status referral_store_insert(struct db *db, struct referral_rec *r);   /* sets r->rid */
/* Writes every mutable column of r (status, organizations, documents, deadlines...). */
jk_status referral_store_update(struct db *db, const struct referral_rec *r);
jk_status referral_store_by_id(struct db *db, struct arena *a, const char *id, struct referral_rec *out);
jk_status referral_store_by_receipt(struct db *db, struct arena *a, const char *receipt, struct referral_rec *out);
jk_status referral_store_by_idem(struct db *db, struct arena *a, const char *created_by, const char *key,
                                 struct referral_rec *out);
jk_status referral_store_add_event(struct db *db, const struct referral_event *e);
jk_status referral_store_events(struct db *db, struct arena *a, int64_t referral_rid, struct referral_event **out,
                                int64_t *n);

/* A list: `statuses` is a JSON array text of status names (never NULL: pass every status for
 * all). Scope: region subtree, or org_any (held by or referred by that organization). */
struct referral_query {
  const char *statuses;
  const char *region;
  int64_t org_any;
  int64_t org;             /* held by exactly this organization; 0 any */
  int64_t from_org;        /* referred by exactly this organization; 0 any */
  const char *source;
  int64_t client_rid;
  int64_t overdue_at;      /* only those whose deadline passed before this instant; 0 any */
  int64_t followup_by;     /* only closed ones with a follow-up due before this and not done; 0 any */
  bool by_due;             /* order: deadline first (work lists); else newest first */
  int64_t limit, offset;
};
jk_status referral_store_list(struct db *db, struct arena *a, const struct referral_query *q,
                              struct referral_rec **out, int64_t *n, int64_t *total);

/* Places taken at an institution (accepted or in service) and its waiting list length. */
jk_status referral_store_load(struct db *db, int64_t org_rid, int64_t *occupied, int64_t *waiting);
/* 1-based position on its institution's waiting list. */
int64_t referral_store_wait_position(struct db *db, const struct referral_rec *r);

/* Rehab institutions in a region subtree with their load, for dispatch suggestions. */
struct referral_candidate {
  int64_t rid;
  const char *id, *name, *region, *address, *functions_json;
  bool has_location;
  double lat, lng;
  int64_t capacity, occupied, waiting;
};
jk_status referral_store_candidates(struct db *db, struct arena *a, const char *region,
                                    struct referral_candidate **out, int64_t *n);

/* For the sweep: waiting-list placements whose limit passed (status waitlisted, due_at ≤ as_of),
 * and open referrals past their deadline not yet announced (overdue_sent < due_at). */
jk_status referral_store_expired_waits(struct db *db, struct arena *a, int64_t as_of, int64_t limit,
                                       struct referral_rec **out, int64_t *n);
/* after = {due_at, rid} of the last row of the previous batch ({0, 0} at first): keyset paging,
 * so each batch starts where the last ended instead of re-reading what was announced. */
jk_status referral_store_newly_overdue(struct db *db, struct arena *a, int64_t as_of, const int64_t after[2],
                                       int64_t limit, struct referral_rec **out, int64_t *n);
jk_status referral_store_mark_overdue_sent(struct db *db, int64_t rid, int64_t due_at);

/* Counts by status in a region subtree (officials' overview), and those overdue at `now`. */
struct referral_region_count {
  const char *region;      /* the child region (prefix of `child_len` digits) */
  const char *status;
  int64_t n, overdue;
};
jk_status referral_store_region_counts(struct db *db, struct arena *a, const char *region, int child_len,
                                       int64_t now, struct referral_region_count **out, int64_t *n);

#endif
