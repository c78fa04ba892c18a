/* regions.c: GET /regions/{code}, GET /regions?parent= | ?q= — public data (the divisions are
 * published by the National Bureau of Statistics), so no login is needed. */
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "domain/region_code.h"
#include "store/region_store.h"
#include <string.h>

static json_t *region_json(const struct region *g)
{
  json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "code", g->code, "name", g->name, "level",
                        region_level_name((enum region_level)g->level), "has_children", g->has_children);
  json_object_set_new(o, "parent", g->parent ? json_string(g->parent) : json_null());
  if (g->path_name) json_object_set_new(o, "path_name", json_string(g->path_name));
  return o;
}

void api_region_get(struct req *r)
{
  char code[13];
  if (!region_code_normalize(r->params[0], code))
    return (void)bad_field(r, "code", "行政区划代码格式错误（应为2、4、6、9或12位数字）");
  struct region g;
  jk_status st = region_store_get(r->db, r->a, code, &g);
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "行政区划代码不存在", "code");
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *o = region_json(&g), *path = json_array();
  struct region cur = g;
  json_array_insert_new(path, 0, json_pack("{s:s,s:s,s:s}", "code", cur.code, "name", cur.name, "level",
                                           region_level_name((enum region_level)cur.level)));
  while (cur.parent && region_store_get(r->db, r->a, cur.parent, &cur) == JK_OK)
    json_array_insert_new(path, 0, json_pack("{s:s,s:s,s:s}", "code", cur.code, "name", cur.name, "level",
                                             region_level_name((enum region_level)cur.level)));
  json_object_set_new(o, "path", path);
  json_object_set_new(o, "path_name", json_string(""));
  const char *pn = "";
  for (size_t i = 0; i < json_array_size(path); i++)
    pn = arena_printf(r->a, "%s%s%s", pn, i ? "/" : "", json_string_value(json_object_get(json_array_get(path, i), "name")));
  json_object_set_new(o, "path_name", json_string(pn));
  reply_json(r, 200, o);
}

void api_regions_list(struct req *r)
{
  const char *parent = req_query(r, "parent"), *q = req_query(r, "q"), *within = req_query(r, "within");
  struct region *v;
  int64_t n;
  jk_status st;
  if (q) {
    size_t len = strlen(q);
    if (len == 0 || len > 60) return (void)bad_field(r, "q", "查询名称应为1到20个字");
    const char *w = 0;
    if (!region_param(r, within, "within", false, &w)) return;
    st = region_store_search(r->db, r->a, q, w, 50, &v, &n);
  } else {
    const char *p = 0;
    if (!region_param(r, parent, "parent", false, &p)) return;
    st = region_store_children(r->db, r->a, p, &v, &n);
  }
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *items = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(items, region_json(&v[i]));
  reply_json(r, 200, json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)n));
}
