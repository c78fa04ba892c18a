/* server.h: the HTTP layer (libmicrohttpd): listening, routing, authentication, body limits,
 * JSON in and out, error-to-status mapping, security headers and the static UI. It knows
 * nothing of clients or referrals: handlers in src/api/ do, through `struct req`.
 *
 * Threads: MHD's pool, one thread per core, each with its own epoll set; each thread lazily
 * opens its own database connection (req->db). A request's memory is its arena (req->a),
 * freed when MHD reports the request completed. */
#ifndef JK_SERVER_H
#define JK_SERVER_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"
#include "sec/policy.h"

struct app;
struct arena;
struct db;
struct MHD_Connection;

#define JSON_BODY_MAX (1024 * 1024)
#define JSON_DEPTH_MAX 32      /* arrays and objects nested deeper: 400 json_too_deep */
#define MAX_PATH_PARAMS 4

struct req {
  struct MHD_Connection *conn;
  struct app *app;
  struct arena *a;
  struct db *db;
  const char *method, *path;
  struct buf body;
  bool body_too_big;
  char request_id[17];
  /* authentication */
  bool authed;
  struct principal who;
  bool via_cookie;
  unsigned char session_hash[32];
  const char *csrf;
  /* routing */
  const char *params[MAX_PATH_PARAMS];
  int nparams;
  /* response */
  int status;
  char *resp;            /* malloc'd */
  size_t resp_len;
  int resp_fd;           /* a file sent as it is (reply_fd), or -1 */
  uint64_t resp_fd_size;
  const char *content_type;
  const char *set_cookie;
  const char *allow;     /* for 405 */
  const char *disposition; /* Content-Disposition of a download (attachment; filename*=...) */
  const char *retry_after; /* seconds, with a 429 */
  int64_t started_ms;
};

typedef void (*handler_fn)(struct req *r);

enum route_flags { ROUTE_PUBLIC = 1 };

struct route {
  const char *method;    /* GET, POST, PATCH, DELETE */
  const char *pattern;   /* /api/v1/clients/{id} */
  handler_fn fn;
  unsigned flags;
};

/* The route table, defined in api/routes.c; the authorization matrix test walks it too. */
extern const struct route jk_routes[];
extern const int jk_nroutes;

struct server_opts {
  const char *listen;    /* host:port */
  unsigned threads;      /* 0 = number of cores */
  unsigned conn_limit, per_ip_limit, timeout_s;
};

/* Runs until SIGINT/SIGTERM. */
jk_status server_run(struct app *app, const struct server_opts *o);

/* For the fuzzers (tests/fuzz/): the daemon of server_run on one thread without a listening
 * socket; server_embedded_add hands it one connected socket (e.g. one end of a socketpair),
 * seen as coming from 127.0.0.1. Stop with server_embedded_stop. */
struct MHD_Daemon;
struct MHD_Daemon *server_embedded_start(struct app *app);
bool server_embedded_add(struct MHD_Daemon *d, int fd);
void server_embedded_stop(struct MHD_Daemon *d);

/* ---- for handlers ---- */
const char *req_query(struct req *r, const char *key);     /* URL-decoded, or NULL */
const char *req_header(struct req *r, const char *name);
const char *req_client_ip(struct req *r);                   /* numeric address, in the arena */
/* Parses the body as one JSON object; checks the Content-Type. Caller owns *out (json_decref). */
jk_status req_json(struct req *r, json_t **out, struct jk_err *e);

void reply_json(struct req *r, int status, json_t *body);   /* steals body */
void reply_err(struct req *r, jk_status st, const struct jk_err *e);
void reply_fail(struct req *r, jk_status st, const char *code, const char *msg, const char *field);
void reply_status(struct req *r, int status);               /* empty body, e.g. 204 */
void reply_text(struct req *r, int status, const char *ctype, char *body, size_t len); /* steals malloc'd body */
/* Sends `size` bytes of an open file as it is, without reading it into memory (takes the fd). */
void reply_fd(struct req *r, int status, const char *ctype, int fd, uint64_t size);
int jk_status_http(jk_status st);

#endif
