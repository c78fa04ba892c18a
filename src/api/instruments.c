/* instruments.c: GET /instruments and /instruments/{id} — the loaded assessment instruments
 * (domain/instrument.h) in the shape a form needs: items in order, each with its id, type and
 * allowed answers (option sets expanded), the sections with who must sign them, and the
 * scoring rules as written in the definition, so that the UI can show a live score. The
 * registry is read-only while the server runs (cli_load_instruments). */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "domain/instrument.h"
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"choice", "multi", "number", "text", "date", "bool"};

static void set_str(json_t *o, const char *k, const char *v)
{
  if (v) json_object_set_new(o, k, json_string(v));
}

static json_t *item_json(const struct instrument *in, const struct instr_item *it)
{
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", it->id, "text", it->text, "type", type_names[it->type],
                        "section", in->sections[it->section].id, "required", it->required);
  set_str(o, "hint", it->hint);
  set_str(o, "unit", it->unit);
  if (it->options) json_object_set_new(o, "options", json_deep_copy(it->options));
  if (it->type == IT_NUMBER) {
    json_object_set_new(o, "min", json_integer(it->min));
    json_object_set_new(o, "max", json_integer(it->max));
  }
  if (it->type == IT_TEXT) json_object_set_new(o, "max", json_integer(it->max));
  if (it->max_choices) json_object_set_new(o, "max_choices", json_integer(it->max_choices));
  if (it->show_if >= 0)
    json_object_set_new(o, "show_if", json_pack("{s:s,s:O}", "item", in->items[it->show_if].id, "in", it->show_in));
  return o;
}

static json_t *summary_json(const struct instrument *in)
{
  json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:i,s:b}", "id", in->id, "version", in->version, "name", in->name, "kind",
                        in->kind, "item_count", in->nitems, "scored", in->score != SCORE_NONE);
  set_str(o, "short", in->short_name);
  if (in->due) json_object_set_new(o, "schedules", json_string(in->due));
  return o;
}

json_t *instrument_json(const struct instrument *in)
{
  json_t *o = summary_json(in), *sections = json_array(), *items = json_array();
  set_str(o, "description", in->description);
  set_str(o, "period", in->period);
  for (int i = 0; i < in->nsections; i++) {
    const struct instr_section *s = &in->sections[i];
    json_t *j = json_pack("{s:s,s:s}", "id", s->id, "title", s->title);
    set_str(j, "description", s->description);
    set_str(j, "signer", s->signer);
    json_array_append_new(sections, j);
  }
  for (int i = 0; i < in->nitems; i++) json_array_append_new(items, item_json(in, &in->items[i]));
  json_object_set_new(o, "sections", sections);
  json_object_set_new(o, "items", items);
  static const char *const rules[] = {"score", "bands", "flags", "schedule", "outcome_item"};
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    json_t *v = json_object_get(in->def, rules[i]);
    if (v) json_object_set_new(o, rules[i], json_deep_copy(v));
  }
  return o;
}

void api_instruments_list(struct req *r)
{
  const struct instrument_set *set = &r->app->instruments;
  json_t *items = json_array();
  for (int i = 0; i < set->n; i++)
    if (instrument_find(set, set->v[i]->id, 0) == set->v[i]) json_array_append_new(items, summary_json(set->v[i]));
  reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_instrument_get(struct req *r)
{
  const char *v = req_query(r, "version");
  char *end = 0;
  long version = v ? strtol(v, &end, 10) : 0;
  if (v && (!*v || *end || version < 1 || version > 100000)) return reply_fail(r, JK_EINVAL, "invalid_query", "version 应为正整数", "version");
  const struct instrument *in = instrument_find(&r->app->instruments, r->params[0], (int)version);
  if (!in) return reply_fail(r, JK_ENOTFOUND, "not_found", "没有这个评估工具", 0);
  reply_json(r, 200, instrument_json(in));
}
