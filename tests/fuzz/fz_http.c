/* fz_http.c: see fz.h. Runs inside the fuzzer process; aborts (a finding) only on what the
 * sanitizers or the server itself report, never on an ordinary error answer. */
#include "fz.h"
#include "api/app.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "cli/cli.h"
#include "http/server.h"
#include "sec/audit.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/user_store.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

const char *const fz_users[FZ_NUSERS] = {"sysadmin", "secadmin", "auditor", "county_official",
                                         "city_official", "referral_worker", "rehab_worker"};

#define NSAMPLES 10
static const char *const sample_kinds[NSAMPLES] = {"client", "org", "referral", "staff", "user",
                                                   "assessment", "alert", "service", "webhook", "member"};

static struct {
  struct app app;
  struct db *db;
  struct MHD_Daemon *d;
  char dir[512];
  char cookie[FZ_NUSERS][TOKEN_CHARS + 1];
  char csrf[FZ_NUSERS][65];
  unsigned char hash[FZ_NUSERS][32];
  int64_t rid[FZ_NUSERS];
  char sample[NSAMPLES][72];
  unsigned long inputs, timeouts;
} F;

static void die(const char *what)
{
  fprintf(stderr, "fuzz init: %s\n", what);
  exit(2);
}

static void cleanup(void)
{
  if (F.dir[0] && !getenv("JK_FUZZ_KEEP")) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", F.dir);
  }
}

static void new_session(int i)
{
  struct arena *a = arena_new();
  struct user_rec u;
  if (user_store_by_username(F.db, a, fz_users[i], &u) != JK_OK) die(fz_users[i]);
  F.rid[i] = u.rid;
  token_new(F.cookie[i]);
  token_hash(F.cookie[i], F.hash[i]);
  random_hex(F.csrf[i], 32);
  if (db_begin_write(F.db) != JK_OK) die("begin");
  if (session_store_insert(F.db, F.hash[i], u.rid, F.csrf[i], clock_now_ms()) != JK_OK) die("session");
  if (db_commit(F.db) != JK_OK) die("commit");
  arena_free(a);
}

const char *fz_cookie(int i) { return F.cookie[i]; }
const char *fz_csrf(int i) { return F.csrf[i]; }

const char *fz_sample(const char *kind)
{
  for (int i = 0; i < NSAMPLES; i++)
    if (strcmp(kind, sample_kinds[i]) == 0) return F.sample[i];
  return "";
}

/* ---- one exchange ---- */

static bool wait_fd(int fd, short ev, int ms)
{
  struct pollfd p = {.fd = fd, .events = ev};
  int rc;
  do rc = poll(&p, 1, ms);
  while (rc < 0 && errno == EINTR);
  return rc > 0;
}

/* The header block's end, the status and the body length (-1: until close) of the answer at
 * the start of buf; false while the header block is incomplete. */
static bool parse_head(const char *buf, size_t n, bool head_req, size_t *hdr_end, int *status, long *clen)
{
  const char *end = memmem(buf, n, "\r\n\r\n", 4);
  if (!end) return false;
  *hdr_end = (size_t)(end - buf) + 4;
  *status = n > 12 && strncmp(buf, "HTTP/1.", 7) == 0 ? atoi(buf + 9) : 0;
  *clen = -1;
  for (const char *p = buf; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
    if (*p == '\n') p++;
    if (strncasecmp(p, "Content-Length:", 15) == 0) *clen = atol(p + 15);
  }
  if (head_req || *status == 204 || *status == 304 || (*status >= 100 && *status < 200)) *clen = 0;
  return true;
}

int fz_http_exchange(const char *req, size_t n, char *body, size_t cap)
{
  int sv[2];
  if (body && cap) body[0] = 0;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
  if (!server_embedded_add(F.d, sv[1])) { /* MHD closes it on failure */
    close(sv[0]);
    return 0;
  }
  fcntl(sv[0], F_SETFL, O_NONBLOCK);
  bool head_req = n >= 5 && memcmp(req, "HEAD ", 5) == 0;
  size_t cap_r = 65536, got = 0, off = 0;
  char *resp = malloc(cap_r);
  if (!resp) abort();
  bool eof = false;
  int status = 0;
  /* write the request while reading whatever comes back (an early 413 and close) */
  while (off < n && !eof) {
    struct pollfd p = {.fd = sv[0], .events = POLLOUT | POLLIN};
    if (poll(&p, 1, 3000) <= 0) break;
    if (p.revents & POLLOUT) {
      ssize_t w = write(sv[0], req + off, n - off);
      if (w > 0) off += (size_t)w;
      else if (w < 0 && errno != EAGAIN && errno != EINTR) break;
    }
    if (p.revents & (POLLIN | POLLHUP)) {
      if (got == cap_r && !(resp = realloc(resp, cap_r *= 2))) abort();
      ssize_t r = read(sv[0], resp + got, cap_r - got);
      if (r > 0) got += (size_t)r;
      else if (r == 0) eof = true;
    }
  }
  shutdown(sv[0], SHUT_WR);
  size_t start = 0;
  for (;;) {
    size_t hdr_end;
    long clen;
    if (parse_head(resp + start, got - start, head_req, &hdr_end, &status, &clen)) {
      if (status >= 100 && status < 200) { /* 100 Continue: the real answer follows */
        start += hdr_end;
        status = 0;
        continue;
      }
      if (clen >= 0 && got - start >= hdr_end + (size_t)clen) {
        if (body && cap) {
          size_t m = (size_t)clen < cap - 1 ? (size_t)clen : cap - 1;
          memcpy(body, resp + start + hdr_end, m);
          body[m] = 0;
        }
        break;
      }
    }
    if (eof) break;
    if (!wait_fd(sv[0], POLLIN, 10000)) {
      F.timeouts++;
      fprintf(stderr, "fuzz: no complete answer within 10 s (%lu so far): %.*s\n", F.timeouts,
              getenv("JK_FUZZ_LOG") ? (int)(n < 300 ? n : 300) : 0, req);
      break;
    }
    if (got == cap_r) {
      if (cap_r >= (64u << 20)) break;
      if (!(resp = realloc(resp, cap_r *= 2))) abort();
    }
    ssize_t r = read(sv[0], resp + got, cap_r - got);
    if (r > 0) got += (size_t)r;
    else if (r == 0 || (errno != EAGAIN && errno != EINTR)) eof = true;
  }
  free(resp);
  close(sv[0]);
  return status;
}

/* ---- markers ---- */

char *fz_substitute(const uint8_t *data, size_t n, size_t *out_n)
{
  size_t cap = n * 2 + 256, len = 0;
  char *out = malloc(cap);
  if (!out) abort();
  for (size_t i = 0; i < n;) {
    const char *rep = 0;
    size_t skip = 0;
    if (data[i] == '@') {
      const char *s = (const char *)data + i;
      size_t left = n - i;
      static const struct { const char *mark, *kind; } samples[] = {
        {"@CLIENT@", "client"}, {"@ORG@", "org"}, {"@REFERRAL@", "referral"}, {"@STAFF@", "staff"},
        {"@USER@", "user"}, {"@ASSESSMENT@", "assessment"}, {"@ALERT@", "alert"},
        {"@SERVICE@", "service"}, {"@WEBHOOK@", "webhook"}, {"@MEMBER@", "member"}};
      if (left >= 9 && memcmp(s, "@SESSION@", 9) == 0) rep = F.cookie[3], skip = 9;
      else if (left >= 6 && memcmp(s, "@CSRF@", 6) == 0) rep = F.csrf[3], skip = 6;
      else if (left >= 4 && (s[1] == 'S' || s[1] == 'C') && s[2] >= '0' && s[2] < '0' + FZ_NUSERS && s[3] == '@')
        rep = s[1] == 'S' ? F.cookie[s[2] - '0'] : F.csrf[s[2] - '0'], skip = 4;
      for (size_t k = 0; !rep && k < sizeof samples / sizeof samples[0]; k++) {
        size_t ml = strlen(samples[k].mark);
        if (left >= ml && memcmp(s, samples[k].mark, ml) == 0) rep = fz_sample(samples[k].kind), skip = ml;
      }
    }
    size_t rl = rep ? strlen(rep) : 1;
    if (len + rl + 1 > cap && !(out = realloc(out, cap = (len + rl + 1) * 2))) abort();
    if (rep) memcpy(out + len, rep, rl), i += skip;
    else out[len] = (char)data[i++];
    len += rl;
  }
  *out_n = len;
  return out;
}

/* ---- set-up ---- */

static void learn(int kind, int user, const char *path)
{
  char req[1024], *body = malloc(1 << 20);
  if (!body) abort();
  snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: fuzz\r\nCookie: jk_session=%s\r\n\r\n", path, F.cookie[user]);
  int st = fz_http_exchange(req, strlen(req), body, 1 << 20);
  json_t *j = st == 200 ? json_loads(body, 0, 0) : 0;
  json_t *items = json_is_array(j) ? j : json_object_get(j, "items");
  json_t *first = json_array_get(items, 0), *id = json_object_get(first, "id");
  if (!id) id = json_object_get(first, "member_id");
  if (json_is_string(id)) snprintf(F.sample[kind], sizeof F.sample[kind], "%s", json_string_value(id));
  else if (json_is_integer(id)) snprintf(F.sample[kind], sizeof F.sample[kind], "%lld", (long long)json_integer_value(id));
  else snprintf(F.sample[kind], sizeof F.sample[kind], "0f0f0f0f-0000-4000-8000-000000000000");
  json_decref(j);
  free(body);
}

void fz_http_init(void)
{
  const char *tmpl = getenv("JK_FUZZ_TEMPLATE");
  if (!tmpl) tmpl = "build/fuzz/template/data";
  const char *work = getenv("JK_FUZZ_WORK");
  if (!work) work = "/tmp";
  char probe[600];
  snprintf(probe, sizeof probe, "%s/jingkang.db", tmpl);
  if (access(probe, R_OK) != 0) die("no template data dir (scripts/fuzz.sh makes it; or set JK_FUZZ_TEMPLATE)");
  snprintf(F.dir, sizeof F.dir, "%s/jk-fuzz-XXXXXX", work);
  if (!mkdtemp(F.dir)) die("mkdtemp");
  atexit(cleanup);
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "cp -a '%s' '%s/data'", tmpl, F.dir);
  if (system(cmd) != 0) die("copy of the template");
  log_set_level(getenv("JK_FUZZ_LOG") ? LOG_INFO : LOG_ERROR);
  setenv("JINGKANG_RATE_LIMIT", "off", 1);
  char data[600];
  snprintf(data, sizeof data, "%s/data", F.dir);
  struct cli_opts o = {.data = data};
  if (cli_open(&o, &F.app, &F.db) != JK_OK) die("open");
  if (cli_load_instruments(&F.app, F.db) != JK_OK) die("instruments");
  if (audit_queue_start(F.app.db_path, &F.app.keys, &F.app.audit) != JK_OK) die("audit queue");
  if (!(F.d = server_embedded_start(&F.app))) die("daemon");
  for (int i = 0; i < FZ_NUSERS; i++) new_session(i);
  learn(0, 3, "/api/v1/clients?page_size=1");
  learn(1, 0, "/api/v1/organizations?page_size=1");
  learn(2, 5, "/api/v1/referrals?page_size=1");
  learn(3, 6, "/api/v1/staff");
  learn(4, 1, "/api/v1/users?page_size=1");
  char path[256];
  snprintf(path, sizeof path, "/api/v1/clients/%s/assessments", F.sample[0]);
  learn(5, 3, path);
  learn(6, 6, "/api/v1/alerts");
  learn(7, 6, "/api/v1/service-records?page_size=1");
  learn(8, 0, "/api/v1/webhooks");
  snprintf(path, sizeof path, "/api/v1/clients/%s/team", F.sample[0]);
  learn(9, 6, path);
  if (getenv("JK_FUZZ_LOG"))
    for (int i = 0; i < NSAMPLES; i++) fprintf(stderr, "fuzz: sample %s = %s\n", sample_kinds[i], F.sample[i]);
}

void fz_http_after(void)
{
  if (++F.inputs % 32) return;
  struct arena *a = arena_new();
  for (int i = 0; i < FZ_NUSERS; i++) {
    struct session_rec s;
    if (session_store_get(F.db, a, F.hash[i], &s) != JK_OK || s.ended_at) new_session(i);
  }
  arena_free(a);
}
