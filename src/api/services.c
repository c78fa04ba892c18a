/* services.c: service records (服务记录) and ledgers (台账).
 *
 *   POST /service-records                 one session: individual (one client) or group (many)
 *   GET  /service-records                 an institution's records for a period (?from&to&organization)
 *   GET  /service-records/ledger          the same period as an Excel ledger (.xlsx)
 *   GET  /service-records/{id}            one record with its attendance
 *   GET  /clients/{id}/services           a client's services, newest first (?from&to, paged)
 *   GET  /clients/{id}/ledger             a client's ledger as Excel
 *
 * Records are written by the staff of the institution (OBJ_SERVICE), and each client on it must
 * be one whose care they may write (OBJ_CARE, i.e. served by that institution): a group of 20 is
 * one request, refused whole if any client is not theirs. The staff named are the institution's
 * own staff records, kept with their names as they were on the day. */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/care.h"
#include "io/xlsx.h"
#include "sec/crypto.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/service_store.h"
#include <stdlib.h>
#include <string.h>

#define MAX_ATTENDEES 100

/* The clients of a record: ids, or {"id","attended"} objects. Each must be distinct, served by
 * org_rid, and neither deceased nor moved away. */
static bool parse_clients(struct req *r, json_t *v, int64_t org_rid, struct attendance *who, int64_t *n,
                          int64_t *attended)
{
  if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_ATTENDEES)
    return bad_field(r, "clients", "clients 应为 1—100 名服务对象");
  size_t i;
  json_t *x;
  *n = *attended = 0;
  json_array_foreach(v, i, x) {
    json_t *id = json_is_object(x) ? json_object_get(x, "id") : x, *att = json_is_object(x) ? json_object_get(x, "attended") : 0;
    if (json_is_object(x)) {
      static const char *const keys[] = {"id", "attended", 0};
      if (!body_only(r, x, keys)) return false;
    }
    struct client_rec c;
    if (!json_is_string(id) || (att && !json_is_boolean(att))) return bad_field(r, "clients", "clients 的每一项应为对象 id 或 {\"id\",\"attended\"}");
    if (!uuid_valid(json_string_value(id)) || client_store_by_id(r->db, r->a, json_string_value(id), &c) != JK_OK)
      return reply_fail(r, JK_ENOTFOUND, "not_found", "服务对象不存在或不在您的管辖范围内", "clients"), false;
    struct policy_object po = {.kind = OBJ_CARE, .region = c.residence_region, .org_rid = c.org_rid};
    if (policy_decide(&r->who, ACT_CREATE, &po) != JK_OK || c.org_rid != org_rid) {
      audit_note(r, "denied", "client", c.id, "denied", "service record");
      return reply_fail(r, JK_ENOTFOUND, "not_found", "服务对象不存在或不在您的管辖范围内", "clients"), false;
    }
    if (strcmp(c.status, "deceased") == 0 || strcmp(c.status, "moved") == 0)
      return reply_fail(r, JK_ERULE, "client_not_served", arena_printf(r->a, "%s 已%s，不能登记服务", c.name,
                                                                       c.status[0] == 'd' ? "死亡" : "迁出"), "clients"), false;
    for (int64_t k = 0; k < *n; k++)
      if (who[k].client_rid == c.rid) return bad_field(r, "clients", arena_printf(r->a, "%s 重复", c.name));
    who[*n] = (struct attendance){.client_rid = c.rid, .attended = !att || json_is_true(att)};
    *attended += who[*n].attended;
    (*n)++;
  }
  return true;
}

static bool code_field(struct req *r, json_t *body, const char *key, bool required, enum care_list l, const char **out)
{
  if (!body_str(r, body, key, required, 32, out)) return false;
  if (*out && !care_code_valid(l, *out)) {
    json_t *ids = json_array();
    for (const struct code *c = care_codes(l); c->id; c++) json_array_append_new(ids, json_string(c->id));
    char *list = json_dumps(ids, JSON_COMPACT);
    bad_field(r, key, arena_printf(r->a, "%s 应为 %s 之一", key, list));
    free(list);
    json_decref(ids);
    return false;
  }
  return true;
}

void api_service_create(struct req *r)
{
  struct policy_object po = {.kind = OBJ_SERVICE, .org_rid = r->who.org_rid};
  if (!role_needs_org(r->who.role) || !r->who.org_rid) return (void)allowed(r, ACT_CREATE, &(struct policy_object){.kind = OBJ_SERVICE}, "service_record", 0);
  struct org_rec org;
  jk_status st = org_store_by_rid(r->db, r->a, r->who.org_rid, &org);
  if (st != JK_OK) return reply_err(r, st, 0);
  po.region = org.region;
  if (!allowed(r, ACT_CREATE, &po, "service_record", 0)) return;
  json_t *body = req_body(r);
  if (!body) return;
  static const char *const keys[] = {"type", "mode", "date", "duration_minutes", "place", "clients", "staff", "topic",
                                     "content", 0};
  struct service_rec s = {.org_rid = org.rid, .created_by = r->who.user_id};
  bool present;
  struct attendance *who = arena_alloc(r->a, MAX_ATTENDEES * sizeof *who);
  json_t *staff = json_array();
  bool ok = body_only(r, body, keys) && code_field(r, body, "type", true, CL_SERVICE_TYPE, &s.type) &&
            code_field(r, body, "mode", false, CL_MODE, &s.mode) && body_date(r, body, "date", true, true, &s.date) &&
            body_int(r, body, "duration_minutes", true, 5, 720, &s.duration_minutes, &present) &&
            code_field(r, body, "place", true, CL_PLACE, &s.place) && body_str(r, body, "topic", false, 100, &s.topic) &&
            body_str(r, body, "content", false, 2000, &s.content) &&
            parse_clients(r, json_object_get(body, "clients"), org.rid, who, &s.n_clients, &s.n_attended);
  json_t *sv = json_object_get(body, "staff");
  if (ok && json_is_string(sv)) sv = json_pack("[O]", sv);
  else json_incref(sv);
  if (ok && (!json_is_array(sv) || json_array_size(sv) == 0 || json_array_size(sv) > 10))
    ok = bad_field(r, "staff", "staff 应为 1—10 名本机构工作人员");
  size_t i;
  json_t *x;
  json_array_foreach(ok ? sv : 0, i, x) {
    json_t *ref = care_staff_ref(r, x, org.rid, "staff");
    if (!ref) {
      ok = false;
      break;
    }
    json_array_append_new(staff, ref);
  }
  json_decref(sv);
  if (ok && s.mode && strcmp(s.mode, "individual") == 0 && s.n_clients > 1)
    ok = bad_field(r, "mode", "个案服务只能有一名服务对象");
  if (ok && !s.mode) s.mode = s.n_clients > 1 ? "group" : "individual";
  if (ok && s.date && strcmp(s.date, "2000-01-01") < 0) ok = bad_field(r, "date", "服务日期过早");
  char id[37];
  uuid_v7(id);
  s.id = id;
  char *staff_text = json_dumps(staff, JSON_COMPACT);
  s.staff_json = arena_strdup(r->a, staff_text);
  free(staff_text);
  json_decref(staff);
  json_decref(body);
  if (!ok) return;
  s.created_at = clock_now_ms();
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  if ((st = service_store_insert(r->db, &s, who, s.n_clients)) != JK_OK ||
      (st = audit_change(r, "create", "service_record", id, arena_printf(r->a, "%lld clients", (long long)s.n_clients))) != JK_OK)
    return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  json_t *row;
  int64_t org_rid;
  if ((st = service_store_get(r->db, id, &row, &org_rid)) != JK_OK) return reply_err(r, st, 0);
  reply_json(r, 201, row);
}

/* ?from=&to= (default: this month) */
static bool period(struct req *r, const char **from, const char **to)
{
  struct jk_date t = date_today(), d;
  char *f = arena_alloc(r->a, 11), *e = arena_alloc(r->a, 11);
  date_format((struct jk_date){t.y, t.m, 1}, f);
  date_format(date_from_days(date_to_days(date_add_months((struct jk_date){t.y, t.m, 1}, 1)) - 1), e);
  *from = req_query(r, "from") ? req_query(r, "from") : f;
  *to = req_query(r, "to") ? req_query(r, "to") : e;
  if (!date_parse(*from, &d)) return reply_fail(r, JK_EINVAL, "invalid_query", "from 应为日期（YYYY-MM-DD）", "from"), false;
  if (!date_parse(*to, &d)) return reply_fail(r, JK_EINVAL, "invalid_query", "to 应为日期（YYYY-MM-DD）", "to"), false;
  if (strcmp(*from, *to) > 0) return reply_fail(r, JK_EINVAL, "invalid_query", "from 不能晚于 to", "from"), false;
  return true;
}

/* The institution whose records are asked for: the caller's own, or ?organization= within
 * the caller's region. */
static bool ledger_org(struct req *r, struct org_rec *org)
{
  const char *id = req_query(r, "organization");
  int64_t rid = r->who.org_rid;
  jk_status st = JK_OK;
  if (id) st = uuid_valid(id) ? org_store_by_id(r->db, r->a, id, org) : JK_ENOTFOUND;
  else if (rid) st = org_store_by_rid(r->db, r->a, rid, org);
  else return reply_fail(r, JK_EINVAL, "missing_query", "请指定机构（organization）", "organization"), false;
  if (st == JK_ENOTFOUND) return reply_fail(r, st, "not_found", "机构不存在", "organization"), false;
  if (st != JK_OK) return reply_err(r, st, 0), false;
  struct policy_object po = {.kind = OBJ_SERVICE, .region = org->region, .org_rid = org->rid};
  return allowed(r, ACT_READ, &po, "service_record", org->id);
}

void api_services_list(struct req *r)
{
  struct org_rec org;
  const char *from, *to;
  int64_t limit, offset, page, total = 0;
  if (!ledger_org(r, &org) || !period(r, &from, &to) || !page_params(r, &limit, &offset, &page)) return;
  json_t *rows = json_array();
  jk_status st = service_store_list(r->db, org.rid, from, to, limit, offset, rows, &total);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  audit_note(r, "search", "service_record", org.id, "ok", arena_printf(r->a, "%s..%s", from, to));
  json_t *o = page_envelope(rows, total, page, limit);
  json_object_set_new(o, "from", json_string(from));
  json_object_set_new(o, "to", json_string(to));
  reply_json(r, 200, o);
}

void api_service_get(struct req *r)
{
  json_t *row = 0;
  int64_t org_rid = 0;
  jk_status st = uuid_valid(r->params[0]) ? service_store_get(r->db, r->params[0], &row, &org_rid) : JK_ENOTFOUND;
  struct org_rec org;
  if (st == JK_OK) st = org_store_by_rid(r->db, r->a, org_rid, &org);
  if (st == JK_ENOTFOUND) {
    json_decref(row);
    return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0);
  }
  if (st != JK_OK) return json_decref(row), reply_err(r, st, 0);
  struct policy_object po = {.kind = OBJ_SERVICE, .region = org.region, .org_rid = org.rid};
  if (!allowed(r, ACT_READ, &po, "service_record", r->params[0])) return json_decref(row);
  audit_note(r, "read", "service_record", r->params[0], "ok", 0);
  reply_json(r, 200, row);
}

void api_client_services(struct req *r)
{
  struct client_rec c;
  const char *from = req_query(r, "from") ? req_query(r, "from") : "0000-01-01",
             *to = req_query(r, "to") ? req_query(r, "to") : "9999-12-31";
  struct jk_date d;
  if (!care_client(r, ACT_READ, &c)) return;
  if ((req_query(r, "from") && !date_parse(from, &d)) || (req_query(r, "to") && !date_parse(to, &d)))
    return reply_fail(r, JK_EINVAL, "invalid_query", "from、to 应为日期（YYYY-MM-DD）", 0);
  int64_t limit, offset, page, total = 0;
  if (!page_params(r, &limit, &offset, &page)) return;
  json_t *rows = json_array();
  jk_status st = service_store_of_client(r->db, c.rid, from, to, limit, offset, rows, &total);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  audit_note(r, "search", "service_record", c.id, "ok", "client services");
  reply_json(r, 200, page_envelope(rows, total, page, limit));
}

/* ---- ledgers ---- */

struct ledger_ctx {
  struct xlsx *x;
  struct arena *a;
  int64_t n, minutes, attendances;
  bool client;
};

static const char *staff_names(struct arena *a, const char *staff_json)
{
  json_t *v = json_loads(staff_json ? staff_json : "[]", 0, 0), *s;
  size_t i;
  char *out = arena_strdup(a, "");
  json_array_foreach(v, i, s) out = arena_printf(a, "%s%s%s", out, i ? "、" : "", json_string_value(json_object_get(s, "name")));
  json_decref(v);
  return out;
}

static void ledger_line(void *ctx, const struct ledger_row *row)
{
  struct ledger_ctx *l = ctx;
  char n[24], minutes[24], count[24];
  snprintf(n, sizeof n, "%lld", (long long)++l->n);
  snprintf(minutes, sizeof minutes, "%lld", (long long)row->duration_minutes);
  snprintf(count, sizeof count, "%lld", (long long)row->n_attended);
  l->minutes += row->duration_minutes;
  l->attendances += l->client ? row->attended : row->n_attended;
  const char *type = care_label(CL_SERVICE_TYPE, row->type), *mode = care_label(CL_MODE, row->mode),
             *place = care_label(CL_PLACE, row->place), *staff = staff_names(l->a, row->staff_json);
  if (l->client) {
    const char *cells[] = {n, row->date, type, mode, place, minutes, row->topic, row->content, staff, row->org_name,
                           row->attended ? "出席" : "缺席"};
    xlsx_row(l->x, cells);
  } else {
    const char *cells[] = {n, row->date, type, mode, place, minutes, row->topic, row->content, staff, count,
                           row->client_names};
    xlsx_row(l->x, cells);
  }
}

static void send_ledger(struct req *r, bool client, const char *who, const char *from, const char *to,
                        jk_status (*load)(struct db *, int64_t, const char *, const char *,
                                          void (*)(void *, const struct ledger_row *), void *),
                        int64_t rid)
{
  static const struct xlsx_col org_cols[] = {
    {"序号", 6, true}, {"日期", 11, false}, {"服务类型", 14, false}, {"形式", 6, false}, {"地点", 8, false},
    {"时长（分钟）", 8, true}, {"主题", 18, false}, {"服务内容", 36, false}, {"服务人员", 14, false},
    {"出席人数", 8, true}, {"服务对象（签到）", 36, false}};
  static const struct xlsx_col client_cols[] = {
    {"序号", 6, true}, {"日期", 11, false}, {"服务类型", 14, false}, {"形式", 6, false}, {"地点", 8, false},
    {"时长（分钟）", 8, true}, {"主题", 18, false}, {"服务内容", 36, false}, {"服务人员", 14, false},
    {"服务机构", 20, false}, {"出席", 6, false}};
  struct ledger_ctx l = {.a = r->a, .client = client};
  jk_status st = xlsx_open(r->app->data_dir, &l.x);
  if (st != JK_OK) return reply_err(r, st, 0);
  const char *title = client ? arena_printf(r->a, "%s 康复服务记录", who) : arena_printf(r->a, "%s 康复服务台账", who);
  const char *sub = arena_printf(r->a, "统计期间：%s 至 %s　　导出日期：%s　　导出人：%s", from, to, today_text(r), r->who.username);
  if ((st = xlsx_sheet(l.x, "台账", title, sub, client ? client_cols : org_cols, 11)) != JK_OK ||
      (st = load(r->db, rid, from, to, ledger_line, &l)) != JK_OK) {
    xlsx_abort(l.x);
    return reply_err(r, st, 0);
  }
  xlsx_note(l.x, arena_printf(r->a, "合计：服务 %lld 次，%lld 分钟，%s %lld 人次。", (long long)l.n, (long long)l.minutes,
                              client ? "出席" : "服务对象出席", (long long)l.attendances));
  char *data;
  size_t len;
  if ((st = xlsx_finish(l.x, &data, &len)) != JK_OK) return reply_err(r, st, 0);
  reply_download(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 arena_printf(r->a, "%s_%s_%s.xlsx", client ? "服务记录" : "服务台账", from, to), data, len);
}

void api_services_ledger(struct req *r)
{
  struct org_rec org;
  const char *from, *to;
  if (!ledger_org(r, &org) || !period(r, &from, &to)) return;
  audit_note(r, "export", "service_record", org.id, "ok", arena_printf(r->a, "ledger %s..%s", from, to));
  send_ledger(r, false, org.name, from, to, service_store_ledger, org.rid);
}

void api_client_ledger(struct req *r)
{
  struct client_rec c;
  const char *from, *to;
  if (!care_client(r, ACT_READ, &c)) return;
  from = req_query(r, "from") ? req_query(r, "from") : "2000-01-01";
  to = req_query(r, "to") ? req_query(r, "to") : today_text(r);
  struct jk_date d;
  if (!date_parse(from, &d) || !date_parse(to, &d)) return reply_fail(r, JK_EINVAL, "invalid_query", "from、to 应为日期（YYYY-MM-DD）", 0);
  audit_note(r, "export", "client", c.id, "ok", "ledger");
  send_ledger(r, true, c.name, from, to, service_store_client_ledger, c.rid);
}
