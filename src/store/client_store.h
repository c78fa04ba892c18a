/* client_store.h: client records (康复对象). The store sees personal fields only as sealed
 * blobs and masked text: sealing, opening and the blind index are the API layer's business
 * (sec/crypto.h), so nothing here can leak a plain value. */
#ifndef JK_CLIENT_STORE_H
#define JK_CLIENT_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "sec/crypto.h"

struct arena;

struct sealed {
  const void *p;
  size_t n;
};

struct client_rec {
  int64_t rid;
  const char *id, *name, *birth_date;
  int sex;                          /* 1 male, 2 female */
  unsigned char id_bidx[BLIND_INDEX_BYTES];
  struct sealed id_enc, phone_enc, address_enc, disability_enc;
  const char *id_masked, *phone_masked, *address_masked, *disability_masked;
  const char *residence_region, *hukou_region, *diagnosis;
  int severe, disability_category, disability_grade;
  const char *guardians_json;       /* [{"name","relation","phone_masked","phone_enc"(base64)}] */
  int64_t org_rid;
  const char *org_id, *org_name;    /* filled on read */
  const char *status, *notes, *created_by;
  int64_t created_at, updated_at;
};

/* JK_ECONFLICT when the blind index exists already: *existing_id (arena) names the client. */
jk_status client_store_insert(struct db *db, struct arena *a, struct client_rec *c, char **existing_id);
jk_status client_store_update(struct db *db, struct arena *a, const struct client_rec *c, char **existing_id);
/* A referral step carries the client record along: its status (NULL: keep), serving
 * organization (-1: keep) and residence region (NULL: keep). */
jk_status client_store_follow(struct db *db, int64_t rid, const char *status, int64_t org_rid, const char *region,
                              int64_t now);
jk_status client_store_by_id(struct db *db, struct arena *a, const char *id, struct client_rec *out);
jk_status client_store_by_rid(struct db *db, struct arena *a, int64_t rid, struct client_rec *out);
jk_status client_store_by_bidx(struct db *db, struct arena *a, const unsigned char bidx[BLIND_INDEX_BYTES],
                               struct client_rec *out);

struct client_query {
  const char *region;     /* subtree of the residence region */
  int64_t org_rid;        /* 0 = any */
  const char *name;       /* name starts with */
  const char *status;
  int severe;             /* -1 any, 0 no, 1 yes */
  int64_t limit, offset;
};
jk_status client_store_list(struct db *db, struct arena *a, const struct client_query *q,
                            struct client_rec **out, int64_t *n, int64_t *total);
/* Ids of other clients with the same name and birth date in the same county. */
jk_status client_store_likely_duplicates(struct db *db, struct arena *a, const char *name,
                                         const char *birth_date, const char *county,
                                         const char *except_id, const char ***ids, int64_t *n);

struct client_counts {
  int64_t total, severe;
  int64_t by_status[5];   /* registered, in_service, closed, moved, deceased */
};
jk_status client_store_counts(struct db *db, const char *region, int64_t org_rid, struct client_counts *out);

#endif
