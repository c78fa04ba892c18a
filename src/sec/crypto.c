/* crypto.c: see crypto.h. */
#include "sec/crypto.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_HEADER "jingkang-key v1\n"
#define SEAL_VERSION 1
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

enum { SUBKEY_FIELD = 1, SUBKEY_BIDX = 2, SUBKEY_AUDIT = 3 };

jk_status crypto_init(void) { return sodium_init() < 0 ? JK_EINTERNAL : JK_OK; }

jk_status keys_create_file(const char *path)
{
  unsigned char master[32];
  char hex[65];
  randombytes_buf(master, sizeof master);
  sodium_bin2hex(hex, sizeof hex, master, sizeof master);
  sodium_memzero(master, sizeof master);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    sodium_memzero(hex, sizeof hex);
    log_error("crypto: cannot create key file: %s", strerror(errno));
    return errno == EEXIST ? JK_ECONFLICT : JK_EUNAVAIL;
  }
  char text[sizeof KEY_HEADER + 66];
  int n = snprintf(text, sizeof text, "%s%s\n", KEY_HEADER, hex);
  bool ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
  sodium_memzero(hex, sizeof hex);
  sodium_memzero(text, sizeof text);
  ok = close(fd) == 0 && ok;
  return ok ? JK_OK : JK_EUNAVAIL;
}

static bool read_master(const char *path, unsigned char master[32])
{
  char text[128] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  size_t hl = strlen(KEY_HEADER);
  bool ok = n >= (ssize_t)(hl + 64) && memcmp(text, KEY_HEADER, hl) == 0 &&
            sodium_hex2bin(master, 32, text + hl, 64, 0, 0, 0) == 0;
  sodium_memzero(text, sizeof text);
  return ok;
}

bool keys_check_file(const char *path, const char **why)
{
  struct stat sb;
  if (stat(path, &sb) != 0) return *why = "密钥文件不存在", false;
  if (!S_ISREG(sb.st_mode)) return *why = "密钥文件不是普通文件", false;
  if (sb.st_mode & 077) return *why = "密钥文件权限过宽，应为0600", false;
  unsigned char m[32];
  bool ok = read_master(path, m);
  sodium_memzero(m, sizeof m);
  if (!ok) return *why = "密钥文件格式错误", false;
  return true;
}

jk_status keys_load(const char *path, struct keys *out)
{
  unsigned char master[32];
  if (!read_master(path, master)) {
    log_error("crypto: key file missing or malformed");
    return JK_EUNAVAIL;
  }
  crypto_kdf_derive_from_key(out->field, 32, SUBKEY_FIELD, "jkfield_", master);
  crypto_kdf_derive_from_key(out->bidx, 32, SUBKEY_BIDX, "jkbidx__", master);
  crypto_kdf_derive_from_key(out->audit, 32, SUBKEY_AUDIT, "jkaudit_", master);
  sodium_memzero(master, sizeof master);
  return JK_OK;
}

/* Nonces, ids and request ids come from a per-thread pool refilled from the kernel 4 KiB at a
 * time (one getrandom call per 170 sealed fields instead of one each). Used bytes are wiped. */
static void pool_bytes(void *out, size_t n)
{
  static _Thread_local unsigned char pool[4096];
  static _Thread_local size_t left;
  unsigned char *o = out;
  while (n) {
    if (!left) {
      randombytes_buf(pool, sizeof pool);
      left = sizeof pool;
    }
    size_t take = n < left ? n : left;
    unsigned char *src = pool + sizeof pool - left;
    memcpy(o, src, take);
    sodium_memzero(src, take);
    o += take;
    n -= take;
    left -= take;
  }
}

unsigned char *field_seal(struct arena *a, const struct keys *k, const char *plain, const char *ad,
                          size_t *len)
{
  size_t pl = strlen(plain);
  unsigned char *out = arena_alloc(a, 1 + NONCE + pl + TAG);
  out[0] = SEAL_VERSION;
  pool_bytes(out + 1, NONCE);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NONCE, &clen, (const unsigned char *)plain, pl,
                                             (const unsigned char *)ad, strlen(ad), 0, out + 1, k->field);
  *len = 1 + NONCE + (size_t)clen;
  return out;
}

char *field_open(struct arena *a, const struct keys *k, const void *blob, size_t len, const char *ad)
{
  const unsigned char *b = blob;
  if (!b || len < 1 + NONCE + TAG || b[0] != SEAL_VERSION) return 0;
  size_t cl = len - 1 - NONCE;
  char *out = arena_alloc(a, cl - TAG + 1);
  unsigned long long pl = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &pl, 0, b + 1 + NONCE, cl,
                                                 (const unsigned char *)ad, strlen(ad), b + 1,
                                                 k->field) != 0)
    return 0;
  out[pl] = 0;
  return out;
}

void blind_index(const struct keys *k, const char *purpose, const char *normalized,
                 unsigned char out[BLIND_INDEX_BYTES])
{
  crypto_generichash_state s;
  crypto_generichash_init(&s, k->bidx, 32, BLIND_INDEX_BYTES);
  crypto_generichash_update(&s, (const unsigned char *)purpose, strlen(purpose) + 1);
  crypto_generichash_update(&s, (const unsigned char *)normalized, strlen(normalized));
  crypto_generichash_final(&s, out, BLIND_INDEX_BYTES);
}

jk_status password_hash(const char *pw, char out[PASSWORD_HASH_BYTES])
{
  _Static_assert(PASSWORD_HASH_BYTES >= crypto_pwhash_STRBYTES, "hash buffer");
  if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return JK_EINTERNAL;
  return JK_OK;
}

bool password_verify(const char *hash, const char *pw)
{
  return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void token_new(char out[TOKEN_CHARS])
{
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(out, TOKEN_CHARS, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
}

void token_hash(const char *token, unsigned char out[32])
{
  crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), 0, 0);
}

void uuid_v7(char out[37])
{
  unsigned char b[16];
  pool_bytes(b, sizeof b);
  uint64_t ms = (uint64_t)clock_now_ms();
  for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (40 - 8 * i));
  b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
  b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
  static const char hx[] = "0123456789abcdef";
  int j = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
    out[j++] = hx[b[i] >> 4];
    out[j++] = hx[b[i] & 15];
  }
  out[j] = 0;
}

bool uuid_valid(const char *s)
{
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void random_hex(char *out, size_t nbytes)
{
  unsigned char raw[64];
  if (nbytes > sizeof raw) nbytes = sizeof raw;
  pool_bytes(raw, nbytes);
  sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

void audit_mac(const struct keys *k, const unsigned char prev[32], const char *msg, size_t len,
               unsigned char out[32])
{
  crypto_generichash_state s;
  crypto_generichash_init(&s, k->audit, 32, 32);
  crypto_generichash_update(&s, prev, 32);
  crypto_generichash_update(&s, (const unsigned char *)msg, len);
  crypto_generichash_final(&s, out, 32);
}
