/* common.c: see common.h. */
#include "api/common.h"
#include "base/utf8.h"
#include "api/app.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/region_code.h"
#include "sec/audit.h"
#include "sec/crypto.h"
#include <sodium.h>
#include "store/db.h"
#include "store/indicator_store.h"
#include "store/region_store.h"
#include <stdlib.h>
#include <string.h>

bool bad_field(struct req *r, const char *key, const char *message)
{
  reply_fail(r, JK_EINVAL, "invalid_field", message, key);
  return false;
}

bool body_only(struct req *r, json_t *o, const char *const *allowed)
{
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    bool ok = false;
    for (int i = 0; allowed[i] && !ok; i++) ok = strcmp(key, allowed[i]) == 0;
    if (!ok) {
      size_t n = strnlen(key, 64);
      while (n && key[n] && ((unsigned char)key[n] & 0xc0) == 0x80) n--; /* whole UTF-8 characters */
      const char *shown = arena_strndup(r->a, key, n);
      reply_fail(r, JK_EINVAL, "unknown_field", arena_printf(r->a, "不认识的字段：%s", shown), shown);
      return false;
    }
  }
  return true;
}


bool body_str(struct req *r, json_t *o, const char *key, bool required, size_t maxlen, const char **out)
{
  json_t *v = json_object_get(o, key);
  *out = 0;
  if (!v || json_is_null(v)) {
    if (!required) return true;
    reply_fail(r, JK_EINVAL, "missing_field", arena_printf(r->a, "缺少必填字段：%s", key), key);
    return false;
  }
  if (!json_is_string(v)) return bad_field(r, key, arena_printf(r->a, "字段 %s 应为字符串", key));
  const char *s = json_string_value(v);
  if (strlen(s) != json_string_length(v))
    return bad_field(r, key, arena_printf(r->a, "字段 %s 含有非法字符", key));
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  char *t = arena_strndup(r->a, s, n);
  for (char *c = t; *c; c++)
    if ((unsigned char)*c < 0x20 && *c != '\n') return bad_field(r, key, arena_printf(r->a, "字段 %s 含有控制字符", key));
  if (n == 0) {
    if (!required) return true;
    reply_fail(r, JK_EINVAL, "missing_field", arena_printf(r->a, "必填字段不能为空：%s", key), key);
    return false;
  }
  if (utf8_chars(t) > maxlen)
    return bad_field(r, key, arena_printf(r->a, "字段 %s 不能超过%zu个字符", key, maxlen));
  *out = t;
  return true;
}

bool body_kept_str(struct req *r, json_t *o, const char *key, bool create, size_t maxlen, const char **out)
{
  return body_str(r, o, key, create || json_object_get(o, key), maxlen, out);
}

bool body_set_str(struct req *r, json_t *o, const char *key, bool kept, bool create, size_t maxlen, const char **out)
{
  if (!create && !json_object_get(o, key)) return true;
  return kept ? body_kept_str(r, o, key, create, maxlen, out) : body_str(r, o, key, false, maxlen, out);
}

bool body_int(struct req *r, json_t *o, const char *key, bool required, int64_t min, int64_t max,
              int64_t *out, bool *present)
{
  json_t *v = json_object_get(o, key);
  if (present) *present = false;
  if (!v || json_is_null(v)) {
    if (!required) return true;
    reply_fail(r, JK_EINVAL, "missing_field", arena_printf(r->a, "缺少必填字段：%s", key), key);
    return false;
  }
  if (!json_is_integer(v))
    return bad_field(r, key, arena_printf(r->a, "字段 %s 应为整数", key));
  int64_t x = json_integer_value(v);
  if (x < min || x > max)
    return bad_field(r, key, arena_printf(r->a, "字段 %s 应在 %lld 到 %lld 之间", key, (long long)min, (long long)max));
  *out = x;
  if (present) *present = true;
  return true;
}

bool body_bool(struct req *r, json_t *o, const char *key, bool *out, bool *present)
{
  json_t *v = json_object_get(o, key);
  if (present) *present = false;
  if (!v || json_is_null(v)) return true;
  if (!json_is_boolean(v)) return bad_field(r, key, arena_printf(r->a, "字段 %s 应为 true 或 false", key));
  *out = json_is_true(v);
  if (present) *present = true;
  return true;
}

static bool parse_pos(const char *s, int64_t max, int64_t *out)
{
  if (!s || !*s || strlen(s) > 9) return false;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9') return false;
  int64_t v = strtoll(s, 0, 10);
  if (v < 1 || v > max) return false;
  *out = v;
  return true;
}

bool page_params(struct req *r, int64_t *limit, int64_t *offset, int64_t *page)
{
  const char *p = req_query(r, "page"), *ps = req_query(r, "page_size");
  *page = 1;
  *limit = 20;
  if (p && !parse_pos(p, 1000000, page)) return bad_field(r, "page", "页码应为正整数");
  if (ps && !parse_pos(ps, 100, limit)) return bad_field(r, "page_size", "每页条数应为1到100之间的整数");
  *offset = (*page - 1) * *limit;
  return true;
}

json_t *page_envelope(json_t *items, int64_t total, int64_t page, int64_t page_size)
{
  return json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "page",
                   (json_int_t)page, "page_size", (json_int_t)page_size);
}

static struct audit_entry entry_of(struct req *r, const char *action, const char *type,
                                   const char *id, const char *result, const char *detail)
{
  return (struct audit_entry){
    .user_id = r->authed ? r->who.user_id : 0, .username = r->authed ? r->who.username : 0,
    .role = r->authed ? role_name(r->who.role) : 0, .action = action, .object_type = type,
    .object_id = id, .result = result, .request_id = r->request_id, .detail = detail,
  };
}

void audit_note(struct req *r, const char *action, const char *type, const char *id,
                const char *result, const char *detail)
{
  struct audit_entry e = entry_of(r, action, type, id, result, detail);
  audit_enqueue(r->app->audit, &e);
}

jk_status audit_write(struct req *r, const char *action, const char *type, const char *id,
                      const char *result, const char *detail)
{
  struct audit_entry e = entry_of(r, action, type, id, result, detail);
  return audit_append(r->db, &r->app->keys, &e);
}

jk_status audit_change(struct req *r, const char *action, const char *type, const char *id,
                       const char *detail)
{
  return audit_write(r, action, type, id, "ok", detail);
}

static const char *act_name(enum action a)
{
  static const char *n[] = {"read", "list", "create", "update", "reveal", "unlock"};
  return n[a];
}

json_t *req_body(struct req *r)
{
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st == JK_OK) return body;
  reply_err(r, st, &e);
  return 0;
}

bool body_date(struct req *r, json_t *o, const char *key, bool required, bool past_only, const char **out)
{
  struct jk_date d;
  if (!body_str(r, o, key, required, 10, out)) return false;
  if (!*out) return true;
  if (!date_parse(*out, &d)) return bad_field(r, key, "日期无效（YYYY-MM-DD）");
  if (past_only && date_to_days(d) > date_to_days(date_today())) return bad_field(r, key, "日期不能晚于今天");
  return true;
}

bool allowed(struct req *r, enum action act, const struct policy_object *o, const char *type,
             const char *id)
{
  jk_status st = policy_decide(&r->who, act, o);
  if (st == JK_OK) return true;
  audit_note(r, "denied", type, id, st == JK_ENOTFOUND ? "not_found" : "denied", act_name(act));
  if (st == JK_ENOTFOUND) reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0);
  else if (act == ACT_CREATE && o->region) reply_fail(r, JK_EFORBIDDEN, "forbidden", "超出您的管辖范围", 0);
  else reply_fail(r, st, 0, 0, 0);
  return false;
}

const char *iso_time(struct req *r, int64_t ms)
{
  char *s = arena_alloc(r->a, 32);
  time_format(ms, s);
  return s;
}

bool region_param(struct req *r, const char *value, const char *field, bool must_exist, const char **out)
{
  *out = 0;
  if (!value) return true;
  char code[13];
  if (!region_code_normalize(value, code))
    return bad_field(r, field, "行政区划代码格式错误（应为2、4、6、9或12位数字）");
  if (must_exist) {
    struct region reg;
    jk_status st = region_store_get(r->db, r->a, code, &reg);
    if (st == JK_ENOTFOUND) return bad_field(r, field, "行政区划代码不存在");
    if (st != JK_OK) {
      reply_err(r, st, 0);
      return false;
    }
  }
  *out = arena_strdup(r->a, code);
  return true;
}

const char *region_name(struct req *r, const char *code)
{
  struct region reg;
  if (!code || region_store_get(r->db, r->a, code, &reg) != JK_OK) return 0;
  return reg.name;
}

bool commit_or_reply(struct req *r)
{
  jk_status st = indicator_store_flush(r->db, INDICATOR_FLUSH_PER_WRITE, 0);
  if (st == JK_OK) st = db_commit(r->db);
  else db_rollback(r->db);
  if (st == JK_OK) return true;
  reply_err(r, st, 0);
  return false;
}

bool audit_committed(struct req *r, const char *action, const char *type, const char *id, const char *detail)
{
  jk_status st;
  if ((st = db_begin_write(r->db)) != JK_OK || (st = audit_change(r, action, type, id, detail)) != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    reply_err(r, st, 0);
    return false;
  }
  return commit_or_reply(r);
}

bool body_location(struct req *r, json_t *v, double *lat, double *lng)
{
  static const char *const keys[] = {"lat", "lng", 0};
  if (!json_is_object(v)) return bad_field(r, "location", "位置应为 {\"lat\":纬度,\"lng\":经度}");
  if (!body_only(r, v, keys)) return false;
  json_t *la = json_object_get(v, "lat"), *ln = json_object_get(v, "lng");
  if (!json_is_number(la) || !json_is_number(ln)) return bad_field(r, "location", "位置应包含数值型的纬度 lat 和经度 lng");
  *lat = json_number_value(la);
  *lng = json_number_value(ln);
  if (*lat < 3 || *lat > 54 || *lng < 73 || *lng > 136)
    return bad_field(r, "location", "位置应在中国境内（纬度3–54，经度73–136）");
  return true;
}

const char *sealed_b64(struct req *r, const char *ad, const char *plain)
{
  size_t n;
  unsigned char *blob = field_seal(r->a, &r->app->keys, plain, ad, &n);
  size_t blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = arena_alloc(r->a, blen);
  sodium_bin2base64(b64, blen, blob, n, sodium_base64_VARIANT_ORIGINAL);
  return b64;
}
