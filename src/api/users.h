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

#endif
