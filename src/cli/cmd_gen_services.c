/* cmd_gen_services.c: `jingkang gen services --count N [--region CODE] --data DIR` — service
 * records for the care benchmark (bench/care.sh).
 *
 * N/10 clients in the region (as `gen clients`), one institution per county serving the county's
 * clients, four staff members each, then N service records over the last three years: 80%
 * individual (one client of the institution), 20% group sessions of 5–12 of its clients, one in
 * ten attendees absent. The institution of the most populous county also gets 10,000 records in
 * the current month, so that a month's ledger of that size can be exported. Through the store,
 * in transactions of 10,000 records. */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/care.h"
#include "sec/crypto.h"
#include "store/client_store.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/region_store.h"
#include "store/service_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MONTH_RECORDS 10000

struct county_pool {
  int64_t org_rid;
  int64_t *clients;
  int64_t n, cap;
  char staff[160];
};

static jk_status make_clients(struct db *db, const struct keys *k, const struct region *counties, int64_t nc,
                              struct county_pool *pools, int64_t want, int64_t now)
{
  jk_status st = JK_OK;
  for (int64_t done = 0; st == JK_OK && done < want;) {
    struct arena *batch = arena_new();
    if ((st = db_begin_write(db)) != JK_OK) break;
    for (int i = 0; i < 10000 && done < want && st == JK_OK; i++, done++) {
      int64_t c = gen_rnd((uint32_t)nc), rid = 0;
      struct county_pool *p = &pools[c];
      if ((st = gen_client(db, batch, k, counties[c].code, now, &rid)) != JK_OK || !rid) continue;
      if ((st = client_store_follow(db, rid, "in_service", p->org_rid, 0, now)) != JK_OK) break;
      if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        int64_t *v = realloc(p->clients, (size_t)p->cap * sizeof *v);
        if (!v) abort();
        p->clients = v;
      }
      p->clients[p->n++] = rid;
    }
    st = st == JK_OK ? db_commit(db) : (db_rollback(db), st);
    arena_free(batch);
  }
  return st;
}

static jk_status make_institutions(struct db *db, struct arena *a, const struct region *counties, int64_t nc,
                                   struct county_pool *pools, int64_t now)
{
  jk_status st = db_begin_write(db);
  for (int64_t i = 0; st == JK_OK && i < nc; i++) {
    char id[37];
    uuid_v7(id);
    struct org_rec o = {.id = id, .name = arena_printf(a, "%s精康家园", counties[i].name), .kind = "rehab_institution",
                        .region = counties[i].code, .address = "基准测试地址", .capacity = 60,
                        .functions_json = "[\"day_care\"]", .services_json = "[]", .created_at = now, .updated_at = now};
    st = org_store_insert(db, &o);
    pools[i].org_rid = o.rid;
    char s1[37], s2[37];
    uuid_v7(s1);
    uuid_v7(s2);
    snprintf(pools[i].staff, sizeof pools[i].staff, "[{\"id\":\"%s\",\"name\":\"李社工\"},{\"id\":\"%s\",\"name\":\"王护士\"}]", s1, s2);
  }
  if (st == JK_OK) return db_commit(db);
  db_rollback(db);
  return st;
}

/* One record at pool p on day `date`. */
static jk_status gen_record(struct db *db, struct county_pool *p, const char *date, int64_t now)
{
  static const char *const types[] = {"medication", "daily_living", "social_skills", "vocational", "home_guidance",
                                      "peer_support", "counselling", "recreation"};
  static const char *const places[] = {"institution", "institution", "institution", "home", "community", "online"};
  if (p->n == 0) return JK_OK;
  struct attendance who[12];
  bool group = gen_rnd(5) == 0;
  int64_t n = group ? 5 + gen_rnd(8) : 1;
  if (n > p->n) n = p->n;
  int64_t attended = 0, start = gen_rnd((uint32_t)p->n);
  for (int64_t i = 0; i < n; i++) {
    who[i] = (struct attendance){.client_rid = p->clients[(start + i) % p->n], .attended = !group || gen_rnd(10) != 0};
    attended += who[i].attended;
  }
  char id[37];
  uuid_v7(id);
  const char *type = types[gen_rnd(sizeof types / sizeof types[0])];
  struct service_rec s = {.id = id, .org_rid = p->org_rid, .type = type, .mode = group ? "group" : "individual",
                          .date = date, .duration_minutes = group ? 90 : 45, .place = places[gen_rnd(6)],
                          .staff_json = p->staff, .topic = care_label(CL_SERVICE_TYPE, type),
                          .content = "按康复方案开展训练，记录表现与进展", .n_clients = n, .n_attended = attended,
                          .created_by = "gen", .created_at = now};
  return service_store_insert(db, &s, who, n);
}

int gen_services(const struct cli_opts *o)
{
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct arena *a = arena_new();
  struct region *counties;
  int64_t nc, want = o->count ? o->count : 1000000, now = clock_now_ms();
  jk_status st = region_store_counties(db, a, o->region ? o->region : "51", &counties, &nc);
  if (st != JK_OK || nc == 0) {
    fprintf(stderr, "jingkang: 该地区没有县级行政区划\n");
    return 1;
  }
  db_exec(db, "PRAGMA cache_size=-262144");
  struct county_pool *pools = calloc((size_t)nc, sizeof *pools);
  struct timespec t0, t1, t2;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  st = make_institutions(db, a, counties, nc, pools, now);
  if (st == JK_OK) st = make_clients(db, &app.keys, counties, nc, pools, want / 10 > 0 ? want / 10 : 1, now);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int64_t big = 0;
  for (int64_t i = 1; i < nc; i++)
    if (pools[i].n > pools[big].n) big = i;
  struct jk_date today = date_today();
  int64_t first = date_to_days(date_add_months(today, -36)), span = date_to_days(today) - first + 1;
  for (int64_t done = 0; st == JK_OK && done < want + MONTH_RECORDS;) {
    if ((st = db_begin_write(db)) != JK_OK) break;
    for (int i = 0; i < 10000 && done < want + MONTH_RECORDS && st == JK_OK; i++, done++) {
      char date[11];
      bool month = done >= want;
      date_format(month ? (struct jk_date){today.y, today.m, 1 + (int)gen_rnd((uint32_t)today.d)}
                        : date_from_days(first + gen_rnd((uint32_t)span)), date);
      st = gen_record(db, &pools[month ? big : (int64_t)gen_rnd((uint32_t)nc)], date, now);
    }
    st = st == JK_OK ? db_commit(db) : (db_rollback(db), st);
  }
  clock_gettime(CLOCK_MONOTONIC, &t2);
  db_close(db);
  for (int64_t i = 0; i < nc; i++) free(pools[i].clients);
  free(pools);
  arena_free(a);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 生成中断\n");
    return 1;
  }
  printf("generated %lld institutions and %lld clients in %.1f s; %lld service records in %.1f s\n", (long long)nc,
         (long long)(want / 10), (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
         (long long)(want + MONTH_RECORDS), (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9);
  return 0;
}
