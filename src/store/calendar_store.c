/* calendar_store.c: see calendar_store.h.
 *
 * The snapshot is rebuilt when meta 'calendar_version' differs from the one it was built
 * from. The version is read on every call (one indexed row through a cached statement, a few
 * microseconds; deadlines are computed once per step, not per read), so a change is used by the
 * next deadline in every process and thread. Replaced snapshots are kept until exit: a reader on another thread
 * may still hold one, and they change only when an administrator edits a year. */
#include "store/calendar_store.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/workday.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_VERSION[] = "SELECT coalesce((SELECT value FROM meta WHERE key = 'calendar_version'), '0')";
static const char SQL_BUMP[] =
  "INSERT INTO meta(key, value) VALUES ('calendar_version', '1')"
  " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1";
static const char SQL_ALL_DAYS[] = "SELECT date, off FROM holiday";
static const char SQL_ALL_YEARS[] = "SELECT year FROM calendar_year ORDER BY year";
static const char SQL_DEL_YEAR[] = "DELETE FROM holiday WHERE date >= $1 AND date < $2";
static const char SQL_ADD_DAY[] = "INSERT INTO holiday(date, off, name) VALUES ($1, $2, $3)";
static const char SQL_PUT_YEAR[] =
  "INSERT INTO calendar_year(year, source, updated_at, updated_by) VALUES ($1, $2, $3, $4)"
  " ON CONFLICT(year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at,"
  " updated_by = excluded.updated_by";
static const char SQL_GET_YEAR[] = "SELECT source, updated_at FROM calendar_year WHERE year = $1";
static const char SQL_YEAR_DAYS[] = "SELECT date, off, name FROM holiday WHERE date >= $1 AND date < $2 ORDER BY date";

struct kept { struct workcal *cal; struct kept *next; };

static struct {
  pthread_mutex_t lock;
  const struct workcal *cur;
  int64_t version;
  struct kept *old;
} snap = {.lock = PTHREAD_MUTEX_INITIALIZER, .version = -1};

static struct workcal *load(struct db *db)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ALL_DAYS);
  if (!st) return 0;
  int cap = 256, n = 0, ny = 0, ycap = 16;
  struct workday_exception *ex = malloc(sizeof *ex * (size_t)cap);
  int *years = malloc(sizeof *years * (size_t)ycap);
  while (ex && years && sqlite3_step(st) == SQLITE_ROW) {
    struct jk_date d;
    if (!date_parse((const char *)sqlite3_column_text(st, 0), &d)) continue;
    if (n == cap) {
      struct workday_exception *w = realloc(ex, sizeof *ex * (size_t)(cap *= 2));
      if (!w) break;
      ex = w;
    }
    ex[n++] = (struct workday_exception){date_to_days(d), sqlite3_column_int(st, 1) != 0};
  }
  db_done(st);
  if ((st = db_prepare(db, SQL_ALL_YEARS))) {
    while (ex && years && sqlite3_step(st) == SQLITE_ROW) {
      if (ny == ycap) {
        int *w = realloc(years, sizeof *years * (size_t)(ycap *= 2));
        if (!w) break;
        years = w;
      }
      years[ny++] = sqlite3_column_int(st, 0);
    }
    db_done(st);
  }
  struct workcal *c = ex && years ? workcal_new(ex, n, years, ny) : 0;
  free(ex);
  free(years);
  return c;
}

const struct workcal *calendar_current(struct db *db)
{
  pthread_mutex_lock(&snap.lock);
  {
    int64_t v = 0;
    sqlite3_stmt *st = db_prepare(db, SQL_VERSION);
    if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    db_done(st);
    if (!snap.cur || v != snap.version) {
      struct workcal *c = load(db);
      struct kept *k = c ? malloc(sizeof *k) : 0;
      if (k) {
        *k = (struct kept){c, snap.old};
        snap.old = k;
        snap.cur = c;
        snap.version = v;
      } else {
        workcal_free(c);
      }
    }
  }
  const struct workcal *c = snap.cur;
  pthread_mutex_unlock(&snap.lock);
  return c;
}

int64_t calendar_deadline(struct db *db, int64_t from_ms, int n)
{
  int64_t day = date_to_days(date_from_ms(from_ms));
  day = workcal_add(calendar_current(db), day, n);
  return (day + 1) * 86400000LL - 8 * 3600000LL - 1;
}

static void year_bounds(int year, char lo[11], char hi[11])
{
  date_format((struct jk_date){year, 1, 1}, lo);
  date_format((struct jk_date){year + 1, 1, 1}, hi);
}

jk_status calendar_store_put_year(struct db *db, int year, const struct calendar_day *days, int n,
                                  const char *source, const char *updated_by, int64_t now_ms)
{
  char lo[11], hi[11];
  year_bounds(year, lo, hi);
  sqlite3_stmt *st = db_prepare(db, SQL_DEL_YEAR);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, lo);
  db_bind_text(st, 2, hi);
  int rc = sqlite3_step(st);
  db_done(st);
  for (int i = 0; rc == SQLITE_DONE && i < n; i++) {
    if (!(st = db_prepare(db, SQL_ADD_DAY))) return JK_EINTERNAL;
    db_bind_text(st, 1, days[i].date);
    db_bind_int64(st, 2, days[i].off);
    db_bind_text(st, 3, days[i].name ? days[i].name : "");
    rc = sqlite3_step(st);
    db_done(st);
  }
  if (rc == SQLITE_DONE && (st = db_prepare(db, SQL_PUT_YEAR))) {
    db_bind_int64(st, 1, year);
    db_bind_text(st, 2, source);
    db_bind_int64(st, 3, now_ms);
    db_bind_text(st, 4, updated_by);
    rc = sqlite3_step(st);
    db_done(st);
  }
  if (rc == SQLITE_DONE && (st = db_prepare(db, SQL_BUMP))) {
    rc = sqlite3_step(st);
    db_done(st);
  }
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status calendar_store_get_year(struct db *db, struct arena *a, int year, struct calendar_day **days,
                                  int *n, const char **source, int64_t *updated_at)
{
  sqlite3_stmt *st = db_prepare(db, SQL_GET_YEAR);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, year);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *source = db_col_text(a, st, 0);
    *updated_at = sqlite3_column_int64(st, 1);
  }
  db_done(st);
  if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
  char lo[11], hi[11];
  year_bounds(year, lo, hi);
  if (!(st = db_prepare(db, SQL_YEAR_DAYS))) return JK_EINTERNAL;
  db_bind_text(st, 1, lo);
  db_bind_text(st, 2, hi);
  size_t cap = 64;
  struct calendar_day *v = arena_alloc(a, cap * sizeof *v);
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    v[*n] = (struct calendar_day){db_col_text(a, st, 0), sqlite3_column_int(st, 1) != 0, db_col_text(a, st, 2)};
    (*n)++;
  }
  db_done(st);
  *days = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status calendar_store_years(struct db *db, struct arena *a, int **years, int *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ALL_YEARS);
  if (!st) return JK_EINTERNAL;
  size_t cap = 16;
  int *v = arena_alloc(a, cap * sizeof *v), rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) v = arena_grow(a, v, &cap, sizeof *v);
    v[(*n)++] = sqlite3_column_int(st, 0);
  }
  db_done(st);
  *years = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
