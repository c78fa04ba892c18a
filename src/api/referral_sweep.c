/* referral_sweep.c: the rules that fire with time, applied as of one instant.
 *
 * `jingkang sweep --as-of TIME` runs it once; the server runs it every minute. It is
 * idempotent: a second run at the same instant finds nothing to do. Work goes in batches of
 * SWEEP_BATCH per write transaction so that requests are never held up for long.
 *   - A waiting-list placement past its limit (due_at, set from the region's rules when it was
 *     placed) goes to `recheck`: the referral worker re-checks the applicant's wishes and
 *     re-refers to the nearest other institution with a free place (seed 000 item 6).
 *   - A referral whose step deadline passed is announced once to webhook subscribers
 *     (referral.overdue); work lists show it in red from the deadline on, sweep or not. */
#include "api/referral_api.h"
#include "api/app.h"
#include "api/webhooks.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/arena.h"
#include "sec/audit.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/indicator_store.h"
#include <stdio.h>
#include <stdlib.h>

#define SWEEP_BATCH 2000
/* Indicators folded per transaction by the sweep: about a millisecond each, so that API writes
 * never wait long for the lock while a backlog (a new definition, an upgrade) drains. */
#define INDICATOR_SWEEP_BATCH 200

static jk_status audit_system(struct db *db, const struct keys *k, const char *action, const char *id, const char *detail)
{
  struct audit_entry e = {.username = "system", .role = "system", .action = action, .object_type = "referral",
                          .object_id = id, .result = "ok", .detail = detail};
  return audit_append(db, k, &e);
}

static jk_status expire_batch(struct db *db, const struct keys *k, int64_t as_of, int64_t *done)
{
  struct arena *a = arena_new();
  struct referral_rec *v;
  int64_t n = 0;
  jk_status st = db_begin_write(db);
  if (st == JK_OK) st = referral_store_expired_waits(db, a, as_of, SWEEP_BATCH, &v, &n);
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    struct referral_rec *f = &v[i];
    f->status = ref_status_name(RS_RECHECK);
    f->updated_at = as_of > f->updated_at ? as_of : f->updated_at + 1;
    f->due_at = calendar_deadline(db, as_of, REFERRAL_WORKDAYS);
    if ((st = referral_store_update(db, f)) == JK_OK &&
        (st = referral_record(0, db, f, "expire", "waitlisted", f->org_rid, "等候超过期限，须复核意愿并重新转介", 0)) == JK_OK)
      st = audit_system(db, k, "expire", f->id, "waitlisted → recheck");
  }
  if (st == JK_OK) st = indicator_store_flush(db, 2 * SWEEP_BATCH, 0);
  if (st == JK_OK) st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  arena_free(a);
  *done = st == JK_OK ? n : 0;
  return st;
}

static jk_status overdue_batch(struct db *db, int64_t as_of, int64_t after[2], int64_t *done)
{
  struct arena *a = arena_new();
  struct referral_rec *v;
  int64_t n = 0;
  jk_status st = db_begin_write(db);
  if (st == JK_OK) st = referral_store_newly_overdue(db, a, as_of, after, SWEEP_BATCH, &v, &n);
  if (st == JK_OK && n) after[0] = v[n - 1].due_at, after[1] = v[n - 1].rid;
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    json_t *p = json_pack("{s:s,s:s,s:s,s:I}", "referral", v[i].id, "status", v[i].status, "region", v[i].region,
                          "due_at_ms", (json_int_t)v[i].due_at);
    json_object_set_new(p, "organization", v[i].org_id ? json_string(v[i].org_id) : json_null());
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    st = text ? webhook_emit(db, "referral.overdue", v[i].region, text) : JK_EINTERNAL;
    free(text);
    if (st == JK_OK) st = referral_store_mark_overdue_sent(db, v[i].rid, v[i].due_at);
  }
  if (st == JK_OK) st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  arena_free(a);
  *done = st == JK_OK ? n : 0;
  return st;
}

jk_status referral_sweep(struct db *db, const struct keys *k, int64_t as_of, struct sweep_result *out)
{
  int64_t n;
  jk_status st;
  *out = (struct sweep_result){0, 0};
  do {
    if ((st = expire_batch(db, k, as_of, &n)) != JK_OK) return st;
    out->rechecked += n;
  } while (n == SWEEP_BATCH);
  int64_t after[2] = {0, 0};
  do {
    if ((st = overdue_batch(db, as_of, after, &n)) != JK_OK) return st;
    out->overdue_announced += n;
  } while (n == SWEEP_BATCH);
  return JK_OK;
}

/* ---- the server's minute sweep ---- */

static struct {
  struct ticker ticker;
  struct db *db;
  const struct keys *keys;
} sweeper;

static void sweep_now(void *arg)
{
  (void)arg;
  struct sweep_result res;
  jk_status st = referral_sweep(sweeper.db, sweeper.keys, clock_now_ms(), &res);
  if (st != JK_OK) log_warn("sweep: failed (%d); will retry in a minute", (int)st);
  /* Indicators: what a write left pending (a new 规范服务 definition, the CLI, a first start
   * after the upgrade) is folded in here, a batch per transaction. */
  int64_t folded = 0;
  jk_status ist = indicator_store_drain(sweeper.db, INDICATOR_SWEEP_BATCH, 0, 0, 0, &folded);
  if (ist != JK_OK) log_warn("sweep: indicators not brought up to date (%d); will retry in a minute", (int)ist);
  else if (folded) log_info("sweep: %lld changes folded into the indicators", (long long)folded);
  else if (res.rechecked || res.overdue_announced)
    log_info("sweep: %lld waits past the limit to recheck, %lld overdue announced", (long long)res.rechecked,
             (long long)res.overdue_announced);
}

jk_status referral_sweeper_start(const struct app *app)
{
  jk_status st = db_open(app->db_path, false, &sweeper.db);
  if (st != JK_OK) return st;
  sweeper.keys = &app->keys;
  if ((st = ticker_start(&sweeper.ticker, 60000, sweep_now, 0)) != JK_OK) db_close(sweeper.db);
  return st;
}

void referral_sweeper_stop(void)
{
  if (!sweeper.ticker.running) return;
  ticker_stop(&sweeper.ticker);
  db_close(sweeper.db);
}
