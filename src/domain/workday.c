/* workday.c: see workday.h. The exceptions are a sorted array searched by bisection, so a
 * question about one day costs O(log n) and adding n working days O(n log m). 1970-01-01 was a
 * Thursday. */
#include "domain/workday.h"
#include "base/clock.h"
#include <stdlib.h>
#include <string.h>

struct workcal {
  struct workday_exception *ex;
  int n;
  int *years;
  int nyears;
};

static int cmp_ex(const void *a, const void *b)
{
  const struct workday_exception *x = a, *y = b;
  return x->day < y->day ? -1 : x->day > y->day;
}

struct workcal *workcal_new(const struct workday_exception *ex, int n, const int *years, int nyears)
{
  struct workcal *c = calloc(1, sizeof *c);
  if (!c) return 0;
  c->ex = malloc(sizeof *ex * (size_t)(n > 0 ? n : 1));
  c->years = malloc(sizeof *years * (size_t)(nyears > 0 ? nyears : 1));
  if (!c->ex || !c->years) {
    workcal_free(c);
    return 0;
  }
  if (n) memcpy(c->ex, ex, sizeof *ex * (size_t)n);
  if (nyears) memcpy(c->years, years, sizeof *years * (size_t)nyears);
  c->n = n;
  c->nyears = nyears;
  qsort(c->ex, (size_t)n, sizeof *c->ex, cmp_ex);
  return c;
}

void workcal_free(struct workcal *c)
{
  if (!c) return;
  free(c->ex);
  free(c->years);
  free(c);
}

static const struct workday_exception *find(const struct workcal *c, int64_t day)
{
  struct workday_exception key = {day, false};
  return c ? bsearch(&key, c->ex, (size_t)c->n, sizeof key, cmp_ex) : 0;
}

bool workcal_is_workday(const struct workcal *c, int64_t day)
{
  const struct workday_exception *e = find(c, day);
  if (e) return !e->off;
  int64_t wd = ((day % 7) + 7 + 3) % 7;   /* 0 = Monday */
  return wd < 5;
}

bool workcal_has_year(const struct workcal *c, int year)
{
  for (int i = 0; c && i < c->nyears; i++)
    if (c->years[i] == year) return true;
  return false;
}

int64_t workcal_add(const struct workcal *c, int64_t day, int n)
{
  while (n > 0) {
    day++;
    if (workcal_is_workday(c, day)) n--;
  }
  return day;
}

int workcal_count(const struct workcal *c, int64_t from, int64_t to)
{
  int n = 0;
  for (int64_t d = from + 1; d <= to; d++) n += workcal_is_workday(c, d);
  return n;
}
