/* instrument.c: see instrument.h and docs/internals/instruments.md.
 *
 * Parsing resolves every name to an index once, so that checking a submission is a walk over
 * arrays. Invariants after a successful parse: item ids are unique; a choice or multi item's
 * options are a non-empty array of {value: integer|string, label} with distinct values; a
 * show_if names an earlier choice item and values among its options; every summed item is an
 * integer choice or a number; every condition's item exists and its value has a usable type;
 * every interval is positive and, with min_per_year, no longer than 12 / min_per_year months. */
#include "domain/instrument.h"
#include "base/arena.h"
#include "base/utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), false)

static bool only_keys(json_t *o, const char *const *allowed, const char *where, char *err, size_t errlen)
{
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    bool ok = false;
    for (int i = 0; allowed[i] && !ok; i++) ok = strcmp(k, allowed[i]) == 0;
    if (!ok) return FAIL("%s 有未知字段“%s”", where, k);
  }
  return true;
}

static bool valid_id(const char *s)
{
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 32) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return false;
  return true;
}

static const char *str_of(json_t *o, const char *key)
{
  json_t *v = json_object_get(o, key);
  return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : 0;
}

int instrument_item_index(const struct instrument *in, const char *id)
{
  for (int i = 0; id && i < in->nitems; i++)
    if (strcmp(in->items[i].id, id) == 0) return i;
  return -1;
}

static bool same_value(json_t *a, json_t *b)
{
  if (json_is_integer(a) && json_is_integer(b)) return json_integer_value(a) == json_integer_value(b);
  if (json_is_string(a) && json_is_string(b)) return strcmp(json_string_value(a), json_string_value(b)) == 0;
  return false;
}

static json_t *find_option(json_t *options, json_t *value)
{
  size_t i;
  json_t *o;
  json_array_foreach(options, i, o)
    if (same_value(json_object_get(o, "value"), value)) return o;
  return 0;
}

static bool parse_options(json_t *opts, json_t *sets, const char *item, json_t **out, char *err, size_t errlen)
{
  static const char *const keys[] = {"value", "label", 0};
  if (json_is_string(opts)) opts = json_object_get(sets, json_string_value(opts));
  if (!json_is_array(opts) || json_array_size(opts) == 0) return FAIL("题目 %s 的选项应为非空数组或已定义的选项集", item);
  size_t i;
  json_t *o;
  json_array_foreach(opts, i, o) {
    json_t *v = json_object_get(o, "value");
    if (!json_is_object(o) || !only_keys(o, keys, item, err, errlen)) return json_is_object(o) ? false : FAIL("题目 %s 的选项无效", item);
    if (!(json_is_integer(v) || (json_is_string(v) && json_string_length(v) > 0)) || !str_of(o, "label"))
      return FAIL("题目 %s 的第%zu个选项应有 value（整数或文字）和 label", item, i + 1);
    for (size_t j = 0; j < i; j++)
      if (same_value(json_object_get(json_array_get(opts, j), "value"), v)) return FAIL("题目 %s 的选项值重复", item);
  }
  *out = opts;
  return true;
}

static bool int_key(json_t *o, const char *key, int64_t *out, bool *present)
{
  json_t *v = json_object_get(o, key);
  *present = v != 0;
  if (!v) return true;
  if (!json_is_integer(v)) return false;
  *out = json_integer_value(v);
  return true;
}

static bool parse_item(struct instrument *in, json_t *j, int section, json_t *sets, char *err, size_t errlen)
{
  static const char *const keys[] = {"id", "text", "type", "options", "required", "hint", "show_if",
                                     "min", "max", "unit", "max_choices", 0};
  static const char *const types[] = {"choice", "multi", "number", "text", "date", "bool", 0};
  struct instr_item *it = &in->items[in->nitems];
  const char *id = str_of(j, "id"), *type = str_of(j, "type");
  if (!json_is_object(j) || !valid_id(id)) return FAIL("第%d题的 id 应为 1—32 位小写字母、数字或下划线", in->nitems + 1);
  if (!only_keys(j, keys, id, err, errlen)) return false;
  if (instrument_item_index(in, id) >= 0) return FAIL("题目 id “%s”重复", id);
  *it = (struct instr_item){.id = id, .text = str_of(j, "text"), .hint = str_of(j, "hint"), .unit = str_of(j, "unit"),
                            .section = section, .required = true, .show_if = -1, .max = 500};
  if (!it->text) return FAIL("题目 %s 缺少 text", id);
  int t = 0;
  while (types[t] && (!type || strcmp(types[t], type) != 0)) t++;
  if (!types[t]) return FAIL("题目 %s 的 type 应为 choice、multi、number、text、date 或 bool", id);
  it->type = (enum item_type)t;
  json_t *req = json_object_get(j, "required");
  if (req && !json_is_boolean(req)) return FAIL("题目 %s 的 required 应为 true 或 false", id);
  if (req) it->required = json_is_true(req);
  bool has_min, has_max, has_mc;
  int64_t mc = 0;
  if (!int_key(j, "min", &it->min, &has_min) || !int_key(j, "max", &it->max, &has_max) ||
      !int_key(j, "max_choices", &mc, &has_mc))
    return FAIL("题目 %s 的 min、max、max_choices 应为整数", id);
  if (it->type == IT_CHOICE || it->type == IT_MULTI) {
    if (!parse_options(json_object_get(j, "options"), sets, id, &it->options, err, errlen)) return false;
  } else if (json_object_get(j, "options")) {
    return FAIL("题目 %s 不是选择题，不应有 options", id);
  }
  if (it->type == IT_NUMBER && (!has_min || !has_max || it->min > it->max)) return FAIL("数字题 %s 须给出 min ≤ max", id);
  if (it->type == IT_TEXT && (has_min || it->max < 1 || it->max > 10000)) return FAIL("文字题 %s 的 max 应为 1—10000", id);
  if (it->type != IT_NUMBER && it->type != IT_TEXT && (has_min || has_max)) return FAIL("题目 %s 不应有 min/max", id);
  if (has_mc && (it->type != IT_MULTI || mc < 1)) return FAIL("题目 %s 的 max_choices 仅用于多选题且应 ≥ 1", id);
  it->max_choices = (int)mc;
  json_t *si = json_object_get(j, "show_if");
  if (si) {
    static const char *const si_keys[] = {"item", "in", 0};
    if (!json_is_object(si) || !only_keys(si, si_keys, id, err, errlen)) return json_is_object(si) ? false : FAIL("题目 %s 的 show_if 无效", id);
    it->show_if = instrument_item_index(in, str_of(si, "item"));
    it->show_in = json_object_get(si, "in");
    if (it->show_if < 0 || in->items[it->show_if].type != IT_CHOICE)
      return FAIL("题目 %s 的 show_if 应指向它前面的一道单选题", id);
    if (!json_is_array(it->show_in) || json_array_size(it->show_in) == 0) return FAIL("题目 %s 的 show_if.in 应为非空数组", id);
    size_t k;
    json_t *v;
    json_array_foreach(it->show_in, k, v)
      if (!find_option(in->items[it->show_if].options, v)) return FAIL("题目 %s 的 show_if 含有不存在的选项值", id);
  }
  in->nitems++;
  return true;
}

static bool parse_sections(struct instrument *in, char *err, size_t errlen)
{
  static const char *const keys[] = {"id", "title", "description", "signer", "items", 0};
  static const char *const signers[] = {"psychiatrist", "nurse", "therapist", "social_worker", "psychologist", "doctor", "other", 0};
  json_t *secs = json_object_get(in->def, "sections"), *sets = json_object_get(in->def, "option_sets");
  if (!json_is_array(secs) || json_array_size(secs) == 0 || json_array_size(secs) > 50) return FAIL("sections 应为 1—50 个分节");
  if (sets && !json_is_object(sets)) return FAIL("option_sets 应为对象");
  size_t total = 0, i;
  json_t *s;
  json_array_foreach(secs, i, s) {
    if (!json_is_object(s) || !json_is_array(json_object_get(s, "items"))) return FAIL("第%zu节应有 items 数组", i + 1);
    total += json_array_size(json_object_get(s, "items"));
  }
  if (total == 0 || total > 500) return FAIL("题目总数应为 1—500");
  in->sections = calloc(json_array_size(secs), sizeof *in->sections);
  in->items = calloc(total, sizeof *in->items);
  if (!in->sections || !in->items) return FAIL("内存不足");
  json_array_foreach(secs, i, s) {
    struct instr_section *sec = &in->sections[i];
    *sec = (struct instr_section){.id = str_of(s, "id"), .title = str_of(s, "title"),
                                  .description = str_of(s, "description"), .signer = str_of(s, "signer")};
    if (!valid_id(sec->id) || !sec->title) return FAIL("第%zu节应有 id 和 title", i + 1);
    if (!only_keys(s, keys, sec->id, err, errlen)) return false;
    for (size_t k = 0; k < i; k++)
      if (strcmp(in->sections[k].id, sec->id) == 0) return FAIL("分节 id “%s”重复", sec->id);
    if (json_object_get(s, "signer")) {
      int k = 0;
      while (signers[k] && (!sec->signer || strcmp(signers[k], sec->signer) != 0)) k++;
      if (!signers[k]) return FAIL("分节 %s 的 signer 应为 psychiatrist、nurse、therapist、social_worker、psychologist、doctor 或 other", sec->id);
    }
    in->nsections++;
    size_t k;
    json_t *item;
    json_array_foreach(json_object_get(s, "items"), k, item)
      if (!parse_item(in, item, (int)i, sets, err, errlen)) return false;
  }
  return true;
}

static bool integer_valued(const struct instr_item *it)
{
  if (it->type == IT_NUMBER) return true;
  if (it->type != IT_CHOICE) return false;
  size_t i;
  json_t *o;
  json_array_foreach(it->options, i, o)
    if (!json_is_integer(json_object_get(o, "value"))) return false;
  return true;
}

static bool parse_cond(struct instrument *in, json_t *j, const char *where, struct instr_cond *c, char *err, size_t errlen)
{
  static const char *const keys[] = {"item", "score", "op", "value", 0};
  static const char *const ops[] = {">", ">=", "<", "<=", "==", "!=", "in", 0};
  if (!json_is_object(j) || !only_keys(j, keys, where, err, errlen)) return json_is_object(j) ? false : FAIL("%s 的 when 应为对象", where);
  bool on_score = json_is_true(json_object_get(j, "score"));
  c->item = on_score ? -1 : instrument_item_index(in, str_of(j, "item"));
  if (on_score ? in->score == SCORE_NONE || json_object_get(j, "item") : c->item < 0)
    return FAIL("%s 的 when 应指向一道题（item）或总分（score: true，仅限有总分的量表）", where);
  const char *op = str_of(j, "op");
  int k = 0;
  while (ops[k] && (!op || strcmp(op, ops[k]) != 0)) k++;
  if (!ops[k]) return FAIL("%s 的 op 应为 >、>=、<、<=、==、!= 或 in", where);
  c->op = (enum cond_op)k;
  c->value = json_object_get(j, "value");
  bool numeric = on_score || integer_valued(&in->items[c->item]);
  if (c->op == OP_IN) {
    if (!json_is_array(c->value) || json_array_size(c->value) == 0) return FAIL("%s 的 in 需要非空数组", where);
  } else if (c->op == OP_EQ || c->op == OP_NE) {
    if (!json_is_integer(c->value) && !json_is_string(c->value)) return FAIL("%s 的 value 应为整数或文字", where);
  } else if (!numeric || !json_is_integer(c->value)) {
    return FAIL("%s 的大小比较只用于数值题或总分，value 应为整数", where);
  }
  return true;
}

static bool parse_score(struct instrument *in, char *err, size_t errlen)
{
  static const char *const keys[] = {"sum", "skip", "item", 0};
  json_t *s = json_object_get(in->def, "score");
  in->score_item = -1;
  if (!s) return true;
  if (!json_is_object(s) || !only_keys(s, keys, "score", err, errlen)) return json_is_object(s) ? false : FAIL("score 应为对象");
  json_t *sum = json_object_get(s, "sum");
  if (sum && !json_object_get(s, "item")) {
    if (!json_is_array(sum) || json_array_size(sum) == 0) return FAIL("score.sum 应为题目 id 的非空数组");
    in->sum = calloc(json_array_size(sum), sizeof *in->sum);
    if (!in->sum) return FAIL("内存不足");
    size_t i;
    json_t *v;
    json_array_foreach(sum, i, v) {
      int k = instrument_item_index(in, json_string_value(v));
      if (k < 0 || !integer_valued(&in->items[k])) return FAIL("score.sum 的第%zu项应为整数计分的题目", i + 1);
      for (int m = 0; m < in->nsum; m++)
        if (in->sum[m] == k) return FAIL("score.sum 中题目 %s 重复", in->items[k].id);
      in->sum[in->nsum++] = k;
    }
    in->skip = json_object_get(s, "skip");
    if (in->skip && !json_is_array(in->skip)) return FAIL("score.skip 应为数组");
    in->score = SCORE_SUM;
    return true;
  }
  if (sum || json_object_get(s, "skip")) return FAIL("score 应为 {\"sum\": [...], \"skip\": [...]} 或 {\"item\": id} 之一");
  in->score_item = instrument_item_index(in, str_of(s, "item"));
  if (in->score_item < 0 || !integer_valued(&in->items[in->score_item])) return FAIL("score.item 应为整数计分的题目");
  in->score = SCORE_ITEM;
  return true;
}

static bool parse_bands_flags(struct instrument *in, char *err, size_t errlen)
{
  static const char *const bkeys[] = {"id", "label", "min", "max", "when", 0}, *const fkeys[] = {"id", "label", "alert", "when", 0};
  json_t *bands = json_object_get(in->def, "bands"), *flags = json_object_get(in->def, "flags");
  if ((bands && !json_is_array(bands)) || (flags && !json_is_array(flags)) || json_array_size(flags) > INSTR_MAX_FLAGS)
    return FAIL("bands 应为数组，flags 应为最多%d项的数组", INSTR_MAX_FLAGS);
  in->bands = calloc(json_array_size(bands) + 1, sizeof *in->bands);
  in->flags = calloc(json_array_size(flags) + 1, sizeof *in->flags);
  if (!in->bands || !in->flags) return FAIL("内存不足");
  size_t i;
  json_t *j;
  json_array_foreach(bands, i, j) {
    struct instr_band *b = &in->bands[in->nbands];
    b->id = str_of(j, "id");
    b->label = str_of(j, "label");
    if (!json_is_object(j) || !valid_id(b->id) || !b->label) return FAIL("第%zu个分级应有 id 和 label", i + 1);
    if (!only_keys(j, bkeys, b->id, err, errlen)) return false;
    if (!int_key(j, "min", &b->min, &b->has_min) || !int_key(j, "max", &b->max, &b->has_max))
      return FAIL("分级 %s 的 min、max 应为整数", b->id);
    if ((b->has_min || b->has_max) && in->score == SCORE_NONE) return FAIL("分级 %s 按总分划分，但量表没有总分", b->id);
    b->has_when = json_object_get(j, "when") != 0;
    if (b->has_when && !parse_cond(in, json_object_get(j, "when"), b->id, &b->when, err, errlen)) return false;
    if (!b->has_min && !b->has_max && !b->has_when) return FAIL("分级 %s 应有 min、max 或 when", b->id);
    in->nbands++;
  }
  json_array_foreach(flags, i, j) {
    struct instr_flag *f = &in->flags[in->nflags];
    f->id = str_of(j, "id");
    f->label = str_of(j, "label");
    if (!json_is_object(j) || !valid_id(f->id) || !f->label) return FAIL("第%zu个标记应有 id 和 label", i + 1);
    if (!only_keys(j, fkeys, f->id, err, errlen)) return false;
    json_t *alert = json_object_get(j, "alert");
    if (alert && !json_is_boolean(alert)) return FAIL("标记 %s 的 alert 应为 true 或 false", f->id);
    f->alert = json_is_true(alert);
    if (!parse_cond(in, json_object_get(j, "when"), f->id, &f->when, err, errlen)) return false;
    in->nflags++;
  }
  return true;
}

static bool parse_interval(json_t *j, struct instr_interval *iv, int min_per_year, const char *where, char *err, size_t errlen)
{
  static const char *const keys[] = {"days", "months", 0};
  json_t *d = json_object_get(j, "days"), *m = json_object_get(j, "months");
  if (!json_is_object(j) || !only_keys(j, keys, where, err, errlen) || (d && m) || (!d && !m) ||
      !json_is_integer(d ? d : m) || json_integer_value(d ? d : m) < 1 || json_integer_value(d ? d : m) > (d ? 730 : 24))
    return err[0] ? false : FAIL("%s 的间隔应为 {\"days\": 1—730} 或 {\"months\": 1—24}", where);
  iv->days = d ? (int)json_integer_value(d) : 0;
  iv->months = m ? (int)json_integer_value(m) : 0;
  /* At least min_per_year visits a year: no interval longer than a year divided by that. */
  if (min_per_year > 0 && (iv->months * min_per_year > 12 || iv->days * min_per_year > 365))
    return FAIL("%s 的间隔超过了每年至少%d次的要求", where, min_per_year);
  return true;
}

static bool parse_schedule(struct instrument *in, char *err, size_t errlen)
{
  static const char *const keys[] = {"due", "by_item", "intervals", "default", "min_per_year", 0};
  json_t *s = json_object_get(in->def, "schedule");
  in->by_item = -1;
  if (!s) return true;
  if (!json_is_object(s) || !only_keys(s, keys, "schedule", err, errlen)) return json_is_object(s) ? false : FAIL("schedule 应为对象");
  in->due = str_of(s, "due");
  if (!valid_id(in->due)) return FAIL("schedule.due 应为到期的评估工具 id");
  int64_t mpy = 0;
  bool has;
  if (!int_key(s, "min_per_year", &mpy, &has) || mpy < 0 || mpy > 52) return FAIL("schedule.min_per_year 应为 0—52");
  if (!parse_interval(json_object_get(s, "default"), &in->default_interval, (int)mpy, "schedule.default", err, errlen))
    return false;
  if (!json_object_get(s, "by_item") && !json_object_get(s, "intervals")) return true;
  in->by_item = instrument_item_index(in, str_of(s, "by_item"));
  in->intervals = json_object_get(s, "intervals");
  if (in->by_item < 0 || in->items[in->by_item].type != IT_CHOICE || !json_is_object(in->intervals))
    return FAIL("schedule.by_item 应为单选题，intervals 应为对象");
  const char *k;
  json_t *v;
  json_object_foreach(in->intervals, k, v) {
    struct instr_interval iv;
    bool known = false;
    size_t i;
    json_t *o;
    json_array_foreach(in->items[in->by_item].options, i, o) {
      json_t *ov = json_object_get(o, "value");
      char text[32];
      if (json_is_integer(ov)) snprintf(text, sizeof text, "%lld", (long long)json_integer_value(ov));
      known |= strcmp(json_is_integer(ov) ? text : json_string_value(ov), k) == 0;
    }
    if (!known) return FAIL("schedule.intervals 的键“%s”不是 %s 的选项值", k, in->items[in->by_item].id);
    if (!parse_interval(v, &iv, (int)mpy, "schedule.intervals", err, errlen)) return false;
  }
  return true;
}

/* Error messages quote ids and parser text from the definition and may be cut short by the
 * buffer: keep them clean UTF-8 for the log (a control character becomes '?', a character cut
 * in half or malformed ends the message). Found by tests/fuzz/fuzz_instrument. */
static void clean_message(char *s)
{
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 1) {
      if (c < 0x20 || c == 0x7f) s[i] = '?';
      i++;
      continue;
    }
    char one[5] = {0};
    if (len) memcpy(one, s + i, i + len <= n ? len : 0);
    if (!len || i + len > n || !utf8_clean(one)) {
      s[i] = 0;
      return;
    }
    i += len;
  }
}

jk_status instrument_parse(const char *json, struct instrument **out, char *err, size_t errlen)
{
  static const char *const keys[] = {"id", "version", "name", "short", "kind", "description", "period", "option_sets",
                                     "sections", "score", "bands", "flags", "schedule", "outcome_item", 0};
  err[0] = 0;
  *out = 0;
  json_error_t je;
  json_t *def = json_loads(json, JSON_REJECT_DUPLICATES, &je);
  if (!def) return snprintf(err, errlen, "JSON 无效（第%d行）：%s", je.line, je.text), clean_message(err), JK_EINVAL;
  struct instrument *in = calloc(1, sizeof *in);
  if (!in) return json_decref(def), snprintf(err, errlen, "内存不足"), JK_EINTERNAL;
  in->def = def;
  in->outcome_item = -1;
  in->id = str_of(def, "id");
  in->name = str_of(def, "name");
  in->short_name = str_of(def, "short");
  in->kind = str_of(def, "kind");
  in->description = str_of(def, "description");
  in->period = str_of(def, "period");
  json_t *ver = json_object_get(def, "version");
  bool ok = json_is_object(def) && only_keys(def, keys, "评估工具", err, errlen);
  if (ok && (!valid_id(in->id) || !in->name)) ok = FAIL("评估工具应有 id（小写字母、数字、下划线）和 name");
  if (ok && (!json_is_integer(ver) || json_integer_value(ver) < 1 || json_integer_value(ver) > 100000)) ok = FAIL("version 应为正整数");
  if (ok && (!in->kind || (strcmp(in->kind, "scale") != 0 && strcmp(in->kind, "form") != 0))) ok = FAIL("kind 应为 scale 或 form");
  in->version = ok ? (int)json_integer_value(ver) : 0;
  ok = ok && parse_sections(in, err, errlen) && parse_score(in, err, errlen) && parse_bands_flags(in, err, errlen) &&
       parse_schedule(in, err, errlen);
  if (ok && json_object_get(def, "outcome_item")) {
    in->outcome_item = instrument_item_index(in, str_of(def, "outcome_item"));
    if (in->outcome_item < 0 || in->items[in->outcome_item].type != IT_CHOICE) ok = FAIL("outcome_item 应为单选题");
  }
  if (!ok) {
    if (!err[0]) snprintf(err, errlen, "评估工具定义无效");
    clean_message(err);
    instrument_free(in);
    return JK_EINVAL;
  }
  *out = in;
  return JK_OK;
}

void instrument_free(struct instrument *in)
{
  if (!in) return;
  free(in->sections);
  free(in->items);
  free(in->sum);
  free(in->bands);
  free(in->flags);
  json_decref(in->def);
  free(in);
}

const char *instrument_option_label(const struct instrument *in, int i, json_t *value)
{
  if (i < 0 || i >= in->nitems || !in->items[i].options) return 0;
  json_t *o = find_option(in->items[i].options, value);
  return o ? json_string_value(json_object_get(o, "label")) : 0;
}

/* ---- checking and scoring ---- */

static jk_status bad_answer(struct arena *a, struct jk_err *e, const struct instr_item *it, const char *why)
{
  return jk_fail(e, JK_EINVAL, "invalid_answer", arena_printf(a, "“%s”%s", it->text, why),
                 arena_printf(a, "answers.%s", it->id));
}

static bool shown(const struct instrument *in, const struct instr_item *it, json_t *answers)
{
  if (it->show_if < 0) return true;
  const struct instr_item *gov = &in->items[it->show_if];
  if (!shown(in, gov, answers)) return false;
  json_t *v = json_object_get(answers, gov->id), *x;
  size_t i;
  json_array_foreach(it->show_in, i, x)
    if (v && same_value(v, x)) return true;
  return false;
}

static jk_status check_value(const struct instr_item *it, json_t *v, struct arena *a, struct jk_err *e)
{
  size_t i, n = 0;
  json_t *x;
  switch (it->type) {
  case IT_CHOICE:
    return find_option(it->options, v) ? JK_OK : bad_answer(a, e, it, "的回答不是可选项之一");
  case IT_MULTI:
    if (!json_is_array(v)) return bad_answer(a, e, it, "应为所选项的数组");
    json_array_foreach(v, i, x) {
      if (!find_option(it->options, x)) return bad_answer(a, e, it, "含有不是可选项的值");
      for (size_t k = 0; k < i; k++)
        if (same_value(json_array_get(v, k), x)) return bad_answer(a, e, it, "含有重复的选项");
      n++;
    }
    if (it->max_choices && n > (size_t)it->max_choices) return bad_answer(a, e, it, arena_printf(a, "最多选%d项", it->max_choices));
    return JK_OK;
  case IT_NUMBER:
    if (!json_is_integer(v) || json_integer_value(v) < it->min || json_integer_value(v) > it->max)
      return bad_answer(a, e, it, arena_printf(a, "应为%lld—%lld的整数", (long long)it->min, (long long)it->max));
    return JK_OK;
  case IT_TEXT: {
    if (!json_is_string(v)) return bad_answer(a, e, it, "应为文字");
    const char *s = json_string_value(v);
    size_t chars = 0, blank = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
      if ((*p & 0xC0) != 0x80) chars++;
      if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') blank = 0;
    }
    if (blank) return bad_answer(a, e, it, "不能为空白");
    if (chars > (size_t)it->max) return bad_answer(a, e, it, arena_printf(a, "不能超过%lld字", (long long)it->max));
    return JK_OK;
  }
  case IT_DATE: {
    struct jk_date d;
    return json_is_string(v) && date_parse(json_string_value(v), &d) ? JK_OK : bad_answer(a, e, it, "应为日期（YYYY-MM-DD）");
  }
  case IT_BOOL:
    return json_is_boolean(v) ? JK_OK : bad_answer(a, e, it, "应为是或否");
  }
  return JK_EINTERNAL;
}

static bool in_list(json_t *list, json_t *v)
{
  size_t i;
  json_t *x;
  json_array_foreach(list, i, x)
    if (same_value(x, v)) return true;
  return false;
}

static bool compare(int64_t a, enum cond_op op, int64_t b)
{
  switch (op) {
  case OP_GT: return a > b;
  case OP_GE: return a >= b;
  case OP_LT: return a < b;
  case OP_LE: return a <= b;
  case OP_EQ: return a == b;
  case OP_NE: return a != b;
  case OP_IN: return false;
  }
  return false;
}

/* A condition on an item that was not answered (or does not apply) does not hold. */
static bool holds(const struct instrument *in, const struct instr_cond *c, json_t *answers, const struct instr_result *res)
{
  if (c->item < 0) {
    if (!res->has_score) return false;
    if (c->op == OP_IN) {
      json_t *n = json_integer(res->score);
      bool r = in_list(c->value, n);
      json_decref(n);
      return r;
    }
    return json_is_integer(c->value) && compare(res->score, c->op, json_integer_value(c->value));
  }
  json_t *v = json_object_get(answers, in->items[c->item].id), *x;
  if (!v || json_is_null(v)) return false;
  if (json_is_array(v)) { /* multi: holds when any chosen value does */
    size_t i;
    json_array_foreach(v, i, x) {
      bool r = c->op == OP_IN ? in_list(c->value, x) : c->op == OP_EQ ? same_value(x, c->value) : false;
      if (r) return true;
    }
    return c->op == OP_NE && !in_list(v, c->value);
  }
  if (c->op == OP_IN) return in_list(c->value, v);
  if (c->op == OP_EQ) return same_value(v, c->value);
  if (c->op == OP_NE) return !same_value(v, c->value);
  return json_is_integer(v) && json_is_integer(c->value) && compare(json_integer_value(v), c->op, json_integer_value(c->value));
}

jk_status instrument_check(const struct instrument *in, json_t *answers, struct arena *a, struct instr_result *res,
                           struct jk_err *e)
{
  *res = (struct instr_result){0};
  if (!json_is_object(answers)) return jk_fail(e, JK_EINVAL, "invalid_field", "answers 应为对象（题目 id → 回答）", "answers");
  const char *k;
  json_t *v;
  json_object_foreach(answers, k, v)
    if (instrument_item_index(in, k) < 0)
      return jk_fail(e, JK_EINVAL, "unknown_item", arena_printf(a, "%s 没有题目“%.32s”", in->name, k), "answers");
  for (int i = 0; i < in->nitems; i++) {
    const struct instr_item *it = &in->items[i];
    v = json_object_get(answers, it->id);
    bool given = v && !json_is_null(v);
    if (!shown(in, it, answers)) {
      if (given) return bad_answer(a, e, it, "在当前回答下不适用，不应填写");
      continue;
    }
    if (!given) {
      if (it->required) return jk_fail(e, JK_EINVAL, "missing_answer", arena_printf(a, "请回答：%s", it->text),
                                        arena_printf(a, "answers.%s", it->id));
      continue;
    }
    jk_status st = check_value(it, v, a, e);
    if (st != JK_OK) return st;
  }
  if (in->score == SCORE_SUM) {
    res->has_score = true;
    for (int i = 0; i < in->nsum; i++) {
      v = json_object_get(answers, in->items[in->sum[i]].id);
      if (json_is_integer(v) && !in_list(in->skip, v)) res->score += json_integer_value(v);
    }
  } else if (in->score == SCORE_ITEM) {
    v = json_object_get(answers, in->items[in->score_item].id);
    res->has_score = json_is_integer(v);
    res->score = json_integer_value(v);
  }
  for (int i = 0; i < in->nbands && !res->band; i++) {
    const struct instr_band *b = &in->bands[i];
    if ((b->has_min || b->has_max) && !res->has_score) continue;
    if ((b->has_min && res->score < b->min) || (b->has_max && res->score > b->max)) continue;
    if (b->has_when && !holds(in, &b->when, answers, res)) continue;
    res->band = b;
  }
  for (int i = 0; i < in->nflags; i++)
    if (holds(in, &in->flags[i].when, answers, res)) {
      res->flags[res->nflags++] = &in->flags[i];
      res->alert |= in->flags[i].alert;
    }
  if (in->outcome_item >= 0 && (v = json_object_get(answers, in->items[in->outcome_item].id))) {
    res->outcome = json_is_string(v) ? arena_strdup(a, json_string_value(v))
                                     : arena_printf(a, "%lld", (long long)json_integer_value(v));
  }
  return JK_OK;
}

bool instrument_next_due(const struct instrument *in, json_t *answers, struct jk_date date, struct jk_date *due)
{
  if (!in->due) return false;
  struct instr_interval iv = in->default_interval;
  json_t *v = in->by_item >= 0 ? json_object_get(answers, in->items[in->by_item].id) : 0;
  if (v && (json_is_integer(v) || json_is_string(v))) {
    char key[32];
    if (json_is_integer(v)) snprintf(key, sizeof key, "%lld", (long long)json_integer_value(v));
    json_t *j = json_object_get(in->intervals, json_is_integer(v) ? key : json_string_value(v));
    if (j) {
      json_t *d = json_object_get(j, "days");
      iv = (struct instr_interval){.days = d ? (int)json_integer_value(d) : 0,
                                   .months = d ? 0 : (int)json_integer_value(json_object_get(j, "months"))};
    }
  }
  *due = iv.months ? date_add_months(date, iv.months) : date_from_days(date_to_days(date) + iv.days);
  return true;
}

jk_status instrument_set_add(struct instrument_set *s, struct instrument *in)
{
  if (s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : 16;
    struct instrument **v = realloc(s->v, (size_t)cap * sizeof *v);
    if (!v) return instrument_free(in), JK_EINTERNAL;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = in;
  return JK_OK;
}

const struct instrument *instrument_find(const struct instrument_set *s, const char *id, int version)
{
  const struct instrument *best = 0;
  for (int i = 0; s && id && i < s->n; i++) {
    const struct instrument *in = s->v[i];
    if (strcmp(in->id, id) != 0) continue;
    if (version ? in->version == version : !best || in->version > best->version) best = in;
  }
  return best;
}

void instrument_set_clear(struct instrument_set *s)
{
  for (int i = 0; i < s->n; i++) instrument_free(s->v[i]);
  free(s->v);
  *s = (struct instrument_set){0};
}
