/* export_job_store.h: export jobs (docs/internals/exports.md) — large exports made in the
 * background by one worker thread (api/export_worker.c) and kept for download for a while.
 *
 * A job belongs to the user who asked (owner_rid); every read of it by a request is by id AND
 * owner, so another user's job does not exist for the caller. States:
 *   queued → running → done | failed;  queued | running → cancelled (the owner).
 * The file lives under <data>/exports/<file> (a random name, mode 0600) while the row exists;
 * expires_at is set when the job ends, and the sweep deletes row and file after it. */
#ifndef JK_EXPORT_JOB_STORE_H
#define JK_EXPORT_JOB_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct export_job {
  int64_t rid;
  const char *id;             /* UUID, the public name */
  int64_t owner_rid;
  const char *kind;           /* "indicator_extract", "indicator_report" */
  const char *params;         /* JSON text: region/organization, from, to, format */
  const char *state;          /* queued running done failed cancelled */
  int64_t done, total;        /* rows written / to write (progress) */
  const char *file;           /* name under <data>/exports/, or NULL */
  const char *file_name;      /* the name the download is offered under */
  int64_t size;               /* bytes, when done */
  int64_t created_at, started_at, finished_at, expires_at;   /* 0 when not yet */
  const char *error;          /* Chinese text, when failed */
};

jk_status export_job_insert(struct db *db, struct export_job *j);   /* sets j->rid */
/* One job of its owner; JK_ENOTFOUND when there is none (or it is someone else's). */
jk_status export_job_get(struct db *db, struct arena *a, const char *id, int64_t owner_rid, struct export_job *out);
/* The owner's jobs, newest first, not yet expired at `now`. */
jk_status export_job_list(struct db *db, struct arena *a, int64_t owner_rid, int64_t now, int64_t limit,
                          int64_t offset, struct export_job **out, int64_t *n, int64_t *total);
/* The owner's jobs that are queued or running. */
jk_status export_job_active(struct db *db, int64_t owner_rid, int64_t *n);
jk_status export_job_delete(struct db *db, int64_t rid);
/* queued|running → cancelled; *changed false when the job had already ended. */
jk_status export_job_cancel(struct db *db, int64_t rid, int64_t now, int64_t expires_at, bool *changed);

/* ---- the worker ---- */
/* Takes the oldest queued job: running, started now. JK_ENOTFOUND when none. */
jk_status export_job_claim(struct db *db, struct arena *a, int64_t now, struct export_job *out);
/* Progress of a running job; *running false when it is no longer running (cancelled). */
jk_status export_job_progress(struct db *db, int64_t rid, int64_t done, int64_t total, bool *running);
/* The end of a running job: state done (file, file_name, size) or failed (error). *running
 * false when it was cancelled meanwhile (nothing changed then). */
jk_status export_job_finish(struct db *db, const struct export_job *j, bool *running);
/* A running job back to the queue (the server stops while it runs): done 0, not started. */
jk_status export_job_requeue(struct db *db, int64_t rid);
/* At start-up: jobs left running by a server that stopped become failed with `error`. */
jk_status export_job_fail_running(struct db *db, const char *error, int64_t now, int64_t expires_at, int64_t *n);
/* Expired jobs (expires_at ≤ now), at most `limit`: rid and file. */
jk_status export_job_expired(struct db *db, struct arena *a, int64_t now, int64_t limit, struct export_job **out,
                             int64_t *n);
/* Whether a file name is held by some job. */
jk_status export_job_file_known(struct db *db, const char *file, bool *known);

#endif
