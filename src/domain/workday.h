/* workday.h: working days on the official calendar (法定节假日 and 调休).
 *
 * A working day is Monday–Friday, except the official holidays that fall on a weekday, plus the
 * weekend days declared working days (调休). The exceptions come from the `holiday` table,
 * loaded from the npm package chinese-days by `jingkang init` / `jingkang calendar import`, and
 * editable per year by the administrator. Days are counted as days since 1970-01-01
 * (clock.h date_to_days). A year with no loaded exceptions falls back to plain weekends;
 * workcal_has_year tells whether a year is covered. Pure: no I/O, no clock. */
#ifndef JK_WORKDAY_H
#define JK_WORKDAY_H
#include <stdbool.h>
#include <stdint.h>

struct workday_exception {
  int64_t day;      /* days since 1970-01-01 */
  bool off;         /* true: a holiday (no work); false: a 调休 working day */
};

/* An immutable calendar. Build with workcal_new (the exceptions are copied and sorted); free
 * with workcal_free. */
struct workcal;
struct workcal *workcal_new(const struct workday_exception *ex, int n, const int *years, int nyears);
void workcal_free(struct workcal *c);

bool workcal_is_workday(const struct workcal *c, int64_t day);
bool workcal_has_year(const struct workcal *c, int year);
/* The n-th working day after `day` (day itself never counts; n ≥ 1). n = 0 gives `day`. */
int64_t workcal_add(const struct workcal *c, int64_t day, int n);
/* Working days in (from, to]; 0 when to ≤ from. */
int workcal_count(const struct workcal *c, int64_t from, int64_t to);

#endif
