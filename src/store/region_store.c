/* region_store.c: see region_store.h. */
#include "store/region_store.h"
#include "base/arena.h"
#include "base/log.h"
#include "domain/region_code.h"
#include "io/csv.h"
#include <stdio.h>
#include <string.h>

static const char SQL_INSERT[] =
  "INSERT INTO region(code, name, level, parent) VALUES ($1, $2, $3, $4)";
static const char SQL_MARK_PARENTS[] =
  "UPDATE region SET has_children = 1 WHERE level < 5 AND code IN (SELECT DISTINCT parent FROM region WHERE parent IS NOT NULL)";
static const char SQL_COUNT[] = "SELECT count(*) FROM region";
static const char SQL_GET[] = "SELECT code, name, level, parent, has_children FROM region WHERE code = $1";
static const char SQL_CHILDREN[] =
  "SELECT code, name, level, parent, has_children FROM region WHERE parent = $1 ORDER BY code";
static const char SQL_PROVINCES[] =
  "SELECT code, name, level, parent, has_children FROM region WHERE level = 1 ORDER BY code";
static const char SQL_SEARCH_PREFIX[] =
  "SELECT code, name, level, parent, has_children FROM region"
  " WHERE name >= $1 AND name < $2 AND ($3 IS NULL OR code LIKE $3 || '%')"
  " ORDER BY level, code LIMIT $4";
static const char SQL_SEARCH_CONTAINS[] =
  "SELECT code, name, level, parent, has_children FROM region"
  " WHERE level <= 4 AND instr(name, $1) > 1 AND ($2 IS NULL OR code LIKE $2 || '%')"
  " ORDER BY level, code LIMIT $3";
static const char SQL_COUNTIES[] =
  "SELECT code, name, level, parent, has_children FROM region"
  " WHERE level = 3 AND ($1 IS NULL OR code LIKE $1 || '%') ORDER BY code";

static const struct {
  const char *file;
  int level;
  int parent_col;   /* column holding the parent's code; -1 for provinces */
} files[] = {
  {"provinces.csv", REGION_PROVINCE, -1}, {"cities.csv", REGION_PREFECTURE, 2},
  {"areas.csv", REGION_COUNTY, 2},        {"streets.csv", REGION_TOWNSHIP, 2},
  {"villages.csv", REGION_VILLAGE, 2},
};

static bool code_shape_ok(const char *code, int level)
{
  static const size_t lengths[] = {0, 2, 4, 6, 9, 12};
  if (strlen(code) != lengths[level]) return false;
  for (const char *p = code; *p; p++)
    if (*p < '0' || *p > '9') return false;
  return true;
}

static jk_status load_file(struct db *db, const char *dir, int i, int64_t *count)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
  struct csv c;
  if (csv_open(&c, path) != JK_OK) {
    log_error("regions: cannot read %s", path);
    return JK_ENOTFOUND;
  }
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  jk_status rs = st ? JK_OK : JK_EINTERNAL;
  bool header = true;
  while (rs == JK_OK && (rs = csv_next(&c)) == JK_OK) {
    if (header) { header = false; continue; }
    if (c.nfields < 2 || (files[i].parent_col >= 0 && c.nfields <= files[i].parent_col)) {
      rs = JK_EINVAL;
      break;
    }
    /* codes are stored as the data gives them: a county-level entry such as 441900 (东莞市,
     * a prefecture without counties) must not be read as the GB/T 2260 form of 4419 */
    const char *code = c.fields[0];
    if (!code_shape_ok(code, files[i].level)) {
      rs = JK_EINVAL;
      break;
    }
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, c.fields[1]);
    db_bind_int64(st, 3, files[i].level);
    db_bind_text(st, 4, files[i].parent_col >= 0 ? c.fields[files[i].parent_col] : 0);
    int rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE) rs = db_status(rc);
    else (*count)++;
  }
  if (rs == JK_EINVAL) log_error("regions: %s record %ld is malformed", files[i].file, c.record);
  csv_close(&c);
  return rs == JK_ENOTFOUND ? JK_OK : rs;
}

int64_t region_store_count(struct db *db)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
  int64_t n = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  db_done(st);
  return n;
}

jk_status region_store_load(struct db *db, const char *dir, int64_t *count)
{
  *count = 0;
  if (region_store_count(db) > 0) return JK_ECONFLICT;
  jk_status st = db_begin_write(db);
  if (st != JK_OK) return st;
  for (int i = 0; i < 5 && st == JK_OK; i++) st = load_file(db, dir, i, count);
  if (st == JK_OK) {
    sqlite3_stmt *s = db_prepare(db, SQL_MARK_PARENTS);
    int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    db_done(s);
    if (rc != SQLITE_DONE) st = db_status(rc);
  }
  if (st != JK_OK) {
    db_rollback(db);
    return st;
  }
  return db_commit(db);
}

static void read_region(struct arena *a, sqlite3_stmt *st, struct region *r)
{
  r->code = db_col_text(a, st, 0);
  r->name = db_col_text(a, st, 1);
  r->level = sqlite3_column_int(st, 2);
  r->parent = db_col_text(a, st, 3);
  r->has_children = sqlite3_column_int(st, 4) != 0;
  r->path_name = 0;
}

/* Regions never change once loaded, and every client record names two of them, so each thread
 * keeps the regions it has found in a small direct-mapped cache (about 400 KiB). Misses are not
 * cached, so a region loaded later is still found. */
#define CACHE_SLOTS 2048
struct cached_region {
  char code[16], parent[16], name[160];
  int level;
  bool has_children;
};
static _Thread_local struct cached_region cache[CACHE_SLOTS];

static struct cached_region *cache_slot(const char *code)
{
  uint32_t h = 2166136261u; /* FNV-1a */
  for (const char *c = code; *c; c++) h = (h ^ (unsigned char)*c) * 16777619u;
  return &cache[h % CACHE_SLOTS];
}

static void cache_put(struct cached_region *slot, const struct region *r)
{
  if (strlen(r->code) >= sizeof slot->code || strlen(r->name) >= sizeof slot->name ||
      (r->parent && strlen(r->parent) >= sizeof slot->parent))
    return;
  strcpy(slot->code, r->code);
  strcpy(slot->name, r->name);
  strcpy(slot->parent, r->parent ? r->parent : "");
  slot->level = r->level;
  slot->has_children = r->has_children;
}

jk_status region_store_get(struct db *db, struct arena *a, const char *code, struct region *out)
{
  struct cached_region *slot = cache_slot(code);
  if (strcmp(slot->code, code) == 0) {
    *out = (struct region){arena_strdup(a, slot->code), arena_strdup(a, slot->name),
                           *slot->parent ? arena_strdup(a, slot->parent) : 0, slot->level,
                           slot->has_children, 0};
    return JK_OK;
  }
  sqlite3_stmt *st = db_prepare(db, SQL_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, code);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) read_region(a, st, out);
  db_done(st);
  if (rc == SQLITE_ROW) {
    cache_put(slot, out);
    return JK_OK;
  }
  return rc == SQLITE_DONE ? JK_ENOTFOUND : db_status(rc);
}

/* Steps st to the end, appending rows to a growing arena array. */
static jk_status collect(struct arena *a, sqlite3_stmt *st, struct region **out, int64_t *n)
{
  size_t cap = 64;
  struct region *v = arena_alloc(a, cap * sizeof *v);
  *n = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((size_t)*n == cap) {
      struct region *w = arena_alloc(a, 2 * cap * sizeof *w);
      memcpy(w, v, cap * sizeof *v);
      v = w;
      cap *= 2;
    }
    read_region(a, st, &v[(*n)++]);
  }
  db_done(st);
  *out = v;
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status region_store_children(struct db *db, struct arena *a, const char *parent,
                                struct region **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, parent ? SQL_CHILDREN : SQL_PROVINCES);
  if (!st) return JK_EINTERNAL;
  if (parent) db_bind_text(st, 1, parent);
  return collect(a, st, out, n);
}

static char *path_name(struct db *db, struct arena *a, const struct region *r)
{
  const char *names[5];
  int k = 0;
  struct region cur = *r;
  names[k++] = cur.name;
  while (cur.parent && k < 5 && region_store_get(db, a, cur.parent, &cur) == JK_OK) names[k++] = cur.name;
  char *s = arena_strdup(a, names[k - 1]);
  for (int i = k - 2; i >= 0; i--) s = arena_printf(a, "%s/%s", s, names[i]);
  return s;
}

jk_status region_store_search(struct db *db, struct arena *a, const char *q, const char *within,
                              int limit, struct region **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_SEARCH_PREFIX);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, q);
  db_bind_text(st, 2, arena_printf(a, "%s\xf4\x8f\xbf\xbf", q));
  db_bind_text(st, 3, within);
  db_bind_int64(st, 4, limit);
  struct region *first;
  int64_t n1;
  jk_status rs = collect(a, st, &first, &n1);
  if (rs != JK_OK) return rs;
  struct region *second = 0;
  int64_t n2 = 0;
  if (n1 < limit) {
    st = db_prepare(db, SQL_SEARCH_CONTAINS);
    if (!st) return JK_EINTERNAL;
    db_bind_text(st, 1, q);
    db_bind_text(st, 2, within);
    db_bind_int64(st, 3, limit - n1);
    if ((rs = collect(a, st, &second, &n2)) != JK_OK) return rs;
  }
  struct region *all = arena_alloc(a, (size_t)(n1 + n2 + 1) * sizeof *all);
  memcpy(all, first, (size_t)n1 * sizeof *all);
  if (n2) memcpy(all + n1, second, (size_t)n2 * sizeof *all);
  for (int64_t i = 0; i < n1 + n2; i++) all[i].path_name = path_name(db, a, &all[i]);
  *out = all;
  *n = n1 + n2;
  return JK_OK;
}

jk_status region_store_counties(struct db *db, struct arena *a, const char *code,
                                struct region **out, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNTIES);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, code);
  return collect(a, st, out, n);
}
