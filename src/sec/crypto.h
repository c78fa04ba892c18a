/* crypto.h: every use of cryptography in Jingkang, on libsodium.
 *
 * One master key per installation lives in DATA/jingkang.key (mode 0600, created by
 * `jingkang init`). Subkeys are derived from it with crypto_kdf for each purpose, so a key
 * never serves two: field encryption (XChaCha20-Poly1305), the blind index of ID numbers
 * (keyed BLAKE2b), and the audit chain MAC (keyed BLAKE2b). The key set is immutable once
 * loaded and shared read-only by all threads.
 *
 * A sealed field is: version byte (1) ‖ nonce (24) ‖ ciphertext+tag. The associated data binds
 * the ciphertext to its row and field ("client:<id>:phone"), so a value copied into another
 * row or column does not decrypt. Key rotation (a later issue) adds versions. */
#ifndef JK_CRYPTO_H
#define JK_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"

struct arena;

struct keys {
  unsigned char field[32];
  unsigned char bidx[32];
  unsigned char audit[32];
};

jk_status crypto_init(void);                       /* sodium_init; call once in main */
jk_status keys_create_file(const char *path);      /* refuses to overwrite */
jk_status keys_load(const char *path, struct keys *out);
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
