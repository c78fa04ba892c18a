/* crypto.h: every use of cryptography in Jingkang, on libsodium.
 *
 * One master key per installation lives in DATA/jingkang.key (mode 0600, created by
 * `jingkang init`). Subkeys are derived from it with crypto_kdf for each purpose, so a key
 * never serves two: field encryption (XChaCha20-Poly1305), the blind index of ID numbers
 * (keyed BLAKE2b), and the audit chain MAC (keyed BLAKE2b). The key set is immutable once
 * loaded and shared read-only by all threads.
 *
 * A sealed field is: format byte 1 ‖ nonce (24) ‖ ciphertext+tag (sealed with key version 1),
 * or format byte 2 ‖ key version (2 bytes, big-endian) ‖ nonce ‖ ciphertext+tag. The
 * associated data binds the ciphertext to its row and field ("client:<id>:phone"), so a value
 * copied into another row or column does not decrypt.
 *
 * Key rotation (docs/internals/audit.md): the key file holds the version-1 master and, after
 * `jingkang keys rotate`, further lines `key N HEX`; new seals use the newest version, every
 * version in memory opens. The blind index, audit MAC and audit signing keys come from
 * version 1 only and never change. A running process re-reads the key file when it changes
 * (checked at most once a second when sealing) and when a blob names a version it lacks. The
 * versions in memory are append-only (a published count), so readers need no lock. */
#ifndef JK_CRYPTO_H
#define JK_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"

struct arena;

#include <stdint.h>

#define KEY_VERSIONS_MAX 32
struct keys {
  unsigned char bidx[32];
  unsigned char audit[32];
  unsigned char sign_pk[32];       /* Ed25519: signed audit checkpoints and prune anchors */
  unsigned char sign_sk[64];
  unsigned char field[KEY_VERSIONS_MAX][32];   /* field subkeys, index i is version field_ver[i] */
  uint16_t field_ver[KEY_VERSIONS_MAX];
  int n_field;                     /* published with release order after the slot is filled */
  uint16_t newest;                 /* the version new seals use */
  char path[4096];                 /* the key file ("" when not known: no reloading) */
  int64_t next_check_ns;           /* when sealing next looks at the file again */
  int64_t file_sig[4];             /* device, inode, mtime ns, size last read */
};

jk_status crypto_init(void);                       /* sodium_init; call once in main */
jk_status keys_create_file(const char *path);      /* refuses to overwrite */
jk_status keys_load(const char *path, struct keys *out);
/* Re-reads the key file now if it changed, adding versions not yet in memory. Thread-safe. */
void keys_refresh(const struct keys *k);
uint16_t keys_newest(const struct keys *k);
bool keys_has_version(const struct keys *k, uint16_t version);
/* The key version a sealed blob names; 0 when it is not a sealed blob. */
uint16_t field_blob_version(const void *blob, size_t len);
/* Key file edits, written atomically (temp file, fsync, rename, directory fsync):
 * rotate adds version newest+1 (*version); retire removes a version (version 1 is marked
 * `retired 1` instead, since the index, MAC and signing keys derive from it). Retire refuses
 * the newest version (JK_ECONFLICT) and an unknown one (JK_ENOTFOUND). */
jk_status keys_rotate_file(const char *path, unsigned *version);
jk_status keys_retire_file(const char *path, unsigned version);
/* Ed25519 with the installation's audit signing key (derived from version 1). */
void audit_sign(const struct keys *k, const void *msg, size_t len, unsigned char sig[64]);
bool audit_sign_check(const unsigned char pk[32], const void *msg, size_t len, const unsigned char sig[64]);
/* Checks the key file: exists, regular, mode 0600 or stricter, well-formed. Message in *why. */
bool keys_check_file(const char *path, const char **why);

/* Seals plain (NUL-terminated) for the given associated data; result in the arena. */
unsigned char *field_seal(struct arena *a, const struct keys *k, const char *plain, const char *ad,
                          size_t *len);
/* Opens a sealed field; NULL when the blob is damaged, forged or moved (the caller treats
 * that as an internal error and never serves the value). Result NUL-terminated in the arena. */
char *field_open(struct arena *a, const struct keys *k, const void *blob, size_t len, const char *ad);

#define BLIND_INDEX_BYTES 16
void blind_index(const struct keys *k, const char *purpose, const char *normalized,
                 unsigned char out[BLIND_INDEX_BYTES]);

/* Argon2id (libsodium's interactive limits: 2 passes, 64 MiB). out holds a PHC string. */
#define PASSWORD_HASH_BYTES 128
jk_status password_hash(const char *pw, char out[PASSWORD_HASH_BYTES]);
bool password_verify(const char *hash, const char *pw);

/* Bearer and session tokens: 32 random bytes as base64url (43 characters). Only their
 * BLAKE2b hash is stored. */
#define TOKEN_CHARS 44
void token_new(char out[TOKEN_CHARS]);
void token_hash(const char *token, unsigned char out[32]);

/* Public ids: UUIDv7 text (time-ordered for index locality, 74 random bits). */
void uuid_v7(char out[37]);
bool uuid_valid(const char *s);
void random_hex(char *out, size_t nbytes);  /* out holds 2*nbytes+1 */

/* Keyed MAC for the audit chain: out = BLAKE2b-256_k(prev ‖ msg). */
void audit_mac(const struct keys *k, const unsigned char prev[32], const char *msg, size_t len,
               unsigned char out[32]);

#endif
