/* bench/load.c: an open-loop, constant-rate HTTP/1.1 load generator for Jingkang.
 *
 *   load --url http://127.0.0.1:8080 --rate 500 --duration 60 --connections 32
 *        [--user rehab_worker] [--password P] [--bearer TOKEN] [--mix FILE] [--interval S]
 *        [--timeout S] [--seed N] [--json]
 *
 * Request k is SCHEDULED at t0 + k/rate, whatever happens to earlier requests. Due requests
 * wait in a queue for a free keep-alive connection; latency is measured from the scheduled
 * time, not from when a connection became free, so a server that stalls is charged for every
 * request that should have been sent during the stall (no coordinated omission). One thread,
 * epoll, non-blocking sockets; the pool is opened up front and reopened when the server
 * closes a connection.
 *
 * Setup (blocking, before t0): logs in once (POST /api/v1/session; the session cookie goes on
 * every request and the X-CSRF-Token header on every write), or uses a bearer token; fetches
 * client and staff ids to fill the placeholders {client} and {staff} ({today} is the local
 * date). The mix is weighted lines `WEIGHT METHOD PATH [JSON-BODY]`; the built-in one is a
 * rehabilitation worker's day (lists, search, client files, referrals, inbox, plan, service
 * records) with 1 % writes (a service record: every write adds to what the client-file reads
 * return, so more would make a soak measure its own data growth).
 *
 * Latency goes into a log-linear histogram (HdrHistogram-like: 64 linear sub-buckets per power
 * of two, about 1.6 % resolution, microsecond unit): p50/p90/p99/p99.9/max; also achieved rate,
 * errors by status (non-2xx) and by kind (connect, reset, timeout), and with --interval a line
 * per interval (count, p50, p99, max, errors) — the soak's per-window figures. --json puts a
 * machine-readable summary on stdout (the human text then goes to stderr). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ small helpers */

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("load: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) die("out of memory");
  return q;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xmalloc(n);
  memcpy(p, s, n);
  return p;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct buf {
  char *p;
  size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  b->p = xrealloc(b->p, cap);
  b->cap = cap;
}

static void buf_add(struct buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

__attribute__((format(printf, 2, 3))) static void buf_addf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(0, 0, fmt, ap);
  va_end(ap);
  if (n < 0) die("format error");
  buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

/* ------------------------------------------------------------------ histogram */

#define H_SUB_BITS 6
#define H_SUB (1u << H_SUB_BITS)           /* 64 sub-buckets per power of two */
#define H_MAX_BIT 40                        /* values up to 2^40 µs (12 days) */
#define H_BUCKETS (2 * H_SUB + (H_MAX_BIT - H_SUB_BITS - 1) * H_SUB)

struct hist {
  uint64_t n[H_BUCKETS];
  uint64_t count, max, min, sum;
};

static unsigned h_index(uint64_t v) {
  if (v >= (1ull << H_MAX_BIT)) v = (1ull << H_MAX_BIT) - 1;
  if (v < 2 * H_SUB) return (unsigned)v;
  unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= H_SUB_BITS + 1 */
  unsigned shift = msb - H_SUB_BITS;
  return 2 * H_SUB + (msb - H_SUB_BITS - 1) * H_SUB + (unsigned)((v >> shift) - H_SUB);
}

/* The highest value that falls into bucket i (what HdrHistogram reports). */
static uint64_t h_value(unsigned i) {
  if (i < 2 * H_SUB) return i;
  unsigned j = i - 2 * H_SUB;
  unsigned msb = j / H_SUB + H_SUB_BITS + 1, shift = msb - H_SUB_BITS;
  uint64_t top = H_SUB + j % H_SUB;
  return ((top + 1) << shift) - 1;
}

static void h_add(struct hist *h, uint64_t v) {
  h->n[h_index(v)]++;
  if (!h->count || v < h->min) h->min = v;
  if (v > h->max) h->max = v;
  h->count++;
  h->sum += v;
}

static uint64_t h_pct(const struct hist *h, double p) {
  if (!h->count) return 0;
  uint64_t want = (uint64_t)(p / 100.0 * (double)h->count + 0.999999);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < H_BUCKETS; i++) {
    seen += h->n[i];
    if (seen >= want) {
      uint64_t v = h_value(i);
      return v > h->max ? h->max : v;
    }
  }
  return h->max;
}

/* ------------------------------------------------------------------ HTTP response parsing */

/* Parses one response at the start of b. Returns 1 when complete (*status, *used, *close set),
 * 0 when more bytes are needed, -1 when malformed. */
static int http_parse(const char *b, size_t len, int *status, size_t *used, int *close_after,
                      size_t *body_off, size_t *body_len) {
  const char *end = memmem(b, len, "\r\n\r\n", 4);
  if (!end) return len > 65536 ? -1 : 0;
  size_t hlen = (size_t)(end - b) + 4;
  if (len < 12 || memcmp(b, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)b[9])) return -1;
  *status = atoi(b + 9);
  long long clen = -1;
  int chunked = 0;
  *close_after = b[7] == '0';
  for (const char *l = memchr(b, '\n', hlen); l && l < end; l = memchr(l, '\n', (size_t)(end - l))) {
    l++;
    if (!strncasecmp(l, "content-length:", 15)) clen = atoll(l + 15);
    else if (!strncasecmp(l, "transfer-encoding:", 18)) {
      const char *v = l + 18, *eol = memchr(v, '\r', (size_t)(end + 2 - v));
      if (eol && memmem(v, (size_t)(eol - v), "chunked", 7)) chunked = 1;
    } else if (!strncasecmp(l, "connection:", 11)) {
      const char *v = l + 11;
      while (*v == ' ') v++;
      if (!strncasecmp(v, "close", 5)) *close_after = 1;
      else if (!strncasecmp(v, "keep-alive", 10)) *close_after = 0;
    }
  }
  *body_off = hlen;
  if (*status == 204 || *status == 304 || (*status >= 100 && *status < 200)) {
    *used = hlen;
    *body_len = 0;
    return 1;
  }
  if (chunked) { /* walk the chunks; the body is not reassembled (only setup reads bodies) */
    size_t p = hlen;
    for (;;) {
      const char *eol = memmem(b + p, len - p, "\r\n", 2);
      if (!eol) return 0;
      unsigned long long sz = strtoull(b + p, 0, 16);
      p = (size_t)(eol - b) + 2;
      if (sz == 0) { /* trailers until an empty line */
        for (;;) {
          const char *e2 = memmem(b + p, len - p, "\r\n", 2);
          if (!e2) return 0;
          size_t l = (size_t)(e2 - (b + p));
          p += l + 2;
          if (l == 0) break;
        }
        *used = p;
        *body_len = 0;
        return 1;
      }
      if (len - p < sz + 2) return 0;
      p += sz + 2;
    }
  }
  if (clen < 0) { /* body until close: only with Connection: close */
    *close_after = 1;
    return 0;
  }
  if (len - hlen < (size_t)clen) return 0;
  *used = hlen + (size_t)clen;
  *body_len = (size_t)clen;
  return 1;
}

/* ------------------------------------------------------------------ target, setup requests */

static char host[256] = "127.0.0.1", port[16] = "80", hosthdr[300];
static struct sockaddr_storage addr;
static socklen_t addrlen;

static void parse_url(const char *url) {
  if (strncmp(url, "http://", 7) != 0) die("--url must start with http:// (no TLS): %s", url);
  const char *h = url + 7, *slash = strchr(h, '/');
  size_t n = slash ? (size_t)(slash - h) : strlen(h);
  if (n == 0 || n >= sizeof host) die("bad --url %s", url);
  char hp[256];
  memcpy(hp, h, n);
  hp[n] = 0;
  snprintf(hosthdr, sizeof hosthdr, "%s", hp);
  char *colon = strrchr(hp, ':');
  if (colon && !strchr(colon, ']')) {
    *colon = 0;
    snprintf(port, sizeof port, "%s", colon + 1);
  }
  char *hb = hp;
  if (*hb == '[') {
    hb++;
    char *rb = strchr(hb, ']');
    if (rb) *rb = 0;
  }
  snprintf(host, sizeof host, "%s", hb);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = 0;
  int e = getaddrinfo(host, port, &hints, &res);
  if (e) die("resolve %s:%s: %s", host, port, gai_strerror(e));
  memcpy(&addr, res->ai_addr, res->ai_addrlen);
  addrlen = res->ai_addrlen;
  freeaddrinfo(res);
}

static char cookie[256];  /* "jk_session=..." */
static char csrf[128];
static char bearer[256];

static void auth_headers(struct buf *b, int write) {
  if (bearer[0]) buf_addf(b, "Authorization: Bearer %s\r\n", bearer);
  if (cookie[0]) buf_addf(b, "Cookie: %s\r\n", cookie);
  if (write && csrf[0]) buf_addf(b, "X-CSRF-Token: %s\r\n", csrf);
}

static void build_request(struct buf *out, const char *method, const char *path, const char *body) {
  int write = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
  buf_addf(out, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: jingkang-load\r\nAccept: application/json\r\n",
           method, path, hosthdr);
  auth_headers(out, write);
  if (body) buf_addf(out, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
  else if (write) buf_addf(out, "Content-Length: 0\r\n\r\n");
  else buf_addf(out, "\r\n");
}

/* One blocking request on a fresh connection (setup only). Returns the status; *resp holds
 * the raw response (headers and body). */
static int blocking_request(const char *method, const char *path, const char *body, struct buf *resp) {
  struct buf req = {0};
  build_request(&req, method, path, body);
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, addrlen) != 0) die("connect %s:%s: %s", host, port, strerror(errno));
  struct timeval tv = {.tv_sec = 60};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (size_t off = 0; off < req.len;) {
    ssize_t w = send(fd, req.p + off, req.len - off, MSG_NOSIGNAL);
    if (w <= 0) die("send: %s", strerror(errno));
    off += (size_t)w;
  }
  free(req.p);
  resp->len = 0;
  for (;;) {
    int status = 0, cl = 0;
    size_t used = 0, bo = 0, bl = 0;
    int r = resp->len ? http_parse(resp->p, resp->len, &status, &used, &cl, &bo, &bl) : 0;
    if (r < 0) die("%s %s: malformed response", method, path);
    if (r == 1) {
      close(fd);
      return status;
    }
    buf_reserve(resp, 65536);
    ssize_t n = recv(fd, resp->p + resp->len, resp->cap - resp->len - 1, 0);
    if (n <= 0) die("%s %s: connection ended before the response (%s)", method, path, n ? strerror(errno) : "EOF");
    resp->len += (size_t)n;
    resp->p[resp->len] = 0;
  }
}

/* Collects the values of every `"key":"...` string in s (ids are plain ASCII). */
static char **collect_strings(const char *s, const char *key, size_t *n, size_t max) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  char **v = 0;
  *n = 0;
  for (const char *p = strstr(s, pat); p && *n < max; p = strstr(p, pat)) {
    p += strlen(pat);
    const char *q = strchr(p, '"');
    if (!q) break;
    v = xrealloc(v, (*n + 1) * sizeof *v);
    v[*n] = xmalloc((size_t)(q - p) + 1);
    memcpy(v[*n], p, (size_t)(q - p));
    v[*n][q - p] = 0;
    (*n)++;
  }
  return v;
}

static const char *resp_body(struct buf *r) {
  const char *e = strstr(r->p, "\r\n\r\n");
  return e ? e + 4 : "";
}

static char **clients, **staffs;
static size_t nclients, nstaff;
static char today[16];

static void setup(const char *user, const char *password) {
  struct buf r = {0};
  if (!bearer[0]) {
    struct buf body = {0};
    buf_addf(&body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    int st = blocking_request("POST", "/api/v1/session", body.p, &r);
    free(body.p);
    if (st != 200) die("login as %s: HTTP %d: %.300s", user, st, resp_body(&r));
    for (const char *l = r.p; l && l < resp_body(&r); l = strchr(l, '\n')) {
      if (*l == '\n') l++;
      if (!strncasecmp(l, "set-cookie:", 11)) {
        const char *v = l + 11;
        while (*v == ' ') v++;
        const char *e = v + strcspn(v, ";\r\n");
        if (!strncmp(v, "jk_session=", 11) && (size_t)(e - v) < sizeof cookie) snprintf(cookie, sizeof cookie, "%.*s", (int)(e - v), v);
      }
    }
    size_t n;
    char **t = collect_strings(resp_body(&r), "csrf_token", &n, 1);
    if (!cookie[0] || n != 1) die("login as %s: no session cookie or CSRF token in the answer", user);
    snprintf(csrf, sizeof csrf, "%s", t[0]);
    free(t[0]);
    free(t);
  }
  /* Client ids: the first item key of each list entry is "id". */
  int st = blocking_request("GET", "/api/v1/clients?page_size=100", 0, &r);
  if (st != 200) die("GET /api/v1/clients: HTTP %d: %.300s", st, resp_body(&r));
  const char *items = strstr(resp_body(&r), "\"items\":[");
  if (items) {
    struct buf ids = {0};
    for (const char *p = strstr(items, "{\"id\":\""); p; p = strstr(p + 1, "{\"id\":\"")) buf_add(&ids, p, 50 < strlen(p) ? 50 : strlen(p)), buf_add(&ids, "\n", 1);
    clients = collect_strings(ids.p ? ids.p : "", "id", &nclients, 100);
    free(ids.p);
  }
  st = blocking_request("GET", "/api/v1/staff", 0, &r);
  if (st == 200) {
    struct buf ids = {0};
    for (const char *p = strstr(resp_body(&r), "{\"id\":\""); p; p = strstr(p + 1, "{\"id\":\"")) buf_add(&ids, p, 50 < strlen(p) ? 50 : strlen(p)), buf_add(&ids, "\n", 1);
    staffs = collect_strings(ids.p ? ids.p : "", "id", &nstaff, 100);
    free(ids.p);
  }
  free(r.p);
  time_t t = time(0);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(today, sizeof today, "%Y-%m-%d", &tm);
}

/* ------------------------------------------------------------------ the mix */

struct mix_entry {
  unsigned weight;
  char *method, *path, *body;
};
static struct mix_entry *mix;
static size_t nmix;
static unsigned mix_total;

static const char *builtin_mix =
    "# a rehabilitation worker's day: weight METHOD PATH [JSON body]\n"
    "20 GET /api/v1/clients?page_size=20\n"
    "8 GET /api/v1/clients?status=in_service&page_size=20&page=2\n"
    "8 GET /api/v1/clients?q=%E7%8E%8B&page_size=20\n"
    "24 GET /api/v1/clients/{client}\n"
    "3 GET /api/v1/clients/{client}/services\n"
    "5 GET /api/v1/clients/{client}/plan\n"
    "4 GET /api/v1/clients/{client}/assessments\n"
    "10 GET /api/v1/referrals?page_size=20\n"
    "10 GET /api/v1/inbox\n"
    "4 GET /api/v1/care/due\n"
    "3 GET /api/v1/service-records?page_size=20\n"
    "1 POST /api/v1/service-records {\"type\":\"medication\",\"date\":\"{today}\",\"duration_minutes\":30,"
    "\"place\":\"home\",\"clients\":[\"{client}\"],\"staff\":[\"{staff}\"],\"content\":\"负载测试：服药训练\"}\n";

static void load_mix(const char *text) {
  char *copy = xstrdup(text), *save = 0;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
    while (isspace((unsigned char)*line)) line++;
    if (!*line || *line == '#') continue;
    char *end;
    unsigned long w = strtoul(line, &end, 10);
    if (end == line || w == 0 || w > 1000000) die("mix: bad weight in: %s", line);
    char *m = end + strspn(end, " \t"), *me = m + strcspn(m, " \t");
    if (me == m || !*me) die("mix: need METHOD PATH in: %s", line);
    *me = 0;
    char *p = me + 1 + strspn(me + 1, " \t"), *pe = p + strcspn(p, " \t");
    if (*p != '/') die("mix: path must start with / in: %s", line);
    char *body = 0;
    if (*pe) {
      *pe = 0;
      body = pe + 1 + strspn(pe + 1, " \t");
      if (!*body) body = 0;
    }
    mix = xrealloc(mix, (nmix + 1) * sizeof *mix);
    mix[nmix++] = (struct mix_entry){(unsigned)w, xstrdup(m), xstrdup(p), body ? xstrdup(body) : 0};
    mix_total += (unsigned)w;
  }
  free(copy);
  if (!nmix) die("mix: no entries");
}

static void substitute(struct buf *out, const char *s) {
  while (*s) {
    const char *o = strchr(s, '{');
    if (!o) {
      buf_add(out, s, strlen(s));
      return;
    }
    buf_add(out, s, (size_t)(o - s));
    if (!strncmp(o, "{client}", 8)) {
      if (!nclients) die("mix uses {client} but the user sees no clients");
      const char *v = clients[rng() % nclients];
      buf_add(out, v, strlen(v));
      s = o + 8;
    } else if (!strncmp(o, "{staff}", 7)) {
      if (!nstaff) die("mix uses {staff} but the user sees no staff");
      const char *v = staffs[rng() % nstaff];
      buf_add(out, v, strlen(v));
      s = o + 7;
    } else if (!strncmp(o, "{today}", 7)) {
      buf_add(out, today, strlen(today));
      s = o + 7;
    } else {
      buf_add(out, "{", 1);
      s = o + 1;
    }
  }
}

/* The next request of the mix, rendered. */
static void next_request(struct buf *out, unsigned *which) {
  unsigned x = (unsigned)(rng() % mix_total), i = 0;
  while (x >= mix[i].weight) x -= mix[i++].weight;
  *which = i;
  struct buf path = {0}, body = {0};
  substitute(&path, mix[i].path);
  if (mix[i].body) substitute(&body, mix[i].body);
  out->len = 0;
  build_request(out, mix[i].method, path.p, mix[i].body ? body.p : 0);
  free(path.p);
  free(body.p);
}

/* ------------------------------------------------------------------ the open loop */

enum cstate { C_CLOSED, C_CONNECTING, C_IDLE, C_BUSY };
struct conn {
  int fd;
  enum cstate st;
  int reused;          /* a request has completed on this connection before */
  int retried;         /* the current request was already retried once */
  int64_t sched;       /* scheduled send time of the current request */
  int64_t retry_at;    /* after a failed connect: not before this time (100 ms back-off) */
  unsigned which;      /* mix entry */
  struct buf out, in;
  size_t sent;
};

struct stats {
  struct hist h;
  uint64_t status[600];
  uint64_t err_connect, err_reset, err_timeout, err_parse, retries;
};

static struct stats total, win;
static struct conn *conns;
static int nconns, ep;
static int64_t t0, interval_ns, next_interval;
static double rate;
static uint64_t scheduled, dispatched, completed, outstanding;
static int64_t timeout_ns = 30 * 1000000000ll;
static FILE *human;
static struct hist *per_entry;
static volatile sig_atomic_t stop_now;

static void on_signal(int s) {
  (void)s;
  stop_now = 1;
}

static int64_t sched_time(uint64_t k) { return t0 + (int64_t)((double)k * 1e9 / rate); }

static void conn_close(struct conn *c) {
  if (c->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, 0);
    close(c->fd);
  }
  c->fd = -1;
  c->st = C_CLOSED;
  c->reused = 0;
  c->in.len = 0;
}

static void conn_open(struct conn *c) {
  c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int r = connect(c->fd, (struct sockaddr *)&addr, addrlen);
  c->st = C_CONNECTING;
  if (r != 0 && errno != EINPROGRESS) {
    close(c->fd);
    c->fd = -1;
    c->st = C_CLOSED; /* the caller counts the error */
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void want(struct conn *c, uint32_t events) {
  struct epoll_event ev = {.events = events | EPOLLRDHUP, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void record(struct conn *c, int status, int kind) {
  uint64_t us = (uint64_t)((now_ns() - c->sched) / 1000);
  h_add(&total.h, us);
  h_add(&win.h, us);
  h_add(&per_entry[c->which], us);
  if (status > 0 && status < 600) total.status[status]++, win.status[status]++;
  else if (kind == 1) total.err_reset++, win.err_reset++;
  else if (kind == 2) total.err_timeout++, win.err_timeout++;
  else if (kind == 3) total.err_parse++, win.err_parse++;
  else total.err_connect++, win.err_connect++;
  completed++;
  outstanding--;
}

static void try_send(struct conn *c) {
  while (c->sent < c->out.len) {
    ssize_t w = send(c->fd, c->out.p + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);
    if (w > 0) {
      c->sent += (size_t)w;
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      want(c, EPOLLIN | EPOLLOUT);
      return;
    }
    return; /* the error shows up on the read side */
  }
  want(c, EPOLLIN);
}

/* Requests due but not yet sent are [dispatched, scheduled). */
static void dispatch(void) {
  for (int i = 0; i < nconns && dispatched < scheduled; i++) {
    struct conn *c = &conns[i];
    if (c->st == C_CLOSED) {
      if (c->retry_at && now_ns() < c->retry_at) continue;
      conn_open(c);
      if (c->st == C_CLOSED) total.err_connect++, win.err_connect++, c->retry_at = now_ns() + 100000000;
    }
    if (c->st != C_IDLE) continue;
    c->sched = sched_time(dispatched++);
    c->retried = 0;
    next_request(&c->out, &c->which);
    c->sent = 0;
    c->in.len = 0;
    c->st = C_BUSY;
    outstanding++;
    try_send(c);
  }
}

/* The connection broke while busy: retry once on a fresh connection when it had served a
 * request before and nothing of the answer arrived (the server closed an idle keep-alive
 * connection as we sent: the usual HTTP client race), else count the error. */
static void conn_failed(struct conn *c, int kind) {
  if (c->st == C_BUSY && c->reused && !c->retried && c->in.len == 0 && kind == 1) {
    conn_close(c); /* keeps c->out, c->sched, c->which */
    conn_open(c);
    c->retried = 1;
    c->sent = 0;
    total.retries++;
    if (c->st == C_CLOSED) {
      record(c, 0, 0);
      c->retried = 0;
      c->sched = 0;
    }
    return;
  }
  if (c->st == C_BUSY) record(c, 0, kind);
  c->sched = 0;
  c->retried = 0;
  conn_close(c);
}

static void on_event(struct conn *c, uint32_t ev) {
  if (c->st == C_CONNECTING) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
      conn_close(c);
      c->retry_at = now_ns() + 100000000;
      if (c->retried && c->sched) record(c, 0, 0); /* counts the connect error */
      else total.err_connect++, win.err_connect++;
      c->retried = 0;
      c->sched = 0;
      return;
    }
    if (c->retried && c->out.len && c->sent == 0 && c->sched) { /* a retried request waits here */
      c->st = C_BUSY;
      try_send(c);
      return;
    }
    c->st = C_IDLE;
    c->retry_at = 0;
    want(c, EPOLLIN);
    return;
  }
  if (c->st == C_IDLE) { /* the server closed an idle connection, or sent something unasked */
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) conn_close(c);
    return;
  }
  if (c->st != C_BUSY) return;
  if (ev & EPOLLOUT) try_send(c);
  if (!(ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
  for (;;) {
    buf_reserve(&c->in, 16384);
    ssize_t n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
    if (n > 0) {
      c->in.len += (size_t)n;
      int status = 0, cl = 0;
      size_t used = 0, bo, bl;
      int r = http_parse(c->in.p, c->in.len, &status, &used, &cl, &bo, &bl);
      if (r < 0) {
        record(c, 0, 3);
        conn_close(c);
        return;
      }
      if (r == 1) {
        record(c, status, 0);
        c->sched = 0;
        if (cl || used != c->in.len) conn_close(c);
        else c->st = C_IDLE, c->reused = 1, c->in.len = 0, c->retried = 0;
        return;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    conn_failed(c, 1);
    return;
  }
}

static void check_timeouts(int64_t now) {
  for (int i = 0; i < nconns; i++) {
    struct conn *c = &conns[i];
    if ((c->st == C_BUSY || (c->st == C_CONNECTING && c->retried)) && c->sched && now - c->sched > timeout_ns) {
      record(c, 0, 2);
      c->retried = 0;
      c->sched = 0;
      conn_close(c);
    }
  }
}

static uint64_t errors_of(const struct stats *s) {
  uint64_t e = s->err_connect + s->err_reset + s->err_timeout + s->err_parse;
  for (int i = 0; i < 600; i++)
    if (i < 200 || i >= 400) e += s->status[i];
  return e;
}

static void print_window(int64_t now, int64_t len_ns) {
  if (len_ns <= 0) len_ns = 1;
  double secs = (double)(now - t0) / 1e9;
  fprintf(human, "[%7.1f s%s] %8llu req  %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  errors %llu\n", secs,
          len_ns == interval_ns ? "" : " drain",
          (unsigned long long)win.h.count, (double)win.h.count / ((double)len_ns / 1e9), (double)h_pct(&win.h, 50) / 1e3,
          (double)h_pct(&win.h, 99) / 1e3, (double)win.h.max / 1e3, (unsigned long long)errors_of(&win));
  fflush(human);
  memset(&win, 0, sizeof win);
}

static void usage(void) {
  fprintf(stderr,
          "usage: load --url http://HOST:PORT --rate R [--duration S] [--connections C]\n"
          "            [--user NAME] [--password P | env JK_PASSWORD] [--bearer TOKEN]\n"
          "            [--mix FILE] [--interval S] [--timeout S] [--seed N] [--json]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *url = 0, *mixfile = 0, *user = "rehab_worker";
  const char *password = getenv("JK_PASSWORD") ? getenv("JK_PASSWORD") : "Jingkang-Demo-2026!";
  double duration = 10, interval = 0;
  int json = 0;
  nconns = 16;
  static const struct option opts[] = {
      {"url", 1, 0, 'u'},      {"rate", 1, 0, 'r'},     {"duration", 1, 0, 'd'}, {"connections", 1, 0, 'c'},
      {"user", 1, 0, 'U'},     {"password", 1, 0, 'P'}, {"bearer", 1, 0, 'B'},   {"mix", 1, 0, 'm'},
      {"interval", 1, 0, 'i'}, {"timeout", 1, 0, 't'},  {"seed", 1, 0, 's'},     {"json", 0, 0, 'j'},
      {"help", 0, 0, 'h'},     {0, 0, 0, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, 0)) != -1;) {
    switch (o) {
    case 'u': url = optarg; break;
    case 'r': rate = atof(optarg); break;
    case 'd': duration = atof(optarg); break;
    case 'c': nconns = atoi(optarg); break;
    case 'U': user = optarg; break;
    case 'P': password = optarg; break;
    case 'B': snprintf(bearer, sizeof bearer, "%s", optarg); break;
    case 'm': mixfile = optarg; break;
    case 'i': interval = atof(optarg); break;
    case 't': timeout_ns = (int64_t)(atof(optarg) * 1e9); break;
    case 's': rng_state = strtoull(optarg, 0, 10) * 0x9e3779b97f4a7c15ull | 1; break;
    case 'j': json = 1; break;
    default: usage();
    }
  }
  if (!url || rate <= 0 || duration <= 0 || nconns < 1 || nconns > 10000 || timeout_ns <= 0) usage();
  human = json ? stderr : stdout;
  parse_url(url);
  if (mixfile) {
    FILE *f = fopen(mixfile, "r");
    if (!f) die("--mix %s: %s", mixfile, strerror(errno));
    struct buf t = {0};
    char tmp[4096];
    for (size_t n; (n = fread(tmp, 1, sizeof tmp, f)) > 0;) buf_add(&t, tmp, n);
    fclose(f);
    load_mix(t.p ? t.p : "");
    free(t.p);
  } else {
    load_mix(builtin_mix);
  }
  per_entry = calloc(nmix, sizeof *per_entry);
  if (!per_entry) die("out of memory");
  setup(user, password);
  fprintf(human, "load: %s, %.1f req/s for %.0f s over %d connections, %zu clients and %zu staff ids, %s\n", url,
          rate, duration, nconns, nclients, nstaff, bearer[0] ? "bearer token" : "session cookie");

  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  ep = epoll_create1(EPOLL_CLOEXEC);
  conns = calloc((size_t)nconns, sizeof *conns);
  if (ep < 0 || !conns) die("epoll/calloc failed");
  for (int i = 0; i < nconns; i++) conns[i].fd = -1, conn_open(&conns[i]);
  /* Let the pool connect before the clock starts. */
  for (int64_t until = now_ns() + 2000000000ll; now_ns() < until;) {
    int idle = 0;
    for (int i = 0; i < nconns; i++) idle += conns[i].st == C_IDLE;
    if (idle == nconns) break;
    struct epoll_event evs[256];
    int n = epoll_wait(ep, evs, 256, 10);
    for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
  }

  t0 = now_ns();
  int64_t t_end = t0 + (int64_t)(duration * 1e9), drain_end = t_end + timeout_ns + 1000000000ll;
  uint64_t total_to_send = (uint64_t)(duration * rate);
  interval_ns = interval > 0 ? (int64_t)(interval * 1e9) : 0;
  next_interval = interval_ns ? t0 + interval_ns : INT64_MAX;
  struct epoll_event evs[512];
  for (;;) {
    int64_t now = now_ns();
    if (!stop_now)
      while (scheduled < total_to_send && sched_time(scheduled) <= now) scheduled++;
    else if (scheduled > dispatched) scheduled = dispatched; /* interrupted: drop what is not sent */
    dispatch();
    if (now >= next_interval) {
      print_window(now, interval_ns);
      next_interval += interval_ns;
    }
    if ((scheduled >= total_to_send || stop_now) && dispatched == scheduled && outstanding == 0) break;
    if (now > drain_end) break;
    int64_t wake = scheduled < total_to_send && !stop_now ? sched_time(scheduled) : now + 100000000;
    if (wake > next_interval) wake = next_interval;
    if (wake > now + 100000000) wake = now + 100000000;
    int64_t d = wake - now;
    if (d < 0) d = 0;
    struct timespec ts = {.tv_sec = d / 1000000000, .tv_nsec = d % 1000000000};
    int n = epoll_pwait2(ep, evs, 512, &ts, 0);
    if (n < 0 && errno != EINTR) die("epoll_pwait2: %s", strerror(errno));
    for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
    check_timeouts(now_ns());
  }
  int64_t t_done = now_ns();
  if (interval_ns && win.h.count) print_window(t_done, t_done - (next_interval - interval_ns));
  uint64_t unsent = scheduled - dispatched + (stop_now ? 0 : total_to_send - scheduled);

  double elapsed = (double)(t_end < t_done ? t_end - t0 : t_done - t0) / 1e9;
  double achieved = (double)completed / ((double)(t_done - t0) / 1e9);
  uint64_t errs = errors_of(&total) + outstanding + unsent;
  const double ps[] = {50, 90, 99, 99.9};
  fprintf(human, "requests: %llu scheduled, %llu completed, %llu still outstanding, %llu never sent, %llu retried\n",
          (unsigned long long)(scheduled), (unsigned long long)completed, (unsigned long long)outstanding,
          (unsigned long long)unsent, (unsigned long long)total.retries);
  fprintf(human, "rate: offered %.1f req/s, achieved %.1f req/s (completions over %.1f s incl. drain)\n", rate, achieved,
          (double)(t_done - t0) / 1e9);
  fprintf(human, "latency from scheduled send (ms):");
  for (int i = 0; i < 4; i++) fprintf(human, "  p%g %.2f", ps[i], (double)h_pct(&total.h, ps[i]) / 1e3);
  fprintf(human, "  max %.2f  mean %.2f\n", (double)total.h.max / 1e3,
          total.h.count ? (double)total.h.sum / (double)total.h.count / 1e3 : 0.0);
  fprintf(human, "status:");
  for (int i = 0; i < 600; i++)
    if (total.status[i]) fprintf(human, "  %d×%llu", i, (unsigned long long)total.status[i]);
  fprintf(human, "\nerrors: %llu (non-2xx/3xx, connect %llu, reset %llu, timeout %llu, malformed %llu, unsent %llu)\n",
          (unsigned long long)errs, (unsigned long long)total.err_connect, (unsigned long long)total.err_reset,
          (unsigned long long)total.err_timeout, (unsigned long long)total.err_parse, (unsigned long long)(unsent + outstanding));
  fprintf(human, "per request (p50 / p99 ms, count):\n");
  for (size_t i = 0; i < nmix; i++)
    fprintf(human, "  %-6s %-48.48s %8.2f %8.2f %8llu\n", mix[i].method, mix[i].path, (double)h_pct(&per_entry[i], 50) / 1e3,
            (double)h_pct(&per_entry[i], 99) / 1e3, (unsigned long long)per_entry[i].count);
  if (json) {
    printf("{\"url\":\"%s\",\"rate\":%.3f,\"duration\":%.3f,\"elapsed\":%.3f,\"connections\":%d,"
           "\"scheduled\":%llu,\"completed\":%llu,\"outstanding\":%llu,\"unsent\":%llu,\"retries\":%llu,"
           "\"achieved_rate\":%.3f,\"errors\":%llu,",
           url, rate, duration, elapsed, nconns, (unsigned long long)scheduled, (unsigned long long)completed,
           (unsigned long long)outstanding, (unsigned long long)unsent, (unsigned long long)total.retries, achieved,
           (unsigned long long)errs);
    printf("\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f,\"mean\":%.3f},",
           (double)h_pct(&total.h, 50) / 1e3, (double)h_pct(&total.h, 90) / 1e3, (double)h_pct(&total.h, 99) / 1e3,
           (double)h_pct(&total.h, 99.9) / 1e3, (double)total.h.max / 1e3,
           total.h.count ? (double)total.h.sum / (double)total.h.count / 1e3 : 0.0);
    printf("\"status\":{");
    int first = 1;
    for (int i = 0; i < 600; i++)
      if (total.status[i]) printf("%s\"%d\":%llu", first ? "" : ",", i, (unsigned long long)total.status[i]), first = 0;
    printf("},\"socket_errors\":{\"connect\":%llu,\"reset\":%llu,\"timeout\":%llu,\"malformed\":%llu}}\n",
           (unsigned long long)total.err_connect, (unsigned long long)total.err_reset, (unsigned long long)total.err_timeout,
           (unsigned long long)total.err_parse);
  }
  return errs ? 1 : 0;
}
