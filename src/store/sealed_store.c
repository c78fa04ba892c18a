/* sealed_store.c: see sealed_store.h. */
#include "store/sealed_store.h"
#include "base/arena.h"
#include <string.h>

#define LIMIT " ORDER BY rid LIMIT $2"
static const struct {
  const char *name, *ad, *select, *update;
  bool json;
} cols[] = {
  {"client.id_enc", "client:%s:id_number",
   "SELECT rid, id, id_enc FROM client WHERE rid > $1 AND id_enc IS NOT NULL" LIMIT,
   "UPDATE client SET id_enc = $1 WHERE rid = $2 AND id_enc = $3", false},
  {"client.phone_enc", "client:%s:phone",
   "SELECT rid, id, phone_enc FROM client WHERE rid > $1 AND phone_enc IS NOT NULL" LIMIT,
   "UPDATE client SET phone_enc = $1 WHERE rid = $2 AND phone_enc = $3", false},
  {"client.address_enc", "client:%s:address",
   "SELECT rid, id, address_enc FROM client WHERE rid > $1 AND address_enc IS NOT NULL" LIMIT,
   "UPDATE client SET address_enc = $1 WHERE rid = $2 AND address_enc = $3", false},
  {"client.disability_enc", "client:%s:disability_certificate",
   "SELECT rid, id, disability_enc FROM client WHERE rid > $1 AND disability_enc IS NOT NULL" LIMIT,
   "UPDATE client SET disability_enc = $1 WHERE rid = $2 AND disability_enc = $3", false},
  {"client.guardians", "client:%s:guardian_phone",
   "SELECT rid, id, guardians FROM client WHERE rid > $1 AND instr(guardians, '\"phone_enc\"') > 0" LIMIT,
   "UPDATE client SET guardians = $1 WHERE rid = $2 AND guardians = $3", true},
  {"care_team.phone_enc", "client:%s:team_phone",
   "SELECT t.rid AS rid, c.id, t.phone_enc FROM care_team t JOIN client c ON c.rid = t.client_rid"
   " WHERE t.rid > $1 AND t.phone_enc IS NOT NULL ORDER BY t.rid LIMIT $2",
   "UPDATE care_team SET phone_enc = $1 WHERE rid = $2 AND phone_enc = $3", false},
  {"webhook.secret_enc", "webhook:%s:secret",
   "SELECT rid, id, secret_enc FROM webhook WHERE rid > $1 AND secret_enc IS NOT NULL" LIMIT,
   "UPDATE webhook SET secret_enc = $1 WHERE rid = $2 AND secret_enc = $3", false},
  {"referral.reporter", "referral:%s:reporter_phone",
   "SELECT rid, id, reporter FROM referral WHERE rid > $1 AND instr(reporter, '\"phone_enc\"') > 0" LIMIT,
   "UPDATE referral SET reporter = $1 WHERE rid = $2 AND reporter = $3", true},
  {"app_user.totp_secret", "user:%s:totp",
   "SELECT rid, id, totp_secret FROM app_user WHERE rid > $1 AND totp_secret IS NOT NULL" LIMIT,
   "UPDATE app_user SET totp_secret = $1 WHERE rid = $2 AND totp_secret = $3", false},
  {"app_user.totp_pending", "user:%s:totp",
   "SELECT rid, id, totp_pending FROM app_user WHERE rid > $1 AND totp_pending IS NOT NULL" LIMIT,
   "UPDATE app_user SET totp_pending = $1 WHERE rid = $2 AND totp_pending = $3", false},
};
#define N_COLS ((int)(sizeof cols / sizeof cols[0]))

int sealed_store_columns(void) { return N_COLS; }
const char *sealed_store_name(int col) { return cols[col].name; }
const char *sealed_store_ad(int col) { return cols[col].ad; }
bool sealed_store_is_json(int col) { return cols[col].json; }

jk_status sealed_store_batch(struct db *db, struct arena *a, int col, int64_t after, int limit,
                             struct sealed_row *rows, int *n)
{
  *n = 0;
  sqlite3_stmt *st = db_prepare(db, cols[col].select);
  if (!st) return JK_EINTERNAL;
  db_bind_int64(st, 1, after);
  db_bind_int64(st, 2, limit);
  int rc = SQLITE_DONE;
  while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct sealed_row *r = &rows[(*n)++];
    r->rid = sqlite3_column_int64(st, 0);
    r->owner_id = db_col_text(a, st, 1);
    size_t len = (size_t)sqlite3_column_bytes(st, 2);
    unsigned char *v = arena_alloc(a, len + 1);
    const void *src = cols[col].json ? (const void *)sqlite3_column_text(st, 2) : sqlite3_column_blob(st, 2);
    if (src) memcpy(v, src, len);
    v[len] = 0;
    r->value = v;
    r->len = len;
  }
  if (*n == limit) rc = SQLITE_DONE;
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}

jk_status sealed_store_replace(struct db *db, int col, int64_t rid, const void *old, size_t old_len,
                               const void *value, size_t len, bool *done)
{
  sqlite3_stmt *st = db_prepare(db, cols[col].update);
  if (!st) return JK_EINTERNAL;
  if (cols[col].json) {
    sqlite3_bind_text(st, 1, value, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, old, (int)old_len, SQLITE_TRANSIENT);
  } else {
    db_bind_blob(st, 1, value, (int)len);
    db_bind_blob(st, 3, old, (int)old_len);
  }
  db_bind_int64(st, 2, rid);
  int rc = sqlite3_step(st);
  *done = rc == SQLITE_DONE && sqlite3_changes(db_sqlite(db)) == 1;
  db_done(st);
  return rc == SQLITE_DONE ? JK_OK : db_status(rc);
}
