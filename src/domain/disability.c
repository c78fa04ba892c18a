/* disability.c: see disability.h.
 *
 * Checks run in the order: length, agreement with the client's ID number (when given), form
 * and check character of the ID part, category, grade. Messages are static strings.
 * Invariant of a parsed certificate: number is 20 characters, the first 18 a resident ID
 * number whose check character is right, then category 6 or 7 and grade 1–4. */
#include "domain/disability.h"
#include "domain/idcard.h"
#include <string.h>

static const char *const category_names[8] = {
  0, "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾",
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static char upper_x(char c) { return c == 'x' ? 'X' : c; }

static jk_status fail(struct jk_err *e, const char *message)
{
  return jk_fail(e, JK_EINVAL, "invalid_disability_certificate", message, "disability_certificate");
}

/* 20 characters without surrounding white space into buf, x upper-cased; false otherwise. */
static bool take20(const char *in, char buf[21])
{
  while (is_space(*in)) in++;
  size_t n = strlen(in);
  while (n > 0 && is_space(in[n - 1])) n--;
  if (n != 20) return false;
  for (size_t i = 0; i < 20; i++) buf[i] = upper_x(in[i]);
  buf[20] = 0;
  return true;
}

static bool id_part_ok(const char *s)
{
  for (int i = 0; i < 17; i++)
    if (!is_digit(s[i])) return false;
  return s[17] == idcard_check_char(s);
}

static bool same_id(const char *cert, const char *id)
{
  for (int i = 0; i < 18; i++)
    if (!id[i] || upper_x(id[i]) != cert[i]) return false;
  return id[18] == 0;
}

jk_status disability_parse(const char *in, const char *id_number18, struct disability_cert *out,
                           struct jk_err *e)
{
  char num[21];
  if (!in || !take20(in, num)) return fail(e, "残疾人证号应为20位：身份证号加类别和等级");
  if (id_number18 && !same_id(num, id_number18)) return fail(e, "残疾人证号的前18位应与身份证号一致");
  if (!id_part_ok(num)) return fail(e, "残疾人证号的前18位不是有效的身份证号（校验位错误）");
  if (num[18] != '6' && num[18] != '7') return fail(e, "残疾人证类别应为6（精神）或7（多重）");
  if (num[19] < '1' || num[19] > '4') return fail(e, "残疾等级应为1–4级");
  memcpy(out->number, num, sizeof num);
  out->category = num[18] - '0';
  out->grade = num[19] - '0';
  return JK_OK;
}

const char *disability_category_name(int c) { return c >= 1 && c <= 7 ? category_names[c] : 0; }

void disability_mask(const char *number20, char out[21])
{
  memset(out, '*', 20);
  out[20] = 0;
  if (!number20 || strlen(number20) != 20) return;
  memcpy(out, number20, 6);
  memcpy(out + 14, number20 + 14, 6);
}
