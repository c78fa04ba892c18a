/* calendar_store.h: the holiday/调休 calendar in the database and its in-memory snapshot.
 *
 * calendar_current returns the process-wide snapshot (domain/workday.h), built from the
 * `holiday` and `calendar_year` tables on first use and rebuilt after a change made through
 * calendar_store_put_year, also by another process (the store notices through a version kept
 * in `meta`, read on every call). Safe to call from any thread; a snapshot stays valid for the life of the process. */
#ifndef JK_CALENDAR_STORE_H
#define JK_CALENDAR_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;
struct workcal;

const struct workcal *calendar_current(struct db *db);

/* The deadline `n` working days after the Shanghai date of instant from_ms: the last
 * millisecond (23:59:59.999 Shanghai) of that working day, as epoch ms. */
int64_t calendar_deadline(struct db *db, int64_t from_ms, int n);

struct calendar_day {
  const char *date;   /* YYYY-MM-DD */
  bool off;
  const char *name;
};
/* Replaces every exception of `year` (inside the caller's write transaction). */
jk_status calendar_store_put_year(struct db *db, int year, const struct calendar_day *days, int n,
                                  const char *source, const char *updated_by, int64_t now_ms);
jk_status calendar_store_get_year(struct db *db, struct arena *a, int year, struct calendar_day **days,
                                  int *n, const char **source, int64_t *updated_at);
/* Years loaded, ascending. */
jk_status calendar_store_years(struct db *db, struct arena *a, int **years, int *n);

#endif
