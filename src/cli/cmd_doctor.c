/* cmd_doctor.c: `jingkang doctor` — checks what an operator would check first: the data
 * directory and its permissions, the key file, the database (integrity, schema, regions),
 * the audit chain and the web UI. Exit 0 when all pass. */
#include "cli/cli.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/region_store.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int failures;

static void report(bool ok, const char *what, const char *detail)
{
  printf("[%s] %s%s%s\n", ok ? "正常" : "异常", what, detail ? "：" : "", detail ? detail : "");
  failures += !ok;
}

int cmd_doctor(const struct cli_opts *o)
{
  const char *dir = cli_data_dir(o);
  char path[4096];
  struct stat sb;
  bool dir_ok = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
  report(dir_ok, "数据目录", dir);
  if (!dir_ok) return 1;
  report((sb.st_mode & 077) == 0, "数据目录权限", (sb.st_mode & 077) ? "应为0700（其他用户可访问）" : "0700");
  snprintf(path, sizeof path, "%s/jingkang.key", dir);
  const char *why = 0;
  bool key_ok = keys_check_file(path, &why); /* before reading why */
  report(key_ok, "密钥文件", key_ok ? "存在，权限0600" : why);
  snprintf(path, sizeof path, "%s/jingkang.db", dir);
  bool db_mode_ok = stat(path, &sb) == 0 && (sb.st_mode & 077) == 0;
  report(db_mode_ok, "数据库文件权限", db_mode_ok ? "0600" : "应为0600（其他用户可读）");
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) {
    report(false, "数据库", "无法打开");
    return 1;
  }
  sqlite3_stmt *st = 0;
  bool integ = sqlite3_prepare_v2(db_sqlite(db), "PRAGMA quick_check", -1, &st, 0) == SQLITE_OK &&
               sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
  sqlite3_finalize(st);
  report(integ, "数据库完整性", integ ? "ok" : "quick_check 未通过");
  char buf[64];
  snprintf(buf, sizeof buf, "版本 %d", db_schema_version(db));
  report(true, "数据库结构", buf);
  int64_t n = region_store_count(db);
  snprintf(buf, sizeof buf, "%lld 条", (long long)n);
  report(n > 600000, "行政区划", buf);
  struct audit_check c;
  bool audit_ok = audit_verify(db, &app.keys, &c) == JK_OK && c.ok;
  report(audit_ok, "审计链", audit_ok ? "完好" : c.why);
  db_close(db);
  const char *web = o->web ? o->web : "web/dist";
  snprintf(path, sizeof path, "%s/index.html", web);
  report(stat(path, &sb) == 0, "网页界面", web);
  printf("%s\n", failures ? "发现问题，请按上面的提示处理" : "全部检查通过");
  return failures ? 1 : 0;
}
