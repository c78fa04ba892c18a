/* session.c: login, the current session, logout.
 *
 * Lockout (等保 登录失败处理, ASVS 2.2.1): 5 failed logins in a row lock the account for 15
 * minutes; the count resets on success. An unknown username costs the same Argon2id work as a
 * known one, so timing does not tell which usernames exist. The session token (32 random
 * bytes) goes only into the HttpOnly, SameSite=Strict cookie; the database keeps its hash.
 * Sessions end after 30 minutes idle or 12 hours in all (checked in http/server.c). */
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "api/users.h"
#include "base/arena.h"
#include "base/clock.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/user_store.h"
#include <pthread.h>
#include <string.h>

#define MAX_FAILURES 5
#define LOCK_MS (15LL * 60 * 1000)

static char dummy_hash[PASSWORD_HASH_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { password_hash("jingkang-timing-equalizer", dummy_hash); }

static void reply_session(struct req *r, const struct user_rec *u, const char *csrf)
{
  json_t *o = json_pack("{s:o,s:s}", "user", user_json(r, u), "csrf_token", csrf);
  reply_json(r, 200, o);
}

static void login_failed(struct req *r, const struct user_rec *u, int64_t now)
{
  int failed = u->failed_count + 1;
  int64_t until = failed >= MAX_FAILURES ? now + LOCK_MS : 0;
  if (db_begin_write(r->db) == JK_OK) {
    bool ok = user_store_set_lock(r->db, u->rid, until ? 0 : failed, until) == JK_OK;
    struct principal keep = r->who;
    r->authed = true;
    r->who = (struct principal){.user_id = u->id, .username = u->username, .role = role_parse(u->role)};
    ok = ok && audit_write(r, "login", "session", u->id, "failed", until ? "wrong password; account locked" : "wrong password") == JK_OK;
    r->authed = false;
    r->who = keep;
    if (ok) db_commit(r->db);
    else db_rollback(r->db);
  }
  reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0);
}

void api_login(struct req *r)
{
  static const char *const fields[] = {"username", "password", 0};
  json_t *body;
  struct jk_err e;
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *username, *password;
  bool ok = body_only(r, body, fields) && body_str(r, body, "username", true, 64, &username) &&
            body_str(r, body, "password", true, 256, &password);
  if (ok) password = arena_strdup(r->a, json_string_value(json_object_get(body, "password")));
  json_decref(body);
  if (!ok) return;
  pthread_once(&dummy_once, make_dummy);
  struct user_rec u;
  int64_t now = clock_now_ms();
  st = user_store_by_username(r->db, r->a, username, &u);
  if (st != JK_OK) {
    password_verify(dummy_hash, password);
    audit_note(r, "login", "session", 0, "failed", "unknown user");
    if (st == JK_ENOTFOUND) return reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0);
    return reply_err(r, st, 0);
  }
  if (u.locked_until > now) {
    password_verify(dummy_hash, password);
    audit_note(r, "login", "session", u.id, "denied", "account locked");
    long mins = (long)((u.locked_until - now + 59999) / 60000);
    return reply_fail(r, JK_ELOCKED, "account_locked",
                      arena_printf(r->a, "登录失败次数过多，账户已锁定，请%ld分钟后再试", mins), 0);
  }
  if (!password_verify(u.pw_hash, password)) return login_failed(r, &u, now);
  if (u.disabled) {
    audit_note(r, "login", "session", u.id, "denied", "account disabled");
    return reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0);
  }
  char token[TOKEN_CHARS], csrf[65];
  unsigned char h[32];
  token_new(token);
  token_hash(token, h);
  random_hex(csrf, 32);
  r->authed = true;
  r->who = (struct principal){.user_id = u.id, .username = u.username, .role = role_parse(u.role),
                              .region = u.region, .org_rid = u.org_rid};
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = user_store_set_lock(r->db, u.rid, 0, 0)) != JK_OK ||
      (st = session_store_insert(r->db, h, u.rid, csrf, now)) != JK_OK ||
      (st = audit_change(r, "login", "session", u.id, 0)) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  r->set_cookie = arena_printf(r->a, "jk_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
                               r->app->secure_cookies ? "; Secure" : "");
  reply_session(r, &u, csrf);
}

void api_session_get(struct req *r)
{
  struct user_rec u;
  if (!r->authed) return reply_fail(r, JK_EAUTH, "unauthenticated", "请先登录", 0);
  jk_status st = user_store_by_id(r->db, r->a, r->who.user_id, &u);
  if (st != JK_OK) return reply_err(r, st, 0);
  reply_session(r, &u, r->csrf ? r->csrf : "");
}

void api_logout(struct req *r)
{
  if (r->via_cookie) {
    jk_status st = db_begin_write(r->db);
    if (st != JK_OK) return reply_err(r, st, 0);
    if ((st = session_store_end(r->db, r->session_hash, clock_now_ms())) != JK_OK ||
        (st = audit_change(r, "logout", "session", r->who.user_id, 0)) != JK_OK) {
      db_rollback(r->db);
      return reply_err(r, st, 0);
    }
    if (!commit_or_reply(r)) return;
  }
  r->set_cookie = "jk_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  reply_status(r, 204);
}
