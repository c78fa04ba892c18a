/* indicator_export.c: the indicators as files.
 *
 *   GET /indicators/export?…&format=xlsx|csv         the table of every indicator
 *   GET /indicators/{id}/export?…&by=…&format=…      one indicator by sub-region, institution or month
 *   GET /indicators/report?…                         the statistical report (统计报告): one workbook
 *   GET /indicators/extract?…&format=…               the de-identified record-level extract
 *
 * Every workbook states the scope, the period, the data date and who exported it on each sheet,
 * and ends with a sheet 定义说明 (each indicator's numerator, denominator, targets and note, and
 * the 规范服务 definition in force). CSV is UTF-8 with a byte-order mark, so that Excel opens it
 * as UTF-8; text cells that look like formulas are defused (io/csv.h). The figures come from the
 * same code as the JSON answers (api/indicators.c), so a file always says what the screen says. */
#include "api/care.h"
#include "api/common.h"
#include "api/handlers.h"
#include "api/indicators.h"
#include "api/app.h"
#include "base/arena.h"
#include "base/buf.h"
#include "io/csv.h"
#include "io/xlsx.h"
#include "base/clock.h"
#include "domain/disability.h"
#include "sec/crypto.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_CAP (16u << 20)
#define EXTRACT_CAP (96u << 20)
#define EXTRACT_ROWS 200000

struct table {
  const char *sheet, *title;
  const struct xlsx_col *cols;
  int ncols, nrows;
  const char **cells;          /* nrows × ncols, arena strings or NULL */
  const char *note;
};

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

static void summary_table(struct req *r, json_t *all, struct table *t)
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

static void rows_table(struct req *r, json_t *one, const char *by, struct table *t)
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

static void definitions_table(struct req *r, json_t *head, struct table *t)
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

static const char *subtitle(struct req *r, json_t *head)
{
  json_t *scope = json_object_get(head, "scope"), *period = json_object_get(head, "period");
  return arena_printf(r->a, "统计范围：%s　　统计期间：%s 至 %s　　数据日期：%.10s　　导出人：%s", str(scope, "name"),
                      str(period, "from"), str(period, "to"), str(head, "as_of"), r->who.username);
}

static jk_status write_sheet(struct xlsx *x, const struct table *t, const char *sub)
{
  jk_status st = xlsx_sheet(x, t->sheet, t->title, sub, t->cols, t->ncols);
  if (st != JK_OK) return st;
  for (int i = 0; i < t->nrows; i++) xlsx_row(x, &t->cells[i * t->ncols]);
  if (t->note) xlsx_note(x, t->note);
  return JK_OK;
}

static const char *file_base(struct req *r, json_t *head, const char *what)
{
  json_t *scope = json_object_get(head, "scope"), *period = json_object_get(head, "period");
  return arena_printf(r->a, "%s_%s_%s_%s", what, str(scope, "name"), str(period, "from"), str(period, "to"));
}

static void send_xlsx(struct req *r, const char *base, json_t *head, const struct table *tables, int n)
{
  struct xlsx *x;
  jk_status st = xlsx_open(r->app->data_dir, &x);
  if (st != JK_OK) return reply_err(r, st, 0);
  const char *sub = subtitle(r, head);
  for (int i = 0; i < n && st == JK_OK; i++) st = write_sheet(x, &tables[i], sub);
  if (st != JK_OK) {
    xlsx_abort(x);
    return reply_err(r, st, 0);
  }
  char *data;
  size_t len;
  if ((st = xlsx_finish(x, &data, &len)) != JK_OK) return reply_err(r, st, 0);
  reply_download(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 arena_printf(r->a, "%s.xlsx", base), data, len);
}

static void send_csv(struct req *r, const char *base, const struct table *t)
{
  struct buf b;
  buf_init(&b, t->nrows > 10000 ? EXTRACT_CAP : CSV_CAP);
  bool *numeric = arena_alloc(r->a, (size_t)t->ncols * sizeof *numeric);
  const char **header = arena_alloc(r->a, (size_t)t->ncols * sizeof *header);
  for (int i = 0; i < t->ncols; i++) {
    numeric[i] = t->cols[i].number;
    header[i] = t->cols[i].header;
  }
  jk_status st = buf_append(&b, "\xEF\xBB\xBF", 3);   /* the BOM: Excel reads the file as UTF-8 */
  if (st == JK_OK) st = csv_write_row(&b, header, t->ncols, 0);
  for (int i = 0; i < t->nrows && st == JK_OK; i++) st = csv_write_row(&b, &t->cells[i * t->ncols], t->ncols, numeric);
  size_t len;
  char *data = buf_take(&b, &len);
  if (st != JK_OK || !data) {
    free(data);
    buf_free(&b);
    return reply_err(r, st != JK_OK ? st : JK_EUNAVAIL, 0);
  }
  reply_download(r, "text/csv; charset=utf-8", arena_printf(r->a, "%s.csv", base), data, len);
}

static bool format_param(struct req *r, bool *csv)
{
  const char *f = req_query(r, "format");
  if (f && strcmp(f, "xlsx") && strcmp(f, "csv")) return bad_field(r, "format", "format 应为 xlsx 或 csv");
  *csv = f && !strcmp(f, "csv");
  return true;
}

void api_indicators_export(struct req *r)
{
  struct ind_query q;
  bool csv;
  if (!format_param(r, &csv) || !ind_params(r, &q)) return;
  jk_status st;
  json_t *all = ind_all(r, &q, &st);
  if (!all) return reply_err(r, st, 0);
  struct table t[2];
  summary_table(r, all, &t[0]);
  definitions_table(r, all, &t[1]);
  const char *base = file_base(r, all, "精康指标");
  audit_note(r, "export", "indicator", 0, "ok", arena_printf(r->a, "%s %s..%s %s", q.region ? q.region : q.org.id, q.from,
                                                               q.to, csv ? "csv" : "xlsx"));
  if (csv) send_csv(r, base, &t[0]);
  else send_xlsx(r, base, all, t, 2);
  json_decref(all);
}

void api_indicator_export(struct req *r)
{
  const struct indicator_def *d = indicator_find(r->params[0]);
  if (!d) return reply_fail(r, JK_ENOTFOUND, "not_found", "指标不存在", 0);
  struct ind_query q;
  const char *by;
  bool csv;
  if (!format_param(r, &csv) || !ind_by_param(r, &by) || !ind_params(r, &q)) return;
  if (!by) by = q.level == IND_LEVEL_ORG ? "month" : "child";
  jk_status st;
  json_t *one = ind_one(r, &q, d, by, &st);
  if (!one) return reply_err(r, st, 0);
  struct table t[2];
  rows_table(r, one, by, &t[0]);
  definitions_table(r, one, &t[1]);
  const char *base = file_base(r, one, d->name);
  audit_note(r, "export", "indicator", d->id, "ok", arena_printf(r->a, "%s by %s %s..%s", q.region ? q.region : q.org.id,
                                                                   by, q.from, q.to));
  if (csv) send_csv(r, base, &t[0]);
  else send_xlsx(r, base, one, t, 2);
  json_decref(one);
}

/* The 统计报告: the summary; the 规范服务 rate and the county coverage by sub-region; the 规范服务
 * rate by institution (from prefecture level down) and by month; the definitions. */
void api_indicators_report(struct req *r)
{
  struct ind_query q;
  if (!ind_params(r, &q)) return;
  const struct indicator_def *std = indicator_find("standardized_service_rate"), *cov = indicator_find("county_coverage");
  jk_status st = JK_OK;
  json_t *parts[5] = {0};
  int n = 0;
  struct table t[6];
  parts[n] = ind_all(r, &q, &st);
  if (parts[n]) summary_table(r, parts[n++], &t[0]);
  int nt = 1;
  struct { const struct indicator_def *d; const char *by; const char *sheet; bool want; } more[] = {
    {std, "child", "规范服务率-下级地区", q.level != IND_LEVEL_ORG && q.level < 5},
    {cov, "child", "县区覆盖-下级地区", q.level != IND_LEVEL_ORG && q.level < 3},
    {std, "organization", "规范服务率-机构", q.level != IND_LEVEL_ORG && q.level >= 2},
    {std, "month", "规范服务率-月度", true},
  };
  for (size_t i = 0; st == JK_OK && parts[0] && i < sizeof more / sizeof more[0]; i++) {
    if (!more[i].want) continue;
    if (!(parts[n] = ind_one(r, &q, more[i].d, more[i].by, &st))) break;
    rows_table(r, parts[n++], more[i].by, &t[nt]);
    t[nt++].sheet = more[i].sheet;
  }
  if (st == JK_OK && parts[0]) {
    definitions_table(r, parts[0], &t[nt++]);
    audit_note(r, "export", "indicator", 0, "ok", arena_printf(r->a, "report %s %s..%s", q.region ? q.region : q.org.id,
                                                                 q.from, q.to));
    send_xlsx(r, file_base(r, parts[0], "精康统计报告"), parts[0], t, nt);
  } else {
    reply_err(r, st != JK_OK ? st : JK_EINTERNAL, 0);
  }
  for (int i = 0; i < n; i++) json_decref(parts[i]);
}

/* ---- the evaluators' extract ---- */

/* 编号 is a keyed hash of the client's id (the same person has the same 编号 in every extract of
 * this installation, and nobody without the key can go back); no name, ID number, phone,
 * address or birth date leaves: age in bands at the period's end, residence at county level,
 * the diagnosis as its ICD-10 category. */
struct extract_ctx {
  struct req *r;
  const struct ind_query *q;
  const char **cells;
  int n, cap;
  struct { char code[13]; const char *name; } names[64];
  int nnames;
};

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

static const char *age_band(int age)
{
  static const char *const bands[] = {"18岁以下", "18-29岁", "30-39岁", "40-49岁", "50-59岁", "60-69岁", "70岁及以上"};
  return age < 0 ? 0 : bands[age < 18 ? 0 : age >= 70 ? 6 : (age - 10) / 10];
}

#define EXTRACT_COLS 17
static void extract_line(void *ctx, const struct extract_row *row)
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
  struct jk_date birth;
  c[2] = row->birth_date && date_parse(row->birth_date, &birth)
           ? age_band(date_age(birth, date_from_days(ind_month_last_day(x->q->last)))) : 0;
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
}

void api_indicators_extract(struct req *r)
{
  static const struct xlsx_col cols[EXTRACT_COLS] = {
    {"编号", 18, false}, {"性别", 6, false}, {"年龄段", 10, false}, {"县级区划代码", 12, false}, {"县（市、区）", 14, false},
    {"诊断类别", 8, false}, {"严重精神障碍", 10, false}, {"残疾类别", 10, false}, {"残疾等级", 8, false},
    {"状态", 10, false}, {"服务机构", 26, false}, {"登记月份", 10, false}, {"离开月份", 10, false},
    {"期间在册月数", 10, true}, {"期间接受服务月数", 12, true}, {"期间规范服务月数", 12, true}, {"期间是否规范服务", 12, false}};
  struct ind_query q;
  bool csv;
  if (!format_param(r, &csv) || !ind_params(r, &q)) return;
  struct policy_object po = {.kind = OBJ_INDICATOR, .region = q.region ? q.region : q.org.region, .op = "extract"};
  if (!allowed(r, ACT_READ, &po, "indicator_extract", po.region)) return;
  if (q.level == IND_LEVEL_ORG) return (void)bad_field(r, "organization", "个案数据按地区提取，请指定 region");
  int64_t n = 0;
  jk_status st = indicator_store_extract_count(r->db, q.region, q.first, q.last, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  if (n > EXTRACT_ROWS)
    return reply_fail(r, JK_ERULE, "too_large", "超过 20 万名康复对象，请按地市或县分别提取", "region");
  struct extract_ctx x = {.r = r, .q = &q, .cap = (int)n};
  x.cells = arena_alloc(r->a, (size_t)(n ? n : 1) * EXTRACT_COLS * sizeof *x.cells);
  if ((st = indicator_store_extract(r->db, q.region, q.first, q.last, n, extract_line, &x, &n)) != JK_OK)
    return reply_err(r, st, 0);
  json_t *head = json_pack("{s:{s:s},s:{s:s,s:s,s:I},s:s}", "scope", "name", *q.region ? region_name(r, q.region) : "全国",
                           "period", "from", q.from, "to", q.to, "months", (json_int_t)(q.last - q.first + 1), "as_of",
                           iso_time(r, clock_now_ms()));
  struct table t = {"个案数据", "康复对象个案数据（去标识化）", cols, EXTRACT_COLS, x.n, x.cells,
                    "编号为不可逆的加密散列；不含姓名、身份证号、联系方式、地址与出生日期；年龄按期末分段，住址只到县级。"};
  audit_note(r, "export", "indicator_extract", q.region, "ok", arena_printf(r->a, "%s..%s %d rows %s", q.from, q.to, x.n,
                                                                             csv ? "csv" : "xlsx"));
  if (csv) send_csv(r, file_base(r, head, "个案数据"), &t);
  else send_xlsx(r, file_base(r, head, "个案数据"), head, &t, 1);
  json_decref(head);
}
