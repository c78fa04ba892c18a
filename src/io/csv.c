/* csv.c: see csv.h. Fields are unquoted into c->line, each ending with a NUL; their offsets
 * become pointers once the record is complete (the buffer may move while it grows). */
#include "io/csv.h"
#include "base/buf.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_RECORD (1 << 20)

jk_status csv_open(struct csv *c, const char *path)
{
  memset(c, 0, sizeof *c);
  c->f = fopen(path, "re");
  if (!c->f) return JK_ENOTFOUND;
  c->cap = 4096;
  c->line = malloc(c->cap);
  if (!c->line) abort();
  return JK_OK;
}

void csv_close(struct csv *c)
{
  if (c->f) fclose(c->f);
  free(c->line);
  memset(c, 0, sizeof *c);
}

static jk_status put(struct csv *c, size_t *n, char ch)
{
  if (*n + 2 > c->cap) {
    if (c->cap >= CSV_MAX_RECORD) return JK_EINVAL;
    c->cap *= 2;
    char *p = realloc(c->line, c->cap);
    if (!p) abort();
    c->line = p;
  }
  c->line[(*n)++] = ch;
  return JK_OK;
}

jk_status csv_next(struct csv *c)
{
  size_t n = 0;
  int ch;
  bool quoted = false, any = false;
  size_t offs[CSV_MAX_FIELDS];
  c->nfields = 0;
  offs[c->nfields++] = 0;
  while ((ch = getc(c->f)) != EOF) {
    any = true;
    if (quoted) {
      if (ch == '"') {
        int next = getc(c->f);
        if (next == '"') {
          if (put(c, &n, '"') != JK_OK) return JK_EINVAL;
          continue;
        }
        quoted = false;
        if (next == EOF) break;
        ch = next;
      } else {
        if (put(c, &n, (char)ch) != JK_OK) return JK_EINVAL;
        continue;
      }
    }
    if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      if (put(c, &n, 0) != JK_OK || c->nfields >= CSV_MAX_FIELDS) return JK_EINVAL;
      offs[c->nfields++] = n;
    } else if (ch == '\n') {
      break;
    } else if (ch != '\r') {
      if (put(c, &n, (char)ch) != JK_OK) return JK_EINVAL;
    }
  }
  if (!any) return JK_ENOTFOUND;
  if (quoted) return JK_EINVAL;
  if (put(c, &n, 0) != JK_OK) return JK_EINVAL;
  for (int i = 0; i < c->nfields; i++) c->fields[i] = c->line + offs[i];
  c->record++;
  return JK_OK;
}

jk_status csv_write_row(struct buf *b, const char *const *cells, int n, const bool *numeric)
{
  jk_status st = JK_OK;
  for (int i = 0; i < n && st == JK_OK; i++) {
    const char *v = cells[i] ? cells[i] : "";
    if (i) st = buf_append(b, ",", 1);
    bool formula = !(numeric && numeric[i]) && v[0] && strchr("=+-@\t\r", v[0]);
    bool quote = formula || strpbrk(v, ",\"\r\n");
    if (st == JK_OK && quote) st = buf_append(b, "\"", 1);
    if (st == JK_OK && formula) st = buf_append(b, "'", 1);
    for (const char *p = v; st == JK_OK && *p; p++)
      st = *p == '"' ? buf_append(b, "\"\"", 2) : buf_append(b, p, 1);
    if (st == JK_OK && quote) st = buf_append(b, "\"", 1);
  }
  return st == JK_OK ? buf_append(b, "\r\n", 2) : st;
}
