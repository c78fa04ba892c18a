/* xlsx.c: see xlsx.h. */
#include "io/xlsx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct xlsx {
  lxw_workbook *wb;
  lxw_worksheet *ws;
  lxw_format *title, *subtitle, *header, *text, *number, *note;
  const struct xlsx_col *cols;
  int ncols;
  lxw_row_t row;
  char path[4200];
};

jk_status xlsx_open(const char *tmpdir, struct xlsx **out)
{
  struct xlsx *x = calloc(1, sizeof *x);
  if (!x) return JK_EINTERNAL;
  snprintf(x->path, sizeof x->path, "%s/jk-export-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemp(x->path);
  if (fd < 0) return free(x), JK_EUNAVAIL;
  close(fd);
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)(tmpdir && *tmpdir ? tmpdir : "/tmp")};
  x->wb = workbook_new_opt(x->path, &opt);
  if (!x->wb) return unlink(x->path), free(x), JK_EUNAVAIL;
  x->title = workbook_add_format(x->wb);
  format_set_bold(x->title);
  format_set_font_size(x->title, 16);
  format_set_align(x->title, LXW_ALIGN_CENTER);
  x->subtitle = workbook_add_format(x->wb);
  format_set_align(x->subtitle, LXW_ALIGN_CENTER);
  x->header = workbook_add_format(x->wb);
  format_set_bold(x->header);
  format_set_border(x->header, LXW_BORDER_THIN);
  format_set_bg_color(x->header, 0xDDEBF7);
  format_set_align(x->header, LXW_ALIGN_CENTER);
  format_set_align(x->header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(x->header);
  x->text = workbook_add_format(x->wb);
  format_set_border(x->text, LXW_BORDER_THIN);
  format_set_text_wrap(x->text);
  format_set_align(x->text, LXW_ALIGN_VERTICAL_TOP);
  x->number = workbook_add_format(x->wb);
  format_set_border(x->number, LXW_BORDER_THIN);
  format_set_num_format(x->number, "0");
  format_set_align(x->number, LXW_ALIGN_VERTICAL_TOP);
  x->note = workbook_add_format(x->wb);
  format_set_italic(x->note);
  *out = x;
  return JK_OK;
}

jk_status xlsx_sheet(struct xlsx *x, const char *name, const char *title, const char *subtitle,
                     const struct xlsx_col *cols, int ncols)
{
  x->ws = workbook_add_worksheet(x->wb, name);
  if (!x->ws || ncols < 1) return JK_EINTERNAL;
  x->cols = cols;
  x->ncols = ncols;
  x->row = 0;
  worksheet_set_landscape(x->ws);
  worksheet_set_paper(x->ws, 9); /* A4 */
  worksheet_fit_to_pages(x->ws, 1, 0);
  for (int c = 0; c < ncols; c++) worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, 0);
  worksheet_set_row(x->ws, 0, 26, 0);
  worksheet_merge_range(x->ws, 0, 0, 0, (lxw_col_t)(ncols - 1), title, x->title);
  x->row = 1;
  if (subtitle) worksheet_merge_range(x->ws, 1, 0, 1, (lxw_col_t)(ncols - 1), subtitle, x->subtitle), x->row = 2;
  for (int c = 0; c < ncols; c++) worksheet_write_string(x->ws, x->row, (lxw_col_t)c, cols[c].header, x->header);
  worksheet_freeze_panes(x->ws, x->row + 1, 0);
  worksheet_repeat_rows(x->ws, x->row, x->row);
  x->row++;
  return JK_OK;
}

void xlsx_row(struct xlsx *x, const char *const *cells)
{
  for (int c = 0; c < x->ncols; c++) {
    const char *v = cells[c];
    if (x->cols[c].number && v && *v) worksheet_write_number(x->ws, x->row, (lxw_col_t)c, strtod(v, 0), x->number);
    else worksheet_write_string(x->ws, x->row, (lxw_col_t)c, v ? v : "", x->text);
  }
  x->row++;
}

void xlsx_note(struct xlsx *x, const char *text)
{
  x->row++;
  worksheet_write_string(x->ws, x->row++, 0, text, x->note);
}

jk_status xlsx_finish(struct xlsx *x, char **data, size_t *len)
{
  *data = 0;
  *len = 0;
  lxw_error err = workbook_close(x->wb);
  jk_status st = err == LXW_NO_ERROR ? JK_OK : JK_EUNAVAIL;
  FILE *f = st == JK_OK ? fopen(x->path, "rb") : 0;
  if (f) {
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = n > 0 ? malloc((size_t)n) : 0;
    if (*data && fread(*data, 1, (size_t)n, f) == (size_t)n) *len = (size_t)n;
    else free(*data), *data = 0, st = JK_EUNAVAIL;
    fclose(f);
  } else {
    st = JK_EUNAVAIL;
  }
  unlink(x->path);
  free(x);
  return st;
}

void xlsx_abort(struct xlsx *x)
{
  if (!x) return;
  workbook_close(x->wb);
  unlink(x->path);
  free(x);
}
