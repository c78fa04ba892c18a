/* audit.c: see audit.h. Invariant: rows are appended only while holding the write
 * transaction (db_begin_write), so reading the tail and inserting after it cannot race. */
#include "sec/audit.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "sec/crypto.h"
#include "store/audit_store.h"
#include "store/db.h"
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t canonical(char *out, size_t cap, int64_t seq, int64_t time, const struct audit_entry *e)
{
#define S(x) ((x) ? (x) : "")
  int n = snprintf(out, cap, "%lld\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                   (long long)seq, (long long)time, S(e->user_id), S(e->username), S(e->role),
                   S(e->action), S(e->object_type), S(e->object_id), S(e->result),
                   S(e->request_id), S(e->detail));
#undef S
  return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static void head_value(const struct keys *k, int64_t seq, const unsigned char hash[32], char out[160])
{
  char msg[32], hh[65], mh[65];
  unsigned char mac[32];
  int n = snprintf(msg, sizeof msg, "head:%lld", (long long)seq);
  audit_mac(k, hash, msg, (size_t)n, mac);
  sodium_bin2hex(hh, sizeof hh, hash, 32);
  sodium_bin2hex(mh, sizeof mh, mac, 32);
  snprintf(out, 160, "%lld:%s:%s", (long long)seq, hh, mh);
}

jk_status audit_append(struct db *db, const struct keys *k, const struct audit_entry *e)
{
  int64_t seq;
  unsigned char prev[32];
  jk_status st = audit_store_tail(db, &seq, prev);
  if (st != JK_OK) return st;
  struct audit_row r = {
    .seq = seq + 1, .time = clock_now_ms(), .user_id = e->user_id, .username = e->username,
    .role = e->role, .action = e->action, .object_type = e->object_type,
    .object_id = e->object_id, .result = e->result, .request_id = e->request_id,
    .detail = e->detail,
  };
  char text[4096];
  size_t n = canonical(text, sizeof text, r.seq, r.time, e);
  audit_mac(k, prev, text, n, r.hash);
  if ((st = audit_store_insert(db, &r)) != JK_OK) return st;
  char head[160];
  head_value(k, r.seq, r.hash, head);
  return audit_store_set_head(db, head);
}

/* ---- the prune anchor: "seq:hash hex:Ed25519 signature hex" in meta.audit_anchor ---- */

static size_t anchor_msg(char *out, size_t cap, int64_t seq, const char *hash_hex)
{
  int n = snprintf(out, cap, "jingkang-audit-anchor v1\n%lld\n%s\n", (long long)seq, hash_hex);
  return n < 0 ? 0 : (size_t)n;
}

/* 1 when an anchor is present and good (seq, hash filled), 0 when absent, -1 when bad. */
static int read_anchor(struct db *db, const struct keys *k, int64_t *seq, unsigned char hash[32])
{
  struct arena *a = arena_new();
  char *v = 0;
  int res = 0;
  if (audit_store_meta_get(db, a, "audit_anchor", &v) != JK_OK) res = -1;
  else if (v) {
    char hh[65], sh[129], msg[128];
    unsigned char sig[64];
    long long s;
    res = -1;
    if (sscanf(v, "%lld:%64[0-9a-f]:%128[0-9a-f]", &s, hh, sh) == 3 && s > 0 &&
        sodium_hex2bin(hash, 32, hh, 64, 0, 0, 0) == 0 && sodium_hex2bin(sig, 64, sh, 128, 0, 0, 0) == 0) {
      size_t n = anchor_msg(msg, sizeof msg, s, hh);
      if (audit_sign_check(k->sign_pk, msg, n, sig)) {
        *seq = s;
        res = 1;
      }
    }
  }
  arena_free(a);
  return res;
}

/* ---- verification ---- */

struct verify_ctx {
  const struct keys *k;
  struct audit_check *out;
  unsigned char prev[32];
  int64_t expect;
};

static bool verify_row(const struct audit_row *r, void *vctx)
{
  struct verify_ctx *c = vctx;
  struct audit_entry e = {r->user_id, r->username, r->role, r->action, r->object_type,
                          r->object_id, r->result, r->request_id, r->detail};
  char text[4096];
  unsigned char h[32];
  if (r->seq != c->expect) {
    c->out->why = r->seq > c->expect ? "审计记录缺失（序号不连续）" : "审计记录序号重复或乱序";
    c->out->first_bad_seq = c->expect;
    return false;
  }
  size_t n = canonical(text, sizeof text, r->seq, r->time, &e);
  audit_mac(c->k, c->prev, text, n, h);
  if (sodium_memcmp(h, r->hash, 32) != 0) {
    c->out->why = "审计记录内容被修改或链被破坏";
    c->out->first_bad_seq = r->seq;
    return false;
  }
  memcpy(c->prev, h, 32);
  c->out->entries = r->seq;
  c->expect++;
  return true;
}

jk_status audit_verify(struct db *db, const struct keys *k, struct audit_check *out)
{
  struct verify_ctx c = {.k = k, .out = out, .expect = 1};
  memset(out, 0, sizeof *out);
  memset(c.prev, 0, 32);
  int64_t aseq = 0;
  int anchor = read_anchor(db, k, &aseq, c.prev);
  if (anchor < 0) {
    out->why = "审计裁剪锚点无效（签名不符或被修改）";
    return JK_OK;
  }
  if (anchor > 0) c.expect = aseq + 1;
  jk_status st = audit_store_scan_from(db, 0, verify_row, &c);
  if (st != JK_OK) return st;
  if (out->why) return JK_OK;
  struct arena *a = arena_new();
  char *stored = 0, want[160];
  st = audit_store_get_head(db, a, &stored);
  head_value(k, c.expect - 1, c.prev, want);
  bool empty = c.expect == 1 && !stored;
  if (st == JK_OK && !empty && (!stored || strcmp(stored, want) != 0)) {
    out->why = "审计链末端与记录的链头不符（末尾记录被删除或链头被修改）";
    out->first_bad_seq = c.expect;
  } else {
    out->ok = true;
  }
  arena_free(a);
  return st;
}

/* ---- the background writer ---- */

#define QUEUE_MAX 4096
#define BATCH_MS 5     /* queued entries wait at most this long (plus one commit) */
#define BATCH_MAX 1024

struct queued {
  struct audit_entry e;
  char *mem;   /* one malloc holding every string of e */
};

struct audit_queue {
  pthread_mutex_t mu;
  pthread_cond_t has_work, has_room, flushed;
  struct queued items[QUEUE_MAX];
  size_t head, count;
  uint64_t enqueued, committed;
  bool stopping;
  pthread_t thread;
  struct db *db;
  const struct keys *k;
};

static struct queued copy_entry(const struct audit_entry *e)
{
  const char *src[9] = {e->user_id, e->username, e->role, e->action, e->object_type,
                        e->object_id, e->result, e->request_id, e->detail};
  size_t total = 0;
  for (int i = 0; i < 9; i++) total += src[i] ? strlen(src[i]) + 1 : 0;
  struct queued q = {0};
  q.mem = malloc(total ? total : 1);
  if (!q.mem) abort();
  char *p = q.mem;
  const char *dst[9] = {0};
  for (int i = 0; i < 9; i++) {
    if (!src[i]) continue;
    size_t n = strlen(src[i]) + 1;
    memcpy(p, src[i], n);
    dst[i] = p;
    p += n;
  }
  q.e = (struct audit_entry){dst[0], dst[1], dst[2], dst[3], dst[4], dst[5], dst[6], dst[7], dst[8]};
  return q;
}

void audit_enqueue(struct audit_queue *q, const struct audit_entry *e)
{
  struct queued item = copy_entry(e);
  pthread_mutex_lock(&q->mu);
  while (q->count == QUEUE_MAX && !q->stopping) pthread_cond_wait(&q->has_room, &q->mu);
  q->items[(q->head + q->count) % QUEUE_MAX] = item;
  q->count++;
  q->enqueued++;
  pthread_cond_signal(&q->has_work);
  pthread_mutex_unlock(&q->mu);
}

/* Writes up to n items from the front in one transaction. On failure the batch is retried:
 * audit entries are not dropped while the process lives. */
static bool write_batch(struct audit_queue *q, struct queued *batch, size_t n)
{
  if (db_begin_write(q->db) != JK_OK) return false;
  for (size_t i = 0; i < n; i++) {
    if (audit_append(q->db, q->k, &batch[i].e) != JK_OK) {
      db_rollback(q->db);
      return false;
    }
  }
  return db_commit(q->db) == JK_OK;
}

static void *writer_main(void *arg)
{
  struct audit_queue *q = arg;
  static _Thread_local struct queued batch[BATCH_MAX];
  for (;;) {
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->stopping) pthread_cond_wait(&q->has_work, &q->mu);
    if (q->count == 0 && q->stopping) {
      pthread_mutex_unlock(&q->mu);
      break;
    }
    size_t n = 0;
    while (n < BATCH_MAX && q->count > 0) {
      batch[n++] = q->items[q->head];
      q->head = (q->head + 1) % QUEUE_MAX;
      q->count--;
    }
    pthread_cond_broadcast(&q->has_room);
    pthread_mutex_unlock(&q->mu);
    while (!write_batch(q, batch, n)) {
      log_error("audit: batch write failed, retrying");
      struct timespec ts = {0, 100 * 1000000L};
      nanosleep(&ts, 0);
    }
    for (size_t i = 0; i < n; i++) free(batch[i].mem);
    pthread_mutex_lock(&q->mu);
    q->committed += n;
    pthread_cond_broadcast(&q->flushed);
    pthread_mutex_unlock(&q->mu);
    if (n < BATCH_MAX) { /* let more arrive to share the next commit and fsync */
      struct timespec ts = {0, BATCH_MS * 1000000L};
      nanosleep(&ts, 0);
    }
  }
  return 0;
}

jk_status audit_queue_start(const char *db_path, const struct keys *k, struct audit_queue **out)
{
  struct audit_queue *q = calloc(1, sizeof *q);
  if (!q) abort();
  pthread_mutex_init(&q->mu, 0);
  pthread_cond_init(&q->has_work, 0);
  pthread_cond_init(&q->has_room, 0);
  pthread_cond_init(&q->flushed, 0);
  q->k = k;
  jk_status st = db_open(db_path, false, &q->db);
  if (st != JK_OK) {
    free(q);
    return st;
  }
  if (pthread_create(&q->thread, 0, writer_main, q) != 0) {
    db_close(q->db);
    free(q);
    return JK_EINTERNAL;
  }
  *out = q;
  return JK_OK;
}

void audit_queue_flush(struct audit_queue *q)
{
  pthread_mutex_lock(&q->mu);
  uint64_t target = q->enqueued;
  while (q->committed < target) pthread_cond_wait(&q->flushed, &q->mu);
  pthread_mutex_unlock(&q->mu);
}

void audit_queue_stop(struct audit_queue *q)
{
  if (!q) return;
  pthread_mutex_lock(&q->mu);
  q->stopping = true;
  pthread_cond_broadcast(&q->has_work);
  pthread_mutex_unlock(&q->mu);
  pthread_join(q->thread, 0);
  db_close(q->db);
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->has_work);
  pthread_cond_destroy(&q->has_room);
  pthread_cond_destroy(&q->flushed);
  free(q);
}

/* ---- export for an external archive ---- */

#define EXPORT_FORMAT "jingkang-audit-export v1"

static size_t checkpoint_msg(char *out, size_t cap, int64_t seq, const char *hash_hex, int64_t time,
                             const char *digest_hex, bool final)
{
  int n = snprintf(out, cap, "jingkang-audit-checkpoint v1\n%lld\n%s\n%lld\n%s\n%d\n", (long long)seq, hash_hex,
                   (long long)time, digest_hex, final ? 1 : 0);
  return n < 0 ? 0 : (size_t)n;
}

/* The digest takes, per entry, its canonical text, a U+001E and its 32-byte chain hash. */
static void digest_entry(crypto_generichash_state *d, const char *text, size_t n, const unsigned char hash[32])
{
  crypto_generichash_update(d, (const unsigned char *)text, n);
  crypto_generichash_update(d, (const unsigned char *)"\x1e", 1);
  crypto_generichash_update(d, hash, 32);
}

static void digest_now(const crypto_generichash_state *d, char hex[65])
{
  crypto_generichash_state copy = *d;
  unsigned char out[32];
  crypto_generichash_final(&copy, out, 32);
  sodium_bin2hex(hex, 65, out, 32);
}

struct export_ctx {
  const struct keys *k;
  FILE *f;
  int64_t every, n_since, last_seq, last_time;
  unsigned char last_hash[32];
  crypto_generichash_state d;
  struct audit_export_result *out;
  bool io_error;
};

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static bool write_json_line(struct export_ctx *c, json_t *o)
{
  char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
  json_decref(o);
  if (!t || fprintf(c->f, "%s\n", t) < 0) c->io_error = true;
  free(t);
  return !c->io_error;
}

static bool write_checkpoint(struct export_ctx *c, bool final)
{
  char hh[65], dh[65], msg[256], sh[129];
  unsigned char sig[64];
  sodium_bin2hex(hh, sizeof hh, c->last_hash, 32);
  digest_now(&c->d, dh);
  size_t n = checkpoint_msg(msg, sizeof msg, c->last_seq, hh, c->last_time, dh, final);
  audit_sign(c->k, msg, n, sig);
  sodium_bin2hex(sh, sizeof sh, sig, 64);
  c->out->checkpoints++;
  c->n_since = 0;
  return write_json_line(c, json_pack("{s:s,s:I,s:s,s:I,s:s,s:b,s:s}", "type", "checkpoint", "seq",
                                      (json_int_t)c->last_seq, "hash", hh, "time", (json_int_t)c->last_time,
                                      "digest", dh, "final", final, "signature", sh));
}

static bool export_row(const struct audit_row *r, void *vctx)
{
  struct export_ctx *c = vctx;
  struct audit_entry e = {r->user_id, r->username, r->role, r->action, r->object_type,
                          r->object_id, r->result, r->request_id, r->detail};
  char text[4096], hh[65];
  size_t n = canonical(text, sizeof text, r->seq, r->time, &e);
  digest_entry(&c->d, text, n, r->hash);
  sodium_bin2hex(hh, sizeof hh, r->hash, 32);
  json_t *o = json_pack("{s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "type", "entry", "seq",
                        (json_int_t)r->seq, "time", (json_int_t)r->time, "user_id", jstr(r->user_id),
                        "username", jstr(r->username), "role", jstr(r->role), "action", jstr(r->action),
                        "object_type", jstr(r->object_type), "object_id", jstr(r->object_id), "result",
                        jstr(r->result), "request_id", jstr(r->request_id), "detail", jstr(r->detail), "hash", hh);
  if (!write_json_line(c, o)) return false;
  if (!c->out->first) c->out->first = r->seq;
  c->out->last = c->last_seq = r->seq;
  c->last_time = r->time;
  memcpy(c->last_hash, r->hash, 32);
  c->out->entries++;
  if (++c->n_since == c->every) return write_checkpoint(c, false);
  return true;
}

static bool fsync_dir_of(const char *path)
{
  char dir[4200];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = fd >= 0 && fsync(fd) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

jk_status audit_export(struct db *db, const struct keys *k, int64_t from, int64_t every, const char *path,
                       const char *actor, struct audit_export_result *out)
{
  memset(out, 0, sizeof *out);
  struct export_ctx c = {.k = k, .every = every > 0 ? every : 1000, .out = out};
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  jk_status st = db_begin_read(db);
  if (st != JK_OK) return st;
  int64_t aseq = 0;
  unsigned char prev[32] = {0};
  if (read_anchor(db, k, &aseq, prev) < 0) return db_end_read(db), JK_ECONFLICT;
  if (from <= aseq) from = aseq + 1;
  if (from > aseq + 1 && (st = audit_store_hash_at(db, from - 1, prev)) != JK_OK) return db_end_read(db), st;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || !(c.f = fdopen(fd, "w"))) {
    if (fd >= 0) close(fd);
    db_end_read(db);
    return JK_EUNAVAIL;
  }
  char ph[65], pk[65];
  sodium_bin2hex(ph, sizeof ph, prev, 32);
  sodium_bin2hex(pk, sizeof pk, k->sign_pk, 32);
  crypto_generichash_init(&c.d, 0, 0, 32);
  crypto_generichash_update(&c.d, prev, 32);
  write_json_line(&c, json_pack("{s:s,s:s,s:I,s:s,s:s,s:I}", "type", "header", "format", EXPORT_FORMAT, "from",
                                (json_int_t)from, "prev_hash", ph, "pubkey", pk, "exported_at",
                                (json_int_t)clock_now_ms()));
  st = audit_store_scan_from(db, from, export_row, &c);
  db_end_read(db);
  if (st == JK_OK && !out->entries) st = JK_ENOTFOUND;
  if (st == JK_OK) write_checkpoint(&c, true);   /* always one final checkpoint, even right after one */
  bool ok = st == JK_OK && !c.io_error && fflush(c.f) == 0 && fsync(fileno(c.f)) == 0;
  ok = fclose(c.f) == 0 && ok;
  if (!ok) {
    unlink(tmp);
    return st != JK_OK ? st : JK_EUNAVAIL;
  }
  if (rename(tmp, path) != 0 || !fsync_dir_of(path)) return unlink(tmp), JK_EUNAVAIL;
  /* Remember how far exports reach (prune needs it), never moving it backwards. */
  struct arena *a = arena_new();
  char *cur = 0, num[24];
  if ((st = db_begin_write(db)) == JK_OK) {
    st = audit_store_meta_get(db, a, "audit_exported_seq", &cur);
    if (st == JK_OK && (!cur || atoll(cur) < out->last)) {
      snprintf(num, sizeof num, "%lld", (long long)out->last);
      st = audit_store_meta_set(db, "audit_exported_seq", num);
    }
    if (st == JK_OK) {
      char *detail = arena_printf(a, "exported seq %lld-%lld", (long long)out->first, (long long)out->last);
      struct audit_entry e = {.username = actor, .role = "system", .action = "export", .object_type = "audit",
                              .result = "ok", .detail = detail};
      st = audit_append(db, k, &e);
    }
    st = st == JK_OK ? db_commit(db) : (db_rollback(db), st);
  }
  arena_free(a);
  return st;
}

/* ---- offline check of an export ---- */

static const char *jget(json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

bool audit_export_verify(const char *path, const unsigned char pk[32], struct audit_export_result *out,
                         const char **why, int64_t *line)
{
  memset(out, 0, sizeof *out);
  *line = 0;
  *why = 0;
  FILE *f = fopen(path, "r");
  if (!f) return *why = "无法读取导出文件", false;
  char *buf = 0;
  size_t cap = 0;
  crypto_generichash_state d;
  crypto_generichash_init(&d, 0, 0, 32);
  int64_t expect = 0, last_time = 0;
  unsigned char last_hash[32] = {0};
  bool header = false, final = false;
  while (getline(&buf, &cap, f) > 0 && !*why) {
    ++*line;
    json_error_t je;
    json_t *o = json_loads(buf, 0, &je);
    const char *type = o ? jget(o, "type") : 0;
    if (!type) *why = "不是有效的 JSON 行";
    else if (final) *why = "最终检查点之后还有内容";
    else if (!header) {
      unsigned char prev[32];
      const char *ph = jget(o, "prev_hash");
      if (strcmp(type, "header") != 0 || !jget(o, "format") || strcmp(jget(o, "format"), EXPORT_FORMAT) != 0 ||
          !ph || strlen(ph) != 64 || sodium_hex2bin(prev, 32, ph, 64, 0, 0, 0) != 0 ||
          !json_is_integer(json_object_get(o, "from")))
        *why = "缺少或无法识别文件头";
      else {
        header = true;
        expect = json_integer_value(json_object_get(o, "from"));
        crypto_generichash_update(&d, prev, 32);
      }
    } else if (strcmp(type, "entry") == 0) {
      const char *hh = jget(o, "hash");
      json_t *js = json_object_get(o, "seq"), *jt = json_object_get(o, "time");
      if (!json_is_integer(js) || !json_is_integer(jt) || !hh || strlen(hh) != 64 ||
          sodium_hex2bin(last_hash, 32, hh, 64, 0, 0, 0) != 0)
        *why = "审计记录格式错误";
      else if (json_integer_value(js) != expect)
        *why = json_integer_value(js) > expect ? "审计记录缺失（序号不连续）" : "审计记录序号重复或乱序";
      else {
        struct audit_entry e = {jget(o, "user_id"), jget(o, "username"), jget(o, "role"), jget(o, "action"),
                                jget(o, "object_type"), jget(o, "object_id"), jget(o, "result"),
                                jget(o, "request_id"), jget(o, "detail")};
        char text[4096];
        last_time = json_integer_value(jt);
        size_t n = canonical(text, sizeof text, expect, last_time, &e);
        digest_entry(&d, text, n, last_hash);
        if (!out->first) out->first = expect;
        out->last = expect++;
        out->entries++;
      }
    } else if (strcmp(type, "checkpoint") == 0) {
      const char *hh = jget(o, "hash"), *sh = jget(o, "signature");
      json_t *js = json_object_get(o, "seq"), *jt = json_object_get(o, "time"), *jf = json_object_get(o, "final");
      char mine[65], dh[65], msg[256];
      unsigned char sig[64];
      sodium_bin2hex(mine, sizeof mine, last_hash, 32);
      digest_now(&d, dh);
      if (!json_is_integer(js) || !json_is_integer(jt) || !json_is_boolean(jf) || !hh || !sh ||
          strlen(sh) != 128 || sodium_hex2bin(sig, 64, sh, 128, 0, 0, 0) != 0)
        *why = "检查点格式错误";
      else if (!out->entries || json_integer_value(js) != out->last || strcmp(hh, mine) != 0 ||
               json_integer_value(jt) != last_time)
        *why = "检查点与其前的审计记录不符";
      else {
        final = json_is_true(jf);
        size_t n = checkpoint_msg(msg, sizeof msg, out->last, hh, last_time, dh, final);
        if (!audit_sign_check(pk, msg, n, sig)) *why = "检查点签名无效（记录被修改、删除或重排，或公钥不符）";
        else out->checkpoints++;
      }
    } else {
      *why = "未知的行类型";
    }
    json_decref(o);
  }
  free(buf);
  fclose(f);
  if (!*why && !header) *why = "文件为空";
  if (!*why && !final) *why = "缺少最终检查点（文件被截断）", ++*line;
  return !*why;
}

/* ---- retention ---- */

jk_status audit_prune(struct db *db, const struct keys *k, int64_t before_ms, const char *actor, int64_t *upto)
{
  *upto = 0;
  struct audit_check chk;
  jk_status st = audit_verify(db, k, &chk);
  if (st != JK_OK) return st;
  if (!chk.ok) return JK_ECONFLICT;   /* never anchor a damaged chain */
  struct arena *a = arena_new();
  if ((st = db_begin_write(db)) != JK_OK) return arena_free(a), st;
  char *exported = 0;
  int64_t aseq = 0, x = 0;
  unsigned char h[32];
  if (read_anchor(db, k, &aseq, h) < 0) st = JK_ECONFLICT;
  if (st == JK_OK) st = audit_store_meta_get(db, a, "audit_exported_seq", &exported);
  if (st == JK_OK && exported) st = audit_store_prunable(db, before_ms, atoll(exported), &x);
  if (st == JK_OK && x > aseq) {
    char hh[65], sh[129], msg[128];
    unsigned char sig[64];
    if ((st = audit_store_hash_at(db, x, h)) == JK_OK) {
      sodium_bin2hex(hh, sizeof hh, h, 32);
      size_t n = anchor_msg(msg, sizeof msg, x, hh);
      audit_sign(k, msg, n, sig);
      sodium_bin2hex(sh, sizeof sh, sig, 64);
      st = audit_store_meta_set(db, "audit_anchor", arena_printf(a, "%lld:%s:%s", (long long)x, hh, sh));
    }
    if (st == JK_OK) st = audit_store_delete_upto(db, x);
    if (st == JK_OK) {
      struct audit_entry e = {.username = actor, .role = "system", .action = "prune", .object_type = "audit",
                              .result = "ok", .detail = arena_printf(a, "pruned up to seq %lld hash %s",
                                                                     (long long)x, hh)};
      st = audit_append(db, k, &e);
    }
    if (st == JK_OK) *upto = x;
  }
  st = st == JK_OK ? db_commit(db) : (db_rollback(db), st);
  if (st != JK_OK) *upto = 0;
  arena_free(a);
  return st;
}
