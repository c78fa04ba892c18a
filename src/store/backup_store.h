/* backup_store.h: whole-database copies for `jingkang backup` and `jingkang restore`
 * (cli/cmd_backup.c), through SQLite's online backup API. */
#ifndef JK_BACKUP_STORE_H
#define JK_BACKUP_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"

/* Copies the database at src into a new file dst (mode 0600, must not exist) while other
 * processes go on writing: the source connection holds one read snapshot (WAL) for the whole
 * copy, which goes `pages` pages per sqlite3_backup_step, retrying BUSY/LOCKED. The copy is
 * left in rollback-journal mode (one self-contained file) and closed; the caller fsyncs it. */
jk_status backup_copy(const char *src, const char *dst, int pages, int *steps);
/* PRAGMA integrity_check on the file at path: JK_OK when "ok", else the first message in msg. */
jk_status backup_integrity(const char *path, char *msg, size_t cap);

struct backup_counts { int64_t clients, referrals, users, audit_last, pages; };
jk_status backup_count(const char *path, struct backup_counts *out);

#endif
