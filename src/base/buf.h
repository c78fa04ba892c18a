/* buf.h: a growable byte buffer with a size cap (curl's dynbuf).
 *
 * The cap is set at init and is a denial-of-service guard: an append that would pass it fails
 * with JK_ETOOBIG and frees the buffer, so a caller cannot leak on the error path. The buffer
 * keeps a NUL after its contents. Owner: whoever called buf_init; release with buf_free. */
#ifndef JK_BUF_H
#define JK_BUF_H
#include <stddef.h>
#include "base/status.h"

struct buf {
  char *data;
  size_t len, cap_alloc, cap_max;
};

void buf_init(struct buf *b, size_t cap_max);
void buf_free(struct buf *b);
jk_status buf_append(struct buf *b, const void *p, size_t n);
jk_status buf_puts(struct buf *b, const char *s);
jk_status buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the contents out (malloc'd, caller frees) and leaves the buffer empty. */
char *buf_take(struct buf *b, size_t *len);

#endif
