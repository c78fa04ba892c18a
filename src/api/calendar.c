/* calendar.c: the official holiday/调休 calendar (store/calendar_store.h) over HTTP.
 *   GET /calendar                    the years loaded, with their source
 *   GET /calendar/{year}             the exceptions of a year
 *   PUT /calendar/{year}             sysadmin: replace a year (e.g. when the State Council
 *                                    publishes next year's arrangement before the package does)
 *   GET /workdays?from=&n=           the n-th working day after a date
 * A holiday (`off`) must fall on a weekday and a 调休 working day on a weekend; dates must be
 * inside the year; the answer to a bad day names it and nothing changes. */
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/workday.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include <stdlib.h>
#include <string.h>

static bool year_param(struct req *r, int *year)
{
  char *end;
  long y = strtol(r->params[0], &end, 10);
  if (*end || y < 2000 || y > 2100) return reply_fail(r, JK_ENOTFOUND, "not_found", "年份应为2000–2100", 0), false;
  *year = (int)y;
  return true;
}

static json_t *days_json(const struct calendar_day *d, int n)
{
  json_t *list = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(list, json_pack("{s:s,s:b,s:s}", "date", d[i].date, "off", d[i].off, "name", d[i].name ? d[i].name : ""));
  return list;
}

void api_calendar_list(struct req *r)
{
  struct policy_object po = {.kind = OBJ_RULES};
  if (!allowed(r, ACT_READ, &po, "calendar", 0)) return;
  int *years, n;
  jk_status st = calendar_store_years(r->db, r->a, &years, &n);
  if (st != JK_OK) return reply_err(r, st, 0);
  json_t *list = json_array();
  for (int i = 0; i < n; i++) {
    struct calendar_day *d;
    int nd;
    const char *source;
    int64_t at;
    if (calendar_store_get_year(r->db, r->a, years[i], &d, &nd, &source, &at) != JK_OK) continue;
    json_array_append_new(list, json_pack("{s:i,s:s,s:s,s:i}", "year", years[i], "source", source, "updated_at",
                                          iso_time(r, at), "days", nd));
  }
  reply_json(r, 200, json_pack("{s:o}", "years", list));
}

void api_calendar_get(struct req *r)
{
  struct policy_object po = {.kind = OBJ_RULES};
  int year;
  if (!allowed(r, ACT_READ, &po, "calendar", 0) || !year_param(r, &year)) return;
  struct calendar_day *d;
  int n;
  const char *source;
  int64_t at;
  jk_status st = calendar_store_get_year(r->db, r->a, year, &d, &n, &source, &at);
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "该年份的节假日安排尚未载入", 0);
  if (st != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 200, json_pack("{s:i,s:s,s:s,s:o}", "year", year, "source", source, "updated_at", iso_time(r, at), "days",
                               days_json(d, n)));
}

/* One day of a PUT body; replies 400 naming the day otherwise. */
static bool parse_day(struct req *r, json_t *v, int year, struct calendar_day *out)
{
  static const char *const keys[] = {"date", "off", "name", 0};
  const char *date, *name;
  bool off = false, present;
  struct jk_date d;
  if (!json_is_object(v) || !body_only(r, v, keys) || !body_str(r, v, "date", true, 10, &date) ||
      !body_bool(r, v, "off", &off, &present) || !body_str(r, v, "name", false, 40, &name))
    return r->status ? false : bad_field(r, "days", "每一天应为 {\"date\",\"off\",\"name\"}");
  if (!present) return bad_field(r, "days", "每一天须注明 off（true 放假，false 调休上班）");
  if (!date_parse(date, &d) || d.y != year) return bad_field(r, "days", arena_printf(r->a, "%s 不是 %d 年的日期", date, year));
  int64_t wd = ((date_to_days(d) % 7) + 7 + 3) % 7;   /* 0 = Monday */
  if (off && wd >= 5) return bad_field(r, "days", arena_printf(r->a, "%s 是周末，本来就不上班，不必列为放假", date));
  if (!off && wd < 5) return bad_field(r, "days", arena_printf(r->a, "%s 是工作日，不必列为调休上班", date));
  *out = (struct calendar_day){date, off, name ? name : ""};
  return true;
}

void api_calendar_put(struct req *r)
{
  static const char *const keys[] = {"days", "source", 0};
  struct policy_object po = {.kind = OBJ_RULES};   /* the national calendar: sysadmin, like the national rules */
  int year;
  if (!allowed(r, ACT_UPDATE, &po, "calendar", r->params[0]) || !year_param(r, &year)) return;
  json_t *body;
  struct jk_err e = {0};
  jk_status st = req_json(r, &body, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  json_t *days = json_object_get(body, "days");
  const char *source;
  bool ok = body_only(r, body, keys) && body_str(r, body, "source", false, 40, &source);
  if (ok && (!json_is_array(days) || json_array_size(days) > 120)) ok = bad_field(r, "days", "days 应为日期数组（最多120天）");
  size_t n = ok ? json_array_size(days) : 0;
  struct calendar_day *v = arena_alloc(r->a, sizeof *v * (n ? n : 1));
  for (size_t i = 0; ok && i < n; i++) {
    ok = parse_day(r, json_array_get(days, i), year, &v[i]);
    for (size_t j = 0; ok && j < i; j++)
      if (strcmp(v[i].date, v[j].date) == 0) ok = bad_field(r, "days", arena_printf(r->a, "%s 重复", v[i].date));
  }
  if (ok) {
    for (size_t i = 0; i < n; i++) v[i].date = arena_strdup(r->a, v[i].date), v[i].name = arena_strdup(r->a, v[i].name);
    source = arena_strdup(r->a, source ? source : "管理员录入");
  }
  json_decref(body);
  if (!ok) return;
  if ((st = db_begin_write(r->db)) != JK_OK ||
      (st = calendar_store_put_year(r->db, year, v, (int)n, source, r->who.username, clock_now_ms())) != JK_OK ||
      (st = audit_change(r, "update", "calendar", r->params[0], arena_printf(r->a, "%zu days", n))) != JK_OK) {
    if (db_in_write(r->db)) db_rollback(r->db);
    return reply_err(r, st, 0);
  }
  if (!commit_or_reply(r)) return;
  api_calendar_get(r);
}

void api_calendar_workdays(struct req *r)
{
  struct policy_object po = {.kind = OBJ_RULES};
  if (!allowed(r, ACT_READ, &po, "calendar", 0)) return;
  const char *from = req_query(r, "from"), *ns = req_query(r, "n");
  struct jk_date d;
  char *end = 0;
  long n = ns ? strtol(ns, &end, 10) : 5;
  if (!from || !date_parse(from, &d)) return (void)bad_field(r, "from", "from 应为日期 YYYY-MM-DD");
  if ((end && *end) || n < 0 || n > 250) return (void)bad_field(r, "n", "n 应为0–250的整数");
  const struct workcal *c = calendar_current(r->db);
  char out[11];
  date_format(date_from_days(workcal_add(c, date_to_days(d), (int)n)), out);
  reply_json(r, 200, json_pack("{s:s,s:i,s:s,s:b}", "from", from, "n", (int)n, "date", out, "covered", workcal_has_year(c, d.y)));
}
