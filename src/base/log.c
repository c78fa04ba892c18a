/* log.c: see log.h. */
#include "base/log.h"
#include "base/clock.h"
#include <stdarg.h>
#include <stdio.h>

static enum log_level min_level = LOG_INFO;
void log_set_level(enum log_level l) { min_level = l; }

void log_msg(enum log_level l, const char *fmt, ...)
{
  if (l < min_level) return;
  static const char *names[] = {"debug", "info", "warn", "error"};
  char line[1024], out[1100], ts[32];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  size_t j = 0;
  for (size_t i = 0; line[i] && j < sizeof out - 5; i++) {
    unsigned char c = (unsigned char)line[i];
    if (c < 0x20 || c == 0x7f) {
      j += (size_t)snprintf(out + j, sizeof out - j, "\\x%02x", c);
    } else {
      out[j++] = (char)c;
    }
  }
  out[j] = 0;
  time_format(clock_now_ms(), ts);
  fprintf(stderr, "%s %s %s\n", ts, names[l], out);
}
