/* faultvfs.h: fault injection for the durability tests — compiled only with -DJK_FAULT
 * (`make VARIANT=fault bin`); a production build contains none of it.
 *
 * faultvfs_install, called once by db_open before SQLite is first used, does three things:
 *   - registers a VFS shim over the default unix VFS as the new default. With
 *     JINGKANG_FAULT_POWERLOSS=1 every write to a database, WAL or journal file is held in
 *     memory (per file path, shared by all connections and threads) and reaches the real file
 *     only on xSync, in order, followed by the real fsync; reads and xFileSize see the pending
 *     writes. SIGKILL of the process then equals a power loss that throws away everything not
 *     yet fsynced. The shared-memory (wal-index) methods pass straight through.
 *   - wraps SQLite's allocator (SQLITE_CONFIG_MALLOC); jansson's allocator (http/server.c,
 *     json_set_alloc_funcs) asks fault_malloc_fails;
 *   - so that the Nth xWrite, xSync, xRead or allocation after fault_arm fails, once or (when
 *     persistent) every time from then on, until fault_disarm. An injected fsync failure is
 *     reported through sqlite3_log as SQLITE_IOERR_FSYNC, exactly as the unix VFS reports a
 *     real one, so the production reaction (db.c: stop the server) is what gets tested. */
#ifndef JK_FAULTVFS_H
#define JK_FAULTVFS_H
#ifdef JK_FAULT
#include <stdbool.h>
#include <stdint.h>

enum fault_kind { FAULT_WRITE, FAULT_FSYNC, FAULT_READ, FAULT_MALLOC, FAULT_NKINDS };

void faultvfs_install(void);
/* "write", "fsync", "read", "malloc" → kind; false for anything else. */
bool fault_kind_parse(const char *name, enum fault_kind *out);
const char *fault_kind_name(enum fault_kind k);
/* The nth operation of kind k from now fails (n ≥ 1); persistent: and every one after it. */
void fault_arm(enum fault_kind k, int64_t n, bool persistent);
/* Disarms every kind. */
void fault_disarm(void);
/* How many operations of kind k were failed since the start. */
int64_t fault_hits(enum fault_kind k);
/* One allocation of jansson's (http/server.c's allocator asks): true when it is to fail. */
bool fault_malloc_fails(void);
/* Whether power-loss mode is on. */
bool fault_powerloss(void);
#endif
#endif
