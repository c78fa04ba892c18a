/* backup_store.c: see backup_store.h. Plain sqlite3 connections (not db_open): the copy is
 * not a Jingkang working database and gets none of its pragmas or migrations. */
#include "store/backup_store.h"
#include "base/log.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char SQL_SNAPSHOT[] = "SELECT count(*) FROM sqlite_master";
static const char SQL_INTEGRITY[] = "PRAGMA integrity_check";
static const char SQL_COUNTS[] =
  "SELECT (SELECT count(*) FROM client), (SELECT count(*) FROM referral), (SELECT count(*) FROM app_user),"
  " (SELECT coalesce(max(seq), 0) FROM audit)";

static void nap(void)
{
  struct timespec ts = {0, 20 * 1000000L};
  nanosleep(&ts, 0);
}

jk_status backup_copy(const char *src, const char *dst, int pages, int *steps)
{
  *steps = 0;
  int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return JK_ECONFLICT;
  close(fd);
  sqlite3 *s = 0, *d = 0;
  sqlite3_stmt *snap = 0;
  jk_status st = JK_EUNAVAIL;
  if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READONLY, 0) != SQLITE_OK) goto out;
  sqlite3_busy_timeout(s, 5000);
  if (sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE, 0) != SQLITE_OK) goto out;
  /* One read transaction on the source for the whole copy: every step sees the same snapshot,
   * so writers in other processes neither block us nor restart the copy. */
  if (sqlite3_exec(s, "BEGIN", 0, 0, 0) != SQLITE_OK) goto out;
  if (sqlite3_prepare_v2(s, SQL_SNAPSHOT, -1, &snap, 0) != SQLITE_OK) goto out;
  int rc;
  while ((rc = sqlite3_step(snap)) == SQLITE_BUSY) nap();
  if (rc != SQLITE_ROW) goto out;
  sqlite3_backup *b = sqlite3_backup_init(d, "main", s, "main");
  if (!b) goto out;
  do {
    rc = sqlite3_backup_step(b, pages);
    ++*steps;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) nap();
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
    log_error("backup: copy failed: %s", sqlite3_errstr(rc));
    goto out;
  }
  sqlite3_finalize(snap);
  snap = 0;
  sqlite3_exec(s, "COMMIT", 0, 0, 0);
  if (sqlite3_exec(d, "PRAGMA journal_mode=DELETE", 0, 0, 0) != SQLITE_OK) goto out;
  st = JK_OK;
out:
  if (st != JK_OK && (s || d)) log_error("backup: %s", sqlite3_errmsg(d ? d : s));
  sqlite3_finalize(snap);
  if (sqlite3_close(d) != SQLITE_OK) st = JK_EUNAVAIL;
  sqlite3_close(s);
  if (st != JK_OK) unlink(dst);
  return st;
}

static jk_status open_ro(const char *path, sqlite3 **db)
{
  if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, 0) != SQLITE_OK) {
    sqlite3_close(*db);
    *db = 0;
    return JK_EUNAVAIL;
  }
  sqlite3_busy_timeout(*db, 5000);
  return JK_OK;
}

jk_status backup_integrity(const char *path, char *msg, size_t cap)
{
  sqlite3 *db;
  sqlite3_stmt *st = 0;
  snprintf(msg, cap, "无法打开数据库文件");
  if (open_ro(path, &db) != JK_OK) return JK_EUNAVAIL;
  jk_status r = JK_EINVAL;
  if (sqlite3_prepare_v2(db, SQL_INTEGRITY, -1, &st, 0) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    snprintf(msg, cap, "%s", t ? t : "");
    if (t && strcmp(t, "ok") == 0) r = JK_OK;
  } else {
    snprintf(msg, cap, "%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return r;
}

jk_status backup_count(const char *path, struct backup_counts *out)
{
  memset(out, 0, sizeof *out);
  sqlite3 *db;
  sqlite3_stmt *st = 0;
  if (open_ro(path, &db) != JK_OK) return JK_EUNAVAIL;
  jk_status r = JK_EINVAL;
  if (sqlite3_prepare_v2(db, SQL_COUNTS, -1, &st, 0) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    out->clients = sqlite3_column_int64(st, 0);
    out->referrals = sqlite3_column_int64(st, 1);
    out->users = sqlite3_column_int64(st, 2);
    out->audit_last = sqlite3_column_int64(st, 3);
    r = JK_OK;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return r;
}
