/* indicator_store.c: facts, contributions and aggregates (see indicator_store.h).
 *
 * A refresh of one subject: read its stored facts (what it contributes now), gather its inputs
 * from the raw tables, compute the new facts and contributions (domain/indicator.c), add the
 * difference to the aggregate rows of each of its scopes (the nation, its province, prefecture,
 * county and township, its organization), store the new facts. Rows that fall to zero are
 * deleted, so that "no row" and "zero" are the same thing for the check. */
#include "store/indicator_store.h"
#include "store/indicator_internal.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/care.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_CLIENT = 1, KIND_STAFF = 2, KIND_REFERRAL = 3 };

static const char SQL_DIRTY[] = "SELECT kind, rid FROM ind_dirty LIMIT $1";
static const char SQL_UNDIRTY[] = "DELETE FROM ind_dirty WHERE kind = $1 AND rid = $2";
static const char SQL_PENDING[] = "SELECT count(*) FROM ind_dirty";
static const char *const SQL_ADD[2] = {
  "INSERT INTO ind_agg(metric, level, scope, period, value) VALUES ($1, $2, $3, $4, $5)"
  " ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value RETURNING value",
  "INSERT INTO ind_check(metric, level, scope, period, value) VALUES ($1, $2, $3, $4, $5)"
  " ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value RETURNING value",
};
static const char *const SQL_ZERO[2] = {
  "DELETE FROM ind_agg WHERE metric = $1 AND level = $2 AND scope = $3 AND period = $4 AND value = 0",
  "DELETE FROM ind_check WHERE metric = $1 AND level = $2 AND scope = $3 AND period = $4 AND value = 0",
};

static const char SQL_C_CLIENT[] =
  "SELECT residence_region, organization_rid, severe, created_at, exited_at, status = 'in_service' FROM client"
  " WHERE rid = $1";
static const char SQL_C_SERVICES[] = "SELECT date FROM service_attendance WHERE client_rid = $1 AND attended = 1";
static const char SQL_C_PSYCH[] =
  "SELECT date FROM service_attendance WHERE client_rid = $1 AND attended = 1 AND type IN " IND_PSYCH_TYPES;
static const char SQL_C_SURVEYS[] =
  "SELECT date, band = 'satisfied' FROM assessment a WHERE client_rid = $1 AND instrument = 'satisfaction'"
  " AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version)";
static const char SQL_C_FOLLOWUPS[] =
  "SELECT date, " IND_FOLLOWUP_MEDICATED " FROM assessment a WHERE client_rid = $1 AND instrument = 'followup'"
  " AND " IND_FOLLOWUP_VISITED " AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version)";
static const char SQL_C_ASSESS[] =
  "SELECT date FROM assessment a WHERE client_rid = $1 AND instrument IN ('intake', 'periodic')"
  " AND NOT EXISTS (SELECT 1 FROM assessment b WHERE b.series = a.series AND b.version > a.version)";
static const char SQL_C_PLANS[] =
  "SELECT start_date, review_date FROM rehab_plan p WHERE client_rid = $1"
  " AND NOT EXISTS (SELECT 1 FROM rehab_plan q WHERE q.series = p.series AND q.version > p.version)";
static const char SQL_C_AGREE[] =
  "SELECT json_extract(informed_consent, '$.signed_on'), json_extract(agreement, '$.signed_on'),"
  " (SELECT min(time) FROM referral_event e WHERE e.referral_rid = r.rid"
  "  AND e.to_status IN ('closed', 'moved', 'withdrawn', 'rejected'))"
  " FROM referral r WHERE client_rid = $1 AND informed_consent IS NOT NULL AND agreement IS NOT NULL";
static const char SQL_C_FACTS[] =
  "SELECT region, org_rid, severe, in_service, reg_m, exit_m, first, n, std, served, fu, med, psych, sat, sat_ok"
  " FROM ind_client WHERE rid = $1";
static const char SQL_C_PUT[] =
  "INSERT OR REPLACE INTO ind_client(rid, region, org_rid, reg_m, exit_m, severe, first, n, std, served, in_service, fu,"
  " med, psych, sat, sat_ok) VALUES ($1, $2, nullif($3, 0), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
static const char SQL_C_DEL[] = "DELETE FROM ind_client WHERE rid = $1";

static const char SQL_S_STAFF[] = "SELECT region, org_rid, active, major_field, direct_service FROM staff WHERE rid = $1";
static const char SQL_S_TRAINED[] =
  "SELECT CAST(substr(date, 1, 4) AS INTEGER) AS y FROM training WHERE staff_rid = $1"
  " GROUP BY y HAVING sum(hours_x10) >= $2 ORDER BY y";
static const char SQL_S_FACTS[] =
  "SELECT region, org_rid, active, relevant, direct, trained_years FROM ind_staff WHERE rid = $1";
static const char SQL_S_PUT[] =
  "INSERT OR REPLACE INTO ind_staff(rid, region, org_rid, active, relevant, direct, trained_years)"
  " VALUES ($1, $2, nullif($3, 0), $4, $5, $6, $7)";
static const char SQL_S_DEL[] = "DELETE FROM ind_staff WHERE rid = $1";

static const char SQL_DEFS[] = "SELECT region, definition FROM ind_definition";

/* ---- definitions ---- */

jk_status ind_load_defs(struct db *db, struct defs *out)
{
  out->n = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_DEFS);
  if (!st) return JK_EINTERNAL;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < 48) {
    const char *region = (const char *)sqlite3_column_text(st, 0), *text = (const char *)sqlite3_column_text(st, 1);
    json_t *j = text ? json_loads(text, 0, 0) : 0;
    const char *field, *msg;
    struct std_definition d;
    bool ok = j && std_definition_parse(j, &d, &field, &msg);
    json_decref(j);
    if (!ok || !region || strlen(region) > 2) continue;   /* a stored definition was checked when stored */
    snprintf(out->v[out->n].region, sizeof out->v[0].region, "%s", region);
    out->v[out->n++].d = d;
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

const struct std_definition *ind_def_for(const struct defs *defs, const char *region, const char **source)
{
  static const struct std_definition fallback = {true, 12, true, 1};
  const struct std_definition *national = 0;
  for (int i = 0; i < defs->n; i++) {
    if (defs->v[i].region[0] == 0) national = &defs->v[i].d;
    else if (region && strncmp(region, defs->v[i].region, 2) == 0) {
      if (source) *source = "province";
      return &defs->v[i].d;
    }
  }
  if (source) *source = national ? "national" : "default";
  return national ? national : &fallback;
}

/* ---- applying contributions ---- */

/* The nation, each prefix of the region code down to the township, and the organization (each
 * metric is kept at some of them: ind_metric_levels). A region that is not all digits (never
 * stored by the API) counts for the nation only, as in the rebuild. */
void ind_scopes_of(const char *region, int64_t org_rid, struct scopes *s)
{
  static const int lens[] = {0, 2, 4, 6, 9};
  size_t len = region && region[strspn(region, "0123456789")] == 0 ? strlen(region) : 0;
  s->n = 0;
  for (int l = 0; l < 5; l++) {
    if ((size_t)lens[l] > len) break;
    s->level[s->n] = l;
    snprintf(s->scope[s->n++], sizeof s->scope[0], "%.*s", lens[l], region);
  }
  if (org_rid > 0) {
    s->level[s->n] = IND_LEVEL_ORG;
    snprintf(s->scope[s->n++], sizeof s->scope[0], "%lld", (long long)org_rid);
  }
}

static jk_status add_one(struct db *db, int table, const char *metric, int level, const char *scope,
                         const char *period, int64_t value)
{
  sqlite3_stmt *st = db_prepare(db, SQL_ADD[table]);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, metric);
  db_bind_int64(st, 2, level);
  db_bind_text(st, 3, scope);
  db_bind_text(st, 4, period);
  db_bind_int64(st, 5, value);
  int rc = sqlite3_step(st);
  int64_t now = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  if (rc == SQLITE_ROW) rc = sqlite3_step(st);
  db_done(st);
  if (rc != SQLITE_DONE) return db_status(rc);
  if (now != 0) return JK_OK;
  st = db_prepare(db, SQL_ZERO[table]);
  if (!st) return JK_EINTERNAL;
  db_bind_text(st, 1, metric);
  db_bind_int64(st, 2, level);
  db_bind_text(st, 3, scope);
  db_bind_text(st, 4, period);
  rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* Adds sign × each contribution to every scope its metric is kept at. */
jk_status ind_apply(struct db *db, int table, const struct scopes *s, const struct contrib_list *l, int sign)
{
  for (size_t i = 0; i < l->n; i++) {
    struct metric_levels lv = ind_metric_levels(l->v[i].metric);
    char period[16];
    contrib_period_key(&l->v[i], period);
    for (int k = 0; k < s->n; k++) {
      if (s->level[k] == IND_LEVEL_ORG ? !lv.by_org : s->level[k] > lv.region_level) continue;
      jk_status st = add_one(db, table, ind_metric_name(l->v[i].metric), s->level[k], s->scope[k], period,
                             sign * l->v[i].value);
      if (st != JK_OK) return st;
    }
  }
  return JK_OK;
}

/* new − old, as one list (both sorted and merged). */
static bool difference(const struct contrib_list *old, const struct contrib_list *new, struct contrib_list *out)
{
  size_t need = old->n + new->n;
  if (!need) return true;
  out->v = malloc(need * sizeof *out->v);
  if (!out->v) return false;
  out->cap = need;
  if (new->n) memcpy(out->v, new->v, new->n * sizeof *out->v);   /* new->v is NULL when empty */
  for (size_t i = 0; i < old->n; i++) {
    out->v[new->n + i] = old->v[i];
    out->v[new->n + i].value = -old->v[i].value;
  }
  out->n = need;
  contrib_normalize(out);
  return true;
}

static bool scopes_equal(const struct scopes *a, const struct scopes *b)
{
  if (a->n != b->n) return false;
  for (int i = 0; i < a->n; i++)
    if (a->level[i] != b->level[i] || strcmp(a->scope[i], b->scope[i])) return false;
  return true;
}

/* Moves the aggregates from (old scopes, old list) to (new scopes, new list). */
jk_status ind_move(struct db *db, int table, const struct scopes *os, const struct contrib_list *ol,
                      const struct scopes *ns, const struct contrib_list *nl)
{
  if (!scopes_equal(os, ns)) {
    jk_status st = ind_apply(db, table, os, ol, -1);
    return st != JK_OK ? st : ind_apply(db, table, ns, nl, 1);
  }
  struct contrib_list d = {0};
  if (!difference(ol, nl, &d)) return JK_EUNAVAIL;
  jk_status st = ind_apply(db, table, ns, &d, 1);
  contrib_free(&d);
  return st;
}

/* ---- a client ---- */

void *ind_vec_push(struct ind_vec *g)
{
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 64;
    void *v = realloc(g->v, cap * g->size);
    if (!v) return 0;
    g->v = v;
    g->cap = cap;
  }
  return (char *)g->v + g->size * g->n++;
}

void ind_column_text(sqlite3_stmt *st, int col, char *dst, size_t size)
{
  const unsigned char *s = sqlite3_column_text(st, col);
  size_t n = s ? (size_t)sqlite3_column_bytes(st, col) : 0;
  if (n >= size) n = size - 1;
  if (n) memcpy(dst, s, n);
  dst[n] = 0;
}

bool ind_day_of(const unsigned char *text, int64_t *out)
{
  struct jk_date d;
  if (!text || !date_parse((const char *)text, &d)) return false;
  *out = date_to_days(d);
  return true;
}

int64_t ind_day_of_ms(int64_t ms) { return date_to_days(date_from_ms(ms)); }

/* One column of dates (col 0) of a statement bound to the client. */
static jk_status collect_days(struct db *db, const char *sql, int64_t rid, struct ind_vec *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc;
  jk_status res = JK_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t d, *p;
    if (!ind_day_of(sqlite3_column_text(st, 0), &d)) continue;
    if (!(p = ind_vec_push(out))) {
      res = JK_EUNAVAIL;
      break;
    }
    *p = d;
  }
  db_done(st);
  return res != JK_OK ? res : rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status collect_spans(struct db *db, int64_t rid, struct ind_vec *plans, struct ind_vec *agreements)
{
  sqlite3_stmt *st = db_prepare(db, SQL_C_PLANS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc;
  jk_status res = JK_OK;
  while (res == JK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct day_span s, *p;
    if (!ind_day_of(sqlite3_column_text(st, 0), &s.from) || !ind_day_of(sqlite3_column_text(st, 1), &s.to)) continue;
    if ((p = ind_vec_push(plans))) *p = s;
    else res = JK_EUNAVAIL;
  }
  db_done(st);
  if (res != JK_OK || rc != SQLITE_DONE) return res != JK_OK ? res : db_status(rc);
  if (!(st = db_prepare(db, SQL_C_AGREE))) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  while (res == JK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t consent, agreement;
    if (!ind_day_of(sqlite3_column_text(st, 0), &consent) || !ind_day_of(sqlite3_column_text(st, 1), &agreement)) continue;
    struct day_span s = {consent > agreement ? consent : agreement, INT64_MAX};
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) s.to = ind_day_of_ms(sqlite3_column_int64(st, 2));
    struct day_span *p = ind_vec_push(agreements);
    if (p) *p = s;
    else res = JK_EUNAVAIL;
  }
  db_done(st);
  return res != JK_OK ? res : rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* Dated flags (date, yes) of a statement bound to the client: follow-ups, surveys. */
static jk_status collect_flags(struct db *db, const char *sql, int64_t rid, struct ind_vec *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc;
  jk_status res = JK_OK;
  while (res == JK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t d;
    struct day_flag *p;
    if (!ind_day_of(sqlite3_column_text(st, 0), &d)) continue;
    if ((p = ind_vec_push(out))) *p = (struct day_flag){d, sqlite3_column_int(st, 1) != 0};
    else res = JK_EUNAVAIL;
  }
  db_done(st);
  return res != JK_OK ? res : rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

/* The client's facts computed from the raw tables. */
static jk_status client_compute(struct db *db, const struct defs *defs, int64_t rid, struct client_now *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, SQL_C_CLIENT);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  struct client_inputs in = {.exit_day = -1};
  if (rc == SQLITE_ROW) {
    out->exists = true;
    ind_column_text(st, 0, out->region, sizeof out->region);
    out->org_rid = sqlite3_column_int64(st, 1);
    in.severe = sqlite3_column_int(st, 2) != 0;
    in.reg_day = ind_day_of_ms(sqlite3_column_int64(st, 3));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) in.exit_day = ind_day_of_ms(sqlite3_column_int64(st, 4));
    in.in_service = sqlite3_column_int(st, 5) != 0;
  }
  db_done(st);
  if (rc == SQLITE_DONE) return JK_OK;   /* deleted */
  if (rc != SQLITE_ROW) return db_status(rc);
  struct ind_vec services = {.size = sizeof(int64_t)}, assessments = {.size = sizeof(int64_t)},
                 psych = {.size = sizeof(int64_t)}, plans = {.size = sizeof(struct day_span)},
                 agreements = {.size = sizeof(struct day_span)}, fus = {.size = sizeof(struct day_flag)},
                 surveys = {.size = sizeof(struct day_flag)};
  jk_status res = collect_days(db, SQL_C_SERVICES, rid, &services);
  if (res == JK_OK) res = collect_days(db, SQL_C_ASSESS, rid, &assessments);
  if (res == JK_OK) res = collect_spans(db, rid, &plans, &agreements);
  if (res == JK_OK && in.severe) res = collect_days(db, SQL_C_PSYCH, rid, &psych);
  if (res == JK_OK && in.severe) res = collect_flags(db, SQL_C_FOLLOWUPS, rid, &fus);
  if (res == JK_OK) res = collect_flags(db, SQL_C_SURVEYS, rid, &surveys);
  if (res == JK_OK) {
    in.surveys = surveys.v;
    in.n_surveys = surveys.n;
    in.psych_days = psych.v;
    in.n_psych = psych.n;
    in.followups = fus.v;
    in.n_followups = fus.n;
    in.service_days = services.v;
    in.n_services = services.n;
    in.assessment_days = assessments.v;
    in.n_assessments = assessments.n;
    in.plans = plans.v;
    in.n_plans = plans.n;
    in.agreements = agreements.v;
    in.n_agreements = agreements.n;
    client_facts_compute(&in, ind_def_for(defs, out->region, 0), &out->f);
  }
  free(services.v);
  free(assessments.v);
  free(psych.v);
  free(fus.v);
  free(surveys.v);
  free(plans.v);
  free(agreements.v);
  return res;
}

void ind_facts_decode(sqlite3_stmt *st, int col, struct client_facts *f)
{
  memset(f, 0, sizeof *f);
  f->reg_m = sqlite3_column_int(st, col);
  f->exit_m = sqlite3_column_int(st, col + 1);
  f->first = sqlite3_column_int(st, col + 2);
  f->n = sqlite3_column_int(st, col + 3);
  if (f->n < 0 || f->n > IND_MAX_MONTHS) f->n = 0;
  size_t want = (size_t)(f->n + 7) / 8;
  uint8_t *bits[] = {f->std, f->served, f->fu, f->med, f->psych, f->sat, f->sat_ok};
  for (int k = 0; k < 7; k++) {   /* a shorter blob (or none) leaves the rest 0 */
    const void *b = sqlite3_column_blob(st, col + 4 + k);
    size_t len = (size_t)sqlite3_column_bytes(st, col + 4 + k);
    if (b) memcpy(bits[k], b, len < want ? len : want);
  }
}

void ind_client_decode(sqlite3_stmt *st, int col, struct client_now *out)
{
  memset(out, 0, sizeof *out);
  out->exists = true;
  ind_column_text(st, col, out->region, sizeof out->region);
  out->org_rid = sqlite3_column_int64(st, col + 1);
  ind_facts_decode(st, col + 4, &out->f);
  out->f.severe = sqlite3_column_int(st, col + 2) != 0;
  out->f.in_service = sqlite3_column_int(st, col + 3) != 0;
}

bool ind_client_same(const struct client_now *a, const struct client_now *b)
{
  const struct client_facts *x = &a->f, *y = &b->f;
  if (a->exists != b->exists || strcmp(a->region, b->region) != 0 || a->org_rid != b->org_rid || x->reg_m != y->reg_m ||
      x->exit_m != y->exit_m || x->severe != y->severe || x->in_service != y->in_service || x->first != y->first ||
      x->n != y->n)
    return false;
  size_t bytes = x->n > 0 ? (size_t)(x->n + 7) / 8 : 0;   /* what is stored of each bit string */
  const uint8_t *xs[] = {x->std, x->served, x->fu, x->med, x->psych, x->sat, x->sat_ok};
  const uint8_t *ys[] = {y->std, y->served, y->fu, y->med, y->psych, y->sat, y->sat_ok};
  for (int k = 0; k < 7; k++)
    if (memcmp(xs[k], ys[k], bytes) != 0) return false;
  return true;
}

static jk_status client_stored(struct db *db, int64_t rid, struct client_now *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, SQL_C_FACTS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) ind_client_decode(st, 0, out);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static bool bits_any(const uint8_t *bits, int bytes)
{
  for (int i = 0; i < bytes; i++)
    if (bits[i]) return true;
  return false;
}

jk_status ind_client_put(struct db *db, int64_t rid, const struct client_now *c)
{
  sqlite3_stmt *st = db_prepare(db, c->exists ? SQL_C_PUT : SQL_C_DEL);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  if (c->exists) {
    int bytes = (c->f.n + 7) / 8;
    db_bind_text(st, 2, c->region);
    db_bind_int64(st, 3, c->org_rid);
    db_bind_int64(st, 4, c->f.reg_m);
    db_bind_int64(st, 5, c->f.exit_m);
    db_bind_int64(st, 6, c->f.severe);
    db_bind_int64(st, 7, c->f.first);
    db_bind_int64(st, 8, c->f.n);
    db_bind_blob(st, 9, c->f.std, bytes);
    db_bind_blob(st, 10, c->f.served, bytes);
    db_bind_int64(st, 11, c->f.in_service);
    const uint8_t *more[] = {c->f.fu, c->f.med, c->f.psych, c->f.sat, c->f.sat_ok};
    for (int k = 0; k < 5; k++)   /* all zero for most clients: no blob (NULL) */
      if (bits_any(more[k], bytes)) db_bind_blob(st, 12 + k, more[k], bytes);
  }
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status contributions_of(const struct client_now *c, struct scopes *s, struct contrib_list *l)
{
  s->n = 0;
  if (!c->exists) return JK_OK;
  ind_scopes_of(c->region, c->org_rid, s);
  return client_contributions(&c->f, l) ? JK_OK : JK_EUNAVAIL;
}

static jk_status refresh_client(struct db *db, const struct defs *defs, int64_t rid)
{
  struct client_now *old = malloc(sizeof *old), *now = malloc(sizeof *now);
  struct contrib_list ol = {0}, nl = {0};
  struct scopes os, ns;
  jk_status st = old && now ? JK_OK : JK_EUNAVAIL;
  if (st == JK_OK) st = client_stored(db, rid, old);
  if (st == JK_OK) st = client_compute(db, defs, rid, now);
  if (st == JK_OK) st = contributions_of(old, &os, &ol);
  if (st == JK_OK) st = contributions_of(now, &ns, &nl);
  if (st == JK_OK) st = ind_move(db, 0, &os, &ol, &ns, &nl);
  if (st == JK_OK && (old->exists || now->exists)) st = ind_client_put(db, rid, now);
  contrib_free(&ol);
  contrib_free(&nl);
  free(old);
  free(now);
  return st;
}

/* ---- a staff member ---- */

static void years_text(const struct staff_facts *f, char *out, size_t size)
{
  size_t w = 0;
  out[0] = 0;
  for (int i = 0; i < f->n_years && w + 6 < size; i++)
    w += (size_t)snprintf(out + w, size - w, "%s%d", i ? "," : "", f->trained_years[i]);
}

static void years_parse(const char *text, struct staff_facts *f)
{
  f->n_years = 0;
  for (const char *p = text; p && *p && f->n_years < 64;) {
    char *end;
    long y = strtol(p, &end, 10);
    if (end == p) break;
    f->trained_years[f->n_years++] = (int)y;
    p = *end == ',' ? end + 1 : end;
  }
}

jk_status ind_staff_compute(struct db *db, int64_t rid, struct staff_now *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, SQL_S_STAFF);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->exists = true;
    ind_column_text(st, 0, out->region, sizeof out->region);
    out->org_rid = sqlite3_column_int64(st, 1);
    out->f.active = sqlite3_column_int(st, 2) != 0;
    const char *major = (const char *)sqlite3_column_text(st, 3);
    out->f.relevant = major && major_field_relevant(major);
    out->f.direct = sqlite3_column_int(st, 4) != 0;
  }
  db_done(st);
  if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? JK_OK : db_status(rc);
  if (!(st = db_prepare(db, SQL_S_TRAINED))) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  db_bind_int64(st, 2, TRAINING_HOURS_TARGET_X10);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->f.n_years < 64)
    out->f.trained_years[out->f.n_years++] = sqlite3_column_int(st, 0);
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status staff_stored(struct db *db, int64_t rid, struct staff_now *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, SQL_S_FACTS);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->exists = true;
    ind_column_text(st, 0, out->region, sizeof out->region);
    out->org_rid = sqlite3_column_int64(st, 1);
    out->f.active = sqlite3_column_int(st, 2) != 0;
    out->f.relevant = sqlite3_column_int(st, 3) != 0;
    out->f.direct = sqlite3_column_int(st, 4) != 0;
    years_parse((const char *)sqlite3_column_text(st, 5), &out->f);
  }
  db_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status ind_staff_put(struct db *db, int64_t rid, const struct staff_now *s)
{
  sqlite3_stmt *st = db_prepare(db, s->exists ? SQL_S_PUT : SQL_S_DEL);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, rid);
  if (s->exists) {
    char years[64 * 6];
    years_text(&s->f, years, sizeof years);
    db_bind_text(st, 2, s->region);
    db_bind_int64(st, 3, s->org_rid);
    db_bind_int64(st, 4, s->f.active);
    db_bind_int64(st, 5, s->f.relevant);
    db_bind_int64(st, 6, s->f.direct);
    db_bind_text(st, 7, years);
  }
  int rc = sqlite3_step(st);
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

static jk_status staff_contributions_of(const struct staff_now *s, struct scopes *sc, struct contrib_list *l)
{
  sc->n = 0;
  if (!s->exists) return JK_OK;
  ind_scopes_of(s->region, s->org_rid, sc);
  return staff_contributions(&s->f, l) ? JK_OK : JK_EUNAVAIL;
}

static jk_status refresh_staff(struct db *db, int64_t rid)
{
  struct staff_now old, now;
  struct contrib_list ol = {0}, nl = {0};
  struct scopes os, ns;
  jk_status st = staff_stored(db, rid, &old);
  if (st == JK_OK) st = ind_staff_compute(db, rid, &now);
  if (st == JK_OK) st = staff_contributions_of(&old, &os, &ol);
  if (st == JK_OK) st = staff_contributions_of(&now, &ns, &nl);
  if (st == JK_OK) st = ind_move(db, 0, &os, &ol, &ns, &nl);
  if (st == JK_OK && (old.exists || now.exists)) st = ind_staff_put(db, rid, &now);
  contrib_free(&ol);
  contrib_free(&nl);
  return st;
}

/* ---- flushing ---- */

jk_status indicator_store_flush(struct db *db, int64_t limit, int64_t *done)
{
  if (done) *done = 0;
  struct { int kind; int64_t rid; } *batch = 0;
  size_t n = 0, cap = 0;
  sqlite3_stmt *st = db_prepare(db, SQL_DIRTY);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, limit);
  int rc;
  jk_status res = JK_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      void *v = realloc(batch, cap * sizeof *batch);
      if (!v) {
        res = JK_EUNAVAIL;
        break;
      }
      batch = v;
    }
    batch[n].kind = sqlite3_column_int(st, 0);
    batch[n++].rid = sqlite3_column_int64(st, 1);
  }
  db_done(st);
  if (res == JK_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) res = db_status(rc);
  if (res != JK_OK || n == 0) {
    free(batch);
    return res;
  }
  struct defs *defs = malloc(sizeof *defs);
  res = defs ? ind_load_defs(db, defs) : JK_EUNAVAIL;
  for (size_t i = 0; i < n && res == JK_OK; i++) {
    if (batch[i].kind == KIND_CLIENT) res = refresh_client(db, defs, batch[i].rid);
    else if (batch[i].kind == KIND_STAFF) res = refresh_staff(db, batch[i].rid);
    else if (batch[i].kind == KIND_REFERRAL) res = ind_referral_refresh(db, batch[i].rid);
    if (res != JK_OK) break;
    if (!(st = db_prepare(db, SQL_UNDIRTY))) {
      res = JK_EINTERNAL;
      break;
    }
    db_bind_int64(st, 1, batch[i].kind);
    db_bind_int64(st, 2, batch[i].rid);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE) res = db_status(rc);
    else if (done) (*done)++;
  }
  if (res != JK_OK) log_error("indicators: folding a change into the aggregates failed (%d)", (int)res);
  free(defs);
  free(batch);
  return res;
}

jk_status indicator_store_pending(struct db *db, int64_t *n)
{
  sqlite3_stmt *st = db_prepare(db, SQL_PENDING);
  if (!st) return JK_EINTERNAL;
  return db_step_int(st, n);
}

/* ---- rebuild and check ---- */

static const char SQL_SVC_COUNTS[] =
  "INSERT INTO %s(metric, level, scope, period, value)"
  "  SELECT 'svc', 3, substr(o.region, 1, 6), 'M' || substr(s.date, 1, 7), count(*) FROM service_record s"
  "  JOIN organization o ON o.rid = s.org_rid WHERE length(o.region) >= 6 GROUP BY 3, 4;"
  "INSERT INTO %s(metric, level, scope, period, value)"
  "  SELECT 'svc', 9, CAST(org_rid AS TEXT), 'M' || substr(date, 1, 7), count(*) FROM service_record GROUP BY 3, 4;";
static const char SQL_CHECK_TABLE[] =
  "CREATE TEMP TABLE ind_check (metric TEXT NOT NULL, level INTEGER NOT NULL, scope TEXT NOT NULL,"
  " period TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (metric, level, scope, period)) WITHOUT ROWID";
static const char SQL_ALL_CLIENTS[] = "SELECT rid FROM client ORDER BY rid";
static const char SQL_ALL_STAFF[] = "SELECT rid FROM staff ORDER BY rid";
static const char SQL_ALL_REFERRALS[] = "SELECT rid FROM referral ORDER BY rid";
static const char SQL_COMPARE[] =
  "SELECT c.metric, c.level, c.scope, c.period, c.value, coalesce(a.value, 0) FROM ind_check c"
  " LEFT JOIN ind_agg a USING (metric, level, scope, period) WHERE a.value IS NULL OR a.value <> c.value"
  " UNION ALL SELECT a.metric, a.level, a.scope, a.period, 0, a.value FROM ind_agg a"
  " WHERE a.value <> 0 AND NOT EXISTS (SELECT 1 FROM ind_check c WHERE c.metric = a.metric AND c.level = a.level"
  " AND c.scope = a.scope AND c.period = a.period)";
static const char SQL_COMPARED[] = "SELECT count(*) FROM ind_check";

jk_status ind_svc_counts(struct db *db, const char *table)
{
  char sql[sizeof SQL_SVC_COUNTS + 32];
  snprintf(sql, sizeof sql, SQL_SVC_COUNTS, table, table);
  return db_exec(db, sql);
}

jk_status indicator_store_drain(struct db *db, int64_t batch, void (*progress)(void *ctx, int64_t done, int64_t total),
                                void *ctx, int64_t total, int64_t *subjects)
{
  jk_status st = JK_OK;
  *subjects = 0;
  for (;;) {
    int64_t done = 0;
    if ((st = db_begin_write(db)) != JK_OK) break;
    if ((st = indicator_store_flush(db, batch, &done)) != JK_OK) {
      db_rollback(db);
      break;
    }
    if ((st = db_commit(db)) != JK_OK) break;
    *subjects += done;
    if (progress && done) progress(ctx, *subjects, total);
    if (done < batch) break;
  }
  return st;
}

/* Recomputes every subject of one kind into ind_check. */
static jk_status check_kind(struct db *db, const struct defs *defs, int kind)
{
  sqlite3_stmt *all = db_prepare(db, kind == KIND_CLIENT ? SQL_ALL_CLIENTS : kind == KIND_STAFF ? SQL_ALL_STAFF : SQL_ALL_REFERRALS);
  if (!all) return JK_EINTERNAL;
  int rc;
  jk_status st = JK_OK;
  while (st == JK_OK && (rc = sqlite3_step(all)) == SQLITE_ROW) {
    int64_t rid = sqlite3_column_int64(all, 0);
    struct contrib_list l = {0};
    struct scopes s;
    if (kind == KIND_CLIENT) {
      struct client_now *c = malloc(sizeof *c);
      st = c ? client_compute(db, defs, rid, c) : JK_EUNAVAIL;
      if (st == JK_OK) st = contributions_of(c, &s, &l);
      free(c);
    } else if (kind == KIND_STAFF) {
      struct staff_now c;
      st = ind_staff_compute(db, rid, &c);
      if (st == JK_OK) st = staff_contributions_of(&c, &s, &l);
    } else {
      struct referral_now r = {0};
      st = ind_referral_compute(db, rid, &r);
      l = r.l;
      s.n = 0;
      if (r.exists) ind_scopes_of(r.region, r.org_rid, &s);
    }
    if (st == JK_OK) st = ind_apply(db, 1, &s, &l, 1);
    contrib_free(&l);
  }
  db_done(all);
  return st != JK_OK ? st : rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status indicator_store_check(struct db *db, void (*report)(void *ctx, const char *line), void *ctx,
                                int64_t *mismatches, int64_t *compared)
{
  *mismatches = *compared = 0;
  struct defs *defs = malloc(sizeof *defs);
  if (!defs) return JK_EUNAVAIL;
  jk_status st = db_begin_write(db);   /* rolled back at the end: nothing stays */
  if (st == JK_OK) st = ind_load_defs(db, defs);
  if (st == JK_OK) st = db_exec(db, SQL_CHECK_TABLE);
  if (st == JK_OK) st = check_kind(db, defs, KIND_CLIENT);
  if (st == JK_OK) st = check_kind(db, defs, KIND_STAFF);
  if (st == JK_OK) st = check_kind(db, defs, KIND_REFERRAL);
  if (st == JK_OK) st = ind_svc_counts(db, "ind_check");
  sqlite3_stmt *q = st == JK_OK ? db_prepare(db, SQL_COMPARE) : 0;
  if (st == JK_OK && !q) st = JK_EINTERNAL;
  int rc = SQLITE_DONE;
  while (q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    char line[256];
    snprintf(line, sizeof line, "%s level %d scope '%s' period '%s': recomputed %lld, stored %lld",
             (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1), (const char *)sqlite3_column_text(q, 2),
             (const char *)sqlite3_column_text(q, 3), (long long)sqlite3_column_int64(q, 4),
             (long long)sqlite3_column_int64(q, 5));
    (*mismatches)++;
    if (report) report(ctx, line);
  }
  if (q) db_done(q);
  if (st == JK_OK && rc != SQLITE_DONE) st = db_status(rc);
  if (st == JK_OK && (q = db_prepare(db, SQL_COMPARED))) st = db_step_int(q, compared);
  if (db_in_write(db)) db_rollback(db);
  free(defs);
  return st;
}
