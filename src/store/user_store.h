/* user_store.h: accounts, browser sessions and bearer tokens.
 *
 * Only hashes of session and bearer tokens are stored (sec/crypto.h token_hash), so a copy of
 * the database does not let anyone in. Lockout counters live on the account row. */
#ifndef JK_USER_STORE_H
#define JK_USER_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct user_rec {
  int64_t rid;
  const char *id, *username, *display_name, *role, *region, *pw_hash;
  int64_t org_rid;
  const char *org_id, *org_name;
  bool disabled;
  int failed_count;
  int64_t locked_until, created_at, updated_at;
};

jk_status user_store_insert(struct db *db, const struct user_rec *u);   /* JK_ECONFLICT: username taken */
jk_status user_store_by_username(struct db *db, struct arena *a, const char *username, struct user_rec *out);
jk_status user_store_by_id(struct db *db, struct arena *a, const char *id, struct user_rec *out);
jk_status user_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct user_rec *out);
jk_status user_store_list(struct db *db, struct arena *a, const char *q, const char *role,
                          int64_t limit, int64_t offset, struct user_rec **out, int64_t *n, int64_t *total);
int64_t user_store_count(struct db *db);
/* Updates display_name, disabled, pw_hash (NULL fields are left alone). */
jk_status user_store_update(struct db *db, int64_t rid, const char *display_name, int disabled,
                            const char *pw_hash, int64_t now);
jk_status user_store_set_lock(struct db *db, int64_t rid, int failed_count, int64_t locked_until);

struct session_rec {
  int64_t user_rid;
  const char *csrf;
  int64_t created_at, last_seen, ended_at;
};
jk_status session_store_insert(struct db *db, const unsigned char hash[32], int64_t user_rid,
                               const char *csrf, int64_t now);
jk_status session_store_get(struct db *db, struct arena *a, const unsigned char hash[32], struct session_rec *out);
jk_status session_store_touch(struct db *db, const unsigned char hash[32], int64_t now);
jk_status session_store_end(struct db *db, const unsigned char hash[32], int64_t now);
/* Ends every open session of a user (password change, disable). */
jk_status session_store_end_all(struct db *db, int64_t user_rid, int64_t now);

jk_status token_store_insert(struct db *db, const char *id, const unsigned char hash[32],
                             int64_t user_rid, const char *name, int64_t now);
/* The user of a live (not revoked) token. */
jk_status token_store_user(struct db *db, struct arena *a, const unsigned char hash[32], struct user_rec *out);

#endif
