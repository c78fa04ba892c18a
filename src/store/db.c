/* db.c: see db.h. The statement cache is a small open-addressing table keyed by the SQL
 * constant's address; it only grows (there are a few hundred statements at most). */
#include "store/db.h"
#include <jansson.h>
#include "base/arena.h"
#include "base/log.h"
#include "store/faultvfs.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

struct stmt_slot {
  const char *key;
  sqlite3_stmt *st;
};

struct db {
  sqlite3 *h;
  struct stmt_slot *slots;
  size_t nslots, used;
  bool in_write;
  bool in_read;
  bool committing; /* inside db_commit's COMMIT: the one commit allowed while in_write */
  atomic_llong mem_bytes; /* db_note_memory's last reading */
};

/* Set when binding a value failed (out of memory) in this thread's write transaction: the
 * statement would have run with NULL in its place, so db_commit must not commit. */
static _Thread_local bool bind_failed;

/* An fsync that failed may have lost data the kernel already dropped from its cache, and a
 * retry can then "succeed" over the hole (PostgreSQL's "fsyncgate", 2018). So the process stops
 * at once, without serving more: what was acknowledged had been synced; restart recovers from
 * the WAL. Called with every extended result code we see and every error SQLite logs. */
static void fatal_if_fsync(int rc, const char *what)
{
  if (rc != SQLITE_IOERR_FSYNC && rc != SQLITE_IOERR_DIR_FSYNC) return;
  log_error("db: FATAL: fsync failed (%s: %s); stopping now, never retrying", what, sqlite3_errstr(rc));
  _exit(74); /* EX_IOERR; no atexit handlers, no flushing from other threads */
}

jk_status db_status(int rc)
{
  fatal_if_fsync(rc, "status");
  /* a statement run without one of its values (NOT NULL, CHECK…): out of memory, no conflict */
  if (bind_failed && rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) return JK_EUNAVAIL;
  switch (rc & 0xff) {
  case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return JK_OK;
  case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_CANTOPEN:
  case SQLITE_NOMEM: case SQLITE_READONLY:
    return JK_EUNAVAIL;
  case SQLITE_CONSTRAINT: /* refused by commit_guard: the transaction was lost, not a conflict */
    return rc == SQLITE_CONSTRAINT_COMMITHOOK ? JK_EUNAVAIL : JK_ECONFLICT;
  default: return JK_EINTERNAL;
  }
}

jk_status db_exec(struct db *db, const char *sql)
{
  char *err = 0;
  int rc = sqlite3_exec(db->h, sql, 0, 0, &err);
  if (rc != SQLITE_OK) {
    log_error("db: exec failed: %s", err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
  }
  return db_status(rc);
}

/* Before the first connection: no global memory statistics (they take a process-wide mutex on
 * every allocation SQLite makes). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/* SQLite's error log (SQLITE_CONFIG_LOG): the unix VFS reports every I/O error here with its
 * extended code, including fsyncs of a checkpoint that no statement returns to us. */
static void sqlite_log(void *arg, int code, const char *msg)
{
  fatal_if_fsync(code, msg);
  int primary = code & 0xff;
  if (primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN)
    log_error("sqlite: (%d) %s", code, msg);
}

static void configure_sqlite(void)
{
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (sqlite3_config(SQLITE_CONFIG_LOG, sqlite_log, (void *)0) != SQLITE_OK)
    log_warn("db: SQLite error log not installed (SQLite already initialized)");
#ifdef JK_FAULT
  faultvfs_install();
#endif
}

/* A statement that commits by itself while we think a write transaction is open means SQLite
 * already rolled that transaction back (an I/O error, out of memory): refuse the commit, so
 * the rest of a half-done change is never written on its own. */
static int commit_guard(void *arg)
{
  struct db *db = arg;
  if (db->in_write && !db->committing) {
    log_error("db: a statement tried to commit outside its lost transaction; rolled back");
    return 1;
  }
  return 0;
}

jk_status db_open(const char *path, bool create, struct db **out)
{
  pthread_once(&config_once, configure_sqlite);
  sqlite3 *h = 0;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &h, flags, 0);
  if (rc != SQLITE_OK) {
    log_error("db: cannot open database: %s", sqlite3_errstr(rc));
    sqlite3_close(h);
    return JK_EUNAVAIL;
  }
  sqlite3_extended_result_codes(h, 1);
  sqlite3_busy_timeout(h, 10000);
  struct db *db = calloc(1, sizeof *db);
  if (!db) {
    sqlite3_close(h);
    log_error("db: out of memory");
    return JK_EUNAVAIL;
  }
  db->h = h;
  sqlite3_commit_hook(h, commit_guard, db);
  const char *sync = getenv("JINGKANG_SYNCHRONOUS"); /* FULL unless an operator says otherwise */
  char pragmas[256];
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
           "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864; PRAGMA secure_delete=ON;"
           "PRAGMA cache_size=-32768;",
           sync && strcmp(sync, "NORMAL") == 0 ? "NORMAL" : "FULL");
  if (db_exec(db, pragmas) != JK_OK) {
    db_close(db);
    return JK_EUNAVAIL;
  }
  *out = db;
  return JK_OK;
}

void db_close(struct db *db)
{
  if (!db) return;
  if (db->in_write) {
    sqlite3_exec(db->h, "ROLLBACK", 0, 0, 0);
    pthread_mutex_unlock(&write_lock);
  } else if (db->in_read) {
    sqlite3_exec(db->h, "COMMIT", 0, 0, 0);
  }
  for (size_t i = 0; i < db->nslots; i++)
    if (db->slots[i].st) sqlite3_finalize(db->slots[i].st);
  free(db->slots);
  sqlite3_exec(db->h, "PRAGMA optimize", 0, 0, 0);
  sqlite3_close(db->h);
  free(db);
}

sqlite3 *db_sqlite(struct db *db) { return db->h; }

static size_t slot_of(const struct db *db, const char *key)
{
  size_t h = ((uintptr_t)key >> 3) * 0x9E3779B97F4A7C15ULL;
  size_t i = h & (db->nslots - 1);
  while (db->slots[i].key && db->slots[i].key != key) i = (i + 1) & (db->nslots - 1);
  return i;
}

static bool grow(struct db *db)
{
  struct stmt_slot *old = db->slots;
  size_t oldn = db->nslots;
  struct stmt_slot *slots = calloc(oldn ? oldn * 2 : 128, sizeof *slots);
  if (!slots) return false;
  db->slots = slots;
  db->nslots = oldn ? oldn * 2 : 128;
  for (size_t i = 0; i < oldn; i++)
    if (old[i].key) db->slots[slot_of(db, old[i].key)] = old[i];
  free(old);
  return true;
}

/* $1 → ?1 outside string literals. */
static char *rewrite_placeholders(const char *sql)
{
  size_t n = strlen(sql);
  char *out = malloc(n + 1);
  if (!out) return 0;
  bool in_str = false;
  for (size_t i = 0; i <= n; i++) {
    char c = sql[i];
    if (c == '\'') in_str = !in_str;
    out[i] = (!in_str && c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') ? '?' : c;
  }
  return out;
}

sqlite3_stmt *db_prepare(struct db *db, const char *sql)
{
  if (db->used * 2 >= db->nslots && !grow(db)) {
    log_error("db: out of memory");
    return 0;
  }
  size_t i = slot_of(db, sql);
  if (db->slots[i].key) return db->slots[i].st;
  char *text = rewrite_placeholders(sql);
  if (!text) {
    log_error("db: out of memory");
    return 0;
  }
  sqlite3_stmt *st = 0;
  int rc = sqlite3_prepare_v3(db->h, text, -1, SQLITE_PREPARE_PERSISTENT, &st, 0);
  free(text);
  if (rc != SQLITE_OK) {
    log_error("db: prepare failed: %s", sqlite3_errmsg(db->h));
    return 0;
  }
  db->slots[i].key = sql;
  db->slots[i].st = st;
  db->used++;
  return st;
}

jk_status db_step_int(sqlite3_stmt *st, int64_t *out)
{
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  db_done(st);
  return rc == SQLITE_ROW ? JK_OK : db_status(rc);
}

static json_t *column_json(sqlite3_stmt *st, int c, const char *name, size_t *keylen)
{
  size_t n = strlen(name);
  *keylen = n;
  int type = sqlite3_column_type(st, c);
  if (n > 6 && strcmp(name + n - 6, "__json") == 0) {
    *keylen = n - 6;
    const char *text = (const char *)sqlite3_column_text(st, c);
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, 0) : 0;
    return v ? v : json_null();
  }
  if (n > 6 && strcmp(name + n - 6, "__bool") == 0) {
    *keylen = n - 6;
    return json_boolean(sqlite3_column_int64(st, c) != 0);
  }
  switch (type) {
  case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, c));
  case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, c));
  case SQLITE_TEXT: return json_stringn((const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
  default: return json_null();
  }
}

jk_status db_rows_json(sqlite3_stmt *st, json_t *rows)
{
  int rc, ncol = sqlite3_column_count(st);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int c = 0; c < ncol; c++) {
      size_t keylen;
      const char *name = sqlite3_column_name(st, c);
      json_t *v = column_json(st, c, name, &keylen);
      json_object_setn_new(o, name, keylen, v);
    }
    json_array_append_new(rows, o);
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

void db_done(sqlite3_stmt *st)
{
  if (!st) return;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

/* Transaction control through cached statements: sqlite3_exec would parse the text every time
 * (several per request). */
static const char SQL_BEGIN_READ[] = "BEGIN DEFERRED";
static const char SQL_BEGIN_WRITE[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static int run(struct db *db, const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return SQLITE_ERROR;
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Ends whatever transaction SQLite still holds: after an out-of-memory or I/O error even the
 * ROLLBACK can fail once, and a connection left inside a transaction would refuse every BEGIN. */
static void ensure_idle(struct db *db)
{
  for (int i = 0; i < 3 && !sqlite3_get_autocommit(db->h); i++)
    if (run(db, SQL_ROLLBACK) != SQLITE_OK) sqlite3_exec(db->h, "ROLLBACK", 0, 0, 0);
  if (!sqlite3_get_autocommit(db->h)) log_error("db: could not end a failed transaction");
}

jk_status db_begin_read(struct db *db)
{
  if (db->in_read || db->in_write) return JK_OK;
  ensure_idle(db);
  bind_failed = false;
  int rc = run(db, SQL_BEGIN_READ);
  if (rc != SQLITE_OK) return db_status(rc);
  db->in_read = true;
  return JK_OK;
}

void db_end_read(struct db *db)
{
  if (!db->in_read) return;
  db->in_read = false;
  if (run(db, SQL_COMMIT) != SQLITE_OK) ensure_idle(db);
}

jk_status db_begin_write(struct db *db)
{
  db_end_read(db); /* a write starts from the newest state, never from an older snapshot */
  pthread_mutex_lock(&write_lock);
  ensure_idle(db);
  bind_failed = false;
  int rc = run(db, SQL_BEGIN_WRITE);
  if (rc != SQLITE_OK) {
    pthread_mutex_unlock(&write_lock);
    log_error("db: begin failed: %s", sqlite3_errstr(rc));
    return db_status(rc);
  }
  db->in_write = true;
  return JK_OK;
}

jk_status db_commit(struct db *db)
{
  int rc;
  if (sqlite3_get_autocommit(db->h)) { /* SQLite rolled the transaction back on an error */
    log_error("db: commit refused: the transaction was already rolled back by an earlier error");
    rc = SQLITE_ABORT_ROLLBACK;
  } else if (bind_failed) {
    log_error("db: commit refused: a value could not be bound (out of memory)");
    rc = SQLITE_NOMEM;
  } else {
    db->committing = true;
    rc = run(db, SQL_COMMIT);
    db->committing = false;
  }
  if (rc != SQLITE_OK) {
    log_error("db: commit failed: %s", sqlite3_errstr(rc));
    ensure_idle(db);
  }
  db->in_write = false;
  pthread_mutex_unlock(&write_lock);
  return db_status(rc);
}

void db_rollback(struct db *db)
{
  if (!db->in_write) return;
  ensure_idle(db);
  db->in_write = false;
  pthread_mutex_unlock(&write_lock);
}

bool db_in_write(const struct db *db) { return db->in_write; }

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
  if (!s) sqlite3_bind_null(st, i);
  else if (sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) != SQLITE_OK) bind_failed = true;
}

void db_bind_blob(sqlite3_stmt *st, int i, const void *p, int n)
{
  if (!p) sqlite3_bind_null(st, i);
  else if (sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT) != SQLITE_OK) bind_failed = true;
}

void db_bind_int64(sqlite3_stmt *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
void db_bind_double(sqlite3_stmt *st, int i, double v) { sqlite3_bind_double(st, i, v); }

char *db_col_text(struct arena *a, sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text(st, col);
  if (!t) return 0;
  return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

void db_note_memory(struct db *db)
{
  static const int ops[] = {SQLITE_DBSTATUS_CACHE_USED, SQLITE_DBSTATUS_SCHEMA_USED, SQLITE_DBSTATUS_STMT_USED};
  long long sum = 0;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    int cur = 0, hi = 0;
    if (sqlite3_db_status(db->h, ops[i], &cur, &hi, 0) == SQLITE_OK) sum += cur;
  }
  atomic_store_explicit(&db->mem_bytes, sum, memory_order_relaxed);
}

int64_t db_memory_noted(const struct db *db)
{
  return (int64_t)atomic_load_explicit(&db->mem_bytes, memory_order_relaxed);
}
