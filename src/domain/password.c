/* password.c: see password.h.
 *
 * Checks, in order: valid UTF-8, length in code points, username, our simplicity check,
 * cracklib. cracklib (FascistCheckUser) alone is too lenient for us — it passes
 * "password1234" and "qwertyuiopas" — so the simplicity check comes first: each character is
 * "covered" when it is part of a common password or context word (also read through leet
 * substitutions: p@ssw0rd), of a run of 3+ along the alphabet, the digits or a keyboard row or
 * column (either direction), of a repeat of 3+ characters seen earlier (aaaa, abcabc), or of a
 * year 19xx/20xx. A password with fewer than MIN_FREE uncovered characters is too simple.
 * cracklib is not thread-safe (static buffers): every call holds crack_lock, the one mutable
 * static of this file. Messages are static strings. */
#include "domain/password.h"
#include <stddef.h>   /* before crack.h, which uses size_t without including it */
#include <crack.h>
#include <libintl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define MIN_CHARS 12
#define MAX_CHARS 128
#define MIN_FREE 5
#define MIN_USERNAME 3   /* shorter usernames (2 letters) would forbid too many passwords */

static pthread_mutex_t crack_lock = PTHREAD_MUTEX_INITIALIZER;

/* Common passwords and context words (lower case, at least 4 characters). */
static const char *const common_words[] = {
  "password", "passwd", "qwerty", "admin", "administrator", "root", "welcome", "letmein",
  "iloveyou", "love", "monkey", "dragon", "sunshine", "princess", "football", "baseball",
  "basketball", "soccer", "master", "shadow", "superman", "batman", "login", "hello", "freedom",
  "whatever", "starwars", "changeme", "secret", "test", "guest", "user", "default", "summer",
  "winter", "spring", "autumn", "michael", "computer", "internet", "system", "server", "china",
  "beijing", "shanghai", "zhongguo", "woaini", "aini", "wodemima", "mima", "5201314", "1314520",
  "1314", "jingkang",
};

/* Sequences whose neighbours are "next" to each other: alphabet, digits (9 → 0 wraps), US
 * keyboard rows (snaking into the next row) and columns, the numeric keypad. */
static const char *const runs[] = {
  "abcdefghijklmnopqrstuvwxyz", "01234567890", "`1234567890-=", "~!@#$%^&*()_+",
  "qwertyuiop[]\\", "qwertyuiopasdfghjklzxcvbnm", "asdfghjkl;'", "zxcvbnm,./",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", "!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik<(ol>)p:?",
  "qazwsxedcrfvtgbyhnujmik,ol.p;/", "147258369", "789456123",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

struct scan {
  uint32_t cp[MAX_CHARS];   /* code points, ASCII letters lower-cased */
  bool cov[MAX_CHARS];
  size_t n;
};

static jk_status weak(struct jk_err *e, const char *message)
{
  return jk_fail(e, JK_EINVAL, "weak_password", message, "password");
}

/* Decodes one well-formed UTF-8 sequence at *s into *cp and advances; false on malformed input
 * (overlong, surrogate, above U+10FFFF, truncated). */
static bool utf8_next(const unsigned char **s, uint32_t *cp)
{
  const unsigned char *p = *s;
  unsigned n;
  uint32_t min, c = p[0];
  if (c < 0x80) n = 1, min = 0;
  else if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80, c &= 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800, c &= 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000, c &= 0x07;
  else return false;
  for (unsigned i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return false;
    c = c << 6 | (p[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  *cp = c;
  *s = p + n;
  return true;
}

/* Fills s from pw; returns the number of code points (possibly > MAX_CHARS, then s holds the
 * first MAX_CHARS), or -1 for invalid UTF-8. */
static long decode(const char *pw, struct scan *s)
{
  const unsigned char *p = (const unsigned char *)pw;
  long count = 0;
  uint32_t c;
  while (*p) {
    if (!utf8_next(&p, &c)) return -1;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (count < MAX_CHARS) s->cp[count] = c, s->cov[count] = false;
    count++;
  }
  s->n = count < MAX_CHARS ? (size_t)count : MAX_CHARS;
  return count;
}

static void mark(struct scan *s, size_t from, size_t to)
{
  for (size_t i = from; i < to && i < s->n; i++) s->cov[i] = true;
}

/* b follows a in `path` (dir 1) or precedes it (dir -1). */
static bool adjacent(const char *path, uint32_t a, uint32_t b, int dir)
{
  for (const char *p = path; *p; p++) {
    if ((unsigned char)*p != a) continue;
    if (dir > 0 && p[1] && (unsigned char)p[1] == b) return true;
    if (dir < 0 && p > path && (unsigned char)p[-1] == b) return true;
  }
  return false;
}

static void mark_runs(struct scan *s)
{
  for (size_t k = 0; k < COUNT(runs); k++) {
    for (int dir = -1; dir <= 1; dir += 2) {
      size_t start = 0;
      for (size_t j = 1; j <= s->n; j++) {
        if (j < s->n && adjacent(runs[k], s->cp[j - 1], s->cp[j], dir)) continue;
        if (j - start >= 3) mark(s, start, j);
        start = j;
      }
    }
  }
}

/* Marks each stretch of 3+ characters that already occurred earlier (overlap allowed, so
 * "aaaa" repeats "aaa" from its second character on). */
static void mark_repeats(struct scan *s)
{
  for (size_t i = 1; i < s->n;) {
    size_t best = 0;
    for (size_t k = 0; k < i; k++) {
      size_t l = 0;
      while (i + l < s->n && s->cp[k + l] == s->cp[i + l]) l++;
      if (l > best) best = l;
    }
    if (best >= 3) {
      mark(s, i, i + best);
      i += best;
    } else {
      i++;
    }
  }
}

static uint32_t unleet(uint32_t c, char one)
{
  switch (c) {
  case '0': return 'o';
  case '1': return (uint32_t)one;
  case '3': return 'e';
  case '4': case '@': return 'a';
  case '5': case '$': return 's';
  case '7': return 't';
  default: return c;
  }
}

/* word occurs at i, read plainly (one == 0) or through leet with '1' read as `one`. */
static bool word_at(const struct scan *s, size_t i, const char *w, char one)
{
  for (size_t j = 0; w[j]; j++) {
    if (i + j >= s->n) return false;
    uint32_t c = one ? unleet(s->cp[i + j], one) : s->cp[i + j];
    if (c != (unsigned char)w[j]) return false;
  }
  return true;
}

static void mark_words(struct scan *s)
{
  static const char views[] = {0, 'i', 'l'};
  for (size_t k = 0; k < COUNT(common_words); k++)
    for (size_t i = 0; i < s->n; i++)
      for (size_t v = 0; v < sizeof views; v++)
        if (word_at(s, i, common_words[k], views[v])) mark(s, i, i + strlen(common_words[k]));
}

static bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

static void mark_years(struct scan *s)
{
  for (size_t i = 0; i + 4 <= s->n; i++) {
    const uint32_t *c = s->cp + i;
    bool century = (c[0] == '1' && c[1] == '9') || (c[0] == '2' && c[1] == '0');
    if (century && is_digit(c[2]) && is_digit(c[3])) mark(s, i, i + 4);
  }
}

static bool too_simple(struct scan *s)
{
  mark_runs(s);
  mark_repeats(s);
  mark_words(s);
  mark_years(s);
  size_t free_chars = 0;
  for (size_t i = 0; i < s->n; i++) free_chars += !s->cov[i];
  return free_chars < MIN_FREE;
}

static bool contains_username(const char *pw, const char *username)
{
  return username && strlen(username) >= MIN_USERNAME && strcasestr(pw, username);
}

/* cracklib's verdict on pw: NULL (good) or its reason; *dict_missing tells a dictionary that
 * cannot be read. The user is always named ("" at worst): with NULL, cracklib would compare
 * against the account the server runs as. */
static const char *crack(const char *pw, const char *username, bool *dict_missing)
{
  static const char load_error[] = "error loading dictionary";
  pthread_mutex_lock(&crack_lock);
  const char *why = FascistCheckUser(pw, GetDefaultCracklibDict(), username ? username : "", 0);
  *dict_missing = why && (strcmp(why, load_error) == 0 ||
                          strcmp(why, dgettext("cracklib", load_error)) == 0);
  pthread_mutex_unlock(&crack_lock);
  return why;
}

jk_status password_check(const char *pw, const char *username, struct jk_err *e)
{
  struct scan s = {0};
  long chars = pw ? decode(pw, &s) : 0;
  if (chars < 0) return weak(e, "密码包含无效的字符编码");
  if (chars < MIN_CHARS) return weak(e, "密码至少12个字符");
  if (chars > MAX_CHARS) return weak(e, "密码不能超过128个字符");
  if (contains_username(pw, username)) return weak(e, "密码不能包含用户名");
  if (too_simple(&s)) return weak(e, "密码过于常见或简单，请换一个");
  bool dict_missing;
  const char *why = crack(pw, username, &dict_missing);
  if (dict_missing)
    return jk_fail(e, JK_EINTERNAL, "password_dictionary_unavailable",
                   "密码字典不可用，暂时无法设置密码，请联系系统管理员", "password");
  if (why) return weak(e, "密码过于常见或简单，请换一个");
  return JK_OK;
}

bool password_dictionary_ok(void)
{
  bool dict_missing;
  crack("Jingkang-dictionary-probe-7Qz", "", &dict_missing);
  return !dict_missing;
}
