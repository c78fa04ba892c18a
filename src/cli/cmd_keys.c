/* cmd_keys.c: `jingkang keys status|rotate|rewrap|retire` — rotation of the field-encryption
 * key without stopping the server (sec/crypto.h, docs/internals/audit.md).
 *
 *  rotate   adds key version newest+1 to DATA/jingkang.key; running servers notice the changed
 *           file within a second and seal with it from then on; older versions still open.
 *  rewrap   waits two seconds (so every running server seals with the newest version), then
 *           re-seals every sealed value of an older version, 100 rows per write transaction,
 *           each update conditional on the row still holding the value read (a concurrent
 *           change by the server wins and is then re-sealed by the server itself).
 *  status   counts sealed values by key version.
 *  retire V refuses while any value is sealed with V (or V is the newest); then removes V from
 *           the key file (version 1, from which the index, MAC and signing keys come, is marked
 *           retired instead). */
#include "cli/cli.h"
#include "base/arena.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/sealed_store.h"
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 100

struct tally { int64_t by_ver[65536 / 64]; int64_t total, bad; };   /* small versions only */

static void count(struct tally *t, uint16_t v)
{
  t->total++;
  if (!v) t->bad++;
  else if (v < sizeof t->by_ver / sizeof t->by_ver[0]) t->by_ver[v]++;
}

/* Decodes a base64 sealed value into the arena. */
static unsigned char *unb64(struct arena *a, const char *s, size_t *n)
{
  size_t l = strlen(s);
  unsigned char *b = arena_alloc(a, l + 1);
  return sodium_base642bin(b, l, s, l, 0, n, 0, sodium_base64_VARIANT_ORIGINAL) == 0 ? b : 0;
}

/* Re-seals one value of `col` if older than newest; *out NULL when it needs nothing.
 * For JSON columns every object's "phone_enc". Returns false when a value does not open. */
static bool reseal(struct arena *a, const struct keys *k, int col, const struct sealed_row *r, struct tally *t,
                   bool write, const void **out, size_t *outlen)
{
  *out = 0;
  uint16_t newest = keys_newest(k);
  const char *fmt = sealed_store_ad(col), *hole = strstr(fmt, "%s");   /* "client:%s:phone" */
  char *ad = arena_printf(a, "%.*s%s%s", (int)(hole - fmt), fmt, r->owner_id, hole + 2);
  if (!sealed_store_is_json(col)) {
    uint16_t v = field_blob_version(r->value, r->len);
    count(t, v);
    if (!write || v == newest) return true;
    char *plain = field_open(a, k, r->value, r->len, ad);
    if (!plain) return false;
    *out = field_seal(a, k, plain, ad, outlen);
    sodium_memzero(plain, strlen(plain));
    return true;
  }
  json_error_t je;
  json_t *doc = json_loads(r->value, 0, &je), *o;
  if (!doc) return false;
  json_t *list = json_is_array(doc) ? doc : 0;
  size_t i, n = list ? json_array_size(list) : 1;
  bool changed = false, ok = true;
  for (i = 0; i < n && ok; i++) {
    o = list ? json_array_get(list, i) : doc;
    const char *b64 = json_string_value(json_object_get(o, "phone_enc"));
    if (!b64) continue;
    size_t bl;
    unsigned char *blob = unb64(a, b64, &bl);
    uint16_t v = blob ? field_blob_version(blob, bl) : 0;
    count(t, v);
    if (!write || v == newest) continue;
    char *plain = blob ? field_open(a, k, blob, bl, ad) : 0;
    if (!plain) { ok = false; break; }
    size_t sl;
    unsigned char *sealed = field_seal(a, k, plain, ad, &sl);
    sodium_memzero(plain, strlen(plain));
    size_t el = sodium_base64_ENCODED_LEN(sl, sodium_base64_VARIANT_ORIGINAL);
    char *enc = arena_alloc(a, el);
    sodium_bin2base64(enc, el, sealed, sl, sodium_base64_VARIANT_ORIGINAL);
    json_object_set_new(o, "phone_enc", json_string(enc));
    changed = true;
  }
  if (ok && changed) {
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    *out = arena_strdup(a, text);
    *outlen = strlen(text);
    free(text);
  }
  json_decref(doc);
  return ok;
}

/* Walks every sealed column; with write, re-seals old versions in batches. */
static jk_status walk(struct db *db, const struct keys *k, bool write, struct tally *t, int64_t *rewrapped,
                      int64_t *failed)
{
  struct sealed_row rows[BATCH];
  for (int col = 0; col < sealed_store_columns(); col++) {
    int64_t after = 0;
    for (;;) {
      struct arena *a = arena_new();
      int n = 0;
      jk_status st = write ? db_begin_write(db) : db_begin_read(db);
      if (st == JK_OK) st = sealed_store_batch(db, a, col, after, BATCH, rows, &n);
      for (int i = 0; st == JK_OK && i < n; i++) {
        const void *nv;
        size_t nl = 0;
        after = rows[i].rid;
        if (!reseal(a, k, col, &rows[i], t, write, &nv, &nl)) {
          fprintf(stderr, "jingkang: %s rid %lld 的密文无法打开，跳过\n", sealed_store_name(col), (long long)rows[i].rid);
          ++*failed;
          continue;
        }
        bool done = false;
        if (nv && (st = sealed_store_replace(db, col, rows[i].rid, rows[i].value, rows[i].len, nv, nl, &done)) == JK_OK &&
            done)
          ++*rewrapped;
      }
      if (write) st = st == JK_OK ? db_commit(db) : (db_rollback(db), st);
      else db_end_read(db);
      arena_free(a);
      if (st != JK_OK) {
        fprintf(stderr, "jingkang: %s 处理失败\n", sealed_store_name(col));
        return st;
      }
      if (n < BATCH) break;
    }
  }
  return JK_OK;
}

static void print_tally(const struct tally *t)
{
  printf("密文字段共 %lld 个：", (long long)t->total);
  for (size_t v = 1; v < sizeof t->by_ver / sizeof t->by_ver[0]; v++)
    if (t->by_ver[v]) printf(" 版本%zu=%lld", v, (long long)t->by_ver[v]);
  if (t->bad) printf(" 无法识别=%lld", (long long)t->bad);
  printf("\n");
}

static void audit_cli(struct db *db, const struct keys *k, const char *action, const char *detail)
{
  struct audit_entry e = {.username = cli_actor(), .role = "system", .action = action, .object_type = "key",
                          .result = "ok", .detail = detail};
  if (db_begin_write(db) != JK_OK) return;
  if (audit_append(db, k, &e) == JK_OK) db_commit(db);
  else db_rollback(db);
}

int cmd_keys(const struct cli_opts *o)
{
  const char *sub = o->argc >= 1 ? o->argv[0] : "";
  bool retire = strcmp(sub, "retire") == 0;
  if (!(strcmp(sub, "status") == 0 || strcmp(sub, "rotate") == 0 || strcmp(sub, "rewrap") == 0 || retire) ||
      o->argc != (retire ? 2 : 1)) {
    fprintf(stderr, "用法: jingkang keys status|rotate|rewrap --data DIR\n       jingkang keys retire VERSION --data DIR\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  char key[4300];
  snprintf(key, sizeof key, "%s/jingkang.key", app.data_dir);
  struct tally *t = calloc(1, sizeof *t);
  int64_t rewrapped = 0, failed = 0;
  int rc = 1;
  if (!t) abort();
  if (strcmp(sub, "rotate") == 0) {
    unsigned v;
    if (keys_rotate_file(key, &v) != JK_OK) {
      fprintf(stderr, "jingkang: 无法更新密钥文件 %s\n", key);
    } else {
      keys_refresh(&app.keys);
      char d[64];
      snprintf(d, sizeof d, "version %u", v);
      audit_cli(db, &app.keys, "key_rotate", d);
      printf("新增密钥版本 %u；运行中的服务1秒内开始用它加密。再运行 jingkang keys rewrap 重新加密旧数据\n", v);
      rc = 0;
    }
  } else if (strcmp(sub, "status") == 0) {
    if (walk(db, &app.keys, false, t, &rewrapped, &failed) == JK_OK) {
      printf("当前加密版本 %u\n", (unsigned)keys_newest(&app.keys));
      print_tally(t);
      rc = 0;
    }
  } else if (strcmp(sub, "rewrap") == 0) {
    struct timespec ts = {2, 0};
    nanosleep(&ts, 0);   /* running servers re-read the key file at most a second apart */
    keys_refresh(&app.keys);
    if (walk(db, &app.keys, true, t, &rewrapped, &failed) == JK_OK) {
      char d[64];
      snprintf(d, sizeof d, "version %u, %lld values", (unsigned)keys_newest(&app.keys), (long long)rewrapped);
      audit_cli(db, &app.keys, "key_rewrap", d);
      printf("已用密钥版本 %u 重新加密 %lld 个字段；重新加密前", (unsigned)keys_newest(&app.keys), (long long)rewrapped);
      print_tally(t);
      rc = failed ? 1 : 0;
    }
  } else {
    char *end;
    long v = strtol(o->argv[1], &end, 10);
    if (*end || v < 1 || v > 65535) {
      fprintf(stderr, "jingkang: 版本号应为正整数\n");
    } else if (walk(db, &app.keys, false, t, &rewrapped, &failed) != JK_OK) {
      /* message printed */
    } else if ((size_t)v < sizeof t->by_ver / sizeof t->by_ver[0] && t->by_ver[v]) {
      fprintf(stderr, "jingkang: 仍有 %lld 个字段使用密钥版本 %ld，先运行 jingkang keys rewrap\n", (long long)t->by_ver[v], v);
    } else {
      jk_status st = keys_retire_file(key, (unsigned)v);
      if (st == JK_ECONFLICT) fprintf(stderr, "jingkang: 不能停用最新的密钥版本 %ld\n", v);
      else if (st == JK_ENOTFOUND) fprintf(stderr, "jingkang: 密钥文件中没有版本 %ld\n", v);
      else if (st != JK_OK) fprintf(stderr, "jingkang: 无法更新密钥文件 %s\n", key);
      else {
        char d[64];
        snprintf(d, sizeof d, "version %ld", v);
        audit_cli(db, &app.keys, "key_retire", d);
        printf("密钥版本 %ld 已停用%s\n", v, v == 1 ? "（版本1仍用于盲索引、审计链和签名，不再用于字段加密）" : "并从密钥文件删除");
        rc = 0;
      }
    }
  }
  free(t);
  db_close(db);
  return rc;
}
