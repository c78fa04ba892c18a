/* export_jobs.c: large exports as background jobs (api/export_jobs.h, docs/internals/exports.md).
 *
 *   POST   /exports?kind=indicator_extract|indicator_report&region=|organization=&from=&to=&format=
 *                                  queue a job (202); the query is the synchronous export's
 *   GET    /exports                the caller's jobs, newest first (not yet expired)
 *   GET    /exports/{id}           one job: state, progress (done/total), size, expiry
 *   GET    /exports/{id}/file      the file of a finished job
 *   POST   /exports/{id}/cancel    stop a queued or running job (kept, state cancelled)
 *   DELETE /exports/{id}           remove a job and its file (a running one stops)
 *
 * A job is its owner's only: any other caller (whatever the role) gets 404. The parameters are
 * checked by the synchronous exports' own code (ind_params, the extract's policy question) when
 * the job is created, and the policy is asked again — with the caller's rights of the moment —
 * before a file is handed out; a disabled account cannot log in at all. Creating, cancelling,
 * deleting and downloading are audited (the download like the synchronous export: action
 * "export", type indicator_extract or indicator, committed before the bytes leave). */
#include "api/export_jobs.h"
#include "api/app.h"
#include "api/care.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "sec/crypto.h"
#include "store/export_job_store.h"
#include "store/user_store.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char *kind_label(const char *kind)
{
  return !strcmp(kind, EXPORT_KIND_EXTRACT) ? "个案数据（去标识化）" : !strcmp(kind, EXPORT_KIND_REPORT) ? "统计报告" : kind;
}

static json_t *job_json(struct req *r, const struct export_job *j)
{
  json_t *params = j->params ? json_loads(j->params, 0, 0) : 0;
  int64_t pct = j->total > 0 ? j->done * 100 / j->total : 0;
  if (!strcmp(j->state, "done")) pct = 100;
  json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s,s:I,s:I,s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", j->id, "kind",
                        j->kind, "kind_label", kind_label(j->kind), "params", params ? params : json_object(), "state",
                        j->state, "done", (json_int_t)j->done, "total", (json_int_t)j->total, "percent", (json_int_t)pct,
                        "created_at", iso_time(r, j->created_at),
                        "started_at", j->started_at ? json_string(iso_time(r, j->started_at)) : json_null(),
                        "finished_at", j->finished_at ? json_string(iso_time(r, j->finished_at)) : json_null(),
                        "expires_at", j->expires_at ? json_string(iso_time(r, j->expires_at)) : json_null(),
                        "file_name", j->file_name ? json_string(j->file_name) : json_null(),
                        "size", !strcmp(j->state, "done") ? json_integer(j->size) : json_null(),
                        "error", j->error ? json_string(j->error) : json_null(),
                        "download", !strcmp(j->state, "done") ? json_string(arena_printf(r->a, "/api/v1/exports/%s/file", j->id))
                                                              : json_null());
  return o;
}

/* The caller's account rid (jobs are kept by it). */
static bool owner_rid(struct req *r, int64_t *rid)
{
  struct user_rec u;
  jk_status st = user_store_by_id(r->db, r->a, r->who.user_id, &u);
  if (st != JK_OK) return reply_err(r, st == JK_ENOTFOUND ? JK_EAUTH : st, 0), false;
  *rid = u.rid;
  return true;
}

/* The caller's job r->params[0]; false after replying 404. */
static bool load_job(struct req *r, struct export_job *j)
{
  int64_t rid;
  if (!owner_rid(r, &rid)) return false;
  jk_status st = uuid_valid(r->params[0]) ? export_job_get(r->db, r->a, r->params[0], rid, j) : JK_ENOTFOUND;
  if (st == JK_OK && j->expires_at && j->expires_at <= clock_now_ms()) st = JK_ENOTFOUND;   /* the sweep is due */
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "导出任务不存在或已过期删除", 0), false;
  if (st != JK_OK) return reply_err(r, st, 0), false;
  return true;
}

static const char *file_path(struct req *r, const char *file)
{
  return arena_printf(r->a, "%s/%s/%s", r->app->data_dir, EXPORT_DIR, file);
}

/* ---- create ---- */

static bool kind_and_format(struct req *r, bool *extract, const char **format)
{
  const char *kind = req_query(r, "kind");
  if (!kind) return reply_fail(r, JK_EINVAL, "missing_field", "请指定导出内容 kind", "kind"), false;
  *extract = !strcmp(kind, EXPORT_KIND_EXTRACT);
  if (!*extract && strcmp(kind, EXPORT_KIND_REPORT))
    return bad_field(r, "kind", "kind 应为 indicator_extract（个案数据）或 indicator_report（统计报告）");
  const char *f = req_query(r, "format");
  if (f && strcmp(f, "xlsx") && strcmp(f, "csv")) return bad_field(r, "format", "format 应为 xlsx 或 csv");
  if (!*extract && f && !strcmp(f, "csv")) return bad_field(r, "format", "统计报告只有 Excel（xlsx）格式");
  *format = f ? f : "xlsx";
  return true;
}

static const char *scope_name(struct req *r, const struct ind_query *q)
{
  if (q->level == IND_LEVEL_ORG) return q->org.name;
  if (!*q->region) return "全国";
  const char *n = region_name(r, q->region);
  return n ? n : q->region;
}

void api_export_create(struct req *r)
{
  bool extract;
  const char *format;
  struct ind_query q;
  if (!kind_and_format(r, &extract, &format) || !ind_params(r, &q)) return;
  const char *kind = extract ? EXPORT_KIND_EXTRACT : EXPORT_KIND_REPORT;
  if (extract) {   /* the synchronous extract's checks, but no 200,000-row limit */
    struct policy_object po = export_policy_object(kind, &q);
    if (!allowed(r, ACT_READ, &po, "indicator_extract", po.region)) return;
    if (q.level == IND_LEVEL_ORG) return (void)bad_field(r, "organization", "个案数据按地区提取，请指定 region");
    int64_t n = 0;   /* counted here only for Excel's sheet limit: a CSV of any size is the worker's */
    jk_status st = strcmp(format, "xlsx") ? JK_OK : indicator_store_extract_count(r->db, q.region, q.first, q.last, &n);
    if (st != JK_OK) return reply_err(r, st, 0);
    if (n > EXPORT_XLSX_MAX_ROWS)
      return reply_fail(r, JK_ERULE, "too_large", "超过 100 万名康复对象，Excel 单表放不下，请选择 CSV 格式", "format");
  }
  int64_t owner;
  if (!owner_rid(r, &owner)) return;
  json_t *params = json_pack("{s:o,s:o,s:s,s:s,s:s,s:s}", "region", q.region ? json_string(q.region) : json_null(),
                             "organization", q.level == IND_LEVEL_ORG ? json_string(q.org.id) : json_null(), "from", q.from,
                             "to", q.to, "format", format, "scope_name", scope_name(r, &q));
  char *text = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : 0;
  json_decref(params);
  if (!text) return reply_err(r, JK_EINTERNAL, 0);
  char id[37];
  uuid_v7(id);
  struct export_job j = {.id = id, .owner_rid = owner, .kind = kind, .params = arena_strdup(r->a, text),
                         .state = "queued", .created_at = clock_now_ms()};
  free(text);
  int64_t active = 0;
  jk_status st = db_begin_write(r->db);
  if (st == JK_OK) st = export_job_active(r->db, owner, &active);
  if (st == JK_OK && active >= EXPORT_ACTIVE_PER_USER) {
    db_rollback(r->db);
    r->retry_after = "60";
    return reply_fail(r, JK_ERATE, "too_many_jobs",
                      "您已有 3 个导出任务在排队或进行中，请等其完成或取消后再提交", "kind");
  }
  if (st == JK_OK) st = export_job_insert(r->db, &j);
  if (st == JK_OK)
    st = audit_change(r, "export_job.create", "export_job", id,
                      arena_printf(r->a, "%s %s %s..%s %s", kind, q.region ? q.region : q.org.id, q.from, q.to, format));
  if (st != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  export_worker_wake();
  reply_json(r, 202, job_json(r, &j));
}

/* ---- read ---- */

void api_exports_list(struct req *r)
{
  int64_t limit, offset, page, owner, n, total;
  struct export_job *v;
  if (!page_params(r, &limit, &offset, &page) || !owner_rid(r, &owner)) return;
  jk_status st = export_job_list(r->db, r->a, owner, clock_now_ms(), limit, offset, &v, &n, &total);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, job_json(r, &v[i]));
  reply_json(r, 200, page_envelope(items, total, page, limit));
}

void api_export_get(struct req *r)
{
  struct export_job j;
  if (load_job(r, &j)) reply_json(r, 200, job_json(r, &j));
}

/* The finished file, opened for sending; -1 when it cannot be read. */
static int open_file(const char *path, uint64_t *size)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (fd >= 0) close(fd);
    return -1;
  }
  *size = (uint64_t)sb.st_size;
  return fd;
}

void api_export_file(struct req *r)
{
  struct export_job j;
  if (!load_job(r, &j)) return;
  if (strcmp(j.state, "done") || !j.file)
    return reply_fail(r, JK_ECONFLICT, "not_ready",
                      !strcmp(j.state, "queued") || !strcmp(j.state, "running") ? "导出尚未完成，请稍后再下载"
                                                                                 : "该导出任务未成功完成，没有可下载的文件",
                      0);
  /* the caller's rights now, not when the job was made */
  json_t *params = json_loads(j.params, 0, 0);
  struct ind_query q;
  jk_status st = params ? export_query(r->db, r->a, params, &q) : JK_EINVAL;
  json_decref(params);
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "机构已不存在", 0);
  if (st != JK_OK) return reply_err(r, st, 0);
  bool extract = !strcmp(j.kind, EXPORT_KIND_EXTRACT);
  const char *type = extract ? "indicator_extract" : "indicator";
  struct policy_object po = export_policy_object(j.kind, &q);
  if (!allowed(r, ACT_READ, &po, type, j.id)) return;
  uint64_t size = 0;
  int fd = open_file(file_path(r, j.file), &size);
  if (fd < 0) return reply_fail(r, JK_EUNAVAIL, "file_unavailable", "导出文件无法读取，请重新导出", 0);
  if (!audit_committed(r, "export", type, extract ? q.region : q.region ? q.region : q.org.id,
                       arena_printf(r->a, "job %s %s..%s %lld rows %s", j.id, q.from, q.to, (long long)j.done,
                                    strrchr(j.file, '.') + 1))) {
    close(fd);
    return;
  }
  bool csv = !strcmp(strrchr(j.file, '.'), ".csv");
  /* sent from the disk as it is: a national extract does not pass through memory */
  reply_download_fd(r, csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    j.file_name ? j.file_name : j.file, fd, size);
}

/* ---- cancel and delete ---- */

void api_export_cancel(struct req *r)
{
  struct export_job j;
  if (!load_job(r, &j)) return;
  bool changed = false;
  int64_t now = clock_now_ms();
  jk_status st = db_begin_write(r->db);
  if (st == JK_OK) st = export_job_cancel(r->db, j.rid, now, now + EXPORT_KEEP_MS, &changed);
  if (st == JK_OK && !changed) {
    db_rollback(r->db);
    return reply_fail(r, JK_ECONFLICT, "not_cancellable", "该导出任务已结束，无法取消", 0);
  }
  if (st == JK_OK) st = audit_change(r, "export_job.cancel", "export_job", j.id, j.state);
  if (st != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  export_worker_wake();
  if (load_job(r, &j)) reply_json(r, 200, job_json(r, &j));
}

void api_export_delete(struct req *r)
{
  struct export_job j;
  if (!load_job(r, &j)) return;
  jk_status st = db_begin_write(r->db);
  if (st == JK_OK) st = export_job_delete(r->db, j.rid);
  if (st == JK_OK) st = audit_change(r, "export_job.delete", "export_job", j.id, j.state);
  if (st != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  if (j.file) unlink(file_path(r, j.file));   /* a running job's partial file: the worker removes it */
  reply_status(r, 204);
}
