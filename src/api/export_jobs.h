/* export_jobs.h: large exports as background jobs (docs/internals/exports.md).
 *
 *   api/export_jobs.c    the HTTP side: create, list, show, download, cancel, delete
 *   api/export_worker.c  one thread with its own two database connections that makes the
 *                        files, one job at a time, and deletes them when they expire
 *   store/export_job_store.c  the table export_job
 *
 * A job's parameters are the query of the synchronous export it stands for, checked by the same
 * code (api/indicators.c ind_params) when it is created, stored as JSON, and checked again
 * against the owner's rights when it runs and when its file is downloaded. */
#ifndef JK_API_EXPORT_JOBS_H
#define JK_API_EXPORT_JOBS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "api/indicators.h"
#include "base/status.h"
#include "sec/policy.h"

struct app;
struct arena;
struct db;

#define EXPORT_KEEP_MS (24LL * 3600 * 1000)   /* a finished job's file is kept this long */
#define EXPORT_ACTIVE_PER_USER 3               /* queued or running jobs of one user */
#define EXPORT_XLSX_MAX_ROWS 1000000           /* one sheet (Excel's limit is 1,048,576) */
#define EXPORT_DIR "exports"                   /* under the data directory, mode 0700 */

#define EXPORT_KIND_EXTRACT "indicator_extract"
#define EXPORT_KIND_REPORT "indicator_report"

/* The query of a job, rebuilt from its stored parameters (JSON object: region or organization,
 * from, to, format) in arena a: the organization is looked up again. JK_ENOTFOUND when the
 * organization no longer exists, JK_EINVAL when the parameters do not parse. */
jk_status export_query(struct db *db, struct arena *a, json_t *params, struct ind_query *q);
/* The policy question the job's kind asks of its scope (extract: op "extract"). */
struct policy_object export_policy_object(const char *kind, const struct ind_query *q);

/* Starts the worker (creates <data>/exports): jobs left running by a server that did not stop
 * cleanly become failed, files no job holds are deleted, expired jobs are swept. Call once,
 * before the server takes requests; export_worker_stop before the audit queue stops. */
jk_status export_worker_start(struct app *app);
void export_worker_stop(void);
/* A job was queued: the worker looks at once instead of at its next minute. */
void export_worker_wake(void);

#endif
