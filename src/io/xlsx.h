/* xlsx.h: writing a workbook of plain tables with libxlsxwriter, in the layout Chinese offices
 * print and file: a title row, a subtitle (organization, period, date of export), a bold bordered
 * header row frozen in place and repeated on every printed page, bordered rows, an optional
 * note under the table, A4 landscape fitted to the page width.
 *
 * The workbook is written in libxlsxwriter's constant-memory mode (rows in order, one at a time),
 * into a temporary file that xlsx_finish reads back and removes. One writer per export; the
 * caller owns it until xlsx_finish or xlsx_abort. */
#ifndef JK_XLSX_H
#define JK_XLSX_H
#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"

struct xlsx;

struct xlsx_col {
  const char *header;
  double width;          /* characters */
  bool number;           /* cells are numbers (written as such, right-aligned) */
};

/* Starts a workbook with its temporary file in tmpdir. */
jk_status xlsx_open(const char *tmpdir, struct xlsx **out);
/* Adds a sheet and writes its title, subtitle (may be NULL) and header row. */
jk_status xlsx_sheet(struct xlsx *x, const char *name, const char *title, const char *subtitle,
                     const struct xlsx_col *cols, int ncols);
/* One row: ncols cells of text (NULL = empty); number columns are converted. */
void xlsx_row(struct xlsx *x, const char *const *cells);
/* A line of text under the table, across all columns. */
void xlsx_note(struct xlsx *x, const char *text);
/* Closes the workbook: *data (malloc'd, caller frees) and *len hold the file. */
jk_status xlsx_finish(struct xlsx *x, char **data, size_t *len);
void xlsx_abort(struct xlsx *x);

#endif
