/* service_store.c: see service_store.h. A record's attendance rows repeat its date and type so
 * that a client's services are one range of the attendance primary key (client, date). */
#include "store/service_store.h"
#include "base/arena.h"

static const char SQL_INSERT[] =
  "INSERT INTO service_record(id, org_rid, type, mode, date, duration_minutes, place, staff, topic, content,"
  " n_clients, n_attended, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
  " RETURNING rid";
static const char SQL_ATTEND[] =
  "INSERT INTO service_attendance(client_rid, date, record_rid, type, attended) VALUES ($1, $2, $3, $4, $5)";
#define RECORD_ROW                                                                                                   \
  "SELECT s.id, s.type, s.mode, s.date, s.duration_minutes, s.place, s.staff AS staff__json, s.topic, s.content,"   \
  " s.n_clients, s.n_attended, o.id AS organization, o.name AS organization_name,"                                  \
  " strftime('%Y-%m-%dT%H:%M:%S+08:00', s.created_at / 1000 + 28800, 'unixepoch') AS created_at"
static const char SQL_GET[] =
  RECORD_ROW ", s.org_rid, s.rid FROM service_record s JOIN organization o ON o.rid = s.org_rid WHERE s.id = $1";
static const char SQL_ATTENDEES[] =
  "SELECT c.id, c.name, a.attended AS attended__bool FROM service_attendance a JOIN client c ON c.rid = a.client_rid"
  " WHERE a.record_rid = $1 ORDER BY c.name, c.rid";
static const char SQL_LIST[] =
  RECORD_ROW ", (SELECT group_concat(c.name, '、') FROM service_attendance a JOIN client c ON c.rid = a.client_rid"
  " WHERE a.record_rid = s.rid) AS client_names FROM service_record s JOIN organization o ON o.rid = s.org_rid"
  " WHERE s.org_rid = $1 AND s.date >= $2 AND s.date <= $3 ORDER BY s.date DESC, s.rid DESC LIMIT $4 OFFSET $5";
static const char SQL_COUNT[] =
  "SELECT count(*) FROM service_record WHERE org_rid = $1 AND date >= $2 AND date <= $3";
static const char SQL_OF_CLIENT[] =
  RECORD_ROW ", a.attended AS attended__bool FROM service_attendance a JOIN service_record s ON s.rid = a.record_rid"
  " JOIN organization o ON o.rid = s.org_rid WHERE a.client_rid = $1 AND a.date >= $2 AND a.date <= $3"
  " ORDER BY a.date DESC, a.record_rid DESC LIMIT $4 OFFSET $5";
static const char SQL_OF_CLIENT_COUNT[] =
  "SELECT count(*) FROM service_attendance WHERE client_rid = $1 AND date >= $2 AND date <= $3";
static const char SQL_LEDGER[] =
  "SELECT s.date, s.type, s.mode, s.place, s.topic, s.content, s.staff, s.duration_minutes, s.n_clients, s.n_attended,"
  " (SELECT group_concat(c.name || CASE WHEN a.attended THEN '' ELSE '（缺席）' END, '、')"
  "  FROM service_attendance a JOIN client c ON c.rid = a.client_rid WHERE a.record_rid = s.rid)"
  " FROM service_record s WHERE s.org_rid = $1 AND s.date >= $2 AND s.date <= $3 ORDER BY s.date, s.rid";
static const char SQL_CLIENT_LEDGER[] =
  "SELECT s.date, s.type, s.mode, s.place, s.topic, s.content, s.staff, s.duration_minutes, s.n_clients,"
  " s.n_attended, o.name, a.attended FROM service_attendance a JOIN service_record s ON s.rid = a.record_rid"
  " JOIN organization o ON o.rid = s.org_rid WHERE a.client_rid = $1 AND a.date >= $2 AND a.date <= $3"
  " ORDER BY a.date, a.record_rid";

jk_status service_store_insert(struct db *db, struct service_rec *s, const struct attendance *who, int64_t n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_INSERT);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, s->id);
  db_bind_int64(st, 2, s->org_rid);
  db_bind_text(st, 3, s->type);
  db_bind_text(st, 4, s->mode);
  db_bind_text(st, 5, s->date);
  db_bind_int64(st, 6, s->duration_minutes);
  db_bind_text(st, 7, s->place);
  db_bind_text(st, 8, s->staff_json);
  db_bind_text(st, 9, s->topic);
  db_bind_text(st, 10, s->content);
  db_bind_int64(st, 11, s->n_clients);
  db_bind_int64(st, 12, s->n_attended);
  db_bind_text(st, 13, s->created_by);
  db_bind_int64(st, 14, s->created_at);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) s->rid = sqlite3_column_int64(st, 0);
  db_done(st);
  if (rc != SQLITE_ROW) return db_status(rc);
  for (int64_t i = 0; i < n; i++) {
    if (!(st = db_prepare(db, SQL_ATTEND))) return JK_EINTERNAL;
    db_bind_int64(st, 1, who[i].client_rid);
    db_bind_text(st, 2, s->date);
    db_bind_int64(st, 3, s->rid);
    db_bind_text(st, 4, s->type);
    db_bind_int64(st, 5, who[i].attended);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE) return db_status(rc);
  }
  return JK_OK;
}

jk_status service_store_get(struct db *db, const char *id, json_t **row, int64_t *org_rid)
{
  *row = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_GET);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, id);
  json_t *rows = json_array();
  jk_status s = db_rows_json(st, rows);
  json_t *r = json_array_get(rows, 0);
  if (s == JK_OK && !r) s = JK_ENOTFOUND;
  if (s == JK_OK) {
    *org_rid = json_integer_value(json_object_get(r, "org_rid"));
    int64_t rid = json_integer_value(json_object_get(r, "rid"));
    json_object_del(r, "org_rid");
    json_object_del(r, "rid");
    json_t *clients = json_array();
    if (!(st = db_prepare(db, SQL_ATTENDEES))) s = JK_EINTERNAL;
    else {
      db_bind_int64(st, 1, rid);
      s = db_rows_json(st, clients);
    }
    json_object_set_new(r, "clients", clients);
    *row = json_incref(r);
  }
  json_decref(rows);
  return s;
}

jk_status service_store_list(struct db *db, int64_t org_rid, const char *from, const char *to, int64_t limit,
                             int64_t offset, json_t *rows, int64_t *total)
{
  sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, org_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  jk_status s = db_step_int(st, total);
  if (s != JK_OK) return s;
  if (!(st = db_prepare(db, SQL_LIST))) return JK_EINTERNAL;
  db_bind_int64(st, 1, org_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  db_bind_int64(st, 4, limit);
  db_bind_int64(st, 5, offset);
  return db_rows_json(st, rows);
}

jk_status service_store_of_client(struct db *db, int64_t client_rid, const char *from, const char *to, int64_t limit,
                                  int64_t offset, json_t *rows, int64_t *total)
{
  if (total) {
    sqlite3_stmt *c = db_prepare(db, SQL_OF_CLIENT_COUNT);
    if (!c) return JK_EINTERNAL;
    db_bind_int64(c, 1, client_rid);
    db_bind_text(c, 2, from);
    db_bind_text(c, 3, to);
    jk_status cs = db_step_int(c, total);
    if (cs != JK_OK) return cs;
  }
  sqlite3_stmt *st = db_prepare(db, SQL_OF_CLIENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  db_bind_int64(st, 4, limit);
  db_bind_int64(st, 5, offset);
  return db_rows_json(st, rows);
}

static jk_status each_row(sqlite3_stmt *st, bool client, void (*fn)(void *ctx, const struct ledger_row *row), void *ctx)
{
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
#define T(i) ((const char *)sqlite3_column_text(st, i))
    struct ledger_row r = {.date = T(0), .type = T(1), .mode = T(2), .place = T(3), .topic = T(4), .content = T(5),
                           .staff_json = T(6), .duration_minutes = sqlite3_column_int64(st, 7),
                           .n_clients = sqlite3_column_int64(st, 8), .n_attended = sqlite3_column_int64(st, 9)};
    if (client) {
      r.org_name = T(10);
      r.attended = sqlite3_column_int(st, 11) != 0;
    } else {
      r.client_names = T(10);
    }
#undef T
    fn(ctx, &r);
  }
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status service_store_ledger(struct db *db, int64_t org_rid, const char *from, const char *to,
                               void (*fn)(void *ctx, const struct ledger_row *row), void *ctx)
{
  sqlite3_stmt *st = db_prepare(db, SQL_LEDGER);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, org_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  return each_row(st, false, fn, ctx);
}

jk_status service_store_client_ledger(struct db *db, int64_t client_rid, const char *from, const char *to,
                                      void (*fn)(void *ctx, const struct ledger_row *row), void *ctx)
{
  sqlite3_stmt *st = db_prepare(db, SQL_CLIENT_LEDGER);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, client_rid);
  db_bind_text(st, 2, from);
  db_bind_text(st, 3, to);
  return each_row(st, true, fn, ctx);
}
