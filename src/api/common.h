/* common.h: what every API handler needs — typed checks of JSON body fields (unknown fields
 * are an error), paging, the policy check that also audits a refusal, and audit records.
 * Messages are built in the request arena. */
#ifndef JK_API_COMMON_H
#define JK_API_COMMON_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "http/server.h"
#include "sec/policy.h"

/* The request body as one JSON object (caller decrefs), or NULL after replying (400, 413, 415). */
json_t *req_body(struct req *r);
/* 400 unknown_field for any key of o not in the NULL-terminated list. */
bool body_only(struct req *r, json_t *o, const char *const *allowed);
/* A string field: absent or null → *out NULL (400 missing_field when required); not a string,
 * empty after trimming, or longer than maxlen characters → 400 invalid_field. Trims spaces. */
bool body_str(struct req *r, json_t *o, const char *key, bool required, size_t maxlen, const char **out);
/* A field every record must have: required on create; on update it may be left out, but when
 * present it may not be blank or null. */
bool body_kept_str(struct req *r, json_t *o, const char *key, bool create, size_t maxlen, const char **out);
/* A field of a record being created (create) or patched: on a patch an absent key leaves *out
 * as it is, and null clears it unless `kept` (a field every record must have). */
bool body_set_str(struct req *r, json_t *o, const char *key, bool kept, bool create, size_t maxlen, const char **out);
/* An integer field in [min, max]. *present tells whether it was given. */
bool body_int(struct req *r, json_t *o, const char *key, bool required, int64_t min, int64_t max,
              int64_t *out, bool *present);
bool body_bool(struct req *r, json_t *o, const char *key, bool *out, bool *present);
/* A date "YYYY-MM-DD" (past_only: not after today, Shanghai). */
bool body_date(struct req *r, json_t *o, const char *key, bool required, bool past_only, const char **out);
/* A location {"lat","lng"} inside China (latitude 3–54, longitude 73–136). */
bool body_location(struct req *r, json_t *v, double *lat, double *lng);
/* Seals `plain` (sec/crypto.h, associated data `ad`) as base64 text in the request arena: for
 * sealed values kept inside JSON columns (guardians' and reporters' phones). */
const char *sealed_b64(struct req *r, const char *ad, const char *plain);
/* Replies 400 invalid_field "<label>无效" for key. Always returns false. */
bool bad_field(struct req *r, const char *key, const char *message);

/* ?page=&page_size= (page_size ≤ 100). False after replying 400. */
bool page_params(struct req *r, int64_t *limit, int64_t *offset, int64_t *page);
json_t *page_envelope(json_t *items, int64_t total, int64_t page, int64_t page_size);

/* Asks the policy; on refusal replies (403 or 404), audits a `denied` entry, returns false. */
bool allowed(struct req *r, enum action act, const struct policy_object *o, const char *type,
             const char *id);

/* Audit: `audit_note` queues the record (reads, searches, denials); `audit_change` appends
 * inside the current write transaction (creates, updates) with result "ok", `audit_write` with
 * the result given (a failed login that also changes the failure count). */
void audit_note(struct req *r, const char *action, const char *type, const char *id,
                const char *result, const char *detail);
jk_status audit_change(struct req *r, const char *action, const char *type, const char *id,
                       const char *detail);
jk_status audit_write(struct req *r, const char *action, const char *type, const char *id,
                      const char *result, const char *detail);

const char *iso_time(struct req *r, int64_t ms);
/* A region code from a query or body, normalized; NULL when absent. False after replying 400
 * (or 404 when `must_exist` and it is not in the table). */
bool region_param(struct req *r, const char *value, const char *field, bool must_exist, const char **out);
const char *region_name(struct req *r, const char *code);
/* Commits, or rolls back and replies with the error. Before committing, folds what the write
 * changed into the indicator aggregates (at most INDICATOR_FLUSH_PER_WRITE subjects; a change
 * that touches more, such as a new 规范服务 definition, leaves the rest to the minute sweep). */
#define INDICATOR_FLUSH_PER_WRITE 500
bool commit_or_reply(struct req *r);
/* For reveals and exports: the audit record is committed on its own before the values leave.
 * False after replying with the error. */
bool audit_committed(struct req *r, const char *action, const char *type, const char *id, const char *detail);

#endif
