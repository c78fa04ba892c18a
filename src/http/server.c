/* server.c: see server.h. The request life cycle, in the order MHD calls us:
 *   1. headers only (*con_cls == NULL): make the struct req; an oversized Content-Length is
 *      refused at once when it is huge (or the client waits for 100-continue), otherwise the
 *      body is read and dropped so that the client, still writing, gets the 413 cleanly;
 *   2. once per body chunk: append to the capped body buffer;
 *   3. the final call: route, authenticate, run the handler, queue the response;
 *   4. completed (also on aborts): count it, free the arena and the buffers.
 * Only this file talks to MHD. */
#include "http/server.h"
#include "api/app.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/utf8.h"
#include "sec/crypto.h"
#include "sec/ratelimit.h"
#include "store/db.h"
#include "store/user_store.h"
#include "store/faultvfs.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SESSION_IDLE_MS (30LL * 60 * 1000)
#define SESSION_MAX_MS (12LL * 3600 * 1000)
#define SESSION_TOUCH_MS (60LL * 1000)
#define MAX_DB_CONNS 256

/* The server's one context (style.md: no other mutable globals). */
static struct server {
  struct app *app;
  pthread_mutex_t mu;
  struct db *conns[MAX_DB_CONNS];
  int nconns;
  _Atomic uint64_t requests, by_class[6], duration_ms, active;
  int64_t started_ms;
  double rate, burst;    /* per-client request rate (JINGKANG_RATE_LIMIT); rate 0 = no limit */
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local struct db *thread_db;

static struct db *db_for_thread(void)
{
  if (thread_db) return thread_db;
  if (db_open(S.app->db_path, false, &thread_db) != JK_OK) return 0;
  pthread_mutex_lock(&S.mu);
  if (S.nconns < MAX_DB_CONNS) S.conns[S.nconns++] = thread_db;
  pthread_mutex_unlock(&S.mu);
  return thread_db;
}

int jk_status_http(jk_status st)
{
  switch (st) {
  case JK_OK: return 200;
  case JK_EINVAL: return 400;
  case JK_EAUTH: return 401;
  case JK_EFORBIDDEN: return 403;
  case JK_ENOTFOUND: return 404;
  case JK_ECONFLICT: return 409;
  case JK_ETOOBIG: return 413;
  case JK_EMEDIA: return 415;
  case JK_ERULE: return 422;
  case JK_ELOCKED: return 423;
  case JK_ERATE: return 429;
  case JK_EUNAVAIL: return 503;
  case JK_EINTERNAL: return 500;
  }
  return 500;
}

/* ---- replies ---- */

static void drop_fd(struct req *r)
{
  if (r->resp_fd >= 0) close(r->resp_fd);
  r->resp_fd = -1;
}

void reply_fd(struct req *r, int status, const char *ctype, int fd, uint64_t size)
{
  free(r->resp);
  r->resp = 0;
  r->resp_len = 0;
  drop_fd(r);
  r->status = status;
  r->resp_fd = fd;
  r->resp_fd_size = size;
  r->content_type = ctype;
}

void reply_text(struct req *r, int status, const char *ctype, char *body, size_t len)
{
  drop_fd(r);
  free(r->resp);
  r->status = status;
  r->resp = body;
  r->resp_len = len;
  r->content_type = ctype;
}

void reply_json(struct req *r, int status, json_t *body)
{
  char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : 0;
  json_decref(body);
  if (!text) { /* a value jansson refused (never expected): answer 500, do not crash */
    log_error("reply_json: body could not be encoded");
    status = 500;
    text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\"}}");
    if (!text) abort();
  }
  reply_text(r, status, "application/json; charset=utf-8", text, strlen(text));
}

void reply_status(struct req *r, int status) { reply_text(r, status, 0, 0, 0); }

static const char *default_message(jk_status st)
{
  switch (st) {
  case JK_EAUTH: return "请先登录";
  case JK_EFORBIDDEN: return "无权进行此操作";
  case JK_ENOTFOUND: return "对象不存在或不在您的管辖范围内";
  case JK_EUNAVAIL: return "服务暂时不可用，请稍后重试";
  case JK_EINTERNAL: return "服务器内部错误";
  default: return "请求有误";
  }
}

static const char *default_code(jk_status st)
{
  switch (st) {
  case JK_EAUTH: return "unauthenticated";
  case JK_EFORBIDDEN: return "forbidden";
  case JK_ENOTFOUND: return "not_found";
  case JK_ECONFLICT: return "conflict";
  case JK_ETOOBIG: return "body_too_large";
  case JK_EMEDIA: return "unsupported_media_type";
  case JK_ERULE: return "rule_violation";
  case JK_ELOCKED: return "account_locked";
  case JK_ERATE: return "rate_limited";
  case JK_EUNAVAIL: return "unavailable";
  case JK_EINTERNAL: return "internal";
  default: return "invalid_request";
  }
}

void reply_err(struct req *r, jk_status st, const struct jk_err *e)
{
  json_t *err = json_object();
  const char *code = e && e->code ? e->code : default_code(st);
  const char *msg = e && e->message ? e->message : default_message(st);
  /* internal errors never carry details out (ASVS 7.4.1): the request id finds the log line */
  if (st == JK_EINTERNAL || st == JK_EUNAVAIL) {
    code = default_code(st);
    msg = default_message(st);
  }
  json_object_set_new(err, "code", json_string(code));
  json_object_set_new(err, "message", json_string(msg));
  if (e && e->field) json_object_set_new(err, "field", json_string(e->field));
  if (e && e->extra_key && e->extra_val) json_object_set_new(err, e->extra_key, json_string(e->extra_val));
  json_object_set_new(err, "request_id", json_string(r->request_id));
  reply_json(r, jk_status_http(st), json_pack("{s:o}", "error", err));
}

void reply_fail(struct req *r, jk_status st, const char *code, const char *msg, const char *field)
{
  struct jk_err e = {code, msg, field, 0, 0};
  reply_err(r, st, &e);
}

/* ---- request helpers ---- */

const char *req_query(struct req *r, const char *key)
{
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(struct req *r, const char *name)
{
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_client_ip(struct req *r)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char host[64];
  if (!ci || !ci->client_addr) return "unknown";
  socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (getnameinfo(ci->client_addr, len, host, sizeof host, 0, 0, NI_NUMERICHOST) != 0) return "unknown";
  return arena_strdup(r->a, host);
}

/* True when arrays and objects in the JSON text nest deeper than max (strings are skipped; the
 * text need not be valid: the parser judges that). Checked before parsing, so that no parse
 * recursion or structure is built for a hostile document. */
static bool json_too_deep(const char *s, size_t n, int max)
{
  int depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      depth--;
    }
  }
  return false;
}

/* jansson's allocator: records a failure, because jansson reports some of them as a syntax
 * error and may even drop characters of a string (lex_save) — a body parsed while memory ran
 * out is not trusted. The fault build fails allocations on request (store/faultvfs.h). */
static _Thread_local bool json_alloc_failed;
static void *json_alloc(size_t n)
{
#ifdef JK_FAULT
  void *p = fault_malloc_fails() ? 0 : malloc(n);
#else
  void *p = malloc(n);
#endif
  if (!p) json_alloc_failed = true;
  return p;
}

jk_status req_json(struct req *r, json_t **out, struct jk_err *e)
{
  const char *ct = req_header(r, "Content-Type");
  *out = 0;
  if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' '))
    return jk_fail(e, JK_EMEDIA, "unsupported_media_type", "请求体应为 application/json", 0);
  if (r->body.data && json_too_deep(r->body.data, r->body.len, JSON_DEPTH_MAX))
    return jk_fail(e, JK_EINVAL, "json_too_deep", "请求体JSON嵌套超过32层", 0);
  json_error_t je;
  *out = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
  if (json_alloc_failed || (!*out && json_error_code(&je) == json_error_out_of_memory)) {
    log_error("request %s: out of memory while parsing the body", r->request_id);
    json_decref(*out);
    *out = 0;
    return jk_fail(e, JK_EUNAVAIL, 0, 0, 0);
  }
  if (!*out) return jk_fail(e, JK_EINVAL, "bad_json", "请求体不是有效的JSON（或有重复的键）", 0);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = 0;
    return jk_fail(e, JK_EINVAL, "bad_json", "请求体应为JSON对象", 0);
  }
  return JK_OK;
}

/* ---- authentication ---- */

static bool principal_from(struct req *r, const struct user_rec *u)
{
  if (u->disabled) return false;
  r->who = (struct principal){
    .user_id = u->id, .username = u->username, .role = role_parse(u->role),
    .region = u->region, .org_rid = u->org_rid,
  };
  return r->who.role != ROLE_NONE;
}

static bool principal_from_user(struct req *r, int64_t rid, jk_status *err)
{
  struct user_rec u;
  jk_status st = user_store_by_rid(r->db, r->a, rid, &u);
  if (st != JK_OK && st != JK_ENOTFOUND) *err = st;
  return st == JK_OK && principal_from(r, &u);
}

static const char *cookie_value(struct req *r, const char *name)
{
  return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* Bearer token or session cookie. Returns false when neither identifies a live user; *err is
 * set when the store could not tell (an I/O error or out of memory is not "logged out"). */
static bool authenticate(struct req *r, jk_status *err)
{
  jk_status st;
  const char *auth = req_header(r, "Authorization");
  unsigned char h[32];
  if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
    struct user_rec u; /* token and user in one query */
    token_hash(auth + 7, h);
    if ((st = token_store_user(r->db, r->a, h, &u)) != JK_OK) {
      if (st != JK_ENOTFOUND) *err = st;
      return false;
    }
    if (!principal_from(r, &u)) return false;
    r->who.via_token = true;
    return true;
  }
  const char *sid = cookie_value(r, "jk_session");
  if (!sid || strlen(sid) > 64) return false;
  token_hash(sid, h);
  struct session_rec s;
  int64_t now = clock_now_ms();
  if ((st = session_store_get(r->db, r->a, h, &s)) != JK_OK) {
    if (st != JK_ENOTFOUND) *err = st;
    return false;
  }
  if (s.ended_at || now - s.last_seen > SESSION_IDLE_MS || now - s.created_at > SESSION_MAX_MS) return false;
  if (!principal_from_user(r, s.user_rid, err)) return false;
  if (now - s.last_seen > SESSION_TOUCH_MS && db_begin_write(r->db) == JK_OK) {
    if (session_store_touch(r->db, h, now) == JK_OK) db_commit(r->db);
    else db_rollback(r->db);
  }
  memcpy(r->session_hash, h, 32);
  r->via_cookie = true;
  r->csrf = s.csrf;
  return true;
}

static bool csrf_ok(struct req *r)
{
  if (!r->via_cookie || strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) return true;
  const char *got = req_header(r, "X-CSRF-Token");
  size_t n = r->csrf ? strlen(r->csrf) : 0;
  return got && n && strlen(got) == n && sodium_memcmp(got, r->csrf, n) == 0;
}

/* ---- routing ---- */

/* Matches path against pattern, collecting {params} into r. */
static bool match(struct req *r, const char *pat, const char *path)
{
  int np = 0;
  while (*pat && *path) {
    if (*pat == '{') {
      const char *end = strchr(path, '/');
      size_t len = end ? (size_t)(end - path) : strlen(path);
      /* A parameter is an id or a code: at most 64 bytes of clean UTF-8, else no route (404),
       * so handlers, logs and the audit trail only ever see well-formed text. */
      if (len == 0 || len > 64 || np >= MAX_PATH_PARAMS) return false;
      r->params[np] = arena_strndup(r->a, path, len);
      if (strlen(r->params[np]) != len || !utf8_clean(r->params[np])) return false;
      np++;
      path += len;
      pat = strchr(pat, '}') + 1;
    } else if (*pat++ != *path++) {
      return false;
    }
  }
  if (*pat || *path) return false;
  r->nparams = np;
  return true;
}

/* Every query value must be valid UTF-8 without control characters and at most 256 bytes, so
 * that whatever a handler echoes or records stays well-formed. */
static enum MHD_Result query_check(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  bool *ok = cls;
  for (const char *s = key; s && *ok; s = s == key ? value : 0)
    if (strlen(s) > 256 || !utf8_clean(s)) *ok = false;
  return *ok ? MHD_YES : MHD_NO;
}

/* The per-client token bucket: a session, a bearer token's user, or (not logged in) the
 * address. False after replying 429 rate_limited with Retry-After. */
static bool rate_ok(struct req *r)
{
  if (S.rate <= 0) return true;
  char key[80];
  if (r->via_cookie) {
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, r->session_hash, 16);
    snprintf(key, sizeof key, "s:%s", hex);
  } else if (r->authed) {
    snprintf(key, sizeof key, "u:%lld", (long long)r->who.user_id);
  } else {
    snprintf(key, sizeof key, "a:%s", req_client_ip(r));
  }
  int64_t wait_ms = 0;
  if (ratelimit_take(key, S.rate, S.burst, clock_now_ms(), &wait_ms)) return true;
  r->retry_after = arena_printf(r->a, "%lld", (long long)((wait_ms + 999) / 1000));
  reply_fail(r, JK_ERATE, "rate_limited", "请求过于频繁，请稍后再试", 0);
  return false;
}

/* Authentication, CSRF and the handler, inside the request's read snapshot. */
static void run_route(struct req *r, const struct route *hit)
{
  jk_status auth_err = JK_OK;
  json_alloc_failed = false;
  r->authed = authenticate(r, &auth_err);
  if (auth_err != JK_OK && !(hit->flags & ROUTE_PUBLIC)) { /* the store failed: 503/500, not a misleading 401 */
    reply_err(r, auth_err, 0);
    return;
  }
  if (!rate_ok(r)) return;
  if (!(hit->flags & ROUTE_PUBLIC)) {
    if (!r->authed) {
      reply_fail(r, JK_EAUTH, "unauthenticated", "请先登录（会话已过期或无效）", 0);
      return;
    }
    if (!csrf_ok(r)) {
      reply_fail(r, JK_EFORBIDDEN, "csrf_failed", "请求缺少有效的CSRF令牌", 0);
      return;
    }
  }
  hit->fn(r);
  if (!r->status) reply_err(r, JK_EINTERNAL, 0);
  if (json_alloc_failed && r->status < 400) { /* the answer may lack fields: never a 2xx with holes */
    log_error("request %s: out of memory while building the answer", r->request_id);
    reply_err(r, JK_EUNAVAIL, 0);
  }
}

static void dispatch(struct req *r)
{
  const struct route *hit = 0;
  bool path_known = false;
  char allow[64] = "";
  for (int i = 0; i < jk_nroutes; i++) {
    if (!match(r, jk_routes[i].pattern, r->path)) continue;
    path_known = true;
    if (strlen(allow) + strlen(jk_routes[i].method) + 3 < sizeof allow) {
      if (*allow) strcat(allow, ", ");
      strcat(allow, jk_routes[i].method);
    }
    if (strcmp(jk_routes[i].method, r->method) == 0) {
      hit = &jk_routes[i];
      break;
    }
  }
  if (!hit) {
    if (path_known) {
      r->allow = arena_strdup(r->a, allow);
      reply_fail(r, JK_EINVAL, "method_not_allowed", "不支持该请求方法", 0);
      r->status = 405;
    } else {
      reply_fail(r, JK_ENOTFOUND, "not_found", "接口不存在", 0);
    }
    return;
  }
  match(r, hit->pattern, r->path); /* re-collect params of the hit */
  if (r->body_too_big) {
    reply_fail(r, JK_ETOOBIG, "body_too_large", "请求体超过1 MiB上限", 0);
    return;
  }
  bool query_ok = true;
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_check, &query_ok);
  if (!query_ok) {
    reply_fail(r, JK_EINVAL, "bad_query", "查询参数含有非法字符或过长", 0);
    return;
  }
  r->db = db_for_thread();
  if (!r->db) {
    reply_err(r, JK_EUNAVAIL, 0);
    return;
  }
  db_begin_read(r->db);
  run_route(r, hit);
  db_end_read(r->db);
  db_note_memory(r->db);
}

/* ---- operations endpoints ---- */

static void serve_metrics(struct req *r)
{
  struct buf b;
  buf_init(&b, 65536);
  buf_printf(&b, "# HELP jingkang_requests_total HTTP requests served.\n# TYPE jingkang_requests_total counter\n");
  static const char *cls[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  for (int i = 0; i < 6; i++)
    buf_printf(&b, "jingkang_requests_total{class=\"%s\"} %llu\n", cls[i],
               (unsigned long long)atomic_load(&S.by_class[i]));
  buf_printf(&b, "# HELP jingkang_request_duration_ms_total Time spent serving requests.\n"
                 "# TYPE jingkang_request_duration_ms_total counter\njingkang_request_duration_ms_total %llu\n",
             (unsigned long long)atomic_load(&S.duration_ms));
  buf_printf(&b, "# HELP jingkang_requests_active Requests in progress.\n# TYPE jingkang_requests_active gauge\n"
                 "jingkang_requests_active %llu\n", (unsigned long long)atomic_load(&S.active));
  buf_printf(&b, "# HELP jingkang_uptime_seconds Seconds since start.\n# TYPE jingkang_uptime_seconds gauge\n"
                 "jingkang_uptime_seconds %lld\n", (long long)((clock_now_ms() - S.started_ms) / 1000));
  buf_printf(&b, "# HELP jingkang_db_connections Open database connections.\n# TYPE jingkang_db_connections gauge\n"
                 "jingkang_db_connections %d\n", S.nconns);
  long long sqlite_bytes = 0;
  pthread_mutex_lock(&S.mu);
  for (int i = 0; i < S.nconns; i++) sqlite_bytes += db_memory_noted(S.conns[i]);
  pthread_mutex_unlock(&S.mu);
  buf_printf(&b, "# HELP jingkang_sqlite_memory_bytes Page caches, schemas and statements of the connections.\n"
                 "# TYPE jingkang_sqlite_memory_bytes gauge\njingkang_sqlite_memory_bytes %lld\n", sqlite_bytes);
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)   /* under ASan malloc is not glibc's: no figures */
  struct mallinfo2 mi = mallinfo2();   /* allocated now (small + mmapped) and held from the system */
  buf_printf(&b, "# HELP jingkang_heap_in_use_bytes Heap allocated and not freed (glibc mallinfo2).\n"
                 "# TYPE jingkang_heap_in_use_bytes gauge\njingkang_heap_in_use_bytes %zu\n"
                 "# HELP jingkang_heap_held_bytes Heap obtained from the system, free parts included.\n"
                 "# TYPE jingkang_heap_held_bytes gauge\njingkang_heap_held_bytes %zu\n",
             mi.uordblks + mi.hblkhd, mi.arena + mi.hblkhd);
#endif
  size_t len;
  char *text = buf_take(&b, &len);
  reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* ---- static files of the web UI ---- */

static const char *mime_of(const char *path)
{
  const char *dot = strrchr(path, '.');
  static const struct { const char *ext, *type; } types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
    {".png", "image/png"},                 {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},              {".woff", "font/woff"},
    {".ttf", "font/ttf"},                  {".json", "application/json"},
    {".map", "application/json"},          {".txt", "text/plain; charset=utf-8"},
  };
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

static bool safe_static_path(const char *p)
{
  if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\')) return false;
  for (const char *c = p; *c; c++)
    if ((unsigned char)*c < 0x20) return false;
  return true;
}

/* Opens the file for path under the web dir; unknown paths without an extension get index.html
 * (the UI's own router handles them). fd >= 0 on success. */
static int open_static(struct req *r, const char **served, off_t *size)
{
  const char *web = r->app->web_dir;
  if (!web || !safe_static_path(r->path)) return -1;
  const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
  for (int attempt = 0; attempt < 2; attempt++) {
    char full[4096];
    snprintf(full, sizeof full, "%s%s", web, rel);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
      *served = rel;
      *size = sb.st_size;
      return fd;
    }
    if (fd >= 0) close(fd);
    const char *last = strrchr(r->path, '/');
    if (strchr(last, '.')) return -1;
    rel = "/index.html";
  }
  return -1;
}

/* ---- MHD glue ---- */

static void add_common_headers(struct MHD_Response *resp, struct req *r, bool is_api)
{
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  if (r->app->secure_cookies) /* served over TLS (behind a proxy): browsers keep to HTTPS for a year */
    MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                          "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  MHD_add_response_header(resp, "X-Request-Id", r->request_id);
  if (is_api) MHD_add_response_header(resp, "Cache-Control", "no-store");
  if (r->content_type) MHD_add_response_header(resp, "Content-Type", r->content_type);
  if (r->set_cookie) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
  if (r->allow) MHD_add_response_header(resp, "Allow", r->allow);
  if (r->disposition) MHD_add_response_header(resp, "Content-Disposition", r->disposition);
  if (r->retry_after) MHD_add_response_header(resp, "Retry-After", r->retry_after);
}

static enum MHD_Result queue(struct req *r, bool is_api)
{
  struct MHD_Response *resp =
    r->resp_fd >= 0 ? MHD_create_response_from_fd(r->resp_fd_size, r->resp_fd)
    : r->resp       ? MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE)
                    : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (r->resp_fd >= 0 && !resp) close(r->resp_fd);
  r->resp_fd = -1; /* MHD closes it now */
  r->resp = 0; /* MHD frees it now */
  if (!resp) return MHD_NO;
  add_common_headers(resp, r, is_api);
  enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result serve_file(struct req *r)
{
  const char *served;
  off_t size;
  int fd = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ? open_static(r, &served, &size) : -1;
  if (fd < 0) {
    reply_fail(r, JK_ENOTFOUND, "not_found", "页面不存在", 0);
    return queue(r, true);
  }
  struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)size, fd);
  if (!resp) {
    close(fd);
    return MHD_NO;
  }
  r->status = 200;
  r->content_type = mime_of(served);
  add_common_headers(resp, r, false);
  MHD_add_response_header(resp, "Cache-Control", strncmp(served, "/assets/", 8) == 0
                                                   ? "public, max-age=31536000, immutable"
                                                   : "no-cache");
  enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return ret;
}

static struct req *req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
  struct req *r = calloc(1, sizeof *r);
  if (!r) abort();
  r->conn = conn;
  r->app = S.app;
  r->resp_fd = -1;
  r->a = arena_new();
  r->method = arena_strdup(r->a, method);
  r->path = arena_strdup(r->a, url);
  buf_init(&r->body, JSON_BODY_MAX);
  random_hex(r->request_id, 8);
  r->started_ms = clock_now_ms();
  atomic_fetch_add(&S.active, 1);
  return r;
}

/* An oversized body up to this size is read and dropped before the 413, because a client that
 * is still writing when the connection closes sees a broken pipe instead of the answer. */
#define BODY_DRAIN_MAX (8u << 20)

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct req *r = *con_cls;
  if (!r) {
    *con_cls = r = req_new(conn, url, method);
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    unsigned long long declared = cl ? strtoull(cl, 0, 10) : 0;
    if (declared > JSON_BODY_MAX) {
      r->body_too_big = true; /* dispatch answers 413 once the body is drained */
      if (declared > BODY_DRAIN_MAX || MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect")) {
        /* answer before reading the body: MHD then closes the connection unread */
        reply_fail(r, JK_ETOOBIG, "body_too_large", "请求体超过1 MiB上限", 0);
        return queue(r, true);
      }
    }
    return MHD_YES;
  }
  if (r->status == 413) {   /* already answered; drop whatever still arrives */
    *upload_size = 0;
    return MHD_YES;
  }
  if (*upload_size) {
    if (!r->body_too_big && buf_append(&r->body, upload, *upload_size) != JK_OK) r->body_too_big = true;
    *upload_size = 0;
    return MHD_YES;
  }
  bool is_api = strncmp(r->path, "/api/", 5) == 0;
  if (strcmp(r->path, "/healthz") == 0) {
    reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
    return queue(r, true);
  }
  if (strcmp(r->path, "/metrics") == 0) {
    serve_metrics(r);
    return queue(r, true);
  }
  if (!is_api) return serve_file(r);
  dispatch(r);
  return queue(r, true);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct req *r = *con_cls;
  if (!r) return;
  if (r->db && db_in_write(r->db)) db_rollback(r->db); /* a handler that failed to finish */
  int cls_i = r->status >= 100 && r->status < 600 ? r->status / 100 - 1 : 5;
  atomic_fetch_add(&S.requests, 1);
  atomic_fetch_add(&S.by_class[cls_i], 1);
  atomic_fetch_add(&S.duration_ms, (uint64_t)(clock_now_ms() - r->started_ms));
  atomic_fetch_sub(&S.active, 1);
  free(r->resp);
  drop_fd(r);
  buf_free(&r->body);
  arena_free(r->a);
  free(r);
  *con_cls = 0;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
  log_warn("http: %s", line);
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
  char host[256];
  const char *colon = strrchr(listen, ':');
  if (!colon || (size_t)(colon - listen) >= sizeof host) return false;
  memcpy(host, listen, (size_t)(colon - listen));
  host[colon - listen] = 0;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST},
                  *res = 0;
  if (getaddrinfo(host[0] ? host : "0.0.0.0", colon + 1, &hints, &res) != 0) return false;
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

/* JINGKANG_RATE_LIMIT="RATE/BURST" requests a second per client (default 100/1000); "0" or
 * "off" turns the limit off. A value that does not parse keeps the default, with a warning. */
static void rate_config(void)
{
  S.rate = 100;
  S.burst = 1000;
  const char *v = getenv("JINGKANG_RATE_LIMIT");
  if (!v || !*v) return;
  if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
    S.rate = 0;
    log_info("serve: per-client rate limit off");
    return;
  }
  char *end;
  double rate = strtod(v, &end), burst = rate;
  if (*end == '/') burst = strtod(end + 1, &end);
  if (*end || !isfinite(rate) || !isfinite(burst) || rate <= 0 || burst < 1) {
    log_warn("serve: JINGKANG_RATE_LIMIT=%s not understood (want RATE/BURST); using 100/1000", v);
    return;
  }
  S.rate = rate;
  S.burst = burst;
}

static struct MHD_Daemon *start_daemon(unsigned flags, unsigned threads, const struct sockaddr *sa,
                                       const struct server_opts *o)
{
  return MHD_start_daemon(
    flags | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, 0, 0, on_request, 0,
    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, 0,
    MHD_OPTION_SOCK_ADDR, sa,
    MHD_OPTION_THREAD_POOL_SIZE, threads,
    MHD_OPTION_CONNECTION_LIMIT, o->conn_limit ? o->conn_limit : 1024,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit ? o->per_ip_limit : 512,
    MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 30,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, 0,
    MHD_OPTION_END);
}

struct MHD_Daemon *server_embedded_start(struct app *app)
{
  S.app = app;
  S.started_ms = clock_now_ms();
  rate_config();
  json_set_alloc_funcs(json_alloc, free);
  struct server_opts o = {.timeout_s = 5};
  /* poll, not epoll: level-triggered, so that a request and the end of its stream written at
   * once are both seen (with edge-triggered epoll the end waits for the next event) */
  return start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_POLL, 0, 0, &o);
}

bool server_embedded_add(struct MHD_Daemon *d, int fd)
{
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(40000)};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return MHD_add_connection(d, fd, (const struct sockaddr *)&sin, sizeof sin) == MHD_YES;
}

void server_embedded_stop(struct MHD_Daemon *d)
{
  MHD_stop_daemon(d);
  pthread_mutex_lock(&S.mu);
  for (int i = 0; i < S.nconns; i++) db_close(S.conns[i]);
  S.nconns = 0;
  pthread_mutex_unlock(&S.mu);
}

jk_status server_run(struct app *app, const struct server_opts *o)
{
  S.app = app;
  S.started_ms = clock_now_ms();
  rate_config();
  json_set_alloc_funcs(json_alloc, free);
  struct sockaddr_storage ss;
  socklen_t sl;
  if (!parse_listen(o->listen, &ss, &sl)) {
    log_error("serve: cannot parse listen address (want HOST:PORT)");
    return JK_EINVAL;
  }
  unsigned threads = o->threads ? o->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1) threads = 1;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, 0); /* worker threads inherit the mask; we sigwait below */
  struct MHD_Daemon *d = start_daemon(MHD_USE_EPOLL, threads, (struct sockaddr *)&ss, o);
  if (!d) {
    log_error("serve: cannot listen on %s: %s", o->listen, strerror(errno));
    return JK_EUNAVAIL;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  log_info("serve: listening on %s (port %u), %u threads", o->listen, info ? info->port : 0, threads);
  printf("精康 Jingkang 已启动：http://%s/  （Ctrl+C 停止）\n", o->listen);
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  log_info("serve: signal %d, stopping", sig);
  MHD_stop_daemon(d);
  pthread_mutex_lock(&S.mu);
  for (int i = 0; i < S.nconns; i++) db_close(S.conns[i]);
  S.nconns = 0;
  pthread_mutex_unlock(&S.mu);
  return JK_OK;
}
