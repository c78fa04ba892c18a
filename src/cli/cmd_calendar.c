/* cmd_calendar.c: `jingkang calendar import [--file FILE]` — loads the official holidays and
 * 调休 working days from the npm package chinese-days (dist/chinese-days.json: "holidays" and
 * "workdays" maps of date → "English,中文,days"), one calendar year at a time, replacing what
 * the years it covers held. `jingkang init` runs the same import. A year the package does not
 * cover yet can be entered by the administrator (PUT /api/v1/calendar/{year}). */
#include "cli/cli.h"
#include "base/arena.h"
#include "base/clock.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *cli_calendar_file(const struct cli_opts *o)
{
  static char path[PATH_MAX * 2];
  if (o->name && *o->name) return o->name;
  snprintf(path, sizeof path, "%s/../../chinese-days/dist/chinese-days.json", cli_divisions_dir(o));
  if (access(path, R_OK) == 0) return path;
  return "node_modules/chinese-days/dist/chinese-days.json";
}

/* Adds the entries of map (date → "English,中文,n") for `year` to days. */
static int collect(struct arena *a, json_t *map, int year, bool off, struct calendar_day *days, int n, int cap)
{
  const char *date;
  json_t *v;
  json_object_foreach(map, date, v) {
    struct jk_date d;
    if (n >= cap || !date_parse(date, &d) || d.y != year) continue;
    const char *text = json_string_value(v), *c1 = text ? strchr(text, ',') : 0, *c2 = c1 ? strchr(c1 + 1, ',') : 0;
    days[n++] = (struct calendar_day){arena_strdup(a, date), off, c2 ? arena_strndup(a, c1 + 1, (size_t)(c2 - c1 - 1)) : ""};
  }
  return n;
}

jk_status calendar_import(struct db *db, const char *file, int *years_out, int *days_out)
{
  json_error_t je;
  json_t *root = json_load_file(file, 0, &je);
  json_t *hol = json_object_get(root, "holidays"), *work = json_object_get(root, "workdays");
  *years_out = *days_out = 0;
  if (!json_is_object(hol) || !json_is_object(work)) {
    json_decref(root);
    return JK_EINVAL;
  }
  int lo = 9999, hi = 0;
  const char *date;
  json_t *v;
  json_object_foreach(hol, date, v) {
    int y = atoi(date);
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  jk_status st = db_begin_write(db);
  for (int y = lo; st == JK_OK && y <= hi; y++) {
    struct arena *a = arena_new();
    int cap = 128;
    struct calendar_day *days = arena_alloc(a, sizeof *days * (size_t)cap);
    int n = collect(a, hol, y, true, days, 0, cap);
    n = collect(a, work, y, false, days, n, cap);
    if (n) {
      st = calendar_store_put_year(db, y, days, n, "chinese-days", cli_actor(), clock_now_ms());
      (*years_out)++;
      *days_out += n;
    }
    arena_free(a);
  }
  if (st == JK_OK) st = db_commit(db);
  else if (db_in_write(db)) db_rollback(db);
  json_decref(root);
  return st;
}

int cmd_calendar(const struct cli_opts *o)
{
  if (o->argc != 1 || strcmp(o->argv[0], "import") != 0) {
    fprintf(stderr, "用法: jingkang calendar import [--name FILE] --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  const char *file = cli_calendar_file(o);
  int years, days;
  jk_status st = calendar_import(db, file, &years, &days);
  db_close(db);
  if (st != JK_OK) {
    fprintf(stderr, "jingkang: 无法从 %s 载入节假日（npm 包 chinese-days）\n", file);
    return 1;
  }
  printf("已载入节假日与调休：%d 年，%d 天（%s）\n", years, days, file);
  return 0;
}
