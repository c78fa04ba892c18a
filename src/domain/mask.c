/* mask.c: see mask.h.
 *
 * Invariants: every output is NUL-terminated within outsz (outsz > 0) and is truncated at a
 * character boundary; no input is modified. The UTF-8 decoder below accepts only well-formed
 * sequences (no overlong forms, no surrogates, nothing above U+10FFFF). */
#include "domain/mask.h"
#include <string.h>

#define STARS "****"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool mobile_valid(const char *s)
{
  if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9') return false;
  for (int i = 2; i < 11; i++)
    if (!is_digit(s[i])) return false;
  return true;
}

bool phone_valid(const char *s)
{
  if (!s || !*s) return false;
  if (s[0] == '1') return mobile_valid(s);
  int digits = 0, before_hyphen = -1;
  for (const char *p = s; *p; p++) {
    if (is_digit(*p)) digits++;
    else if (*p == '-' && before_hyphen < 0) before_hyphen = digits;
    else return false;
  }
  if (before_hyphen >= 0 && (s[0] != '0' || before_hyphen < 3 || before_hyphen > 4 ||
                             before_hyphen == digits))
    return false;
  return digits >= 7 && digits <= 13;
}

/* Copies what fits of src[0..n) into out, with room for the NUL. */
static void put(char *out, size_t outsz, size_t *at, const char *src, size_t n)
{
  size_t room = outsz - 1 - *at;
  if (n > room) n = room;
  memcpy(out + *at, src, n);
  *at += n;
  out[*at] = 0;
}

static bool ascii(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80) return false;
  return true;
}

void phone_mask(const char *phone, char *out, size_t outsz)
{
  if (!outsz) return;
  size_t at = 0, n = phone ? strlen(phone) : 0;
  out[0] = 0;
  bool mobile = n == 11 && phone[0] == '1' && ascii(phone, n);
  if (mobile) put(out, outsz, &at, phone, 3);
  put(out, outsz, &at, STARS, 4);
  if (n > 4 && ascii(phone + n - 4, 4) && at + 4 < outsz) put(out, outsz, &at, phone + n - 4, 4);
}

/* Length of the well-formed UTF-8 sequence at s, or 0 (invalid, or the end of the string). */
static size_t utf8_len(const unsigned char *s)
{
  unsigned c = s[0];
  size_t n;
  unsigned min;
  if (c < 0x80) return c ? 1 : 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  unsigned cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void address_mask(const char *addr, char *out, size_t outsz)
{
  if (!outsz) return;
  out[0] = 0;
  size_t at = 0, len;
  const char *p = addr ? addr : "";
  for (int kept = 0; kept < 6 && (len = utf8_len((const unsigned char *)p)) != 0; kept++) {
    if (at + len + strlen(STARS) + 1 > outsz) break;
    put(out, outsz, &at, p, len);
    p += len;
  }
  put(out, outsz, &at, STARS, strlen(STARS));
}
