/* fuzz_api_write: every JSON write endpoint. Input byte 0 picks one of the POST/PUT/PATCH routes
 * of jk_routes (path parameters filled with sample ids of the demo data, or a referral action),
 * byte 1 the demo account that sends it (fz.h: every role, so both refusals and the handlers'
 * validation are reached), the rest is the JSON body, sent with a valid session and CSRF
 * token. Each response must be a well-formed HTTP answer with a JSON body that parses. */
#include "fz.h"
#include "domain/referral.h"
#include "http/server.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int writes[128], nwrites;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fz_http_init();
  for (int i = 0; i < jk_nroutes && nwrites < 128; i++) {
    const char *m = jk_routes[i].method;
    if (strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) writes[nwrites++] = i;
  }
  return 0;
}

/* The route's pattern with each {param} replaced. */
static void fill(const char *pat, unsigned sel, char *out, size_t cap)
{
  size_t len = 0;
  const char *prev = "";
  while (*pat && len + 80 < cap) {
    if (*pat != '{') {
      if (*pat == '/') {
        const char *next = strchr(pat + 1, '/');
        if (next && next[1] == '{') prev = pat + 1; /* the collection before a parameter */
      }
      out[len++] = *pat++;
      continue;
    }
    const char *end = strchr(pat, '}');
    size_t pn = (size_t)(end - pat - 1);
    const char *v = "x";
    char tmp[16];
    if (strncmp(pat + 1, "action", pn) == 0) v = ref_action_name((enum ref_action)(sel % RA_EXPIRE));
    else if (strncmp(pat + 1, "member", pn) == 0) v = fz_sample("member");
    else if (strncmp(pat + 1, "region", pn) == 0) v = sel & 1 ? "510421" : "5104";
    else if (strncmp(pat + 1, "year", pn) == 0) snprintf(tmp, sizeof tmp, "%u", 2024 + sel % 4), v = tmp;
    else if (strncmp(prev, "clients/", 8) == 0) v = fz_sample("client");
    else if (strncmp(prev, "organizations/", 14) == 0) v = fz_sample("org");
    else if (strncmp(prev, "referrals/", 10) == 0) v = fz_sample("referral");
    else if (strncmp(prev, "staff/", 6) == 0) v = fz_sample("staff");
    else if (strncmp(prev, "users/", 6) == 0) v = fz_sample("user");
    else if (strncmp(prev, "assessments/", 12) == 0) v = fz_sample("assessment");
    else if (strncmp(prev, "alerts/", 7) == 0) v = fz_sample("alert");
    else if (strncmp(prev, "webhooks/", 9) == 0) v = fz_sample("webhook");
    len += (size_t)snprintf(out + len, cap - len, "%s", v);
    pat = end + 1;
  }
  out[len] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2 || size > (1u << 20)) return 0;
  const struct route *rt = &jk_routes[writes[data[0] % nwrites]];
  int user = data[1] % FZ_NUSERS;
  char path[512];
  fill(rt->pattern, data[0] / (unsigned)nwrites, path, sizeof path);
  size_t blen;
  char *body = fz_substitute(data + 2, size - 2, &blen);
  char head[1024];
  int hl = snprintf(head, sizeof head,
                    "%s %s HTTP/1.1\r\nHost: fuzz\r\nCookie: jk_session=%s\r\nX-CSRF-Token: %s\r\n"
                    "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                    rt->method, path, fz_cookie(user), fz_csrf(user), blen);
  char *req = malloc((size_t)hl + blen);
  if (!req) abort();
  memcpy(req, head, (size_t)hl);
  memcpy(req + hl, body, blen);
  static char resp[1 << 16];
  int st = fz_http_exchange(req, (size_t)hl + blen, resp, sizeof resp);
  /* every answer of the API is JSON (or empty), and a 500 is a handler that failed */
  json_t *j = resp[0] && strlen(resp) < sizeof resp - 1 ? json_loads(resp, JSON_DECODE_ANY, 0) : 0;
  bool not_json = resp[0] && strlen(resp) < sizeof resp - 1 && !j;
  json_decref(j);
  if (st == 0 || not_json || st == 500) {
    fprintf(stderr, "fuzz_api_write: %s %s answered %d: %.300s\n", rt->method, path, st, resp);
    abort();
  }
  free(req);
  free(body);
  fz_http_after();
  return 0;
}
