/* audit.h: the append-only, hash-chained audit trail.
 *
 * Each row carries hash = BLAKE2b-256 keyed with the audit subkey over (previous row's hash ‖
 * canonical text of this row), the canonical text being every column joined by U+001F. Without
 * the key file nobody can recompute the chain, so an edited, inserted, deleted or reordered
 * row breaks it at that row. The last row's seq and hash are kept, MAC'd, in meta.audit_head,
 * so cutting rows off the end is detected too.
 *
 * Two ways in:
 *  - audit_append, inside the caller's write transaction: the record of a change commits or
 *    rolls back with the change itself;
 *  - audit_enqueue, for reads, searches and denials: the entry is copied to the queue of the
 *    background writer, which appends batches in one transaction every few milliseconds (one
 *    fsync for many reads). A crash can lose the reads of the last batch interval; changes
 *    are never unaudited. The queue is bounded: when full, the caller waits.
 * The queue is owned by the server's context (api/app.h) and stopped, after a final flush, at
 * shutdown. */
#ifndef JK_AUDIT_H
#define JK_AUDIT_H
#include <stdbool.h>
#include <stdint.h>
#include "base/status.h"

struct db;
struct keys;

struct audit_entry {
  const char *user_id, *username, *role;
  const char *action;       /* read, search, reveal, create, update, login, logout, denied, ... */
  const char *object_type;  /* client, organization, user, audit, session, token */
  const char *object_id;
  const char *result;       /* ok, denied, not_found, failed */
  const char *request_id;
  const char *detail;       /* never personal data: ids, counts, field names */
};

jk_status audit_append(struct db *db, const struct keys *k, const struct audit_entry *e);

struct audit_queue;
/* Starts the writer with its own connection to db_path. Caller owns the queue. */
jk_status audit_queue_start(const char *db_path, const struct keys *k, struct audit_queue **out);
void audit_enqueue(struct audit_queue *q, const struct audit_entry *e);
/* Blocks until everything queued before the call is committed. */
void audit_queue_flush(struct audit_queue *q);
void audit_queue_stop(struct audit_queue *q);   /* flushes, joins, frees */

struct audit_check {
  bool ok;
  int64_t entries;
  int64_t first_bad_seq;     /* 0 when ok */
  const char *why;           /* Chinese, static */
};
/* Checks the chain from seq 1, or, after a prune, from the signed anchor (its seq and hash;
 * a forged or damaged anchor fails). */
jk_status audit_verify(struct db *db, const struct keys *k, struct audit_check *out);

/* Export for an external archive (docs/internals/audit.md): JSON lines — a header, then each
 * entry with seq >= from (1 or the first kept after a prune when from is 0), with a signed
 * checkpoint {seq, hash, time, digest, final, signature} after every `every` entries and one
 * marked final at the end. The digest is an unkeyed BLAKE2b over the header's prev_hash and
 * every entry so far, so a holder of the public key alone can check the file. Reads one
 * snapshot; records meta.audit_exported_seq afterwards (when the file is in place). */
struct audit_export_result { int64_t first, last, entries, checkpoints; };
jk_status audit_export(struct db *db, const struct keys *k, int64_t from, int64_t every, const char *path,
                       const char *actor, struct audit_export_result *out);
/* Offline check of an export file with the public key; *why (Chinese) and *line on failure. */
bool audit_export_verify(const char *path, const unsigned char pk[32], struct audit_export_result *out,
                         const char **why, int64_t *line);

/* Deletes the entries older than before_ms that are already exported, as one leading range,
 * leaving a signed anchor (seq and hash of the last one deleted) and appending an audit entry
 * that records it; `actor` names who did it. *upto is 0 when nothing may go. */
jk_status audit_prune(struct db *db, const struct keys *k, int64_t before_ms, const char *actor, int64_t *upto);

#endif
