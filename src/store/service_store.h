/* service_store.h: service records (服务记录) — one row per session, individual (个案) or group
 * (小组), with one attendance row per client — and the ledgers (台账) read from them: an
 * institution's for a period, a client's over time. */
#ifndef JK_SERVICE_STORE_H
#define JK_SERVICE_STORE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct service_rec {
  int64_t rid;
  const char *id;
  int64_t org_rid;
  const char *type, *mode, *date, *place, *staff_json, *topic, *content, *created_by;
  int64_t duration_minutes, n_clients, n_attended, created_at;
};

struct attendance {
  int64_t client_rid;
  bool attended;
};

/* Inserts the record and its attendance rows (inside the caller's write transaction). */
jk_status service_store_insert(struct db *db, struct service_rec *s, const struct attendance *who, int64_t n);
/* One record as a JSON row with `clients` [{id, name, attended}], and its organization. */
jk_status service_store_get(struct db *db, const char *id, json_t **row, int64_t *org_rid);
/* An organization's records from..to (dates inclusive), newest first, as JSON rows with the
 * attendees' names in `client_names`; *total counts them all. */
jk_status service_store_list(struct db *db, int64_t org_rid, const char *from, const char *to, int64_t limit,
                             int64_t offset, json_t *rows, int64_t *total);
/* A client's services, newest first: `limit` from `offset`; *total (may be NULL) all of them. */
jk_status service_store_of_client(struct db *db, int64_t client_rid, const char *from, const char *to, int64_t limit,
                                  int64_t offset, json_t *rows, int64_t *total);
/* Streams an organization's ledger from..to, oldest first, one call per record. Borrowed
 * strings live until fn returns. */
struct ledger_row {
  const char *date, *type, *mode, *place, *topic, *content, *staff_json;
  const char *client_names;        /* institution ledger: the attendees */
  const char *org_name;            /* client ledger: the institution */
  int64_t duration_minutes, n_clients, n_attended;
  bool attended;                   /* client ledger: present or absent */
};
jk_status service_store_ledger(struct db *db, int64_t org_rid, const char *from, const char *to,
                               void (*fn)(void *ctx, const struct ledger_row *row), void *ctx);
/* A client's ledger (one row per service attended or missed), oldest first. */
jk_status service_store_client_ledger(struct db *db, int64_t client_rid, const char *from, const char *to,
                                      void (*fn)(void *ctx, const struct ledger_row *row), void *ctx);

#endif
