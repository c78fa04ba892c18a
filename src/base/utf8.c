/* utf8.c: see utf8.h. The decoder follows the table of well-formed byte sequences in the
 * Unicode Standard, chapter 3, table 3-7. */
#include "base/utf8.h"

bool utf8_clean(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p;
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      p++;
      continue;
    }
    int more;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else return false;
    p++;
    for (int i = 0; i < more; i++, p++) {
      unsigned b = *p;
      if (b < (i == 0 ? lo : 0x80) || b > (i == 0 ? hi : 0xbf)) return false;
    }
  }
  return true;
}

size_t utf8_chars(const char *s)
{
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}
