/* cmd_audit.c: `jingkang audit verify|export|verify-export|pubkey|prune` (docs/internals/audit.md).
 *  verify         exit 0 when the chain is intact; otherwise exit 1 and name the first broken entry.
 *  export         entries from --from SEQ as JSON lines with signed checkpoints (every --every N,
 *                 default 1000, and at the end) into --out FILE; records how far exports reach.
 *  verify-export  FILE --pubkey HEX: offline check of an export (needs no key file).
 *  pubkey         the Ed25519 public key that signs checkpoints and prune anchors.
 *  prune          --before DATE [--keep-days N]: deletes the leading entries older than both DATE
 *                 and the retention (default and minimum 181 days, by the one clock; JINGKANG_NOW
 *                 sets it) that are already exported, leaving a signed anchor. */
#include "cli/cli.h"
#include "base/clock.h"
#include "sec/audit.h"
#include "store/db.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETENTION_MIN_DAYS 181

static int usage(void)
{
  fprintf(stderr, "用法: jingkang audit verify --data DIR\n"
                  "       jingkang audit export --out FILE [--from SEQ] [--every N] --data DIR\n"
                  "       jingkang audit verify-export FILE --pubkey HEX\n"
                  "       jingkang audit pubkey --data DIR\n"
                  "       jingkang audit prune --before DATE [--keep-days N] --data DIR\n");
  return 2;
}

static bool positive(const char *s, int64_t *v)
{
  char *end;
  long long x = s ? strtoll(s, &end, 10) : 0;
  if (!s || *end || x < 0) return false;
  *v = x;
  return true;
}

static int verify_export(const struct cli_opts *o)
{
  unsigned char pk[32];
  const char *hex = bk_opts.pubkey;
  if (o->argc != 2 || !hex) return usage();
  if (strlen(hex) != 64 || sodium_hex2bin(pk, 32, hex, 64, 0, 0, 0) != 0) {
    fprintf(stderr, "jingkang: --pubkey 应为64位十六进制（jingkang audit pubkey 的输出）\n");
    return 2;
  }
  struct audit_export_result r;
  const char *why;
  int64_t line;
  if (!audit_export_verify(o->argv[1], pk, &r, &why, &line)) {
    printf("导出文件校验失败：第 %lld 行，%s\n", (long long)line, why);
    return 1;
  }
  printf("导出文件完好：%lld 条记录（seq %lld–%lld），%lld 个签名检查点\n", (long long)r.entries, (long long)r.first,
         (long long)r.last, (long long)r.checkpoints);
  return 0;
}

int cmd_audit(const struct cli_opts *o)
{
  const char *sub = o->argc >= 1 ? o->argv[0] : "";
  if (strcmp(sub, "verify-export") == 0) return verify_export(o);
  if (o->argc != 1) return usage();
  if (strcmp(sub, "verify") && strcmp(sub, "export") && strcmp(sub, "pubkey") && strcmp(sub, "prune")) return usage();
  int64_t from = 0, every = 1000, keep = RETENTION_MIN_DAYS, before = 0;
  if (strcmp(sub, "export") == 0 &&
      (!bk_opts.out || (bk_opts.from && !positive(bk_opts.from, &from)) ||
       (bk_opts.every && (!positive(bk_opts.every, &every) || every == 0))))
    return usage();
  if (strcmp(sub, "prune") == 0) {
    if (!bk_opts.before || !time_parse(bk_opts.before, &before)) {
      fprintf(stderr, "jingkang: --before 需要日期（YYYY-MM-DD）\n");
      return 2;
    }
    if (bk_opts.keep_days && (!positive(bk_opts.keep_days, &keep) || keep < RETENTION_MIN_DAYS)) {
      fprintf(stderr, "jingkang: 审计记录至少保留 %d 天（6个月），--keep-days 不能更小\n", RETENTION_MIN_DAYS);
      return 2;
    }
    const char *now = getenv("JINGKANG_NOW");
    int64_t ms;
    if (now && *now) {
      if (!time_parse(now, &ms)) {
        fprintf(stderr, "jingkang: JINGKANG_NOW 格式错误\n");
        return 2;
      }
      clock_set_ms(ms);
    }
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  int rc = 1;
  if (strcmp(sub, "pubkey") == 0) {
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, app.keys.sign_pk, 32);
    printf("%s\n", hex);
    rc = 0;
  } else if (strcmp(sub, "export") == 0) {
    struct audit_export_result r;
    jk_status st = audit_export(db, &app.keys, from, every, bk_opts.out, cli_actor(), &r);
    if (st == JK_OK) {
      printf("已导出 %lld 条审计记录（seq %lld–%lld）到 %s，%lld 个签名检查点\n", (long long)r.entries,
             (long long)r.first, (long long)r.last, bk_opts.out, (long long)r.checkpoints);
      rc = 0;
    } else {
      fprintf(stderr, "jingkang: 导出失败：%s\n", st == JK_ENOTFOUND ? "没有可导出的审计记录" : st == JK_ECONFLICT ? "审计裁剪锚点无效" : "无法读取数据库或写入文件");
    }
  } else if (strcmp(sub, "prune") == 0) {
    int64_t cutoff = clock_now_ms() - keep * 86400000LL, upto = 0;
    if (before < cutoff) cutoff = before;
    jk_status st = audit_prune(db, &app.keys, cutoff, cli_actor(), &upto);
    if (st == JK_ECONFLICT) {
      fprintf(stderr, "jingkang: 审计链校验未通过，拒绝裁剪（先运行 jingkang audit verify）\n");
    } else if (st != JK_OK) {
      fprintf(stderr, "jingkang: 裁剪失败\n");
    } else {
      char t[32];
      time_format(cutoff, t);
      if (upto) printf("已删除 seq %lld 及之前的审计记录（早于 %s 且已导出）；签名锚点已记录\n", (long long)upto, t);
      else printf("没有可删除的审计记录（须早于 %s、保留满 %lld 天且已导出）\n", t, (long long)keep);
      rc = 0;
    }
  } else {
    struct audit_check c;
    jk_status st = audit_verify(db, &app.keys, &c);
    if (st != JK_OK) {
      fprintf(stderr, "jingkang: 无法读取审计记录\n");
    } else if (c.ok) {
      printf("审计链完好：%lld 条记录\n", (long long)c.entries);
      rc = 0;
    } else {
      printf("审计链被破坏：第一条异常记录 seq=%lld（%s）；此前 %lld 条完好\n", (long long)c.first_bad_seq, c.why,
             (long long)c.entries);
    }
  }
  db_close(db);
  return rc;
}
