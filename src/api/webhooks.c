/* webhooks.c: see webhooks.h — the outbox (webhook_emit, inside the caller's transaction), the
 * delivery worker (one thread, its own connection, libcurl), and the subscription API
 * (sysadmin: create with the secret shown once, list, deactivate, deliveries, test ping). */
#include "api/webhooks.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/ticker.h"
#include "sec/crypto.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/clock.h"
#include "domain/region_code.h"
#include "store/db.h"
#include "store/webhook_store.h"
#include <jansson.h>
#include <string.h>

/* "referral.*" matches every referral event; otherwise the names must be equal. */
static bool event_matches(json_t *patterns, const char *event)
{
  size_t i;
  json_t *p;
  json_array_foreach(patterns, i, p) {
    const char *s = json_string_value(p);
    if (!s) continue;
    size_t n = strlen(s);
    if (strcmp(s, event) == 0 || (n >= 2 && s[n - 1] == '*' && s[n - 2] == '.' && strncmp(s, event, n - 1) == 0))
      return true;
  }
  return false;
}

jk_status webhook_emit(struct db *db, const char *event, const char *region, const char *payload_json)
{
  struct arena *a = arena_new();
  struct webhook_sub *subs;
  int64_t n = 0;
  jk_status st = webhook_store_active(db, a, &subs, &n);
  int64_t now = clock_now_ms();
  for (int64_t i = 0; st == JK_OK && i < n; i++) {
    if (subs[i].region && region && !region_code_within(region, subs[i].region)) continue;
    json_error_t je;
    json_t *patterns = json_loads(subs[i].events_json, 0, &je);
    bool match = event_matches(patterns, event);
    json_decref(patterns);
    if (match) st = webhook_store_enqueue(db, subs[i].rid, event, payload_json, now);
  }
  arena_free(a);
  return st;
}

/* ---- signing and delivery ---- */

void webhook_signature(const char *secret, int64_t t, const char *body, char out[65])
{
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  char ts[24];
  snprintf(ts, sizeof ts, "%lld.", (long long)t);
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(out, 65, mac, sizeof mac);
}

static int64_t backoff_base(void)
{
  const char *v = getenv("JINGKANG_WEBHOOK_BACKOFF_MS");
  long long n = v ? atoll(v) : 0;
  return n > 0 ? n : 60000;
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
  (void)p;
  (void)u;
  return size * n;
}

/* POSTs one delivery; returns the HTTP status (0 when no answer) and an error text. */
static long post_one(const char *url, const char *secret, const char *event, const char *delivery_id, const char *body,
                     char *err, size_t errsz)
{
  CURL *c = curl_easy_init();
  if (!c) return snprintf(err, errsz, "curl init"), 0;
  int64_t t = clock_now_ms() / 1000;
  char sig[65], h1[128], h2[96], h3[96];
  webhook_signature(secret, t, body, sig);
  snprintf(h1, sizeof h1, "X-Jingkang-Signature: t=%lld,v1=%s", (long long)t, sig);
  snprintf(h2, sizeof h2, "X-Jingkang-Event: %s", event);
  snprintf(h3, sizeof h3, "X-Jingkang-Delivery: %s", delivery_id);
  struct curl_slist *hs = curl_slist_append(0, "Content-Type: application/json");
  hs = curl_slist_append(hs, h1);
  hs = curl_slist_append(hs, h2);
  hs = curl_slist_append(hs, h3);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  else snprintf(err, errsz, "%s", curl_easy_strerror(rc));
  curl_slist_free_all(hs);
  curl_easy_cleanup(c);
  return status;
}

static struct {
  struct ticker ticker;
  struct db *db;
  const struct keys *keys;
} worker;

/* Sends what is due; records each attempt in its own short transaction. */
static void deliver_due(void *arg)
{
  (void)arg;
  struct arena *a = arena_new();
  struct webhook_delivery *v;
  int64_t n = 0;
  if (webhook_store_due(worker.db, a, clock_now_ms(), 20, &v, &n) != JK_OK) n = 0;
  for (int64_t i = 0; i < n; i++) {
    struct webhook_delivery *d = &v[i];
    const char *secret = field_open(a, worker.keys, d->secret_enc, (size_t)d->secret_len,
                                    arena_printf(a, "webhook:%s:secret", d->webhook_id));
    char did[24], err[256] = "";
    snprintf(did, sizeof did, "%lld", (long long)d->rid);
    json_error_t je;
    json_t *data = json_loads(d->payload, 0, &je);
    char when[32];
    time_format(clock_now_ms(), when);
    json_t *msg = json_pack("{s:s,s:s,s:s,s:o}", "id", did, "event", d->event, "time", when, "data", data ? data : json_object());
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    long status = secret && body ? post_one(d->url, secret, d->event, did, body, err, sizeof err) : 0;
    if (!secret) snprintf(err, sizeof err, "secret cannot be opened");
    free(body);
    int64_t attempts = d->attempts + 1, now = clock_now_ms();
    bool ok = status >= 200 && status < 300;
    if (!ok && !*err) snprintf(err, sizeof err, "HTTP %ld", status);
    int64_t wait = backoff_base() << (attempts - 1 < 20 ? attempts - 1 : 20);
    if (wait > 6 * 3600000LL) wait = 6 * 3600000LL;
    const char *state = ok ? "done" : attempts >= 12 ? "failed" : "pending";
    if (db_begin_write(worker.db) == JK_OK) {
      if (webhook_store_attempt(worker.db, d->rid, state, attempts, now + wait, (int)status, ok ? 0 : err, now) == JK_OK)
        db_commit(worker.db);
      else
        db_rollback(worker.db);
    }
    if (!ok) log_warn("webhook: delivery %lld to %s failed (%s), attempt %lld", (long long)d->rid, d->url, err, (long long)attempts);
  }
  arena_free(a);
}

jk_status webhook_worker_start(struct app *app)
{
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) return JK_EINTERNAL;
  jk_status st = db_open(app->db_path, false, &worker.db);
  if (st != JK_OK) return st;
  worker.keys = &app->keys;
  if ((st = ticker_start(&worker.ticker, 1000, deliver_due, 0)) != JK_OK) db_close(worker.db);
  return st;
}

void webhook_worker_stop(void)
{
  if (!worker.ticker.running) return;
  ticker_stop(&worker.ticker);
  db_close(worker.db);
  curl_global_cleanup();
}

/* ---- the subscription API (sysadmin) ---- */

static bool may_manage(struct req *r, const char *id)
{
  struct policy_object po = {.kind = OBJ_WEBHOOK};
  return allowed(r, ACT_UPDATE, &po, "webhook", id);
}

static json_t *hook_json(struct req *r, const struct webhook_rec *w)
{
  json_error_t je;
  json_t *o = json_pack("{s:s,s:s,s:o,s:b,s:s}", "id", w->id, "url", w->url, "events",
                        json_loads(w->events_json, 0, &je), "active", w->active, "created_at", iso_time(r, w->created_at));
  json_object_set_new(o, "region", w->region ? json_string(w->region) : json_null());
  return o;
}

static bool parse_events(struct req *r, json_t *v, const char **out)
{
  if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > 30)
    return bad_field(r, "events", "events 应为事件名数组，如 [\"referral.*\"] 或 [\"referral.dispatch\"]");
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    const char *s = json_string_value(e);
    if (!s || strncmp(s, "referral.", 9) != 0 || strlen(s) > 40) return bad_field(r, "events", "事件名应以 referral. 开头");
  }
  char *text = json_dumps(v, JSON_COMPACT);
  *out = arena_strdup(r->a, text);
  free(text);
  return true;
}

void api_webhooks_create(struct req *r)
{
  static const char *const keys[] = {"url", "events", "region", "secret", 0};
  if (!may_manage(r, 0)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  char id[37], gen[65];
  uuid_v7(id);
  struct webhook_rec w = {.id = id, .created_by = r->who.username, .created_at = clock_now_ms(), .active = true};
  const char *secret, *region;
  bool ok = body_only(r, body, keys) && body_str(r, body, "url", true, 500, &w.url) &&
            parse_events(r, json_object_get(body, "events"), &w.events_json) &&
            body_str(r, body, "region", false, 12, &region) && body_str(r, body, "secret", false, 128, &secret);
  if (ok && strncmp(w.url, "http://", 7) != 0 && strncmp(w.url, "https://", 8) != 0)
    ok = bad_field(r, "url", "地址应以 http:// 或 https:// 开头");
  if (ok && region) ok = region_param(r, region, "region", true, &w.region);
  if (ok && secret && strlen(secret) < 16) ok = bad_field(r, "secret", "密钥至少16个字符");
  if (ok && !secret) random_hex(gen, 32), secret = gen;
  if (ok) {
    size_t n;
    w.secret_enc = field_seal(r->a, &r->app->keys, secret, arena_printf(r->a, "webhook:%s:secret", id), &n);
    w.secret_len = (int)n;
    secret = arena_strdup(r->a, secret);
  }
  json_decref(body);
  if (!ok) return;
  if ((st = db_begin_write(r->db)) != JK_OK || (st = webhook_store_insert(r->db, &w)) != JK_OK ||
      (st = audit_change(r, "create", "webhook", id, w.url)) != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  json_t *o = hook_json(r, &w);
  json_object_set_new(o, "secret", json_string(secret));
  reply_json(r, 201, o);
}

void api_webhooks_list(struct req *r)
{
  struct policy_object po = {.kind = OBJ_WEBHOOK};
  if (!allowed(r, ACT_LIST, &po, "webhook", 0)) return;
  struct webhook_rec *v;
  int64_t n;
  jk_status st = webhook_store_list(r->db, r->a, &v, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, hook_json(r, &v[i]));
  reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static bool load_hook(struct req *r, struct webhook_rec *w)
{
  if (!may_manage(r, r->params[0])) return false;
  jk_status st = uuid_valid(r->params[0]) ? webhook_store_by_id(r->db, r->a, r->params[0], w) : JK_ENOTFOUND;
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "订阅不存在", 0), false;
  if (st != JK_OK) return reply_err(r, st, 0), false;
  return true;
}

void api_webhook_delete(struct req *r)
{
  struct webhook_rec w;
  if (!load_hook(r, &w)) return;
  jk_status st;
  if ((st = db_begin_write(r->db)) != JK_OK || (st = webhook_store_deactivate(r->db, w.rid)) != JK_OK ||
      (st = audit_change(r, "delete", "webhook", w.id, 0)) != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_status(r, 204);
}

void api_webhook_deliveries(struct req *r)
{
  struct webhook_rec w;
  if (!load_hook(r, &w)) return;
  struct webhook_delivery *v;
  int64_t n;
  jk_status st = webhook_store_deliveries(r->db, r->a, w.rid, 100, &v, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) {
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)v[i].rid, "event", v[i].event, "state", v[i].state,
                          "attempts", (json_int_t)v[i].attempts, "next_at", iso_time(r, v[i].next_at), "created_at",
                          iso_time(r, v[i].created_at));
    json_object_set_new(o, "last_status", v[i].last_status ? json_integer(v[i].last_status) : json_null());
    json_object_set_new(o, "last_error", v[i].last_error ? json_string(v[i].last_error) : json_null());
    json_object_set_new(o, "done_at", v[i].done_at ? json_string(iso_time(r, v[i].done_at)) : json_null());
    json_array_append_new(items, o);
  }
  reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_webhook_test(struct req *r)
{
  struct webhook_rec w;
  if (!load_hook(r, &w)) return;
  jk_status st;
  if ((st = db_begin_write(r->db)) != JK_OK ||
      (st = webhook_store_enqueue(r->db, w.rid, "referral.ping", "{\"ping\":true}", clock_now_ms())) != JK_OK ||
      (st = audit_change(r, "test", "webhook", w.id, 0)) != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  reply_json(r, 202, json_pack("{s:s}", "status", "queued"));
}
