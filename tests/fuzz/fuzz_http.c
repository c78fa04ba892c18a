/* fuzz_http: the whole HTTP request path — libmicrohttpd's parser, the router, authentication,
 * CSRF and every handler — with the input as the raw bytes of one connection (fz.h). Markers
 * such as @SESSION@ / @CSRF@ (a county official), @S0@..@S6@ / @C0@..@C6@ (each demo account)
 * and @CLIENT@ (a sample id) are replaced first, so inputs reach what needs a login. */
#include "fz.h"
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fz_http_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > (1u << 20) + 4096) return 0;
  size_t n;
  char *req = fz_substitute(data, size, &n);
  fz_http_exchange(req, n, 0, 0);
  free(req);
  fz_http_after();
  return 0;
}
