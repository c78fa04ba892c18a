/* audit.c: see audit.h. Invariant: rows are appended only while holding the write
 * transaction (db_begin_write), so reading the tail and inserting after it cannot race. */
#include "sec/audit.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "sec/crypto.h"
#include "store/audit_store.h"
#include "store/db.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  jk_status st = audit_store_scan(db, verify_row, &c);
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
