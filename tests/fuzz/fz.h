/* fz.h: what the HTTP fuzzers (fuzz_http, fuzz_api_write) share, in fz_http.c.
 *
 * fz_http_init starts the real server in-process (server_embedded_start, one MHD thread, no
 * listening socket) on a private copy of a prepared demo data directory: $JK_FUZZ_TEMPLATE,
 * default build/fuzz/template/data (scripts/fuzz.sh makes it with `jingkang demo`). It creates
 * a session for each demo account directly in the database and learns a sample id of each
 * kind of object through the API. fz_http_exchange then sends one raw request over one end of
 * a socketpair handed to MHD_add_connection and reads the answer. */
#ifndef JK_FZ_H
#define JK_FZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The accounts that get a session, in the order of the markers @S0@..@S6@ / @C0@..@C6@. */
#define FZ_NUSERS 7
extern const char *const fz_users[FZ_NUSERS];

void fz_http_init(void);
/* The session cookie value / CSRF token of account i. */
const char *fz_cookie(int i);
const char *fz_csrf(int i);
/* A sample id for a path parameter: "client", "org", "referral", "staff", "user", "assessment",
 * "alert", "service", "webhook", "member" ("" when the demo has none). */
const char *fz_sample(const char *kind);
/* Replaces the markers in (data, n): @SESSION@ / @CSRF@ (county_official), @Sk@ / @Ck@ (account
 * k), @CLIENT@, @ORG@, @REFERRAL@, @STAFF@, @USER@, @ASSESSMENT@, @ALERT@, @SERVICE@. Returns a
 * malloc'd buffer, length in *out_n. */
char *fz_substitute(const uint8_t *data, size_t n, size_t *out_n);
/* Sends req (a raw HTTP request), reads one answer; returns its status (0: none, e.g. the
 * server closed on a malformed request). The body (NUL-terminated, truncated to cap-1) goes to
 * body when body is not NULL. */
int fz_http_exchange(const char *req, size_t n, char *body, size_t cap);
/* Call after each input: every 32 inputs, renews sessions the input may have ended. */
void fz_http_after(void);

#endif
