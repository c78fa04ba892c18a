/* sealed_store.h: every column that holds sealed personal data (sec/crypto.h), for key
 * rotation: counting blobs by key version and re-sealing them with the newest key. A new
 * sealed column must be added to the table in sealed_store.c, or `keys retire` cannot see it.
 *
 * A column is either a BLOB (the sealed value itself) or JSON text whose objects carry a
 * base64 sealed value under "phone_enc" (client guardians, a referral's reporter). */
#ifndef JK_SEALED_STORE_H
#define JK_SEALED_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

struct arena;

struct sealed_row {
  int64_t rid;
  const char *owner_id;   /* the public id the associated data names */
  const void *value;      /* blob, or NUL-terminated JSON text */
  size_t len;
};

int sealed_store_columns(void);
const char *sealed_store_name(int col);     /* "client.phone_enc" */
const char *sealed_store_ad(int col);       /* printf format with one %s: the owner id */
bool sealed_store_is_json(int col);
/* Up to `limit` rows of column col with rid > after, in rid order, into the arena. */
jk_status sealed_store_batch(struct db *db, struct arena *a, int col, int64_t after, int limit,
                             struct sealed_row *rows, int *n);
/* Replaces the value of one row when it still holds `old` (another writer may have changed it
 * meanwhile: then nothing happens and *done is false). */
jk_status sealed_store_replace(struct db *db, int col, int64_t rid, const void *old, size_t old_len,
                               const void *value, size_t len, bool *done);

#endif
