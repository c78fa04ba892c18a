/* db.h: the store's connection to the embedded SQLite database.
 *
 * One `struct db` is one SQLite connection, used by exactly one thread at a time (each server
 * worker thread owns one; the CLI has one). SQL text is written once in PostgreSQL style
 * (`$1`, `$2`) as a named constant next to the repository that uses it; db_prepare rewrites the
 * placeholders to SQLite's `?1` once and caches the statement per connection, keyed by the
 * constant's address. A statement handed out by db_prepare is reset and its bindings cleared
 * by db_done, which every caller must call (a statement left un-reset holds a read snapshot
 * and starves WAL checkpoints).
 *
 * Writes: db_begin_write takes the process-wide write mutex and starts BEGIN IMMEDIATE, so
 * in-process writers queue on the mutex rather than meeting SQLITE_BUSY; db_commit and
 * db_rollback release both. Durability: WAL with synchronous=FULL, so an acknowledged write is
 * on disk. */
#ifndef JK_DB_H
#define JK_DB_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/status.h"

struct db;

/* Opens (creating when `create`) the database at path and applies the per-connection pragmas.
 * Caller owns the result and frees it with db_close. */
jk_status db_open(const char *path, bool create, struct db **out);
void db_close(struct db *db);
sqlite3 *db_sqlite(struct db *db);

/* The cached statement for `sql` (a static constant), or NULL after logging the error. */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);
void db_done(sqlite3_stmt *st);
/* Steps a bound statement that yields one integer (a count), stores it and calls db_done. */
jk_status db_step_int(sqlite3_stmt *st, int64_t *out);

/* Steps a bound statement to the end, appending one JSON object per row to `rows`: keys are the
 * column names; integers, reals, text and NULL as such; a column named "<key>__json" holds
 * JSON text and is parsed into <key> (NULL when absent or not valid JSON); a column named
 * "<key>__bool" becomes true/false. Calls db_done. For read views whose shape is the columns'. */
typedef struct json_t json_t;
jk_status db_rows_json(sqlite3_stmt *st, json_t *rows);

/* Reads: db_begin_read opens one snapshot (BEGIN DEFERRED) for the several reads of a request,
 * which costs one lock round instead of one per statement; db_end_read ends it. A no-op inside a
 * write; db_begin_write ends an open read first. */
jk_status db_begin_read(struct db *db);
void db_end_read(struct db *db);
jk_status db_begin_write(struct db *db);
jk_status db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_write(const struct db *db);
/* Runs one statement of literal SQL (DDL, pragmas). No parameters: never for data. */
jk_status db_exec(struct db *db, const char *sql);
/* Maps a SQLite result code to a status: BUSY/LOCKED/FULL/IOERR → JK_EUNAVAIL, CONSTRAINT →
 * JK_ECONFLICT, anything else → JK_EINTERNAL. */
jk_status db_status(int rc);

/* Binding helpers: text NULL binds SQL NULL. Indexes start at 1, as in SQLite. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
void db_bind_blob(sqlite3_stmt *st, int i, const void *p, int n);
void db_bind_int64(sqlite3_stmt *st, int i, int64_t v);
void db_bind_double(sqlite3_stmt *st, int i, double v);
/* Column text copied into the arena (NULL stays NULL). */
struct arena;
char *db_col_text(struct arena *a, sqlite3_stmt *st, int col);

/* Schema: runs every migration not yet applied (meta key schema_version). */
jk_status db_migrate(struct db *db);
int db_schema_version(struct db *db);

/* Heap this connection's page cache, schema and prepared statements hold. db_note_memory reads
 * it in the connection's own thread (after a request); db_memory_noted gives the last reading
 * to any thread (/metrics: a soak tells cache growth, bounded by cache_size per connection,
 * from a leak of our own). */
void db_note_memory(struct db *db);
int64_t db_memory_noted(const struct db *db);

#endif
