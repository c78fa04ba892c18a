/* csv.h: a streaming reader of RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF).
 * Reads one record at a time into a reusable buffer; a record longer than the cap is an error
 * (a guard against hostile files). Owner: the caller of csv_open, released with csv_close. */
#ifndef JK_CSV_H
#define JK_CSV_H
#include <stdbool.h>
#include <stdio.h>
#include "base/status.h"

#define CSV_MAX_FIELDS 64

struct csv {
  FILE *f;
  char *line;          /* field storage for the current record */
  size_t cap;
  int nfields;
  const char *fields[CSV_MAX_FIELDS];
  long record;         /* 1-based number of the record just read */
};

jk_status csv_open(struct csv *c, const char *path);
/* Writing: appends one record to b (RFC 4180, CRLF): a field is quoted when it holds a comma,
 * quote, CR or LF; a text field (numeric[i] false or numeric NULL) that begins with = + - @,
 * a tab or CR gets a leading ' so that a spreadsheet shows it instead of running it as a
 * formula (CSV injection). NULL cells are empty. */
struct buf;
jk_status csv_write_row(struct buf *b, const char *const *cells, int n, const bool *numeric);
/* JK_OK with a record in c->fields, JK_ENOTFOUND at the end, JK_EINVAL on a malformed or
 * oversized record. */
jk_status csv_next(struct csv *c);
void csv_close(struct csv *c);

#endif
