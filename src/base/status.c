/* status.c: filling an error report. */
#include "base/status.h"

jk_status jk_fail(struct jk_err *e, jk_status st, const char *code, const char *message,
                  const char *field)
{
  if (e) {
    e->code = code;
    e->message = message;
    e->field = field;
    e->extra_key = 0;
    e->extra_val = 0;
  }
  return st;
}
