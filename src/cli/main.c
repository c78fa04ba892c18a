/* main.c: `jingkang` — one binary, one subcommand per file (cli/cmd_*.c). */
#include "cli/cli.h"
#include "base/log.h"
#include "sec/crypto.h"
#include <stdio.h>
#include <string.h>

#ifndef JK_VERSION
#define JK_VERSION "0.1.0"
#endif

static const struct {
  const char *name;
  int (*fn)(const struct cli_opts *o);
  const char *usage;
} commands[] = {
  {"init", cmd_init, "init --data DIR [--divisions DIR]      创建数据库和密钥，载入全部五级行政区划"},
  {"serve", cmd_serve, "serve --data DIR --listen HOST:PORT [--web DIR] [--threads N] [--secure-cookies]\n"
                       "                                          提供网页界面和 API"},
  {"demo", cmd_demo, "demo --data DIR                         init 加一个地级市的演示数据（机构、各角色账号、数百名康复对象）"},
  {"user", cmd_user, "user add NAME --role ROLE [--region CODE] [--org ID] [--name 显示名] --data DIR\n"
                     "                                          新建账号（密码从标准输入读取）"},
  {"token", cmd_token, "token create USERNAME [--name LABEL] --data DIR   为系统对接生成 Bearer 令牌"},
  {"audit", cmd_audit, "audit verify --data DIR                 校验审计链；完好时退出码为0，否则指出第一条被破坏的记录\n"
                       "  jingkang audit export --out FILE [--from SEQ] [--every N] --data DIR  导出审计记录（带签名检查点）\n"
                       "  jingkang audit verify-export FILE --pubkey HEX  离线校验导出文件\n"
                       "  jingkang audit pubkey --data DIR        显示检查点签名公钥\n"
                       "  jingkang audit prune --before DATE [--keep-days N] --data DIR  删除已导出且超过保留期（至少181天）的记录"},
  {"backup", cmd_backup, "backup --out FILE [--with-key] --data DIR  在线备份数据库（不含密钥文件；--with-key 另存 FILE.key）"},
  {"restore", cmd_restore, "restore --from FILE --data DIR          从备份恢复（服务须已停止；须是同一密钥的安装）"},
  {"keys", cmd_keys, "keys status|rotate|rewrap|retire [VERSION] --data DIR  字段加密密钥轮换（服务无需停止）"},
  {"gen", cmd_gen, "gen clients|referrals|services --count N [--region CODE] --data DIR  生成基准测试数据\n"
                   "  jingkang gen history [--months 24] --data DIR  为已有康复对象生成历史记录（登记、服务、评估、方案）\n"
                   "  jingkang gen national [--clients N] [--institutions N] [--services N] [--years 3] --data DIR  全国规模数据集"},
  {"calendar", cmd_calendar, "calendar import [--name FILE] --data DIR  载入法定节假日与调休（npm 包 chinese-days）"},
  {"sweep", cmd_sweep, "sweep [--as-of TIME] --data DIR         执行定时规则（等候超期转复核、超期通知）；服务运行时每分钟自动执行"},
  {"indicators", cmd_indicators, "indicators refresh|rebuild|check --data DIR  指标汇总：计入待处理变更 / 全部重建 / 与原始记录比对"},
  {"instruments", cmd_instruments, "instruments --data DIR                  载入并列出评估工具（data/instruments 下的定义文件）"},
  {"routes", cmd_routes, "routes                                  以 JSON 列出全部 API 路由（方法、路径、是否公开）"},
  {"doctor", cmd_doctor, "doctor --data DIR                       检查数据目录、密钥文件与权限、数据库"},
};

static void usage(FILE *f)
{
  fprintf(f, "精康 Jingkang %s — 精神障碍社区康复服务信息系统\n\n用法: jingkang COMMAND [OPTIONS]\n\n", JK_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) fprintf(f, "  jingkang %s\n", commands[i].usage);
  fprintf(f, "  jingkang version                        显示版本\n  jingkang help                           显示本帮助\n\n"
             "DATA 默认为 $JINGKANG_DATA，否则为 ./demo-data。角色: sysadmin secadmin auditor official\n"
             "referral_worker rehab_staff hospital_staff evaluator\n");
}

int main(int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    printf("jingkang %s\n", JK_VERSION);
    return 0;
  }
  if (crypto_init() != JK_OK) {
    fputs("jingkang: libsodium failed to initialise\n", stderr);
    return 1;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    struct cli_opts o;
    bk_take_opts(&argc, argv);   /* backup/restore/keys/audit options (cmd_backup.c) */
    gen_take_opts(&argc, argv);  /* gen history/national options (cmd_gen_history.c) */
    if (!cli_parse(argc - 2, argv + 2, &o)) return 2;
    return commands[i].fn(&o);
  }
  fprintf(stderr, "jingkang: 未知命令 \"%s\"\n\n", argv[1]);
  usage(stderr);
  return 2;
}
