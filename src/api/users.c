/* users.c: user administration (sysadmin creates and changes accounts, secadmin unlocks them)
 * and bearer tokens for systems. Passwords follow domain/password.h; a changed password or a
 * disabled account ends the account's open sessions. */
#include "api/users.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/password.h"
#include "domain/region_code.h"
#include "sec/crypto.h"
#include "sec/totp.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/region_store.h"
#include <string.h>

static bool username_ok(const char *s)
{
  size_t n = strlen(s);
  if (n < 2 || n > 32) return false;
  for (const char *c = s; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-'))
      return false;
  return true;
}

jk_status users_create(struct db *db, struct arena *a, const struct new_user *nu, struct jk_err *e,
                       const char **id_out)
{
  if (!nu->username || !username_ok(nu->username))
    return jk_fail(e, JK_EINVAL, "invalid_field", "用户名应为2–32位小写字母、数字、下划线、点或连字符", "username");
  enum role role = role_parse(nu->role);
  if (role == ROLE_NONE) return jk_fail(e, JK_EINVAL, "invalid_field", "角色无效", "role");
  char region[13] = "";
  if (role_needs_region(role)) {
    struct region reg;
    if (!nu->region || !region_code_normalize(nu->region, region))
      return jk_fail(e, JK_EINVAL, "missing_field", "该角色需要指定管辖区域", "region");
    if (region_code_level(region) > REGION_TOWNSHIP || region_store_get(db, a, region, &reg) != JK_OK)
      return jk_fail(e, JK_EINVAL, "invalid_field", "管辖区域应为已存在的省、市、县或乡镇", "region");
  } else if (nu->region) {
    return jk_fail(e, JK_EINVAL, "invalid_field", "该角色不按区域划分权限，不能指定区域", "region");
  }
  struct org_rec org = {0};
  if (role_needs_org(role)) {
    if (!nu->org_id) return jk_fail(e, JK_EINVAL, "missing_field", "该角色需要指定所属机构", "organization");
    if (org_store_by_id(db, a, nu->org_id, &org) != JK_OK)
      return jk_fail(e, JK_EINVAL, "invalid_field", "所属机构不存在", "organization");
    if (role == ROLE_HOSPITAL_STAFF ? strcmp(org.kind, "hospital") != 0 : strcmp(org.kind, "rehab_institution") != 0)
      return jk_fail(e, JK_EINVAL, "invalid_field", "所属机构的类型与角色不符", "organization");
  } else if (nu->org_id) {
    return jk_fail(e, JK_EINVAL, "invalid_field", "该角色不属于某个机构，不能指定机构", "organization");
  }
  jk_status st = password_check(nu->password, nu->username, e);
  if (st != JK_OK) return st;
  char hash[PASSWORD_HASH_BYTES], id[37];
  if (password_hash(nu->password, hash) != JK_OK) return JK_EINTERNAL;
  uuid_v7(id);
  int64_t now = clock_now_ms();
  struct user_rec u = {
    .id = id, .username = nu->username, .display_name = nu->display_name ? nu->display_name : nu->username,
    .role = role_name(role), .region = region[0] ? region : 0, .org_rid = org.rid, .pw_hash = hash,
    .created_at = now,
  };
  struct user_rec existing;
  if (user_store_by_username(db, a, nu->username, &existing) == JK_OK)
    return jk_fail(e, JK_ECONFLICT, "duplicate_username", "用户名已存在", "username");
  if ((st = user_store_insert(db, &u)) != JK_OK) return st;
  *id_out = arena_strdup(a, id);
  return JK_OK;
}

jk_status tokens_create(struct db *db, struct arena *a, const char *username, const char *name,
                        struct jk_err *e, const char **token_out, const char **id_out)
{
  struct user_rec u;
  jk_status st = user_store_by_username(db, a, username, &u);
  if (st == JK_ENOTFOUND) return jk_fail(e, JK_EINVAL, "invalid_field", "用户不存在", "username");
  if (st != JK_OK) return st;
  char token[TOKEN_CHARS], id[37];
  unsigned char h[32];
  token_new(token);
  token_hash(token, h);
  uuid_v7(id);
  if ((st = token_store_insert(db, id, h, u.rid, name ? name : username, clock_now_ms())) != JK_OK) return st;
  *token_out = arena_strdup(a, token);
  *id_out = arena_strdup(a, id);
  return JK_OK;
}

bool users_role_needs_totp(const char *role)
{
  enum role ro = role_parse(role);
  return ro == ROLE_SYSADMIN || ro == ROLE_SECADMIN || ro == ROLE_AUDITOR;
}

bool users_totp_needed(const struct user_rec *u)
{
  return u->totp_enabled_at != 0 || users_role_needs_totp(u->role);
}

jk_status users_totp_set(struct db *db, struct arena *a, const struct keys *k, const char *username,
                         const char *b32, int64_t now)
{
  struct user_rec u;
  unsigned char check[TOTP_SECRET_BYTES];
  if (!totp_secret_decode(b32, check)) return JK_EINVAL;
  jk_status st = user_store_by_username(db, a, username, &u);
  if (st != JK_OK) return st;
  size_t n;
  unsigned char *sealed = field_seal(a, k, b32, arena_printf(a, "user:%s:totp", u.id), &n);
  if (!sealed) return JK_EINTERNAL;
  return user_store_totp_set(db, u.rid, sealed, n, now);
}

json_t *user_json(struct req *r, const struct user_rec *u)
{
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", u->id, "username", u->username,
                        "display_name", u->display_name, "role", u->role, "role_label",
                        role_label(role_parse(u->role)), "disabled", u->disabled);
  json_object_set_new(o, "region", u->region ? json_string(u->region) : json_null());
  const char *rn = region_name(r, u->region);
  json_object_set_new(o, "region_name", rn ? json_string(rn) : json_null());
  json_object_set_new(o, "organization", u->org_id ? json_string(u->org_id) : json_null());
  json_object_set_new(o, "organization_name", u->org_name ? json_string(u->org_name) : json_null());
  json_object_set_new(o, "totp_enabled", json_boolean(u->totp_enabled_at != 0));
  json_object_set_new(o, "totp_required", json_boolean(users_totp_needed(u)));
  json_object_set_new(o, "locked_until",
                      u->locked_until > clock_now_ms() ? json_string(iso_time(r, u->locked_until)) : json_null());
  return o;
}

void api_users_list(struct req *r)
{
  struct policy_object o = {.kind = OBJ_USER};
  if (!allowed(r, ACT_LIST, &o, "user", 0)) return;
  int64_t limit, offset, page, n, total;
  if (!page_params(r, &limit, &offset, &page)) return;
  const char *role = req_query(r, "role");
  if (role && role_parse(role) == ROLE_NONE) return (void)bad_field(r, "role", "角色无效");
  struct user_rec *v;
  jk_status st = user_store_list(r->db, r->a, req_query(r, "q"), role, limit, offset, &v, &n, &total);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, user_json(r, &v[i]));
  audit_note(r, "search", "user", 0, "ok", arena_printf(r->a, "%lld results", (long long)n));
  reply_json(r, 200, page_envelope(items, total, page, limit));
}

void api_users_create(struct req *r)
{
  static const char *const fields[] = {"username", "display_name", "role", "region", "organization", "password", 0};
  struct policy_object o = {.kind = OBJ_USER};
  if (!allowed(r, ACT_CREATE, &o, "user", 0)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  struct new_user nu = {0};
  bool ok = body_only(r, body, fields) && body_str(r, body, "username", true, 32, &nu.username) &&
            body_str(r, body, "display_name", false, 64, &nu.display_name) &&
            body_str(r, body, "role", true, 32, &nu.role) && body_str(r, body, "region", false, 12, &nu.region) &&
            body_str(r, body, "organization", false, 36, &nu.org_id) &&
            body_str(r, body, "password", true, 256, &nu.password);
  if (ok) nu.password = arena_strdup(r->a, json_string_value(json_object_get(body, "password")));
  json_decref(body);
  if (!ok) return;
  const char *id;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = users_create(r->db, r->a, &nu, &e, &id)) != JK_OK ||
      (st = audit_change(r, "create", "user", id, arena_printf(r->a, "role=%s", nu.role))) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, &e);
  }
  if (!commit_or_reply(r)) return;
  struct user_rec u;
  if ((st = user_store_by_id(r->db, r->a, id, &u)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 201, user_json(r, &u));
}

void api_users_patch(struct req *r)
{
  static const char *const fields[] = {"display_name", "disabled", "password", 0};
  struct policy_object o = {.kind = OBJ_USER};
  if (!allowed(r, ACT_UPDATE, &o, "user", r->params[0])) return;
  struct user_rec u;
  jk_status st = user_store_by_id(r->db, r->a, r->params[0], &u);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *body;
  struct jk_err e = {0};
  if ((st = req_json(r, &body, &e)) != JK_OK) return reply_err(r, st, &e);
  const char *display = 0, *password = 0;
  bool disabled = false, has_disabled = false;
  bool ok = body_only(r, body, fields) && body_str(r, body, "display_name", false, 64, &display) &&
            body_bool(r, body, "disabled", &disabled, &has_disabled) &&
            body_str(r, body, "password", false, 256, &password);
  if (ok && password) password = arena_strdup(r->a, json_string_value(json_object_get(body, "password")));
  json_decref(body);
  if (!ok) return;
  char hash[PASSWORD_HASH_BYTES];
  if (password) {
    if ((st = password_check(password, u.username, &e)) != JK_OK) return reply_err(r, st, &e);
    if (password_hash(password, hash) != JK_OK) return reply_err(r, JK_EINTERNAL, 0);
  }
  int64_t now = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  const char *detail = arena_printf(r->a, "%s%s%s", display ? "display_name " : "",
                                    has_disabled ? (disabled ? "disabled " : "enabled ") : "",
                                    password ? "password" : "");
  if ((st = user_store_update(r->db, u.rid, display, has_disabled ? disabled : -1, password ? hash : 0, now)) != JK_OK ||
      ((password || disabled) && (st = session_store_end_all(r->db, u.rid, now)) != JK_OK) ||
      (st = audit_change(r, "update", "user", u.id, detail)) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  if ((st = user_store_by_id(r->db, r->a, u.id, &u)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, user_json(r, &u));
}

void api_users_unlock(struct req *r)
{
  struct policy_object o = {.kind = OBJ_USER};
  if (!allowed(r, ACT_UNLOCK, &o, "user", r->params[0])) return;
  struct user_rec u;
  jk_status st = user_store_by_id(r->db, r->a, r->params[0], &u);
  if (st != JK_OK) return reply_err(r, st, 0);
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = user_store_set_lock(r->db, u.rid, 0, 0)) != JK_OK ||
      (st = audit_change(r, "unlock", "user", u.id, 0)) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  u.locked_until = 0;
  u.failed_count = 0;
  reply_json(r, 200, user_json(r, &u));
}

void api_tokens_create(struct req *r)
{
  static const char *const fields[] = {"username", "name", 0};
  struct policy_object o = {.kind = OBJ_TOKEN};
  if (!allowed(r, ACT_CREATE, &o, "token", 0)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  const char *username, *name;
  bool ok = body_only(r, body, fields) && body_str(r, body, "username", true, 32, &username) &&
            body_str(r, body, "name", false, 64, &name);
  json_decref(body);
  if (!ok) return;
  const char *token, *id;
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = tokens_create(r->db, r->a, username, name, &e, &token, &id)) != JK_OK ||
      (st = audit_change(r, "create", "token", id, arena_printf(r->a, "for %s", username))) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, &e);
  }
  if (!commit_or_reply(r)) return;
  reply_json(r, 201, json_pack("{s:s,s:s}", "id", id, "token", token));
}

/* Recovery (a lost phone): secadmin clears another account's TOTP; the account's sessions end
 * and its next login starts a new enrolment (administrators) or needs only the password. */
void api_users_totp_reset(struct req *r)
{
  struct policy_object o = {.kind = OBJ_USER};
  if (!allowed(r, ACT_UNLOCK, &o, "user", r->params[0])) return;
  struct user_rec u;
  jk_status st = uuid_valid(r->params[0]) ? user_store_by_id(r->db, r->a, r->params[0], &u) : JK_ENOTFOUND;
  if (st != JK_OK) return reply_err(r, st, 0);
  if (strcmp(u.id, r->who.user_id) == 0)
    return reply_fail(r, JK_EFORBIDDEN, "forbidden", "不能重置自己的动态验证码，请由另一位安全管理员操作", 0);
  int64_t now = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = user_store_totp_reset(r->db, u.rid)) != JK_OK || (st = session_store_end_all(r->db, u.rid, now)) != JK_OK ||
      (st = audit_change(r, "totp_reset", "user", u.id, u.totp_enabled_at ? "was enrolled" : "was not enrolled")) != JK_OK) {
    db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  if ((st = user_store_by_id(r->db, r->a, u.id, &u)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, user_json(r, &u));
}
