/* users.h: accounts — the API handlers and the one function that creates an account, used
 * by both the API (POST /users) and the command line (`jingkang user add`). */
#ifndef JK_API_USERS_H
#define JK_API_USERS_H
#include <jansson.h>
#include "http/server.h"
#include "store/user_store.h"

struct new_user {
  const char *username, *display_name, *role, *region, *org_id, *password;
};

/* Validates (role, scope, password policy, unique username) and inserts, inside the caller's
 * write transaction. *id_out (arena) is the new account's id. */
jk_status users_create(struct db *db, struct arena *a, const struct new_user *nu, struct jk_err *e,
                       const char **id_out);
/* Creates a bearer token for an existing user; *token_out (arena) is shown once. */
jk_status tokens_create(struct db *db, struct arena *a, const char *username, const char *name,
                        struct jk_err *e, const char **token_out, const char **id_out);

json_t *user_json(struct req *r, const struct user_rec *u);

/* Whether login needs a TOTP code: always for sysadmin, secadmin and auditor (等保 level 3:
 * two factors for administrators), and for anyone who has enrolled. */
bool users_totp_needed(const struct user_rec *u);
bool users_role_needs_totp(const char *role);
/* Enrols an existing user with a given base32 secret, confirmed (the demo's documented secret;
 * inside the caller's write transaction). */
struct keys;
jk_status users_totp_set(struct db *db, struct arena *a, const struct keys *k, const char *username,
                         const char *b32, int64_t now);

#endif
