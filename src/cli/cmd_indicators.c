/* cmd_indicators.c: `jingkang indicators refresh|rebuild|check --data DIR`.
 *   refresh  folds in every pending change (what the CLI, a generator or a new definition left;
 *            the server does it every minute)
 *   rebuild  drops every aggregate and counts everything again from the raw records
 *   check    recomputes every aggregate in memory and compares: exit 0 when all agree, 1 and one
 *            line per difference otherwise (the consistency test; safe while the server runs) */
#include "cli/cli.h"
#include "store/db.h"
#include "store/indicator_store.h"
#include <stdio.h>
#include <string.h>

static void progress(void *ctx, int64_t done, int64_t total)
{
  (void)ctx;
  if (total > 0) fprintf(stderr, "\r已计算 %lld / %lld%s", (long long)done, (long long)total, done >= total ? "\n" : "");
}

static void report(void *ctx, const char *line)
{
  int64_t *shown = ctx;
  if ((*shown)++ < 50) printf("不一致: %s\n", line);
}

int cmd_indicators(const struct cli_opts *o)
{
  const char *sub = o->argc >= 1 ? o->argv[0] : "";
  if (strcmp(sub, "refresh") && strcmp(sub, "rebuild") && strcmp(sub, "check")) {
    fprintf(stderr, "用法: jingkang indicators refresh|rebuild|check --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  int64_t n = 0, total = 0, mismatches = 0, compared = 0, shown = 0;
  jk_status st;
  int rc = 0;
  if (sub[1] == 'e' && sub[2] == 'f') {
    indicator_store_pending(db, &total);
    st = indicator_store_drain(db, 5000, progress, 0, total, &n);
    if (st == JK_OK) printf("%s已计入 %lld 项变更，指标已是最新\n", n < total ? "\n" : "", (long long)n);
  } else if (sub[1] == 'e') {
    st = indicator_store_rebuild(db, progress, 0, &n);
    if (st == JK_OK) printf("已重建全部指标汇总（%lld 个对象）\n", (long long)n);
  } else {
    st = indicator_store_drain(db, 5000, 0, 0, 0, &n);
    if (st == JK_OK) st = indicator_store_check(db, report, &shown, &mismatches, &compared);
    if (st == JK_OK) {
      printf("已比对 %lld 个汇总值：%s", (long long)compared, mismatches ? "" : "与原始记录重新计算的结果完全一致\n");
      if (mismatches) printf("%lld 处不一致\n", (long long)mismatches);
      rc = mismatches ? 1 : 0;
    }
  }
  db_close(db);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 指标计算失败（错误 %d）\n", (int)st);
    return 1;
  }
  return rc;
}
