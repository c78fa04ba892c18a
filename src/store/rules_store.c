/* rules_store.c: see rules_store.h. The effective set is the longest stored prefix of the
 * region's code among its ancestors (12, 9, 6, 4, 2 digits), then the national '' row. */
#include "store/rules_store.h"
#include "base/arena.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The region's own set or its nearest ancestor's: $1..$6 are the code cut to 12, 9, 6, 4, 2 and 0
 * digits (the cuts longer than the code repeat it). */
static const char SQL_EFFECTIVE[] =
  "SELECT region, rules FROM rule_set WHERE region IN ($1, $2, $3, $4, $5, $6)"
  " ORDER BY length(region) DESC LIMIT 1";
static const char SQL_PUT[] =
  "INSERT INTO rule_set(region, rules, updated_at, updated_by) VALUES ($1, $2, $3, $4)"
  " ON CONFLICT(region) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at,"
  " updated_by = excluded.updated_by";
static const char SQL_DELETE[] = "DELETE FROM rule_set WHERE region = $1 RETURNING region";

jk_status rules_store_effective(struct db *db, struct arena *a, const char *region, const char **json,
                                const char **from_region)
{
  static const size_t cuts[] = {12, 9, 6, 4, 2, 0};
  size_t have = region ? strlen(region) : 0;
  *json = 0;
  *from_region = "";
  sqlite3_stmt *st = db_prepare(db, SQL_EFFECTIVE);
  if (!st) return JK_EINTERNAL;
  for (int i = 0; i < 6; i++) {
    char key[13];
    size_t n = cuts[i] < have ? cuts[i] : have;
    snprintf(key, sizeof key, "%.*s", (int)n, region ? region : "");
    db_bind_text(st, i + 1, key);
  }
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *from_region = db_col_text(a, st, 0);
    *json = db_col_text(a, st, 1);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status rules_store_put(struct db *db, const char *region, const char *json, const char *updated_by, int64_t now_ms)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PUT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  db_bind_text(st, 2, json);
  db_bind_int64(st, 3, now_ms);
  db_bind_text(st, 4, updated_by);
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status rules_store_delete(struct db *db, const char *region)
{
  sqlite3_stmt *st = db_prepare(db, SQL_DELETE);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, region);
  int rc = sqlite3_step(st);
  bool deleted = rc == SQLITE_ROW;
  if (deleted) rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  return deleted ? JK_OK : JK_ENOTFOUND;
}
