/* staff_store.h: staff records of organizations (and referral workers of a region) and their
 * training. The yearly hours and the needs-assessment training count come with each list row so
 * that a manager's table is one query. Hours are kept in tenths (hours_x10) to be exact. */
#ifndef JK_STAFF_STORE_H
#define JK_STAFF_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct staff_rec {
  int64_t rid;
  const char *id;
  int64_t org_rid;                 /* 0 for a referral worker of a region */
  const char *region;              /* the organization's region, or the worker's */
  const char *name, *profession, *degree, *major, *major_field, *certificates_json, *hired_on, *created_by;
  bool direct_service, referral_worker, active;
  int64_t created_at, updated_at;
};

jk_status staff_store_insert(struct db *db, struct staff_rec *s);
jk_status staff_store_update(struct db *db, const struct staff_rec *s);
jk_status staff_store_by_id(struct db *db, struct arena *a, const char *id, struct staff_rec *out);
/* Staff of an organization (org_rid), or of a region subtree, as JSON rows with `hours_x10`
 * trained between from and to (a year) and `needs_assessment_trainings`. */
jk_status staff_store_list(struct db *db, int64_t org_rid, const char *region, const char *from, const char *to,
                           bool active_only, json_t *rows);
/* The same row as the list gives, for one staff member (rid), appended to rows. */
jk_status staff_store_row(struct db *db, int64_t rid, const char *from, const char *to, json_t *rows);

struct training_rec {
  const char *id;
  int64_t staff_rid;
  const char *kind, *date, *topic, *provider, *created_by;
  int64_t hours_x10;
  bool needs_assessment;
  int64_t created_at;
};
jk_status training_store_insert(struct db *db, const struct training_rec *t);
jk_status training_store_list(struct db *db, int64_t staff_rid, json_t *rows);

#endif
