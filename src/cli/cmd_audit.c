/* cmd_audit.c: `jingkang audit verify` — exit 0 when the chain is intact; otherwise exit 1
 * and name the first broken entry. */
#include "cli/cli.h"
#include "sec/audit.h"
#include "store/db.h"
#include <stdio.h>
#include <string.h>

int cmd_audit(const struct cli_opts *o)
{
  if (o->argc != 1 || strcmp(o->argv[0], "verify") != 0) {
    fprintf(stderr, "用法: jingkang audit verify --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct audit_check c;
  jk_status st = audit_verify(db, &app.keys, &c);
  db_close(db);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 无法读取审计记录\n");
    return 1;
  }
  if (c.ok) {
    printf("审计链完好：%lld 条记录\n", (long long)c.entries);
    return 0;
  }
  printf("审计链被破坏：第一条异常记录 seq=%lld（%s）；此前 %lld 条完好\n", (long long)c.first_bad_seq, c.why,
         (long long)c.entries);
  return 1;
}
