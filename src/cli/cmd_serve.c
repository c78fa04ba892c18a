/* cmd_serve.c: `jingkang serve` — opens the data directory, starts the audit writer and the
 * HTTP server, and on SIGINT/SIGTERM stops both, flushing the audit queue last. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/server.h"
#include "api/export_jobs.h"
#include "api/referral_api.h"
#include "api/webhooks.h"
#include "sec/audit.h"
#include "store/db.h"
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_serve(const struct cli_opts *o)
{
  struct app app;
  struct db *db;
  const char *now = getenv("JINGKANG_NOW");
  if (now && *now) {
    int64_t ms;
    if (!time_parse(now, &ms)) {
      fprintf(stderr, "jingkang: JINGKANG_NOW 格式错误\n");
      return 2;
    }
    clock_set_ms(ms);
    clock_advance_ms(0);
  }
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  /* Held until exit (released by the kernel even on SIGKILL): restore refuses while it is. */
  int lock = data_lock(app.data_dir);
  if (lock == -2) {
    fprintf(stderr, "jingkang: 已有服务在使用数据目录 %s（%s/jingkang.lock）\n", app.data_dir, app.data_dir);
    return db_close(db), 1;
  }
  if (lock < 0) log_warn("serve: cannot create %s/jingkang.lock; restore cannot tell that this server runs", app.data_dir);
  if (cli_load_instruments(&app, db) != JK_OK) return db_close(db), 1;
  db_close(db); /* schema is current; request threads open their own connections */
  static char web[PATH_MAX];
  const char *w = o->web ? o->web : "web/dist";
  app.web_dir = realpath(w, web) ? web : 0;
  if (!app.web_dir) log_warn("serve: no web UI at %s; serving the API only", w);
  /* Behind a TLS proxy: --secure-cookies or JINGKANG_SECURE_COOKIES=1 (Secure cookie, HSTS). */
  const char *sc = getenv("JINGKANG_SECURE_COOKIES");
  app.secure_cookies = o->secure_cookies || (sc && strcmp(sc, "1") == 0);
  /* SIGINT/SIGTERM blocked BEFORE the first thread starts, so that every thread inherits the
   * mask and only server_run's sigwait takes them. Blocked later (in server_run), the audit
   * writer, the sweeper and the webhook worker had them unblocked: a SIGTERM delivered to one
   * of them killed the process by the default action, skipping the audit flush (seen under
   * valgrind, where the signal lands on any thread; natively a window during start-up). */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, 0);
  if (audit_queue_start(app.db_path, &app.keys, &app.audit) != JK_OK) return 1;
  if (referral_sweeper_start(&app) != JK_OK) {
    audit_queue_stop(app.audit);
    return 1;
  }
  if (webhook_worker_start(&app) != JK_OK) {
    referral_sweeper_stop();
    audit_queue_stop(app.audit);
    return 1;
  }
  if (export_worker_start(&app) != JK_OK) {   /* export jobs (api/export_jobs.h) */
    webhook_worker_stop();
    referral_sweeper_stop();
    audit_queue_stop(app.audit);
    return 1;
  }
  struct server_opts so = {.listen = o->listen ? o->listen : "127.0.0.1:8080", .threads = (unsigned)o->threads};
  jk_status st = server_run(&app, &so);
  export_worker_stop();
  webhook_worker_stop();
  referral_sweeper_stop();
  audit_queue_stop(app.audit);
  instrument_set_clear(&app.instruments);
  return st == JK_OK ? 0 : 1;
}
