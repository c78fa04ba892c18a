/* clock.c: see clock.h. The fixed time is an atomic so that the sweep thread and the request
 * threads read it safely. Civil-date arithmetic after Howard Hinnant's days_from_civil. */
#include "base/clock.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHANGHAI_OFFSET_MS (8LL * 3600 * 1000)
static _Atomic int64_t fixed_ms;
static _Atomic int64_t offset_ms;

int64_t clock_now_ms(void)
{
  int64_t f = atomic_load(&fixed_ms);
  if (f) return f + atomic_load(&offset_ms);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms);
}

void clock_set_ms(int64_t ms)
{
  atomic_store(&fixed_ms, ms);
  atomic_store(&offset_ms, 0);
}

void clock_advance_ms(int64_t delta) { atomic_fetch_add(&offset_ms, delta); }

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool date_valid(int y, int m, int d)
{
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  int md = mdays[m - 1] + (m == 2 && is_leap(y));
  return d <= md;
}

int64_t date_to_days(struct jk_date dt)
{
  int64_t y = dt.y - (dt.m <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (dt.m + (dt.m > 2 ? -3 : 9)) + 2) / 5 + dt.d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct jk_date date_from_days(int64_t z)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  return (struct jk_date){(int)(y + (m <= 2)), m, d};
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

struct jk_date date_from_ms(int64_t ms)
{
  return date_from_days(floor_div(ms + SHANGHAI_OFFSET_MS, 86400000LL));
}

struct jk_date date_today(void) { return date_from_ms(clock_now_ms()); }

static bool digits(const char *s, int n)
{
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static int num(const char *s, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

bool date_parse(const char *s, struct jk_date *out)
{
  if (!s || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
      !digits(s + 8, 2))
    return false;
  struct jk_date dt = {num(s, 4), num(s + 5, 2), num(s + 8, 2)};
  if (!date_valid(dt.y, dt.m, dt.d)) return false;
  *out = dt;
  return true;
}

void date_format(struct jk_date dt, char out[11])
{
  char tmp[48];
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", dt.y % 10000, dt.m % 100, dt.d % 100);
  memcpy(out, tmp, 10);
  out[10] = 0;
}

struct jk_date date_add_months(struct jk_date dt, int months)
{
  int m0 = dt.y * 12 + (dt.m - 1) + months;
  struct jk_date r = {.y = m0 / 12, .m = m0 % 12 + 1, .d = dt.d};
  while (r.d > 28 && !date_valid(r.y, r.m, r.d)) r.d--;
  return r;
}

int date_age(struct jk_date b, struct jk_date at)
{
  int age = at.y - b.y;
  if (at.m < b.m || (at.m == b.m && at.d < b.d)) age--;
  return age;
}

bool time_parse(const char *s, int64_t *ms)
{
  if (!s || !*s) return false;
  if (digits(s, (int)strlen(s)) && strlen(s) <= 16) {
    *ms = strtoll(s, 0, 10);
    return true;
  }
  struct jk_date dt;
  char day[11];
  if (strlen(s) < 10) return false;
  memcpy(day, s, 10);
  day[10] = 0;
  if (!date_parse(day, &dt)) return false;
  int64_t t = date_to_days(dt) * 86400000LL;
  const char *p = s + 10;
  int64_t zone = SHANGHAI_OFFSET_MS;
  if (*p == 'T' || *p == ' ') {
    p++;
    if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2)) return false;
    int hh = num(p, 2), mi = num(p + 3, 2), ss = 0;
    p += 5;
    if (*p == ':') {
      if (!digits(p + 1, 2)) return false;
      ss = num(p + 1, 2);
      p += 3;
      if (*p == '.') { p++; while (*p >= '0' && *p <= '9') p++; }
    }
    if (hh > 23 || mi > 59 || ss > 60) return false;
    t += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000;
    if (*p == 'Z') { zone = 0; p++; }
    else if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2)) {
      zone = ((int64_t)num(p + 1, 2) * 3600 + num(p + 4, 2) * 60) * 1000 * (*p == '-' ? -1 : 1);
      p += 6;
    }
  }
  if (*p) return false;
  *ms = t - zone;
  return true;
}

void time_format(int64_t ms, char out[32])
{
  int64_t local = ms + SHANGHAI_OFFSET_MS;
  int64_t days = floor_div(local, 86400000LL);
  int64_t rem = local - days * 86400000LL;
  struct jk_date dt = date_from_days(days);
  int s = (int)(rem / 1000);
  char tmp[96];
  int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", dt.y % 10000, dt.m % 100,
                   dt.d % 100, s / 3600 % 100, s / 60 % 60, s % 60);
  size_t len = n > 0 && n < 32 ? (size_t)n : 31;
  memcpy(out, tmp, len);
  out[len] = 0;
}

int64_t time_day_end(int64_t ms)
{
  return (date_to_days(date_from_ms(ms)) + 1) * 86400000LL - 8 * 3600000LL - 1;
}
