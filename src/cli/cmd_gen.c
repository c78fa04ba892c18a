/* cmd_gen.c: `jingkang gen clients --count N --data DIR` — synthetic clients for benchmarks
 * (bench/). Valid ID numbers spread over the real counties of the division table, every
 * personal field sealed and masked as the API does, inserted in transactions of 10,000.
 * The data is invented; the path is the store's, not the API's, to measure the store. */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/idcard.h"
#include "domain/mask.h"
#include "sec/crypto.h"
#include "store/client_store.h"
#include "store/db.h"
#include "store/region_store.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define GEN_BATCH 10000

static uint64_t state = 88172645463325252ULL;
uint32_t gen_rnd(uint32_t n)
{
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)(state % n);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"};

static struct sealed seal(struct arena *a, const struct keys *k, const char *id, const char *field, const char *v)
{
  struct sealed s;
  char ad[96];
  snprintf(ad, sizeof ad, "client:%s:%s", id, field);
  s.p = field_seal(a, k, v, ad, &s.n);
  return s;
}

jk_status gen_client(struct db *db, struct arena *a, const struct keys *k, const char *county, int64_t now, int64_t *rid)
{
  char id[37], number[64], masked[19], phone[24], pmask[32], addr[96], amask[64], birth[40];
  uuid_v7(id);
  int y = 1960 + (int)gen_rnd(45), m = 1 + (int)gen_rnd(12), d = 1 + (int)gen_rnd(28);
  snprintf(number, sizeof number, "%.6s%04d%02d%02d%03u", county, y, m, d, gen_rnd(999) + 1);
  number[17] = idcard_check_char(number);
  number[18] = 0;
  idcard_mask(number, masked);
  snprintf(phone, sizeof phone, "1%u%09u", 3 + gen_rnd(7), gen_rnd(1000000000));
  phone_mask(phone, pmask, sizeof pmask);
  snprintf(addr, sizeof addr, "%u组%u号", 1 + gen_rnd(20), 1 + gen_rnd(200));
  address_mask(addr, amask, sizeof amask);
  snprintf(birth, sizeof birth, "%04d-%02d-%02d", y, m, d);
  char name[16];
  snprintf(name, sizeof name, "%s%s%s", surnames[gen_rnd(14)], given[gen_rnd(16)], gen_rnd(2) ? given[gen_rnd(16)] : "");
  struct client_rec c = {
    .id = id, .name = name, .birth_date = birth, .sex = (number[16] - '0') % 2 ? 1 : 2,
    .id_enc = seal(a, k, id, "id_number", number), .id_masked = masked,
    .phone_enc = seal(a, k, id, "phone", phone), .phone_masked = pmask,
    .address_enc = seal(a, k, id, "address", addr), .address_masked = amask,
    .residence_region = county, .hukou_region = county, .diagnosis = gen_rnd(3) ? "F20.0" : "F32.1",
    .severe = gen_rnd(3) ? 1 : 0, .status = "registered", .created_by = "gen", .created_at = now, .updated_at = now,
  };
  blind_index(k, "id_number", number, c.id_bidx);
  char *existing;
  jk_status st = client_store_insert(db, a, &c, &existing);
  if (rid) *rid = st == JK_OK ? c.rid : 0;
  return st == JK_ECONFLICT ? JK_OK : st;   /* a generated duplicate is skipped */
}

int cmd_gen(const struct cli_opts *o)
{
  if (o->argc == 1 && strcmp(o->argv[0], "referrals") == 0) return gen_referrals(o);
  if (o->argc == 1 && strcmp(o->argv[0], "services") == 0) return gen_services(o);
  if (o->argc == 1 && strcmp(o->argv[0], "history") == 0) return gen_history(o);
  if (o->argc == 1 && strcmp(o->argv[0], "national") == 0) return gen_national(o);
  if (o->argc != 1 || strcmp(o->argv[0], "clients") != 0) {
    fprintf(stderr, "用法: jingkang gen clients|referrals|services --count N [--region CODE] --data DIR\n"
                    "      jingkang gen history [--months 24] --data DIR\n"
                    "      jingkang gen national [--clients N] [--institutions N] [--services N] [--years 3] --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct arena *a = arena_new(), *batch = 0;
  struct region *counties;
  int64_t nc;
  if (region_store_counties(db, a, 0, &counties, &nc) != JK_OK || nc == 0) {
    fprintf(stderr, "jingkang: 没有行政区划数据\n");
    return 1;
  }
  int64_t want = o->count ? o->count : 1000000, done = 0;
  /* The blind-index and name indexes take keys in random order: with their pages in a 256 MiB
   * cache (instead of the server's 32 MiB) a million inserts do not wait on page reads. */
  db_exec(db, "PRAGMA cache_size=-262144");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  jk_status st = JK_OK;
  while (done < want && st == JK_OK) {
    batch = arena_new();
    if ((st = db_begin_write(db)) != JK_OK) break;
    int64_t now = clock_now_ms();
    for (int i = 0; i < GEN_BATCH && done < want && st == JK_OK; i++, done++)
      st = gen_client(db, batch, &app.keys, counties[gen_rnd((uint32_t)nc)].code, now, 0);
    if (st == JK_OK) st = db_commit(db);
    else db_rollback(db);
    arena_free(batch);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  db_close(db);
  arena_free(a);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 生成中断\n");
    return 1;
  }
  printf("generated %lld clients in %.1f s (%.0f/s)\n", (long long)done, secs, (double)done / secs);
  return 0;
}
