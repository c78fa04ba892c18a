/* assessments.c: assessments of a client with an instrument (domain/instrument.h).
 *
 *   POST /clients/{id}/assessments       {instrument, date, answers, signatures?}
 *   GET  /clients/{id}/assessments       current versions, newest first (?instrument=)
 *   GET  /assessments/{id}               one version with its answers and the series' history
 *   POST /assessments/{id}/corrections   {date?, answers, signatures?, reason}: the next version
 *
 * The server scores every submission; a score, band or flag in the body is refused as an
 * unknown field. A submitted assessment is never changed: a correction is a new row of the same
 * series, scored with the instrument version of the original, and only the newest version of a
 * series may be corrected (409 stale otherwise). In the same transaction: the next due date of
 * what the instrument schedules (a follow-up, a periodic assessment) and an alert to the client's
 * institution for each alert flag raised (PHQ-9 item 9, risk level ≥ 3), so neither can be lost. */
#include "api/care.h"
#include "api/app.h"
#include "api/common.h"
#include "api/handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "domain/instrument.h"
#include "sec/crypto.h"
#include "store/care_store.h"
#include "store/db.h"
#include "store/staff_store.h"
#include <stdlib.h>
#include <string.h>

static char *dump(struct req *r, json_t *v)
{
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  char *out = arena_strdup(r->a, text ? text : "null");
  free(text);
  return out;
}

/* signatures: {"<section>": "<staff id>"} for each section with a signer: an active staff
 * member of the client's institution of that profession. Stored with name and profession. */
static bool check_signatures(struct req *r, const struct instrument *in, const struct client_rec *c, json_t *sig,
                             const char **out)
{
  *out = 0;
  if (sig && !json_is_object(sig)) return bad_field(r, "signatures", "signatures 应为对象（分节 → 签名人员）");
  const char *k;
  json_t *v;
  json_object_foreach(sig, k, v) {
    int i = 0;
    while (i < in->nsections && (strcmp(in->sections[i].id, k) != 0 || !in->sections[i].signer)) i++;
    if (i == in->nsections) return bad_field(r, "signatures", arena_printf(r->a, "%s 没有需要签名的分节“%.32s”", in->name, k));
  }
  json_t *stored = json_object();
  for (int i = 0; i < in->nsections; i++) {
    const struct instr_section *s = &in->sections[i];
    if (!s->signer) continue;
    v = json_object_get(sig, s->id);
    struct staff_rec st;
    if (!json_is_string(v) || !uuid_valid(json_string_value(v)) ||
        staff_store_by_id(r->db, r->a, json_string_value(v), &st) != JK_OK || !st.active || !c->org_rid ||
        st.org_rid != c->org_rid || strcmp(st.profession, s->signer) != 0) {
      json_decref(stored);
      return reply_fail(r, JK_ERULE, "signature_required",
                        arena_printf(r->a, "“%s”须由本机构在职的相应专业人员签名", s->title),
                        arena_printf(r->a, "signatures.%s", s->id)),
             false;
    }
    json_object_set_new(stored, s->id, json_pack("{s:s,s:s,s:s}", "staff", st.id, "name", st.name, "profession", st.profession));
  }
  if (json_object_size(stored)) *out = dump(r, stored);
  json_decref(stored);
  return true;
}

static json_t *flags_json(const struct instr_result *res)
{
  json_t *a = json_array();
  for (int i = 0; i < res->nflags; i++)
    json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "id", res->flags[i]->id, "label", res->flags[i]->label, "alert",
                                       res->flags[i]->alert));
  return a;
}

static json_t *assessment_json(struct req *r, const struct assessment_rec *a)
{
  const struct instrument *in = instrument_find(&r->app->instruments, a->instrument, a->instrument_version);
  json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:s}", "id", a->id, "series", a->series, "version", a->version,
                        "client", a->client_id ? a->client_id : "", "instrument", a->instrument, "instrument_version",
                        a->instrument_version, "date", a->date, "author_name", a->author_name, "created_at",
                        iso_time(r, a->created_at));
  json_object_set_new(o, "instrument_name", in ? json_string(in->name) : json_null());
  json_object_set_new(o, "score", a->has_score ? json_integer(a->score) : json_null());
  json_object_set_new(o, "band", a->band ? json_string(a->band) : json_null());
  json_object_set_new(o, "band_label", a->band_label ? json_string(a->band_label) : json_null());
  json_object_set_new(o, "flags", json_loads(a->flags_json ? a->flags_json : "[]", 0, 0));
  json_object_set_new(o, "answers", json_loads(a->answers_json, 0, 0));
  json_object_set_new(o, "signatures", a->signatures_json ? json_loads(a->signatures_json, 0, 0) : json_object());
  json_object_set_new(o, "next_due", a->next_due ? json_string(a->next_due) : json_null());
  json_object_set_new(o, "outcome", a->outcome ? json_string(a->outcome) : json_null());
  json_object_set_new(o, "reason", a->reason ? json_string(a->reason) : json_null());
  return o;
}

/* Scores body against `in` and writes the assessment (a new series, or the version after prev). */
static void submit(struct req *r, const struct client_rec *c, const struct instrument *in, json_t *body,
                   const struct assessment_rec *prev)
{
  static const char *const k_new[] = {"instrument", "date", "answers", "signatures", 0},
                           *const k_fix[] = {"date", "answers", "signatures", "reason", 0};
  const char *date = 0, *reason = 0, *signatures = 0;
  if (!body_only(r, body, prev ? k_fix : k_new) || !body_date(r, body, "date", !prev, true, &date) ||
      !body_str(r, body, "reason", prev != 0, 500, &reason))
    return;
  if (!date) date = prev->date;
  if (strcmp(date, c->birth_date) < 0) return (void)bad_field(r, "date", "评估日期不能早于出生日期");
  json_t *answers = json_object_get(body, "answers");
  if (!answers) return reply_fail(r, JK_EINVAL, "missing_field", "缺少 answers", "answers");
  struct instr_result res;
  struct jk_err e = {0};
  jk_status st = instrument_check(in, answers, r->a, &res, &e);
  if (st != JK_OK) return reply_err(r, st, &e);
  if (!check_signatures(r, in, c, json_object_get(body, "signatures"), &signatures)) return;
  char id[37], due[11];
  uuid_v7(id);
  struct jk_date d;
  date_parse(date, &d);
  struct jk_date next;
  bool scheduled = instrument_next_due(in, answers, d, &next);
  if (scheduled) date_format(next, due);
  json_t *flags = flags_json(&res);
  struct assessment_rec a = {
    .id = id, .series = prev ? prev->series : id, .version = prev ? prev->version + 1 : 1, .client_rid = c->rid,
    .org_rid = c->org_rid, .client_id = c->id, .instrument = in->id, .instrument_version = in->version, .date = date,
    .answers_json = dump(r, answers), .has_score = res.has_score, .score = res.score,
    .band = res.band ? res.band->id : 0, .band_label = res.band ? res.band->label : 0, .flags_json = dump(r, flags),
    .signatures_json = signatures, .next_due = scheduled ? due : 0, .outcome = res.outcome,
    .author_id = r->who.user_id, .author_name = r->who.username, .reason = reason, .created_at = clock_now_ms()};
  json_decref(flags);
  if ((st = db_begin_write(r->db)) != JK_OK) return reply_err(r, st, 0);
  int latest = 0;
  if (prev && ((st = assessment_store_latest(r->db, prev->series, &latest)) != JK_OK || latest != prev->version)) {
    db_rollback(r->db);
    if (st != JK_OK) return reply_err(r, st, 0);
    return reply_fail(r, JK_ECONFLICT, "stale", arena_printf(r->a, "该评估已有第%d版，请更正最新版本", latest), 0);
  }
  st = assessment_store_insert(r->db, &a);
  if (st == JK_OK && scheduled) st = care_due_set(r->db, c->rid, in->due, due, c->org_rid, c->residence_region);
  for (int i = 0; st == JK_OK && i < res.nflags; i++) {
    if (!res.flags[i]->alert) continue;
    char alert_id[37];
    uuid_v7(alert_id);
    st = alert_store_insert(r->db, alert_id, c->rid, c->org_rid, c->residence_region, res.flags[i]->id,
                            res.flags[i]->label, a.rid, a.created_at);
  }
  if (st == JK_OK)
    st = audit_change(r, prev ? "correct" : "create", "assessment", id, arena_printf(r->a, "%s client %s", in->id, c->id));
  if (st != JK_OK) return db_rollback(r->db), reply_err(r, st, 0);
  if (!commit_or_reply(r)) return;
  reply_json(r, 201, assessment_json(r, &a));
}

void api_assessments_create(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_CREATE, &c)) return;
  json_t *body = req_body(r);
  if (!body) return;
  const char *id = 0;
  if (body_str(r, body, "instrument", true, 32, &id)) {
    const struct instrument *in = instrument_find(&r->app->instruments, id, 0);
    if (!in) bad_field(r, "instrument", "没有这个评估工具");
    else submit(r, &c, in, body, 0);
  }
  json_decref(body);
}

void api_assessments_list(struct req *r)
{
  struct client_rec c;
  if (!care_client(r, ACT_READ, &c)) return;
  const char *instrument = req_query(r, "instrument");
  if (instrument && !instrument_find(&r->app->instruments, instrument, 0))
    return reply_fail(r, JK_EINVAL, "invalid_query", "没有这个评估工具", "instrument");
  json_t *rows = json_array();
  jk_status st = assessment_store_list(r->db, c.rid, instrument, 0, 500, rows);
  if (st != JK_OK) return json_decref(rows), reply_err(r, st, 0);
  audit_note(r, "search", "assessment", c.id, "ok", instrument);
  reply_json(r, 200, json_pack("{s:o}", "items", rows));
}

/* Loads the assessment of the path and its client; checks `act` on the client's care. */
static bool load_assessment(struct req *r, enum action act, struct assessment_rec *a, struct client_rec *c)
{
  jk_status st = uuid_valid(r->params[0]) ? assessment_store_by_id(r->db, r->a, r->params[0], a) : JK_ENOTFOUND;
  if (st == JK_OK) st = client_store_by_rid(r->db, r->a, a->client_rid, c);
  if (st == JK_ENOTFOUND) {
    audit_note(r, "read", "assessment", r->params[0], "not_found", 0);
    return reply_fail(r, st, "not_found", "对象不存在或不在您的管辖范围内", 0), false;
  }
  if (st != JK_OK) return reply_err(r, st, 0), false;
  struct policy_object po = {.kind = OBJ_CARE, .region = c->residence_region, .org_rid = c->org_rid};
  if (!allowed(r, ACT_READ, &po, "assessment", a->id)) return false;
  return act == ACT_READ || allowed(r, act, &po, "assessment", a->id);
}

void api_assessment_get(struct req *r)
{
  struct assessment_rec a;
  struct client_rec c;
  if (!load_assessment(r, ACT_READ, &a, &c)) return;
  json_t *o = assessment_json(r, &a), *versions = json_array();
  jk_status st = assessment_store_list(r->db, c.rid, 0, a.series, 100, versions);
  if (st != JK_OK) return json_decref(o), json_decref(versions), reply_err(r, st, 0);
  json_object_set_new(o, "versions", versions);
  json_object_set_new(o, "client_name", json_string(c.name));
  audit_note(r, "read", "assessment", a.id, "ok", c.id);
  reply_json(r, 200, o);
}

void api_assessment_correct(struct req *r)
{
  struct assessment_rec a;
  struct client_rec c;
  if (!load_assessment(r, ACT_UPDATE, &a, &c)) return;
  const struct instrument *in = instrument_find(&r->app->instruments, a.instrument, a.instrument_version);
  if (!in) return reply_fail(r, JK_EUNAVAIL, "instrument_unavailable", "该评估工具的版本未载入，暂不能更正", 0);
  json_t *body = req_body(r);
  if (!body) return;
  submit(r, &c, in, body, &a);
  json_decref(body);
}
