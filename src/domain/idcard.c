/* idcard.c: see idcard.h.
 *
 * Parsing runs the checks in the order a person would fix them: length, characters, province,
 * birth date, check character. Every message is a static string, so a jk_err can outlive the
 * call and be shared between threads. Invariant of a parsed struct idcard: number is 18
 * characters, 17 digits and a check character equal to idcard_check_char(number), birth is a
 * valid date from 1900 on, not after `today`; sex is 1 or 2. */
#include "domain/idcard.h"
#include "domain/region_code.h"
#include <assert.h>
#include <string.h>

#define FIELD "id_number"
#define CODE "invalid_id_number"

static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char check_chars[] = "10X98765432";

/* One message per expected check character, indexed like check_chars (by S mod 11). */
static const char *const check_messages[11] = {
  "身份证号校验位错误（按前17位计算应为1）", "身份证号校验位错误（按前17位计算应为0）",
  "身份证号校验位错误（按前17位计算应为X）", "身份证号校验位错误（按前17位计算应为9）",
  "身份证号校验位错误（按前17位计算应为8）", "身份证号校验位错误（按前17位计算应为7）",
  "身份证号校验位错误（按前17位计算应为6）", "身份证号校验位错误（按前17位计算应为5）",
  "身份证号校验位错误（按前17位计算应为4）", "身份证号校验位错误（按前17位计算应为3）",
  "身份证号校验位错误（按前17位计算应为2）",
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int num(const char *s, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

static jk_status fail(struct jk_err *e, const char *message)
{
  return jk_fail(e, JK_EINVAL, CODE, message, FIELD);
}

/* S mod 11 of the first 17 characters, or -1 when one is not a digit. */
static int check_index(const char *first17)
{
  int s = 0;
  for (int i = 0; i < 17; i++) {
    if (!is_digit(first17[i])) return -1;
    s += (first17[i] - '0') * weights[i];
  }
  return s % 11;
}

char idcard_check_char(const char first17[17])
{
  int i = check_index(first17);
  return i < 0 ? '\0' : check_chars[i];
}

/* Copies `in` without surrounding white space into buf (at most 18 characters + NUL);
 * returns the trimmed length, or 19 when it is longer than 18. */
static size_t trim_into(const char *in, char buf[19])
{
  while (is_space(*in)) in++;
  size_t n = strlen(in);
  while (n > 0 && is_space(in[n - 1])) n--;
  if (n > 18) return 19;
  memcpy(buf, in, n);
  buf[n] = 0;
  return n;
}

/* Shape of an 18- or 15-character number: digits, and an x/X as the 18th (upper-cased here). */
static bool shape_ok(char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (i == 17 && (s[i] == 'x' || s[i] == 'X')) s[i] = 'X';
    else if (!is_digit(s[i])) return false;
  }
  return true;
}

/* 15 digits → 18 characters: "19" before YY, check character appended. */
static void upgrade(const char *s15, char out[19])
{
  memcpy(out, s15, 6);
  memcpy(out + 6, "19", 2);
  memcpy(out + 8, s15 + 6, 9);
  out[17] = idcard_check_char(out);
  out[18] = 0;
}

jk_status idcard_parse(const char *in, struct jk_date today, struct idcard *out, struct jk_err *e)
{
  char raw[19], num18[19];
  size_t n = in ? trim_into(in, raw) : 0;
  if (n != 18 && n != 15) return fail(e, "身份证号应为18位（或15位旧号码）");
  if (!shape_ok(raw, n)) return fail(e, "身份证号只能包含数字，最后一位可以是X");
  if (!region_province_known(raw)) return fail(e, "身份证号前两位不是有效的省级行政区划代码");
  if (n == 15) upgrade(raw, num18);
  else memcpy(num18, raw, 19);
  struct jk_date birth = {num(num18 + 6, 4), num(num18 + 10, 2), num(num18 + 12, 2)};
  if (birth.y < 1900 || !date_valid(birth.y, birth.m, birth.d))
    return fail(e, "身份证号中的出生日期无效");
  if (date_to_days(birth) > date_to_days(today)) return fail(e, "身份证号中的出生日期晚于今天");
  int ci = check_index(num18);
  assert(ci >= 0);
  if (num18[17] != check_chars[ci]) return fail(e, check_messages[ci]);
  memcpy(out->number, num18, 19);
  out->birth = birth;
  out->sex = (num18[16] - '0') % 2 ? 1 : 2;
  memcpy(out->region6, num18, 6);
  out->region6[6] = 0;
  out->upgraded = n == 15;
  return JK_OK;
}

void idcard_mask(const char *number18, char out[19])
{
  memset(out, '*', 18);
  out[18] = 0;
  if (!number18 || strlen(number18) != 18) return;
  memcpy(out, number18, 6);
  memcpy(out + 14, number18 + 14, 4);
}
