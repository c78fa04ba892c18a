/* export_worker.c: the thread that makes the export jobs' files (api/export_jobs.h).
 *
 * One thread, one job at a time, oldest first. It owns two database connections: `rd` reads
 * the job's data inside ONE read transaction (a consistent snapshot, however long the export
 * takes), `wr` records the job's state and progress in short write transactions of its own
 * (a write on `rd` would end its snapshot). The file is written straight to
 * <data>/exports/<32 random hex>.<csv|xlsx>, mode 0600, and becomes the job's only when the job
 * ends done; any file in that directory no job holds is deleted at start-up.
 *
 * Rows are formatted by the same code as the synchronous extract (api/indicator_rows.c
 * extract_line: pseudonym, age band, county) and written one at a time: CSV through a small
 * buffer (io/csv.h: BOM, formulas defused), xlsx through io/xlsx.h (libxlsxwriter's constant-
 * memory mode; the finished workbook is read back once and copied to the file). Every
 * PROGRESS_EVERY rows the progress is recorded; that write also tells whether the owner cancelled
 * or deleted the job, and then — or when the server stops — the read is interrupted
 * (sqlite3_interrupt) and the partial file removed.
 *
 * The owner's rights are checked again when the job starts (account disabled, role or region
 * changed → failed). Server stop: the running job goes back to the queue and runs again after
 * the restart (from a new snapshot); a job found running at start-up (the server died with it)
 * becomes failed, so that a job that kills the server cannot do so again and again.
 *
 * For tests, JINGKANG_EXPORT_ROW_DELAY_MS=n makes the worker wait n ms after each row (each
 * sheet of a report) and record progress after each, so that progress and cancelling can be
 * watched on the small demo data. */
#include "api/export_jobs.h"
#include "api/app.h"
#include "api/common.h"
#include "api/indicator_rows.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/region_code.h"
#include "io/csv.h"
#include "io/xlsx.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/export_job_store.h"
#include "store/org_store.h"
#include "store/user_store.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_EVERY 5000
#define SWEEP_EVERY_MS 60000
#define CSV_FLUSH (256u << 10)
#define ROW_ARENA_MAX (4u << 20)       /* the per-row strings' arena is renewed past this */

static struct {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool started, poked;
  int row_delay_ms;             /* JINGKANG_EXPORT_ROW_DELAY_MS: tests slow the worker down to watch it */
  atomic_bool stop;
  struct app *app;
  struct db *rd, *wr;
  char dir[4300];
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* ---- the job's query, shared with the handlers ---- */

jk_status export_query(struct db *db, struct arena *a, json_t *params, struct ind_query *q)
{
  memset(q, 0, sizeof *q);
  const char *region = json_string_value(json_object_get(params, "region"));
  const char *org = json_string_value(json_object_get(params, "organization"));
  const char *from = json_string_value(json_object_get(params, "from"));
  const char *to = json_string_value(json_object_get(params, "to"));
  struct jk_date a1, b1;
  if (!from || !to || !date_parse(from, &a1) || !date_parse(to, &b1) || (!region == !org)) return JK_EINVAL;
  q->first = ind_month(a1.y, a1.m);
  q->last = ind_month(b1.y, b1.m);
  snprintf(q->from, sizeof q->from, "%s", from);
  snprintf(q->to, sizeof q->to, "%s", to);
  if (org) {
    jk_status st = org_store_by_id(db, a, org, &q->org);
    if (st != JK_OK) return st;
    q->level = IND_LEVEL_ORG;
    return JK_OK;
  }
  q->region = arena_strdup(a, region);
  q->level = *region ? (int)region_code_level(region) : 0;
  return JK_OK;
}

struct policy_object export_policy_object(const char *kind, const struct ind_query *q)
{
  bool extract = !strcmp(kind, EXPORT_KIND_EXTRACT);
  return (struct policy_object){.kind = OBJ_INDICATOR, .region = q->region ? q->region : q->org.region,
                                .org_rid = q->level == IND_LEVEL_ORG ? q->org.rid : 0, .op = extract ? "extract" : 0};
}

/* ---- one run ---- */

struct run {
  struct export_job job;
  struct arena *ja;             /* the job's: parameters, query, owner */
  struct req fr;                /* a request of the worker's own (no connection): what indicator_rows needs */
  struct ind_query q;
  bool csv;
  int fd;
  char path[4400];
  struct buf b;                 /* CSV bytes not yet written */
  struct xlsx *x;
  struct extract_ctx ex;
  const char *cells[EXTRACT_COLS];
  bool numeric[EXTRACT_COLS];
  int64_t done, total;
  bool abort;                   /* cancelled, stopping or a write failed: stop reading */
  jk_status wst;                /* the first write error */
  const char *error;            /* why it failed, for the owner (Chinese) */
};

static jk_status write_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return JK_EUNAVAIL;
    p += w;
    n -= (size_t)w;
  }
  return JK_OK;
}

static jk_status csv_flush(struct run *r)
{
  size_t n;
  char *data = buf_take(&r->b, &n);
  jk_status st = data ? write_all(r->fd, data, n) : JK_OK;
  free(data);
  return st;
}

/* Records progress in a short write transaction of its own; false when the job is no longer
 * running (cancelled or deleted by its owner). */
static bool record_progress(struct run *r)
{
  bool running = true;
  if (db_begin_write(W.wr) != JK_OK) return true;   /* busy: next time */
  if (export_job_progress(W.wr, r->job.rid, r->done, r->total, &running) == JK_OK) db_commit(W.wr);
  else db_rollback(W.wr), running = true;
  return running;
}

static void stop_reading(struct run *r, const char *why)
{
  if (r->abort) return;
  r->abort = true;
  if (why && !r->error) r->error = why;
  sqlite3_interrupt(db_sqlite(W.rd));
}

static void extract_row_cb(void *ctx, const struct extract_row *row)
{
  struct run *r = ctx;
  if (r->abort) return;
  if (atomic_load(&W.stop)) return stop_reading(r, 0);
  r->ex.n = 0;
  extract_line(&r->ex, row);
  if (r->csv) {
    jk_status st = csv_write_row(&r->b, r->cells, EXTRACT_COLS, r->numeric);
    if (st == JK_OK && r->b.len >= CSV_FLUSH) st = csv_flush(r);
    if (st != JK_OK) return r->wst = st, stop_reading(r, "写入导出文件失败（磁盘空间不足？）");
  } else {
    xlsx_row(r->x, r->cells);
  }
  r->done++;
  if (W.row_delay_ms) usleep((useconds_t)W.row_delay_ms * 1000);
  if ((W.row_delay_ms || r->done % PROGRESS_EVERY == 0) && !record_progress(r)) return stop_reading(r, 0);
  if (arena_used(r->fr.a) > ROW_ARENA_MAX) {   /* the row strings of the rows written are not needed */
    arena_free(r->fr.a);
    r->fr.a = arena_new();
    r->ex.nnames = 0;   /* the county names' cache pointed into it */
  }
}

static void count_row_cb(void *ctx, const struct extract_row *row)
{
  struct run *r = ctx;
  if (r->abort) return;
  if (atomic_load(&W.stop)) return stop_reading(r, 0);
  extract_count(&r->ex, row);
}

static json_t *extract_head(struct run *r)
{
  const char *scope = r->q.region && *r->q.region ? region_name(&r->fr, r->q.region) : "全国";
  return json_pack("{s:{s:s},s:{s:s,s:s,s:I},s:s}", "scope", "name", scope ? scope : r->q.region, "period", "from",
                   r->q.from, "to", r->q.to, "months", (json_int_t)(r->q.last - r->q.first + 1), "as_of",
                   iso_time(&r->fr, clock_now_ms()));
}

static jk_status run_extract(struct run *r)
{
  jk_status st = indicator_store_extract_count(W.rd, r->q.region, r->q.first, r->q.last, &r->total);
  if (st != JK_OK) return st;
  if (!r->csv && r->total > EXPORT_XLSX_MAX_ROWS)
    return r->error = "超过 100 万名康复对象，Excel 单表放不下，请改用 CSV 格式", JK_ERULE;
  record_progress(r);
  json_t *head = extract_head(r);
  if (!head) return JK_EINTERNAL;
  r->job.file_name = arena_printf(r->ja, "%s.%s", file_base(&r->fr, head, "个案数据"), r->csv ? "csv" : "xlsx");
  r->ex = (struct extract_ctx){.r = &r->fr, .q = &r->q, .cells = r->cells, .cap = 1};
  for (int i = 0; i < EXTRACT_COLS; i++) r->numeric[i] = extract_cols[i].number;
  if (r->csv) {
    const char *header[EXTRACT_COLS];
    for (int i = 0; i < EXTRACT_COLS; i++) header[i] = extract_cols[i].header;
    st = buf_append(&r->b, "\xEF\xBB\xBF", 3);   /* the BOM: Excel reads the file as UTF-8 */
    if (st == JK_OK) st = csv_write_row(&r->b, header, EXTRACT_COLS, 0);
  } else if ((st = xlsx_open(W.dir, &r->x)) == JK_OK) {
    st = xlsx_sheet(r->x, "个案数据", "康复对象个案数据（去标识化）", subtitle(&r->fr, head), extract_cols, EXTRACT_COLS);
  }
  json_decref(head);
  int64_t n = 0;
  if (st == JK_OK && !(r->ex.classes = cell_counts_new())) st = JK_EUNAVAIL;
  if (st == JK_OK)   /* first the combinations (small cells), then the rows */
    st = indicator_store_extract(W.rd, r->q.region, r->q.first, r->q.last, r->total + 1000000, count_row_cb, r, &n);
  if (st == JK_OK && !r->abort)
    st = indicator_store_extract(W.rd, r->q.region, r->q.first, r->q.last, r->total + 1000000, extract_row_cb, r, &n);
  cell_counts_free(r->ex.classes);
  r->ex.classes = 0;
  if (r->abort) return r->wst != JK_OK ? r->wst : JK_ECONFLICT;
  if (st != JK_OK) return st;
  if (r->csv) return csv_flush(r);
  xlsx_note(r->x, EXTRACT_NOTE);
  return JK_OK;
}

static jk_status run_report(struct run *r)
{
  struct table t[REPORT_MAX_SHEETS];
  json_t *parts[REPORT_MAX_SHEETS] = {0};
  int nt = 0, np = 0;
  r->total = 1;
  record_progress(r);
  jk_status st = report_tables(&r->fr, &r->q, t, &nt, parts, &np);
  if (st == JK_OK) {
    r->total = nt;
    r->job.file_name = arena_printf(r->ja, "%s.xlsx", file_base(&r->fr, parts[0], "精康统计报告"));
    const char *sub = subtitle(&r->fr, parts[0]);
    if ((st = xlsx_open(W.dir, &r->x)) == JK_OK)
      for (int i = 0; i < nt && st == JK_OK && !r->abort && !atomic_load(&W.stop); i++) {
        st = write_sheet(r->x, &t[i], sub);
        r->done = i + 1;
        if (W.row_delay_ms) usleep((useconds_t)W.row_delay_ms * 1000);
        if (W.row_delay_ms && !record_progress(r)) r->abort = true;
      }
    if (atomic_load(&W.stop)) r->abort = true;
  }
  for (int i = 0; i < np; i++) json_decref(parts[i]);
  return r->abort ? JK_ECONFLICT : st;
}

static jk_status xlsx_to_file(struct run *r)
{
  char *data;
  size_t len;
  jk_status st = xlsx_finish(r->x, &data, &len);
  r->x = 0;
  if (st == JK_OK) st = write_all(r->fd, data, len);
  free(data);
  return st;
}

/* The owner as a principal, in r->ja; false (with r->error) when the account may no longer export. */
static bool owner_principal(struct run *r)
{
  struct user_rec u;
  jk_status st = user_store_by_rid(W.wr, r->ja, r->job.owner_rid, &u);
  if (st != JK_OK || u.disabled || role_parse(u.role) == ROLE_NONE) return r->error = "账户已停用或不存在", false;
  r->fr.who = (struct principal){.user_id = u.id, .username = u.username, .role = role_parse(u.role),
                                 .region = u.region, .org_rid = u.org_rid};
  return true;
}

static jk_status run_job(struct run *r)
{
  json_t *params = json_loads(r->job.params, 0, 0);
  if (!params) return r->error = "导出参数无法读取", JK_EINTERNAL;
  const char *format = json_string_value(json_object_get(params, "format"));
  r->csv = format && !strcmp(format, "csv");
  jk_status st = export_query(W.wr, r->ja, params, &r->q);
  json_decref(params);
  if (st != JK_OK) return r->error = st == JK_ENOTFOUND ? "机构已不存在" : "导出参数无效", st;
  if (!owner_principal(r)) return JK_EFORBIDDEN;
  struct policy_object po = export_policy_object(r->job.kind, &r->q);
  if (policy_decide(&r->fr.who, ACT_READ, &po) != JK_OK) return r->error = "您已无权导出该范围的数据", JK_EFORBIDDEN;
  char name[33];
  random_hex(name, 16);
  r->job.file = arena_printf(r->ja, "%s.%s", name, r->csv ? "csv" : "xlsx");
  snprintf(r->path, sizeof r->path, "%s/%s", W.dir, r->job.file);
  if ((r->fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    return r->error = "无法创建导出文件", JK_EUNAVAIL;
  if ((st = db_begin_read(W.rd)) != JK_OK) return st;   /* one snapshot for the whole file */
  st = !strcmp(r->job.kind, EXPORT_KIND_EXTRACT) ? run_extract(r) : run_report(r);
  db_end_read(W.rd);
  if (st == JK_OK && r->x) st = xlsx_to_file(r);
  if (st == JK_OK && fsync(r->fd) != 0) st = JK_EUNAVAIL;
  struct stat sb;
  if (st == JK_OK && fstat(r->fd, &sb) == 0) r->job.size = sb.st_size;
  return st;
}

static void end_job(struct run *r, jk_status st)
{
  if (r->x) xlsx_abort(r->x);
  buf_free(&r->b);
  if (r->fd >= 0) close(r->fd);
  int64_t now = clock_now_ms();
  bool running = false, stopping = atomic_load(&W.stop);
  if (db_begin_write(W.wr) == JK_OK) {
    jk_status s;
    if (stopping && st != JK_OK) {
      s = export_job_requeue(W.wr, r->job.rid);
    } else {
      struct export_job *j = &r->job;
      j->state = st == JK_OK ? "done" : "failed";
      j->done = st == JK_OK ? r->done : j->done;
      j->total = r->total;
      if (st != JK_OK) j->file = 0, j->file_name = 0, j->size = 0;
      j->error = st == JK_OK ? 0 : r->error ? r->error : "导出失败，请稍后重试";
      j->finished_at = now;
      j->expires_at = now + EXPORT_KEEP_MS;
      s = export_job_finish(W.wr, j, &running);
    }
    if (s == JK_OK) s = db_commit(W.wr);
    else db_rollback(W.wr);
    if (s != JK_OK) running = false;
  }
  if (!(st == JK_OK && running) && r->path[0]) unlink(r->path);   /* failed, cancelled, deleted or stopping */
  if (st != JK_OK && !stopping && r->error) log_info("export: job %s failed: %s", r->job.id, r->error);
  else if (st == JK_OK && running)
    log_info("export: job %s done, %lld rows, %lld bytes", r->job.id, (long long)r->done, (long long)r->job.size);
}

static void run_one(struct export_job *job, struct arena *ja)
{
  struct run *r = calloc(1, sizeof *r);
  if (!r) return;
  r->job = *job;
  r->ja = ja;
  r->fd = -1;
  r->fr = (struct req){.app = W.app, .a = arena_new(), .db = W.rd, .method = "GET", .path = "/export-job", .resp_fd = -1};
  snprintf(r->fr.request_id, sizeof r->fr.request_id, "job");
  buf_init(&r->b, CSV_FLUSH * 4);
  jk_status st = run_job(r);
  end_job(r, st);
  arena_free(r->fr.a);
  free(r);
}

/* ---- expiry and start-up ---- */

static void sweep_expired(void)
{
  for (;;) {
    struct arena *a = arena_new();
    struct export_job *v;
    int64_t n = 0;
    jk_status st = db_begin_write(W.wr);
    if (st == JK_OK) st = export_job_expired(W.wr, a, clock_now_ms(), 200, &v, &n);
    for (int64_t i = 0; st == JK_OK && i < n; i++) st = export_job_delete(W.wr, v[i].rid);
    if (st == JK_OK) st = db_commit(W.wr);
    else if (db_in_write(W.wr)) db_rollback(W.wr);
    for (int64_t i = 0; st == JK_OK && i < n; i++)
      if (v[i].file) {
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", W.dir, v[i].file);
        unlink(p);
      }
    if (st == JK_OK && n) log_info("export: %lld expired export jobs removed", (long long)n);
    arena_free(a);
    if (st != JK_OK || n < 200) return;
  }
}

/* Files no job holds: a job that was running when the server died, xlsx temporary files. */
static void remove_orphans(void)
{
  DIR *d = opendir(W.dir);
  if (!d) return;
  struct dirent *e;
  int removed = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    bool known = true;
    if (export_job_file_known(W.wr, e->d_name, &known) != JK_OK || known) continue;
    if (unlinkat(dirfd(d), e->d_name, 0) == 0) removed++;
  }
  closedir(d);
  if (removed) log_info("export: %d files of no export job removed", removed);
}

static void *worker_main(void *arg)
{
  (void)arg;
  struct timespec last = {0};
  while (!atomic_load(&W.stop)) {
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    if ((mono.tv_sec - last.tv_sec) * 1000 >= SWEEP_EVERY_MS) {
      sweep_expired();
      last = mono;
    }
    struct arena *ja = arena_new();
    struct export_job job;
    jk_status st = db_begin_write(W.wr);
    if (st == JK_OK) st = export_job_claim(W.wr, ja, clock_now_ms(), &job);
    if (st == JK_OK) st = db_commit(W.wr);
    else if (db_in_write(W.wr)) db_rollback(W.wr);
    if (st == JK_OK) {
      run_one(&job, ja);
      arena_free(ja);
      continue;
    }
    arena_free(ja);
    if (st != JK_ENOTFOUND) log_warn("export: cannot take a job (%d); will retry", (int)st);
    pthread_mutex_lock(&W.lock);
    if (!W.poked && !atomic_load(&W.stop)) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += st == JK_ENOTFOUND ? SWEEP_EVERY_MS / 1000 : 5;
      pthread_cond_timedwait(&W.wake, &W.lock, &until);
    }
    W.poked = false;
    pthread_mutex_unlock(&W.lock);
  }
  return 0;
}

jk_status export_worker_start(struct app *app)
{
  W.app = app;
  const char *delay = getenv("JINGKANG_EXPORT_ROW_DELAY_MS");
  W.row_delay_ms = delay ? atoi(delay) : 0;
  if (W.row_delay_ms < 0 || W.row_delay_ms > 10000) W.row_delay_ms = 0;
  atomic_store(&W.stop, false);
  snprintf(W.dir, sizeof W.dir, "%s/%s", app->data_dir, EXPORT_DIR);
  if (mkdir(W.dir, 0700) != 0 && errno != EEXIST) {
    log_warn("export: cannot create %s", W.dir);
    return JK_EUNAVAIL;
  }
  jk_status st = db_open(app->db_path, false, &W.rd);
  if (st != JK_OK) return st;
  if ((st = db_open(app->db_path, false, &W.wr)) != JK_OK) return db_close(W.rd), st;
  int64_t now = clock_now_ms(), failed = 0;
  if ((st = db_begin_write(W.wr)) == JK_OK) {
    st = export_job_fail_running(W.wr, "服务中断，导出未完成，请重新导出", now, now + EXPORT_KEEP_MS, &failed);
    if (st == JK_OK) st = db_commit(W.wr);
    else db_rollback(W.wr);
  }
  if (failed) log_warn("export: %lld export jobs were running when the server stopped; marked failed", (long long)failed);
  if (st == JK_OK) {
    sweep_expired();
    remove_orphans();
  }
  if (st == JK_OK && pthread_create(&W.thread, 0, worker_main, 0) != 0) st = JK_EUNAVAIL;
  if (st != JK_OK) {
    db_close(W.rd);
    db_close(W.wr);
    return st;
  }
  W.started = true;
  return JK_OK;
}

void export_worker_wake(void)
{
  pthread_mutex_lock(&W.lock);
  W.poked = true;
  pthread_cond_signal(&W.wake);
  pthread_mutex_unlock(&W.lock);
}

void export_worker_stop(void)
{
  if (!W.started) return;
  pthread_mutex_lock(&W.lock);
  atomic_store(&W.stop, true);
  pthread_cond_signal(&W.wake);
  pthread_mutex_unlock(&W.lock);
  pthread_join(W.thread, 0);
  db_close(W.rd);
  db_close(W.wr);
  W.started = false;
}
