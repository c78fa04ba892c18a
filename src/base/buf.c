/* buf.c: see buf.h. Growth doubles; the cap counts the contents, not the NUL. */
#include "base/buf.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap_max)
{
  b->data = 0;
  b->len = b->cap_alloc = 0;
  b->cap_max = cap_max;
}

void buf_free(struct buf *b)
{
  free(b->data);
  b->data = 0;
  b->len = b->cap_alloc = 0;
}

jk_status buf_append(struct buf *b, const void *p, size_t n)
{
  if (n > b->cap_max || b->len > b->cap_max - n) {
    buf_free(b);
    return JK_ETOOBIG;
  }
  if (b->len + n + 1 > b->cap_alloc) {
    size_t want = b->cap_alloc ? b->cap_alloc : 256;
    while (want < b->len + n + 1) want *= 2;
    char *d = realloc(b->data, want);
    if (!d) abort();
    b->data = d;
    b->cap_alloc = want;
  }
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return JK_OK;
}

jk_status buf_puts(struct buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

jk_status buf_printf(struct buf *b, const char *fmt, ...)
{
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return JK_EINTERNAL;
  if ((size_t)n < sizeof small) return buf_append(b, small, (size_t)n);
  char *big = malloc((size_t)n + 1);
  if (!big) abort();
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  jk_status st = buf_append(b, big, (size_t)n);
  free(big);
  return st;
}

char *buf_take(struct buf *b, size_t *len)
{
  if (!b->data) buf_append(b, "", 0);
  char *d = b->data;
  if (len) *len = b->len;
  b->data = 0;
  b->len = b->cap_alloc = 0;
  return d;
}
