/* user_store.h: accounts, browser sessions and bearer tokens.
 *
 * Only hashes of session and bearer tokens are stored (sec/crypto.h token_hash), so a copy of
 * the database does not let anyone in. Lockout counters live on the account row. */
#ifndef JK_USER_STORE_H
#define JK_USER_STORE_H
#include <stdbool.h>
#include <stddef.h>
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
  /* two-factor login (sec/totp.h): sealed secrets ("user:<id>:totp", "user:<id>:totp_pending") */
  const void *totp_enc, *totp_pending_enc;
  size_t totp_enc_len, totp_pending_len;
  int64_t totp_last_step, totp_enabled_at;   /* totp_enabled_at 0: not enrolled */
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

/* TOTP: a started enrolment (sealed secret, or NULL to drop it); its confirmation (pending →
 * secret, enabled_at = now, last_step = the step of the confirming code); the step of the
 * last accepted code; a reset by secadmin (both secrets cleared). */
jk_status user_store_totp_pending(struct db *db, int64_t rid, const void *sealed, size_t n);
jk_status user_store_totp_confirm(struct db *db, int64_t rid, int64_t step, int64_t now);
/* Sets a confirmed secret directly (the demo's documented secret). */
jk_status user_store_totp_set(struct db *db, int64_t rid, const void *sealed, size_t n, int64_t now);
/* Records the step of an accepted code; JK_ECONFLICT when a step as late was used already
 * (two logins racing with the same code). */
jk_status user_store_totp_used(struct db *db, int64_t rid, int64_t step);
jk_status user_store_totp_reset(struct db *db, int64_t rid);

/* The second login step: a challenge issued after the right password, for `ttl` ms. */
struct challenge_rec {
  int64_t user_rid, created_at, expires_at, used_at;
};
jk_status challenge_store_insert(struct db *db, const unsigned char hash[32], int64_t user_rid, int64_t now,
                                 int64_t expires_at);
jk_status challenge_store_get(struct db *db, const unsigned char hash[32], struct challenge_rec *out);
jk_status challenge_store_use(struct db *db, const unsigned char hash[32], int64_t now);

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
