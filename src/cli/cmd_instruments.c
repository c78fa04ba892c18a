/* cmd_instruments.c: the assessment instruments shipped as data files (data/instruments/<id>.json,
 * docs/internals/instruments.md) into the database, and from there into the server's registry.
 * A stored version is never replaced: an old assessment is always shown with the definition
 * it was scored with. `jingkang instruments --data DIR` loads and lists them. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/instrument.h"
#include "store/care_store.h"
#include "store/db.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char *text = 0;
  size_t n = 0;
  if (fseek(f, 0, SEEK_END) == 0) {
    long len = ftell(f);
    if (len >= 0 && len < 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)len + 1))) {
      n = fread(text, 1, (size_t)len, f);
      text[n] = 0;
    }
  }
  fclose(f);
  return text;
}

/* One file: parse, then store unless that version is already there. */
static void sync_file(struct db *db, const char *path, int *added)
{
  char *text = read_file(path), err[256];
  struct instrument *in = 0;
  if (!text || instrument_parse(text, &in, err, sizeof err) != JK_OK) {
    log_warn("instruments: %s 未载入：%s", path, text ? err : "无法读取");
    free(text);
    return;
  }
  bool is_new = false;
  jk_status st = db_begin_write(db);
  if (st == JK_OK) {
    st = instrument_store_put(db, in->id, in->version, text, clock_now_ms(), &is_new);
    if (st == JK_OK) st = db_commit(db);
    else db_rollback(db);
  }
  if (st == JK_ECONFLICT)
    log_warn("instruments: %s 未载入：%s 第%d版已存在且内容不同，修改定义须提高 version", path, in->id, in->version);
  else if (st != JK_OK)
    log_warn("instruments: %s 未载入（数据库错误）", path);
  else if (is_new)
    (*added)++, log_info("instruments: 载入 %s 第%d版", in->id, in->version);
  instrument_free(in);
  free(text);
}

static void add_stored(void *ctx, const char *definition)
{
  struct instrument_set *set = ctx;
  struct instrument *in;
  char err[256];
  if (instrument_parse(definition, &in, err, sizeof err) == JK_OK) instrument_set_add(set, in);
  else log_warn("instruments: 数据库中的定义无法解析：%s", err);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

jk_status cli_load_instruments(struct app *app, struct db *db)
{
  const char *dir = cli_instruments_dir();
  struct dirent **names = 0;
  int n = scandir(dir, &names, 0, by_name), added = 0;
  if (n < 0) log_warn("instruments: 无法读取目录 %s；只使用数据库中已有的评估工具", dir);
  for (int i = 0; i < n; i++) {
    size_t len = strlen(names[i]->d_name);
    if (len > 5 && strcmp(names[i]->d_name + len - 5, ".json") == 0) {
      char path[4352];
      snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
      sync_file(db, path, &added);
    }
    free(names[i]);
  }
  free(names);
  instrument_set_clear(&app->instruments);
  jk_status st = instrument_store_each(db, add_stored, &app->instruments);
  if (st == JK_OK && app->instruments.n == 0) {
    log_error("instruments: 没有可用的评估工具（%s）", dir);
    return JK_ENOTFOUND;
  }
  return st;
}

int cmd_instruments(const struct cli_opts *o)
{
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  jk_status st = cli_load_instruments(&app, db);
  for (int i = 0; i < app.instruments.n; i++) {
    const struct instrument *in = app.instruments.v[i];
    printf("%-14s 第%d版  %3d题  %s\n", in->id, in->version, in->nitems, in->name);
  }
  instrument_set_clear(&app.instruments);
  db_close(db);
  return st == JK_OK ? 0 : 1;
}
