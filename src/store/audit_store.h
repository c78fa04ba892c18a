/* audit_store.h: the audit table's SQL. The chain itself (what is hashed, how it is checked)
 * is sec/audit.c; this file only stores and fetches rows. */
#ifndef JK_AUDIT_STORE_H
#define JK_AUDIT_STORE_H
#include <stdint.h>
#include "store/db.h"

struct arena;

struct audit_row {
  int64_t seq, time;
  const char *user_id, *username, *role, *action, *object_type, *object_id, *result, *request_id,
      *detail;
  unsigned char hash[32];
};

/* Last row's seq and hash (seq 0 and a zero hash for an empty table). */
jk_status audit_store_tail(struct db *db, int64_t *seq, unsigned char hash[32]);
/* Inserts a row; the caller holds the write transaction. */
jk_status audit_store_insert(struct db *db, const struct audit_row *r);
jk_status audit_store_get_head(struct db *db, struct arena *a, char **value);
jk_status audit_store_set_head(struct db *db, const char *value);
/* Calls fn for every row in seq order until fn returns false. Strings are borrowed for the
 * call only. */
jk_status audit_store_scan(struct db *db, bool (*fn)(const struct audit_row *r, void *ctx), void *ctx);

/* Rows with seq >= from, in seq order (audit_store_scan from 1). */
jk_status audit_store_scan_from(struct db *db, int64_t from,
                                bool (*fn)(const struct audit_row *r, void *ctx), void *ctx);
/* The audit bookkeeping in meta: 'audit_exported_seq' (the last seq written to an export) and
 * 'audit_anchor' (the signed seq and hash that verification starts after, once pruned). */
jk_status audit_store_meta_get(struct db *db, struct arena *a, const char *key, char **value);
jk_status audit_store_meta_set(struct db *db, const char *key, const char *value);
/* The last seq that is <= max_seq and all of whose predecessors are older than before_ms
 * (0 when none); and the hash of row seq (JK_ENOTFOUND when absent). */
jk_status audit_store_prunable(struct db *db, int64_t before_ms, int64_t max_seq, int64_t *seq);
jk_status audit_store_hash_at(struct db *db, int64_t seq, unsigned char hash[32]);
/* Deletes the rows with seq <= upto. The append-only trigger is dropped and re-created inside
 * the caller's write transaction, so it is never absent from a committed state. */
jk_status audit_store_delete_upto(struct db *db, int64_t upto);

struct audit_query {
  const char *username, *object_type, *object_id, *action;
  int64_t from, to;   /* 0 = open */
  int64_t limit, offset;
};
/* Rows matching q, newest first, into an arena array; *total counts all matches. */
jk_status audit_store_query(struct db *db, struct arena *a, const struct audit_query *q,
                            struct audit_row **rows, int64_t *n, int64_t *total);

#endif
