/* indicator_rows.c: the indicator tables as rows of text, shared by the synchronous exports
 * (api/indicator_export.c) and the export jobs (api/export_worker.c): the summary, the tables by
 * sub-region, institution or month, the definitions sheet, the sheet writer, and the
 * de-identified extract line. Moved here unchanged from indicator_export.c (plus the report's
 * list of sheets, report_tables). Strings are built in the request arena. */
#include "api/indicator_rows.h"
#include "api/app.h"
#include "api/common.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/disability.h"
#include "sec/crypto.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num_text(struct req *r, json_t *v, bool percent)
{
  if (json_is_integer(v)) return arena_printf(r->a, "%lld", (long long)json_integer_value(v));
  if (json_is_real(v)) return arena_printf(r->a, percent ? "%.1f" : "%g", json_real_value(v));
  return 0;
}

static const char *met_text(json_t *o)
{
  json_t *met = json_object_get(o, "met");
  return json_is_true(met) ? "达标" : json_is_false(met) ? "未达标" : 0;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- tables from the JSON answers ---- */

void summary_table(struct req *r, json_t *all, struct table *t)
{
  static const struct xlsx_col cols[] = {
    {"指标", 34, false}, {"数值", 10, true}, {"单位", 6, false}, {"目标（%）", 10, true}, {"是否达标", 9, false},
    {"分子", 10, true}, {"分子口径", 34, false}, {"分母", 10, true}, {"分母口径", 30, false}};
  json_t *list = json_object_get(all, "indicators");
  *t = (struct table){"汇总", "精神障碍社区康复服务主要指标", cols, 9, (int)json_array_size(list), 0, 0};
  t->cells = arena_alloc(r->a, (size_t)(t->nrows ? t->nrows : 1) * 9 * sizeof *t->cells);
  for (int i = 0; i < t->nrows; i++) {
    json_t *x = json_array_get(list, (size_t)i);
    bool pct = strcmp(str(x, "unit"), "percent") == 0;
    const char **c = &t->cells[i * 9];
    c[0] = str(x, "name");
    c[1] = num_text(r, json_object_get(x, "value"), pct);
    c[2] = pct ? "%" : "人";
    c[3] = num_text(r, json_object_get(x, "target"), false);
    c[4] = met_text(x);
    c[5] = num_text(r, json_object_get(x, "numerator"), false);
    c[6] = str(x, "numerator_label");
    c[7] = pct ? num_text(r, json_object_get(x, "denominator"), false) : 0;
    c[8] = pct ? str(x, "denominator_label") : 0;
  }
}

void rows_table(struct req *r, json_t *one, const char *by, struct table *t)
{
  static const struct xlsx_col child_cols[] = {{"区划代码", 14, false}, {"地区", 22, false}, {"分子", 10, true},
                                                {"分母", 10, true}, {"数值（%）", 10, true}, {"目标（%）", 10, true},
                                                {"是否达标", 9, false}};
  static const struct xlsx_col org_cols[] = {{"机构", 30, false}, {"所在区划", 14, false}, {"分子", 10, true},
                                              {"分母", 10, true}, {"数值（%）", 10, true}, {"目标（%）", 10, true},
                                              {"是否达标", 9, false}};
  static const struct xlsx_col month_cols[] = {{"月份", 10, false}, {"", 2, false}, {"分子", 10, true},
                                                {"分母", 10, true}, {"数值（%）", 10, true}, {"目标（%）", 10, true},
                                                {"是否达标", 9, false}};
  json_t *ind = json_object_get(one, "indicator"), *rows = json_object_get(one, "rows");
  bool pct = strcmp(str(ind, "unit"), "percent") == 0;
  const char *what = by[0] == 'c' ? "下级地区" : by[0] == 'o' ? "机构" : "月度";
  *t = (struct table){arena_printf(r->a, "%s", what), arena_printf(r->a, "%s（按%s）", str(ind, "name"), what),
                      by[0] == 'c' ? child_cols : by[0] == 'o' ? org_cols : month_cols, 7, (int)json_array_size(rows), 0, 0};
  t->cells = arena_alloc(r->a, (size_t)(t->nrows ? t->nrows : 1) * 7 * sizeof *t->cells);
  for (int i = 0; i < t->nrows; i++) {
    json_t *x = json_array_get(rows, (size_t)i);
    const char **c = &t->cells[i * 7];
    c[0] = by[0] == 'c' ? str(x, "code") : by[0] == 'o' ? str(x, "name") : str(x, "month");
    c[1] = by[0] == 'c' ? str(x, "name") : by[0] == 'o' ? str(x, "region") : 0;
    c[2] = num_text(r, json_object_get(x, "numerator"), false);
    c[3] = pct ? num_text(r, json_object_get(x, "denominator"), false) : 0;
    c[4] = num_text(r, json_object_get(x, "value"), pct);
    c[5] = num_text(r, json_object_get(x, "target"), false);
    c[6] = met_text(x);
  }
}

static const char *targets_text(struct req *r, const struct indicator_def *d)
{
  if (d->target_all_years >= 0) return arena_printf(r->a, "每年 %d%%", d->target_all_years);
  if (!d->targets[0][0]) return "无";
  const char *s = "";
  for (int i = 0; i < 3 && d->targets[i][0]; i++)
    s = arena_printf(r->a, "%s%s%d 年 %d%%", s, i ? "，" : "", d->targets[i][0], d->targets[i][1]);
  return arena_printf(r->a, "%s（其后年份沿用最后一年）", s);
}

void definitions_table(struct req *r, json_t *head, struct table *t)
{
  static const struct xlsx_col cols[] = {{"项目", 30, false}, {"说明", 110, false}};
  size_t n;
  const struct indicator_def *defs = indicator_defs(&n);
  *t = (struct table){"定义说明", "指标定义与数据说明", cols, 2, (int)n + 5, 0, 0};
  t->cells = arena_alloc(r->a, (size_t)t->nrows * 2 * sizeof *t->cells);
  json_t *scope = json_object_get(head, "scope"), *period = json_object_get(head, "period"),
         *def = json_object_get(head, "definition");
  const char **c = t->cells;
  c[0] = "统计范围";
  c[1] = str(scope, "name");
  c[2] = "统计期间";
  c[3] = arena_printf(r->a, "%s 至 %s（共 %lld 个月；按整月统计）", str(period, "from"), str(period, "to"),
                      (long long)json_integer_value(json_object_get(period, "months")));
  c[4] = "数据日期";
  c[5] = arena_printf(r->a, "%s（汇总随每次录入更新%s）", str(head, "as_of"),
                      json_integer_value(json_object_get(head, "pending")) ? "；导出时尚有变更待计入" : "");
  c[6] = "规范服务的定义";
  const char *source = str(def, "source");
  c[7] = arena_printf(r->a, "%s（%s）", str(def, "text") ? str(def, "text") : "",
                      source && !strcmp(source, "province") ? "本省定义" : source && !strcmp(source, "national") ? "全国定义"
                                                                                                     : "精康默认定义");
  c[8] = "来源";
  c[9] = "精康 精神障碍社区康复服务信息系统。登记康复对象：期间内任一天在册即计入；规范服务从登记次月起按月判断。";
  for (size_t i = 0; i < n; i++) {
    c[10 + 2 * i] = defs[i].name;
    c[11 + 2 * i] = arena_printf(r->a, "分子：%s；%s%s目标：%s。%s", defs[i].numerator, defs[i].denominator ? "分母：" : "",
                                 defs[i].denominator ? arena_printf(r->a, "%s；", defs[i].denominator) : "",
                                 targets_text(r, &defs[i]), defs[i].note ? defs[i].note : "");
  }
}

/* ---- writing ---- */

const char *subtitle(struct req *r, json_t *head)
{
  json_t *scope = json_object_get(head, "scope"), *period = json_object_get(head, "period");
  return arena_printf(r->a, "统计范围：%s　　统计期间：%s 至 %s　　数据日期：%.10s　　导出人：%s", str(scope, "name"),
                      str(period, "from"), str(period, "to"), str(head, "as_of"), r->who.username);
}

jk_status write_sheet(struct xlsx *x, const struct table *t, const char *sub)
{
  jk_status st = xlsx_sheet(x, t->sheet, t->title, sub, t->cols, t->ncols);
  if (st != JK_OK) return st;
  for (int i = 0; i < t->nrows; i++) xlsx_row(x, &t->cells[i * t->ncols]);
  if (t->note) xlsx_note(x, t->note);
  return JK_OK;
}

const char *file_base(struct req *r, json_t *head, const char *what)
{
  json_t *scope = json_object_get(head, "scope"), *period = json_object_get(head, "period");
  return arena_printf(r->a, "%s_%s_%s_%s", what, str(scope, "name"), str(period, "from"), str(period, "to"));
}

/* The sheets of api_indicators_report (indicator_export.c), as a list for the export jobs. */
jk_status report_tables(struct req *r, const struct ind_query *q, struct table *t, int *nt, json_t **parts,
                        int *nparts)
{
  const struct indicator_def *std = indicator_find("standardized_service_rate"), *cov = indicator_find("county_coverage");
  jk_status st = JK_OK;
  *nt = *nparts = 0;
  if (!(parts[0] = ind_all(r, q, &st))) return st != JK_OK ? st : JK_EINTERNAL;
  *nparts = 1;
  summary_table(r, parts[0], &t[(*nt)++]);
  struct { const struct indicator_def *d; const char *by; const char *sheet; bool want; } more[] = {
    {std, "child", "规范服务率-下级地区", q->level != IND_LEVEL_ORG && q->level < 5},
    {cov, "child", "县区覆盖-下级地区", q->level != IND_LEVEL_ORG && q->level < 3},
    {std, "organization", "规范服务率-机构", q->level != IND_LEVEL_ORG && q->level >= 2},
    {std, "month", "规范服务率-月度", true},
  };
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
    if (!more[i].want) continue;
    if (!(parts[*nparts] = ind_one(r, q, more[i].d, more[i].by, &st))) return st != JK_OK ? st : JK_EINTERNAL;
    rows_table(r, parts[(*nparts)++], more[i].by, &t[*nt]);
    t[(*nt)++].sheet = more[i].sheet;
  }
  definitions_table(r, parts[0], &t[(*nt)++]);
  return JK_OK;
}

/* ---- the evaluators' extract ---- */

const struct xlsx_col extract_cols[EXTRACT_COLS] = {
  {"编号", 18, false}, {"性别", 6, false}, {"年龄段", 10, false}, {"县级区划代码", 12, false}, {"县（市、区）", 14, false},
  {"诊断类别", 8, false}, {"严重精神障碍", 10, false}, {"残疾类别", 10, false}, {"残疾等级", 8, false},
  {"状态", 10, false}, {"服务机构", 26, false}, {"登记月份", 10, false}, {"离开月份", 10, false},
  {"期间在册月数", 10, true}, {"期间接受服务月数", 12, true}, {"期间规范服务月数", 12, true}, {"期间是否规范服务", 12, false}};

static const char *county_name(struct extract_ctx *x, const char *code)
{
  for (int i = 0; i < x->nnames; i++)
    if (!strcmp(x->names[i].code, code)) return x->names[i].name;
  const char *name = region_name(x->r, code);
  int k = x->nnames < 64 ? x->nnames++ : (int)(code[5] % 64);
  snprintf(x->names[k].code, sizeof x->names[k].code, "%s", code);
  x->names[k].name = name ? name : "";
  return x->names[k].name;
}

static int age_band_index(int age)
{
  return age < 0 ? -1 : age < 18 ? 0 : age >= 70 ? 6 : (age - 10) / 10;
}

static const char *age_band(int age)
{
  static const char *const bands[] = {"18岁以下", "18-29岁", "30-39岁", "40-49岁", "50-59岁", "60-69岁", "70岁及以上"};
  int i = age_band_index(age);
  return i < 0 ? 0 : bands[i];
}

/* The row's age at the period's end (-1 unknown). */
static int row_age(const struct extract_ctx *x, const struct extract_row *row)
{
  struct jk_date birth;
  if (!row->birth_date || !date_parse(row->birth_date, &birth)) return -1;
  return date_age(birth, date_from_days(ind_month_last_day(x->q->last)));
}

/* ---- small cells: exact keys in an open-addressing table (memory of its own: the worker
 * renews its arena while it writes) ---- */

struct cell_counts {
  struct { uint64_t h; uint32_t n, off; } *v;
  size_t cap, used;
  char *pool;
  size_t pool_len, pool_cap;
  bool failed;                   /* out of memory: then every row is withheld */
};

struct cell_counts *cell_counts_new(void)
{
  struct cell_counts *c = calloc(1, sizeof *c);
  if (c && !(c->v = calloc(c->cap = 1024, sizeof *c->v))) {
    free(c);
    return 0;
  }
  return c;
}

void cell_counts_free(struct cell_counts *c)
{
  if (!c) return;
  free(c->v);
  free(c->pool);
  free(c);
}

static uint64_t fnv(const char *s)
{
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return h | 1;   /* 0 marks an empty slot */
}

/* The slot of `key` (h = fnv(key)): its own, or the empty one where it would go. */
static size_t cell_slot(const struct cell_counts *c, const char *key, uint64_t h)
{
  size_t i = (size_t)h & (c->cap - 1);
  while (c->v[i].h && (c->v[i].h != h || strcmp(c->pool + c->v[i].off, key))) i = (i + 1) & (c->cap - 1);
  return i;
}

static bool cell_grow(struct cell_counts *c)
{
  struct cell_counts g = *c;
  g.cap = c->cap * 2;
  if (!(g.v = calloc(g.cap, sizeof *g.v))) return false;
  for (size_t i = 0; i < c->cap; i++)
    if (c->v[i].h) g.v[cell_slot(&g, c->pool + c->v[i].off, c->v[i].h)] = c->v[i];
  free(c->v);
  *c = g;
  return true;
}

static void cell_add(struct cell_counts *c, const char *key)
{
  if (c->failed) return;
  if ((c->used + 1) * 2 > c->cap && !cell_grow(c)) return (void)(c->failed = true);
  uint64_t h = fnv(key);
  size_t i = cell_slot(c, key, h);
  if (c->v[i].h) {
    c->v[i].n++;
    return;
  }
  size_t len = strlen(key) + 1;
  if (c->pool_len + len > c->pool_cap) {
    size_t cap = c->pool_cap ? c->pool_cap * 2 : 4096;
    char *p = realloc(c->pool, cap);
    if (!p) return (void)(c->failed = true);
    c->pool = p;
    c->pool_cap = cap;
  }
  memcpy(c->pool + c->pool_len, key, len);
  c->v[i].h = h;
  c->v[i].n = 1;
  c->v[i].off = (uint32_t)c->pool_len;
  c->pool_len += len;
  c->used++;
}

static uint32_t cell_count(const struct cell_counts *c, const char *key)
{
  if (c->failed) return 0;
  size_t i = cell_slot(c, key, fnv(key));
  return c->v[i].h ? c->v[i].n : 0;
}

/* The combination a row is counted in. */
static void row_class(const struct extract_ctx *x, const struct extract_row *row, char out[64])
{
  snprintf(out, 64, "%.6s|%d|%d|%.3s|%d|%d", row->region ? row->region : "", row->sex, age_band_index(row_age(x, row)),
           row->diagnosis ? row->diagnosis : "", row->disability_category, row->disability_grade);
}

void extract_count(void *ctx, const struct extract_row *row)
{
  struct extract_ctx *x = ctx;
  char key[64];
  row_class(x, row, key);
  cell_add(x->classes, key);
}

void extract_line(void *ctx, const struct extract_row *row)
{
  struct extract_ctx *x = ctx;
  struct req *r = x->r;
  if (x->n >= x->cap) return;
  const char **c = &x->cells[x->n++ * EXTRACT_COLS];
  unsigned char h[BLIND_INDEX_BYTES];
  blind_index(&r->app->keys, "extract", row->id, h);
  char hex[2 * BLIND_INDEX_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  c[0] = arena_printf(r->a, "%.16s", hex);
  c[1] = row->sex == 1 ? "男" : row->sex == 2 ? "女" : 0;
  c[2] = age_band(row_age(x, row));
  char county[7];
  snprintf(county, sizeof county, "%.6s", row->region ? row->region : "");
  c[3] = arena_strdup(r->a, county);
  c[4] = county_name(x, county);
  c[5] = row->diagnosis ? arena_printf(r->a, "%.3s", row->diagnosis) : 0;
  c[6] = row->severe ? "是" : "否";
  c[7] = row->disability_category ? disability_category_name(row->disability_category) : 0;
  c[8] = row->disability_grade ? arena_printf(r->a, "%d级", row->disability_grade) : 0;
  c[9] = row->status ? arena_strdup(r->a, row->status) : 0;
  c[10] = row->organization ? arena_strdup(r->a, row->organization) : 0;
  const struct client_facts *f = &row->facts;
  c[11] = arena_printf(r->a, "%04d-%02d", ind_month_year(f->reg_m), ind_month_of_year(f->reg_m));
  c[12] = f->exit_m == IND_NO_EXIT ? 0 : arena_printf(r->a, "%04d-%02d", ind_month_year(f->exit_m), ind_month_of_year(f->exit_m));
  int on = 0, served = 0, std = 0;
  for (int m = x->q->first; m <= x->q->last; m++) {
    on += client_on_register(f, m, m);
    served += client_served(f, m, m);
    std += client_standardized(f, m, m);
  }
  c[13] = arena_printf(r->a, "%d", on);
  c[14] = arena_printf(r->a, "%d", served);
  c[15] = arena_printf(r->a, "%d", std);
  c[16] = client_standardized(f, x->q->first, x->q->last) ? "是" : "否";
  char key[64];
  if (x->classes) row_class(x, row, key);
  if (x->classes && cell_count(x->classes, key) < EXTRACT_MIN_CELL) {
    c[2] = c[5] = c[7] = c[8] = c[10] = "*";
    x->withheld++;
  }
}
