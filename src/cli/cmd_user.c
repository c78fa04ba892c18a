/* cmd_user.c: `jingkang user add` and `jingkang token create` — account and token creation
 * at the terminal, audited under the terminal user's name (cli:<login>). */
#include "cli/cli.h"
#include "api/users.h"
#include "base/arena.h"
#include "sec/audit.h"
#include "store/db.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static jk_status audit_cli(struct db *db, struct app *app, const char *action, const char *type,
                           const char *id, const char *detail)
{
  struct audit_entry e = {.username = cli_actor(), .role = "system", .action = action, .object_type = type,
                          .object_id = id, .result = "ok", .request_id = "cli", .detail = detail};
  return audit_append(db, &app->keys, &e);
}

static void print_err(jk_status st, const struct jk_err *e)
{
  fprintf(stderr, "jingkang: %s%s%s\n", e->message ? e->message : "操作失败", e->field ? " — " : "",
          e->field ? e->field : "");
  (void)st;
}

static bool read_password(char *pw, size_t n)
{
  if (!fgets(pw, (int)n, stdin)) return false;
  pw[strcspn(pw, "\r\n")] = 0;
  return true;
}

int cmd_user(const struct cli_opts *o)
{
  if (o->argc != 2 || strcmp(o->argv[0], "add") != 0 || !o->role) {
    fprintf(stderr, "用法: jingkang user add NAME --role ROLE [--region CODE] [--org ID] [--name 显示名] --data DIR\n");
    return 2;
  }
  char pw[300];
  if (!read_password(pw, sizeof pw)) {
    fprintf(stderr, "jingkang: 请从标准输入提供密码\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct arena *a = arena_new();
  struct new_user nu = {o->argv[1], o->name, o->role, o->region, o->org, pw};
  struct jk_err e = {0};
  const char *id = 0;
  jk_status st = db_begin_write(db);
  if (st == JK_OK && (st = users_create(db, a, &nu, &e, &id)) == JK_OK &&
      (st = audit_cli(db, &app, "create", "user", id, arena_printf(a, "role=%s", o->role))) == JK_OK)
    st = db_commit(db);
  else if (db_in_write(db))
    db_rollback(db);
  sodium_memzero(pw, sizeof pw);
  if (st == JK_OK) printf("已创建用户 %s（%s），id %s\n", o->argv[1], o->role, id);
  else print_err(st, &e);
  arena_free(a);
  db_close(db);
  return st == JK_OK ? 0 : 1;
}

int cmd_token(const struct cli_opts *o)
{
  if (o->argc != 2 || strcmp(o->argv[0], "create") != 0) {
    fprintf(stderr, "用法: jingkang token create USERNAME [--name LABEL] --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  struct arena *a = arena_new();
  struct jk_err e = {0};
  const char *token = 0, *id = 0;
  jk_status st = db_begin_write(db);
  if (st == JK_OK && (st = tokens_create(db, a, o->argv[1], o->name, &e, &token, &id)) == JK_OK &&
      (st = audit_cli(db, &app, "create", "token", id, arena_printf(a, "for %s", o->argv[1]))) == JK_OK)
    st = db_commit(db);
  else if (db_in_write(db))
    db_rollback(db);
  if (st == JK_OK) printf("%s\n", token);
  else print_err(st, &e);
  arena_free(a);
  db_close(db);
  return st == JK_OK ? 0 : 1;
}
