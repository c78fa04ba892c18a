/* session.c: login (password, then a TOTP code where one is needed), the current session,
 * logout, and enrolment in two-factor login.
 *
 * Lockout (等保 登录失败处理, ASVS 2.2.1): 5 failed logins in a row lock the account for 15
 * minutes; the count resets on a completed login. A wrong TOTP code counts as a failed login,
 * and a right password alone does not reset the count, so the password cannot be used to buy
 * unlimited guesses at the code. An unknown username costs the same Argon2id work as a known
 * one, so timing does not tell which usernames exist. The session token (32 random bytes) goes
 * only into the HttpOnly, SameSite=Strict cookie; the database keeps its hash. Sessions end
 * after 30 minutes idle or 12 hours in all (checked in http/server.c).
 *
 * Two factors (等保 2.0 第三级 身份鉴别: administrators log in with two factors; ASVS 2.8):
 * sysadmin, secadmin and auditor always need a TOTP code (sec/totp.h); any other user who has
 * enrolled needs one too. After the right password such a login answers 200
 * {"totp_required":true, "challenge"} and no cookie; POST /session/second-factor with the
 * challenge and the code completes it. An administrator not yet enrolled gets
 * "enrolment_required": with the challenge they may only start enrolment
 * (POST /session/enrolment → secret and otpauth URI) and confirm it with a first code, which
 * completes the login — no session exists before that. A challenge lives 5 minutes and works
 * once. Codes: the login body may also carry "totp" directly (one request for scripts). */
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "api/users.h"
#include "base/arena.h"
#include "base/clock.h"
#include "sec/crypto.h"
#include "sec/totp.h"
#include "store/db.h"
#include "store/user_store.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define MAX_FAILURES 5
#define LOCK_MS (15LL * 60 * 1000)
#define CHALLENGE_MS (5LL * 60 * 1000)

static char dummy_hash[PASSWORD_HASH_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { password_hash("jingkang-timing-equalizer", dummy_hash); }

static void reply_session(struct req *r, const struct user_rec *u, const char *csrf)
{
  json_t *o = json_pack("{s:o,s:s}", "user", user_json(r, u), "csrf_token", csrf);
  reply_json(r, 200, o);
}

/* Audits on behalf of u (nobody is logged in yet). */
static jk_status audit_as(struct req *r, const struct user_rec *u, const char *action, const char *result,
                          const char *detail)
{
  struct principal keep = r->who;
  bool keep_authed = r->authed;
  r->authed = true;
  r->who = (struct principal){.user_id = u->id, .username = u->username, .role = role_parse(u->role)};
  jk_status st = audit_write(r, action, "session", u->id, result, detail);
  r->authed = keep_authed;
  r->who = keep;
  return st;
}

/* A failed password or code: counts toward the lockout, audited; replies 401. */
static void login_failed(struct req *r, const struct user_rec *u, int64_t now, bool code)
{
  int failed = u->failed_count + 1;
  int64_t until = failed >= MAX_FAILURES ? now + LOCK_MS : 0;
  const char *what = code ? "wrong TOTP code" : "wrong password";
  if (db_begin_write(r->db) == JK_OK) {
    bool ok = user_store_set_lock(r->db, u->rid, until ? 0 : failed, until) == JK_OK &&
              audit_as(r, u, "login", "failed", until ? arena_printf(r->a, "%s; account locked", what) : what) == JK_OK;
    if (ok) db_commit(r->db);
    else db_rollback(r->db);
  }
  if (code) return reply_fail(r, JK_EAUTH, "invalid_totp", "动态验证码错误或已使用，请输入验证器中的最新6位数字", "code");
  reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0);
}

static bool locked(struct req *r, const struct user_rec *u, int64_t now)
{
  if (u->locked_until <= now) return false;
  audit_note(r, "login", "session", u->id, "denied", "account locked");
  long mins = (long)((u->locked_until - now + 59999) / 60000);
  reply_fail(r, JK_ELOCKED, "account_locked", arena_printf(r->a, "登录失败次数过多，账户已锁定，请%ld分钟后再试", mins), 0);
  return true;
}

/* Opens the user's TOTP secret (confirmed, or the pending enrolment); false when absent. */
static bool open_secret(struct req *r, const struct user_rec *u, bool pending, unsigned char out[TOTP_SECRET_BYTES])
{
  const void *blob = pending ? u->totp_pending_enc : u->totp_enc;
  size_t n = pending ? u->totp_pending_len : u->totp_enc_len;
  if (!blob) return false;
  char *b32 = field_open(r->a, &r->app->keys, blob, n, arena_printf(r->a, "user:%s:totp", u->id));
  bool ok = b32 && totp_secret_decode(b32, out);
  if (b32) sodium_memzero(b32, strlen(b32));
  return ok;
}

/* Creates the session (resetting the failure count, recording the code's step when one was
 * used, confirming a pending enrolment) and replies with the cookie. */
static void start_session(struct req *r, const struct user_rec *u, int64_t now, int64_t step, bool confirm,
                          const unsigned char *challenge)
{
  char token[TOKEN_CHARS], csrf[65];
  unsigned char h[32];
  token_new(token);
  token_hash(token, h);
  random_hex(csrf, 32);
  r->authed = true;
  r->who = (struct principal){.user_id = u->id, .username = u->username, .role = role_parse(u->role),
                              .region = u->region, .org_rid = u->org_rid};
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  const char *detail = step < 0 ? 0 : confirm ? "password and TOTP; two-factor enrolment confirmed" : "password and TOTP";
  if ((challenge && (st = challenge_store_use(r->db, challenge, now)) != JK_OK) ||
      (step >= 0 && !confirm && (st = user_store_totp_used(r->db, u->rid, step)) != JK_OK) ||
      (confirm && (st = user_store_totp_confirm(r->db, u->rid, step, now)) != JK_OK) ||
      (st = user_store_set_lock(r->db, u->rid, 0, 0)) != JK_OK ||
      (st = session_store_insert(r->db, h, u->rid, csrf, now)) != JK_OK ||
      (confirm && (st = audit_change(r, "totp_enable", "user", u->id, "at login")) != JK_OK) ||
      (st = audit_change(r, "login", "session", u->id, detail)) != JK_OK) {
    db_rollback(r->db);
    r->authed = false;
    /* a challenge or code used by a concurrent request: the same answer as a wrong code */
    if (st == JK_ECONFLICT) return reply_fail(r, JK_EAUTH, "invalid_totp", "动态验证码错误或已使用，请输入验证器中的最新6位数字", "code");
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  r->set_cookie = arena_printf(r->a, "jk_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
                               r->app->secure_cookies ? "; Secure" : "");
  struct user_rec fresh;
  reply_session(r, user_store_by_rid(r->db, r->a, u->rid, &fresh) == JK_OK ? &fresh : u, csrf);
}

/* Checks a code against the account (or its pending enrolment) and starts the session. */
static void finish_with_code(struct req *r, const struct user_rec *u, const char *code, int64_t now,
                             const unsigned char *challenge)
{
  bool enrolled = u->totp_enabled_at != 0;
  unsigned char secret[TOTP_SECRET_BYTES];
  int64_t step = -1;
  if (!open_secret(r, u, !enrolled, secret)) {
    if (!enrolled)
      return reply_fail(r, JK_ERULE, "enrolment_required", "请先开始绑定动态验证码（POST /api/v1/session/enrolment）", 0);
    return reply_err(r, JK_EINTERNAL, 0);
  }
  bool ok = totp_verify(secret, code, now, enrolled ? u->totp_last_step : -1, &step);
  sodium_memzero(secret, sizeof secret);
  if (!ok) return login_failed(r, u, now, true);
  start_session(r, u, now, step, !enrolled, challenge);
}

/* Right password, TOTP needed, none given: a challenge for the second step. */
static void send_challenge(struct req *r, const struct user_rec *u, int64_t now)
{
  char token[TOKEN_CHARS];
  unsigned char h[32];
  token_new(token);
  token_hash(token, h);
  bool enrolled = u->totp_enabled_at != 0;
  jk_status st = db_begin_write(r->db);
  if (st != JK_OK) return reply_err(r, st, 0);
  if ((st = challenge_store_insert(r->db, h, u->rid, now, now + CHALLENGE_MS)) != JK_OK ||
      (st = audit_as(r, u, "login", "pending", enrolled ? "password accepted; TOTP code required"
                                                        : "password accepted; two-factor enrolment required")) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_json(r, 200, json_pack("{s:b,s:b,s:s,s:I,s:s}", "totp_required", 1, "enrolment_required", !enrolled,
                               "challenge", token, "expires_in", (json_int_t)(CHALLENGE_MS / 1000), "message",
                               enrolled ? "请输入身份验证器中的6位动态验证码"
                                        : "管理员账户须绑定动态验证码（双因素认证）后方可登录"));
}

void api_login(struct req *r)
{
  static const char *const fields[] = {"username", "password", "totp", 0};
  json_t *body;
  struct jk_err e;
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *username, *password, *code = 0;
  bool ok = body_only(r, body, fields) && body_str(r, body, "username", true, 64, &username) &&
            body_str(r, body, "password", true, 256, &password) && body_str(r, body, "totp", false, 16, &code);
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
  if (locked(r, &u, now)) {
    password_verify(dummy_hash, password);
    return;
  }
  if (!password_verify(u.pw_hash, password)) return login_failed(r, &u, now, false);
  if (u.disabled) {
    audit_note(r, "login", "session", u.id, "denied", "account disabled");
    return reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0);
  }
  if (!users_totp_needed(&u)) return start_session(r, &u, now, -1, false, 0);
  if (code && u.totp_enabled_at) return finish_with_code(r, &u, code, now, 0);
  send_challenge(r, &u, now);
}

/* The user of a live challenge from the body; false after replying. */
static bool challenge_user(struct req *r, json_t *body, unsigned char h[32], struct user_rec *u, int64_t now)
{
  const char *token;
  if (!body_str(r, body, "challenge", true, 64, &token)) return false;
  token_hash(token, h);
  struct challenge_rec c;
  jk_status st = challenge_store_get(r->db, h, &c);
  if (st != JK_OK && st != JK_ENOTFOUND) return reply_err(r, st, 0), false;
  if (st == JK_ENOTFOUND || c.used_at || c.expires_at <= now || user_store_by_rid(r->db, r->a, c.user_rid, u) != JK_OK) {
    audit_note(r, "login", "session", 0, "failed", "invalid or expired challenge");
    return reply_fail(r, JK_EAUTH, "challenge_expired", "登录步骤已失效，请重新输入用户名和密码", "challenge"), false;
  }
  if (u->disabled) {
    audit_note(r, "login", "session", u->id, "denied", "account disabled");
    return reply_fail(r, JK_EAUTH, "invalid_credentials", "用户名或密码错误", 0), false;
  }
  return !locked(r, u, now);
}

void api_login_second_factor(struct req *r)
{
  static const char *const fields[] = {"challenge", "code", 0};
  json_t *body = req_body(r);
  if (!body) return;
  const char *code;
  unsigned char h[32];
  struct user_rec u;
  int64_t now = clock_now_ms();
  bool ok = body_only(r, body, fields) && body_str(r, body, "code", true, 16, &code) &&
            challenge_user(r, body, h, &u, now);
  json_decref(body);
  if (ok) finish_with_code(r, &u, code, now, h);
}

/* A new secret, sealed into the pending enrolment of u; the answer shows it once. */
static void start_enrolment(struct req *r, const struct user_rec *u, const char *how)
{
  char b32[TOTP_B32_CHARS];
  totp_secret_new(b32);
  size_t n;
  unsigned char *sealed = field_seal(r->a, &r->app->keys, b32, arena_printf(r->a, "user:%s:totp", u->id), &n);
  jk_status st = sealed ? db_begin_write(r->db) : JK_EINTERNAL;
  if (st != JK_OK) return reply_err(r, st, 0);
  struct principal keep = r->who;
  bool keep_authed = r->authed;
  if (!r->authed) {
    r->authed = true;
    r->who = (struct principal){.user_id = u->id, .username = u->username, .role = role_parse(u->role)};
  }
  if ((st = user_store_totp_pending(r->db, u->rid, sealed, n)) != JK_OK ||
      (st = audit_change(r, "totp_enrol", "user", u->id, how)) != JK_OK) {
    db_rollback(r->db);
    r->who = keep, r->authed = keep_authed;
    return reply_err(r, st, 0);
  }
  r->who = keep, r->authed = keep_authed;
  if (!commit_or_reply(r)) return;
  const char *uri = arena_printf(r->a, "otpauth://totp/Jingkang:%s?secret=%s&issuer=Jingkang&algorithm=SHA1&digits=6&period=30",
                                 u->username, b32);
  reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "secret", b32, "otpauth_uri", uri, "algorithm", "SHA1",
                               "digits", TOTP_DIGITS, "period", (int)(TOTP_STEP_MS / 1000), "message",
                               "请在身份验证器中添加此密钥（或扫描二维码），然后输入显示的6位数字完成绑定"));
  sodium_memzero(b32, sizeof b32);
}

void api_login_enrolment(struct req *r)
{
  static const char *const fields[] = {"challenge", 0};
  json_t *body = req_body(r);
  if (!body) return;
  unsigned char h[32];
  struct user_rec u;
  bool ok = body_only(r, body, fields) && challenge_user(r, body, h, &u, clock_now_ms());
  json_decref(body);
  if (!ok) return;
  if (u.totp_enabled_at)
    return reply_fail(r, JK_ECONFLICT, "totp_already_enabled", "该账户已绑定动态验证码，请直接输入验证码", 0);
  start_enrolment(r, &u, "at login");
}

void api_totp_enrol(struct req *r)
{
  struct user_rec u;
  jk_status st = user_store_by_id(r->db, r->a, r->who.user_id, &u);
  if (st != JK_OK) return reply_err(r, st, 0);
  if (r->who.via_token) return reply_fail(r, JK_EFORBIDDEN, "forbidden", "系统令牌不能绑定动态验证码", 0);
  if (u.totp_enabled_at)
    return reply_fail(r, JK_ECONFLICT, "totp_already_enabled", "该账户已绑定动态验证码；如需更换，请联系安全管理员重置", 0);
  start_enrolment(r, &u, "from account page");
}

void api_totp_confirm(struct req *r)
{
  static const char *const fields[] = {"code", 0};
  json_t *body = req_body(r);
  if (!body) return;
  const char *code;
  bool ok = body_only(r, body, fields) && body_str(r, body, "code", true, 16, &code);
  json_decref(body);
  if (!ok) return;
  struct user_rec u;
  int64_t now = clock_now_ms(), step;
  jk_status st = user_store_by_id(r->db, r->a, r->who.user_id, &u);
  if (st != JK_OK) return reply_err(r, st, 0);
  if (u.totp_enabled_at) return reply_fail(r, JK_ECONFLICT, "totp_already_enabled", "该账户已绑定动态验证码", 0);
  unsigned char secret[TOTP_SECRET_BYTES];
  if (!open_secret(r, &u, true, secret))
    return reply_fail(r, JK_ERULE, "enrolment_required", "请先开始绑定动态验证码", 0);
  ok = totp_verify(secret, code, now, -1, &step);
  sodium_memzero(secret, sizeof secret);
  if (!ok) {
    audit_note(r, "totp_enable", "user", u.id, "failed", "wrong code");
    return reply_fail(r, JK_EINVAL, "invalid_totp", "动态验证码错误，请输入验证器中的最新6位数字", "code");
  }
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = user_store_totp_confirm(r->db, u.rid, step, now)) != JK_OK ||
      (st = audit_change(r, "totp_enable", "user", u.id, "from account page")) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  if ((st = user_store_by_id(r->db, r->a, u.id, &u)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, user_json(r, &u));
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
