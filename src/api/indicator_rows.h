/* indicator_rows.h: the indicator tables as rows of text (api/indicator_rows.c), shared by
 * the synchronous exports (api/indicator_export.c) and the export jobs (api/export_worker.c).
 * Everything is built in r->a; r needs only a, db, app and who (the worker passes a request of
 * its own, with no connection). */
#ifndef JK_API_INDICATOR_ROWS_H
#define JK_API_INDICATOR_ROWS_H
#include <jansson.h>
#include <stdbool.h>
#include "api/indicators.h"
#include "http/server.h"
#include "io/xlsx.h"

struct table {
  const char *sheet, *title;
  const struct xlsx_col *cols;
  int ncols, nrows;
  const char **cells;          /* nrows × ncols, arena strings or NULL */
  const char *note;
};

/* The table of every indicator (GET /indicators answer) */
void summary_table(struct req *r, json_t *all, struct table *t);
/* One indicator by child region, organization or month (GET /indicators/{id}?by= answer) */
void rows_table(struct req *r, json_t *one, const char *by, struct table *t);
/* The sheet 定义说明: scope, period, data date, the 规范服务 definition, every indicator */
void definitions_table(struct req *r, json_t *head, struct table *t);
/* "统计范围：… 统计期间：… 数据日期：… 导出人：…" (r->who.username) */
const char *subtitle(struct req *r, json_t *head);
jk_status write_sheet(struct xlsx *x, const struct table *t, const char *sub);
/* "<what>_<scope name>_<from>_<to>" */
const char *file_base(struct req *r, json_t *head, const char *what);

/* The 统计报告's sheets for q, in order (at most REPORT_MAX_SHEETS): the summary, the 规范服务
 * rate and the county coverage by sub-region, the 规范服务 rate by institution (from prefecture
 * level down) and by month, the definitions. parts[0..*nparts) are the JSON answers the tables
 * point into (caller decrefs each, also on error); parts[0] is the head for subtitle/file_base. */
#define REPORT_MAX_SHEETS 6
jk_status report_tables(struct req *r, const struct ind_query *q, struct table *t, int *nt, json_t **parts,
                        int *nparts);

/* ---- the evaluators' extract ---- */

/* 编号 is a keyed hash of the client's id (the same person has the same 编号 in every extract of
 * this installation, and nobody without the key can go back); no name, ID number, phone,
 * address or birth date leaves: age in bands at the period's end, residence at county level,
 * the diagnosis as its ICD-10 category. */

struct cell_counts;
struct extract_ctx {
  struct req *r;
  const struct ind_query *q;
  const char **cells;
  int n, cap;
  struct { char code[13]; const char *name; } names[64];
  int nnames;
  struct cell_counts *classes;   /* from the first pass (extract_count); NULL: nothing withheld */
  int64_t withheld;              /* rows whose small class was withheld */
};

/* Small cells: a row whose combination of county, sex, age band, diagnosis category and
 * disability category and grade is shared by fewer than EXTRACT_MIN_CELL rows of the extract
 * has its age band, diagnosis, disability and institution withheld ("*"), so that nobody can be
 * picked out by what a neighbour knows of them. The first pass counts the combinations. */
#define EXTRACT_MIN_CELL 5
#define EXTRACT_NOTE \
  "编号为不可逆的加密散列；不含姓名、身份证号、联系方式、地址与出生日期；年龄按期末分段，住址只到县级；" \
  "同一县（市、区）、性别、年龄段、诊断类别与残疾情况不足 5 人的，其年龄段、诊断、残疾与服务机构以 * 代替。"
struct cell_counts *cell_counts_new(void);
void cell_counts_free(struct cell_counts *c);
/* The indicator_store_extract callback of the first pass: counts the row's combination in
 * x->classes (false-free: exact keys). */
void extract_count(void *ctx, const struct extract_row *row);

#define EXTRACT_COLS 17
extern const struct xlsx_col extract_cols[EXTRACT_COLS];
/* The indicator_store_extract callback: appends one row of EXTRACT_COLS cells to x->cells
 * (at most x->cap rows; x->n counts them). */
void extract_line(void *ctx, const struct extract_row *row);

#endif
