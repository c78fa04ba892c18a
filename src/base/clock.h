/* clock.h: the one clock, and calendar dates in Asia/Shanghai.
 *
 * Every "now" in Jingkang comes from clock_now_ms(). Tests and `jingkang sweep --as-of` set the
 * clock explicitly (clock_set_ms) so that rules that fire with time can be checked by jumping
 * ahead; the server may also start with JINGKANG_NOW (ISO time or epoch ms) for black-box tests.
 * Stored instants are UTC epoch milliseconds; dates are Asia/Shanghai (UTC+8, no daylight
 * saving since 1991), written YYYY-MM-DD. */
#ifndef JK_CLOCK_H
#define JK_CLOCK_H
#include <stdbool.h>
#include <stdint.h>

int64_t clock_now_ms(void);
void clock_set_ms(int64_t ms);   /* fixes the clock; 0 returns to the system clock */
void clock_advance_ms(int64_t delta);

struct jk_date { int y, m, d; };

bool date_valid(int y, int m, int d);
int64_t date_to_days(struct jk_date dt);            /* days since 1970-01-01 */
struct jk_date date_from_days(int64_t days);
struct jk_date date_from_ms(int64_t ms);            /* the Shanghai date of an instant */
struct jk_date date_today(void);
/* Parses "YYYY-MM-DD" strictly; false on anything else or an impossible date. */
bool date_parse(const char *s, struct jk_date *out);
void date_format(struct jk_date dt, char out[11]);
/* The same day `months` calendar months later (or earlier when negative); a day the target
 * month lacks falls back to its last day (31 January + 1 month = 28/29 February). */
struct jk_date date_add_months(struct jk_date dt, int months);
/* Whole years from `birth` to `at` (the birthday counts on its day; 29 Feb on 28 Feb / 1 Mar
 * counts on 1 Mar of a common year). */
int date_age(struct jk_date birth, struct jk_date at);
/* Parses an instant: epoch milliseconds, "YYYY-MM-DD" (Shanghai midnight) or
 * "YYYY-MM-DDTHH:MM[:SS][Z|+08:00]" (no zone = Shanghai). */
bool time_parse(const char *s, int64_t *ms);
/* The last millisecond (23:59:59.999 Shanghai) of the day that contains instant ms. */
int64_t time_day_end(int64_t ms);
/* ISO 8601 with +08:00, e.g. 2026-11-22T09:30:00+08:00 */
void time_format(int64_t ms, char out[32]);

#endif
