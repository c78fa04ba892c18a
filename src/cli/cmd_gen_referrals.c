/* cmd_gen_referrals.c: `jingkang gen referrals --count N [--region CODE] --data DIR` — a
 * province's referrals in flight, for the referral benchmark (bench/referrals.sh).
 *
 * Two rehab institutions per county of the region (capacity 20–80, located near the
 * county's first institution), then N clients, each with one referral in an open status
 * spread like a busy year: submitted 15%, registered 15%, dispatched 15%, declined 3%,
 * waitlisted 10%, recheck 2%, accepted 10%, in service 28%, back in hospital 2%; applied over
 * the last 120 days, deadlines from the real calendar, so that many are overdue. Through the
 * store, like `gen clients`. */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/referral.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/referral_store.h"
#include "store/region_store.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL

static enum ref_status pick_status(void)
{
  static const struct { enum ref_status s; int pct; } mix[] = {
    {RS_SUBMITTED, 15}, {RS_REGISTERED, 15}, {RS_DISPATCHED, 15}, {RS_DECLINED, 3}, {RS_WAITLISTED, 10},
    {RS_RECHECK, 2}, {RS_ACCEPTED, 10}, {RS_IN_SERVICE, 28}, {RS_HOSPITALIZED, 2},
  };
  int x = (int)gen_rnd(100);
  for (size_t i = 0; i < sizeof mix / sizeof mix[0]; i++)
    if ((x -= mix[i].pct) < 0) return mix[i].s;
  return RS_IN_SERVICE;
}

static jk_status make_institutions(struct db *db, struct arena *a, const struct region *counties, int64_t nc,
                                   int64_t **rids, int64_t now)
{
  *rids = arena_alloc(a, sizeof **rids * (size_t)(nc * 2));
  jk_status st = db_begin_write(db);
  for (int64_t i = 0; st == JK_OK && i < nc * 2; i++) {
    char id[37];
    uuid_v7(id);
    struct org_rec o = {.id = id, .name = arena_printf(a, "%s第%lld康复中心", counties[i / 2].name, (long long)(i % 2 + 1)),
                        .kind = "rehab_institution", .region = counties[i / 2].code, .address = "基准测试地址",
                        .has_location = true, .lat = 28 + (double)gen_rnd(4000) / 1000, .lng = 102 + (double)gen_rnd(4000) / 1000,
                        .capacity = 20 + gen_rnd(61), .functions_json = "[\"day_care\",\"home_support\",\"vocational\"]",
                        .services_json = "[]", .created_at = now, .updated_at = now};
    st = org_store_insert(db, &o);
    (*rids)[i] = o.rid;
  }
  if (st == JK_OK) return db_commit(db);
  db_rollback(db);
  return st;
}

static jk_status gen_referral(struct db *db, struct arena *a, const struct keys *k, const struct region *county,
                              const int64_t *inst, int64_t now)
{
  int64_t client_rid;
  jk_status st = gen_client(db, a, k, county->code, now, &client_rid);
  if (st != JK_OK || !client_rid) return st;
  char id[37];
  uuid_v7(id);
  enum ref_status s = pick_status();
  int64_t at = now - (int64_t)gen_rnd(120) * DAY_MS - gen_rnd(86400000);
  struct referral_rec f = {.id = id, .client_rid = client_rid, .region = county->code, .source = gen_rnd(2) ? "hospital" : "self",
                           .status = ref_status_name(s), .need_json = "{\"functions\":[\"day_care\"]}",
                           .submitted_at = at, .created_at = at, .updated_at = at + DAY_MS, .created_by = "gen"};
  if (s >= RS_DISPATCHED) f.org_rid = inst[gen_rnd(2)];
  if (s == RS_WAITLISTED) f.waitlisted_at = at + DAY_MS, f.due_at = f.waitlisted_at + 91 * DAY_MS;
  else if (ref_status_deadline(s) == DL_WORKDAYS) f.due_at = calendar_deadline(db, f.updated_at, REFERRAL_WORKDAYS);
  if ((st = referral_store_insert(db, &f)) != JK_OK) return st;
  struct referral_event e = {.referral_rid = f.rid, .time = at, .action = "submit", .to_status = f.status, .actor_name = "gen"};
  return referral_store_add_event(db, &e);
}

int gen_referrals(const struct cli_opts *o)
{
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct arena *a = arena_new();
  struct region *counties;
  int64_t nc, *inst, want = o->count ? o->count : 100000, done = 0, now = clock_now_ms();
  jk_status st = region_store_counties(db, a, o->region ? o->region : "51", &counties, &nc);
  if (st != JK_OK || nc == 0) {
    fprintf(stderr, "jingkang: 该地区没有县级行政区划\n");
    return 1;
  }
  db_exec(db, "PRAGMA cache_size=-262144");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  st = make_institutions(db, a, counties, nc, &inst, now);
  while (st == JK_OK && done < want) {
    struct arena *batch = arena_new();
    if ((st = db_begin_write(db)) != JK_OK) break;
    for (int i = 0; i < 10000 && done < want && st == JK_OK; i++, done++) {
      int64_t c = gen_rnd((uint32_t)nc);
      st = gen_referral(db, batch, &app.keys, &counties[c], &inst[c * 2], now);
    }
    if (st == JK_OK) st = db_commit(db);
    else db_rollback(db);
    arena_free(batch);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  db_close(db);
  arena_free(a);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 生成中断\n");
    return 1;
  }
  printf("generated %lld institutions and %lld referrals in %.1f s\n", (long long)nc * 2, (long long)done,
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
