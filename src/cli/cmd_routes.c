/* cmd_routes.c: `jingkang routes` — prints the route table (api/routes.c) as JSON, one object
 * per route: {"method", "pattern", "public"}. The authorization matrix test
 * (tests/api/authz.test.mjs) reads it so that no endpoint can escape the matrix. Needs no data
 * directory. */
#include "cli/cli.h"
#include "http/server.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_routes(const struct cli_opts *o)
{
  if (o->argc != 0) {
    fprintf(stderr, "用法: jingkang routes\n");
    return 2;
  }
  json_t *list = json_array();
  for (int i = 0; list && i < jk_nroutes; i++) {
    json_t *r = json_pack("{s:s,s:s,s:b}", "method", jk_routes[i].method, "pattern", jk_routes[i].pattern, "public",
                          (jk_routes[i].flags & ROUTE_PUBLIC) != 0);
    if (!r || json_array_append_new(list, r) != 0) {
      json_decref(list);
      list = 0;
    }
  }
  char *s = list ? json_dumps(list, JSON_INDENT(1)) : 0;
  json_decref(list);
  if (!s) {
    fputs("jingkang: 内存不足\n", stderr);
    return 1;
  }
  int ok = puts(s) >= 0 && fflush(stdout) == 0;
  free(s);
  return ok ? 0 : 1;
}
