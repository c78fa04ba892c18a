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
#include "api/export_jobs.h"
#include "api/indicator_rows.h"
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
  struct table t[REPORT_MAX_SHEETS];
  json_t *parts[REPORT_MAX_SHEETS] = {0};
  int nt = 0, np = 0;
  jk_status st = report_tables(r, &q, t, &nt, parts, &np);   /* the same sheets as the export job's */
  if (st == JK_OK) {
    audit_note(r, "export", "indicator", 0, "ok", arena_printf(r->a, "report %s %s..%s", q.region ? q.region : q.org.id,
                                                                 q.from, q.to));
    send_xlsx(r, file_base(r, parts[0], "精康统计报告"), parts[0], t, nt);
  } else {
    reply_err(r, st, 0);
  }
  for (int i = 0; i < np; i++) json_decref(parts[i]);
}

void api_indicators_extract(struct req *r)
{
  struct ind_query q;
  bool csv;
  if (!format_param(r, &csv) || !ind_params(r, &q)) return;
  struct policy_object po = export_policy_object(EXPORT_KIND_EXTRACT, &q);
  if (!allowed(r, ACT_READ, &po, "indicator_extract", po.region)) return;
  if (q.level == IND_LEVEL_ORG) return (void)bad_field(r, "organization", "个案数据按地区提取，请指定 region");
  int64_t n = 0;
  jk_status st = indicator_store_extract_count(r->db, q.region, q.first, q.last, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  if (n > EXTRACT_ROWS)
    return reply_fail(r, JK_ERULE, "too_large", "超过 20 万名康复对象，请按地市或县分别提取", "region");
  struct extract_ctx x = {.r = r, .q = &q, .cap = (int)n, .classes = cell_counts_new()};
  x.cells = arena_alloc(r->a, (size_t)(n ? n : 1) * EXTRACT_COLS * sizeof *x.cells);
  int64_t counted = 0;
  st = x.classes ? JK_OK : JK_EUNAVAIL;   /* first the combinations (small cells), then the rows */
  if (st == JK_OK) st = indicator_store_extract(r->db, q.region, q.first, q.last, n, extract_count, &x, &counted);
  if (st == JK_OK) st = indicator_store_extract(r->db, q.region, q.first, q.last, n, extract_line, &x, &n);
  cell_counts_free(x.classes);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *head = json_pack("{s:{s:s},s:{s:s,s:s,s:I},s:s}", "scope", "name", *q.region ? region_name(r, q.region) : "全国",
                           "period", "from", q.from, "to", q.to, "months", (json_int_t)(q.last - q.first + 1), "as_of",
                           iso_time(r, clock_now_ms()));
  struct table t = {"个案数据", "康复对象个案数据（去标识化）", extract_cols, EXTRACT_COLS, x.n, x.cells, EXTRACT_NOTE};
  audit_note(r, "export", "indicator_extract", q.region, "ok",
             arena_printf(r->a, "%s..%s %d rows (%lld withheld) %s", q.from, q.to, x.n, (long long)x.withheld,
                          csv ? "csv" : "xlsx"));
  if (csv) send_csv(r, file_base(r, head, "个案数据"), &t);
  else send_xlsx(r, file_base(r, head, "个案数据"), head, &t, 1);
  json_decref(head);
}
