/* crypto.c: see crypto.h. */
#include "sec/crypto.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_HEADER "jingkang-key v1\n"
#define SEAL_V1 1   /* format byte: key version 1, no version field */
#define SEAL_V2 2   /* format byte: a 2-byte key version follows */
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

enum { SUBKEY_FIELD = 1, SUBKEY_BIDX = 2, SUBKEY_AUDIT = 3, SUBKEY_SIGN = 4 };

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

/* ---- the key file ----
 * Line 1 the header, line 2 the version-1 master in hex (what every release reads), then
 * `key N HEX` for each later version in increasing order and optionally `retired 1`. */

struct keyfile {
  int n;
  unsigned ver[KEY_VERSIONS_MAX];
  unsigned char master[KEY_VERSIONS_MAX][32];   /* master[0] is version 1, always present */
  bool retired1;
};

static bool read_keyfile(const char *path, struct keyfile *kf)
{
  char text[8192];
  memset(kf, 0, sizeof *kf);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  bool ok = false;
  size_t hl = strlen(KEY_HEADER);
  if (n < (ssize_t)(hl + 64) || memcmp(text, KEY_HEADER, hl) != 0) goto out;
  text[n] = 0;
  if (sodium_hex2bin(kf->master[0], 32, text + hl, 64, 0, 0, 0) != 0) goto out;
  kf->ver[0] = 1;
  kf->n = 1;
  char *line = strchr(text + hl, '\n');
  while (line && *++line) {
    char *end = strchr(line, '\n');
    if (!end) break;
    *end = 0;
    unsigned v;
    char hex[65];
    if (strcmp(line, "retired 1") == 0) {
      kf->retired1 = true;
    } else if (sscanf(line, "key %u %64s", &v, hex) == 2 && strlen(hex) == 64 && v > kf->ver[kf->n - 1] &&
               v <= 65535 && kf->n < KEY_VERSIONS_MAX) {
      if (sodium_hex2bin(kf->master[kf->n], 32, hex, 64, 0, 0, 0) != 0) goto out;
      kf->ver[kf->n++] = v;
    } else if (*line) {
      goto out;
    }
    sodium_memzero(hex, sizeof hex);
    line = end;
  }
  ok = true;
out:
  sodium_memzero(text, sizeof text);
  if (!ok) sodium_memzero(kf, sizeof *kf);
  return ok;
}

static jk_status write_keyfile(const char *path, const struct keyfile *kf)
{
  char tmp[4200], text[8192], hex[65];
  size_t len = 0;
  for (int i = 0; i < kf->n; i++) {
    sodium_bin2hex(hex, sizeof hex, kf->master[i], 32);
    int w = i == 0 ? snprintf(text + len, sizeof text - len, "%s%s\n", KEY_HEADER, hex)
                   : snprintf(text + len, sizeof text - len, "key %u %s\n", kf->ver[i], hex);
    if (w < 0 || (size_t)w >= sizeof text - len) return JK_EINTERNAL;
    len += (size_t)w;
  }
  if (kf->retired1) len += (size_t)snprintf(text + len, sizeof text - len, "retired 1\n");
  sodium_memzero(hex, sizeof hex);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return sodium_memzero(text, sizeof text), JK_EUNAVAIL;
  bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
  sodium_memzero(text, sizeof text);
  ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
  if (!ok) return unlink(tmp), JK_EUNAVAIL;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok = dfd >= 0 && fsync(dfd) == 0;
  if (dfd >= 0) close(dfd);
  return ok ? JK_OK : JK_EUNAVAIL;
}

static bool read_master(const char *path, unsigned char master[32])
{
  struct keyfile kf;
  if (!read_keyfile(path, &kf)) return false;
  memcpy(master, kf.master[0], 32);
  sodium_memzero(&kf, sizeof kf);
  return true;
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

static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;

static void file_sig(const struct stat *sb, int64_t out[4])
{
  out[0] = (int64_t)sb->st_dev;
  out[1] = (int64_t)sb->st_ino;
  out[2] = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
  out[3] = (int64_t)sb->st_size;
}

/* Adds the field subkeys of kf not yet in k (the caller holds keys_mu or owns k alone). */
static void add_versions(struct keys *k, const struct keyfile *kf)
{
  for (int i = 0; i < kf->n; i++) {
    if (i == 0 && kf->retired1) continue;
    uint16_t v = (uint16_t)kf->ver[i];
    if (keys_has_version(k, v)) continue;
    int n = __atomic_load_n(&k->n_field, __ATOMIC_ACQUIRE);
    if (n >= KEY_VERSIONS_MAX) break;
    crypto_kdf_derive_from_key(k->field[n], 32, SUBKEY_FIELD, "jkfield_", kf->master[i]);
    k->field_ver[n] = v;
    __atomic_store_n(&k->n_field, n + 1, __ATOMIC_RELEASE);
    if (v > __atomic_load_n(&k->newest, __ATOMIC_ACQUIRE)) __atomic_store_n(&k->newest, v, __ATOMIC_RELEASE);
  }
}

jk_status keys_load(const char *path, struct keys *out)
{
  struct keyfile kf;
  memset(out, 0, sizeof *out);
  if (!read_keyfile(path, &kf)) {
    log_error("crypto: key file missing or malformed");
    return JK_EUNAVAIL;
  }
  unsigned char *master = kf.master[0], seed[32];
  crypto_kdf_derive_from_key(out->bidx, 32, SUBKEY_BIDX, "jkbidx__", master);
  crypto_kdf_derive_from_key(out->audit, 32, SUBKEY_AUDIT, "jkaudit_", master);
  crypto_kdf_derive_from_key(seed, 32, SUBKEY_SIGN, "jksign__", master);
  crypto_sign_seed_keypair(out->sign_pk, out->sign_sk, seed);
  sodium_memzero(seed, sizeof seed);
  add_versions(out, &kf);
  sodium_memzero(&kf, sizeof kf);
  struct stat sb;
  if (strlen(path) < sizeof out->path && stat(path, &sb) == 0) {
    snprintf(out->path, sizeof out->path, "%s", path);
    file_sig(&sb, out->file_sig);
  }
  return out->n_field > 0 ? JK_OK : JK_EUNAVAIL;
}

static void refresh(struct keys *k, bool force)
{
  if (!k->path[0]) return;
  pthread_mutex_lock(&keys_mu);
  struct stat sb;
  int64_t sig[4];
  if (stat(k->path, &sb) == 0) {
    file_sig(&sb, sig);
    struct keyfile kf;
    if ((force || memcmp(sig, k->file_sig, sizeof sig) != 0) && read_keyfile(k->path, &kf)) {
      add_versions(k, &kf);
      memcpy(k->file_sig, sig, sizeof sig);
      log_info("crypto: key file re-read; sealing with key version %u", (unsigned)k->newest);
    }
    sodium_memzero(&kf, sizeof kf);
  }
  pthread_mutex_unlock(&keys_mu);
}

/* The key set lives in a non-const object (the app, a command's stack); only its version
 * table grows, under keys_mu, published with release stores. */
void keys_refresh(const struct keys *k) { refresh((struct keys *)k, true); }

static void maybe_refresh(const struct keys *k)
{
  struct keys *m = (struct keys *)k;
  if (!m->path[0]) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  int64_t next = __atomic_load_n(&m->next_check_ns, __ATOMIC_RELAXED);
  if (now < next) return;
  if (!__atomic_compare_exchange_n(&m->next_check_ns, &next, now + 1000000000, false, __ATOMIC_RELAXED,
                                   __ATOMIC_RELAXED))
    return;
  refresh(m, false);
}

uint16_t keys_newest(const struct keys *k) { return __atomic_load_n(&k->newest, __ATOMIC_ACQUIRE); }

static const unsigned char *field_key(const struct keys *k, uint16_t v)
{
  int n = __atomic_load_n(&k->n_field, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n; i++)
    if (k->field_ver[i] == v) return k->field[i];
  return 0;
}

bool keys_has_version(const struct keys *k, uint16_t version) { return field_key(k, version) != 0; }

jk_status keys_rotate_file(const char *path, unsigned *version)
{
  struct keyfile kf;
  if (!read_keyfile(path, &kf)) return JK_EUNAVAIL;
  if (kf.n >= KEY_VERSIONS_MAX || kf.ver[kf.n - 1] >= 65535) return sodium_memzero(&kf, sizeof kf), JK_ECONFLICT;
  randombytes_buf(kf.master[kf.n], 32);
  kf.ver[kf.n] = kf.ver[kf.n - 1] + 1;
  *version = kf.ver[kf.n++];
  jk_status st = write_keyfile(path, &kf);
  sodium_memzero(&kf, sizeof kf);
  return st;
}

jk_status keys_retire_file(const char *path, unsigned version)
{
  struct keyfile kf;
  if (!read_keyfile(path, &kf)) return JK_EUNAVAIL;
  jk_status st = JK_ENOTFOUND;
  for (int i = 0; i < kf.n; i++) {
    if (kf.ver[i] != version || (i == 0 && kf.retired1)) continue;
    if (i == kf.n - 1) {
      st = JK_ECONFLICT;
      break;
    }
    if (i == 0) {
      kf.retired1 = true;
    } else {
      memmove(&kf.master[i], &kf.master[i + 1], (size_t)(kf.n - i - 1) * 32);
      memmove(&kf.ver[i], &kf.ver[i + 1], (size_t)(kf.n - i - 1) * sizeof kf.ver[0]);
      kf.n--;
    }
    st = write_keyfile(path, &kf);
    break;
  }
  sodium_memzero(&kf, sizeof kf);
  return st;
}

void audit_sign(const struct keys *k, const void *msg, size_t len, unsigned char sig[64])
{
  crypto_sign_detached(sig, 0, msg, len, k->sign_sk);
}

bool audit_sign_check(const unsigned char pk[32], const void *msg, size_t len, const unsigned char sig[64])
{
  return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
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
  maybe_refresh(k);
  uint16_t v = keys_newest(k);
  const unsigned char *key = field_key(k, v);
  size_t pl = strlen(plain), hl = v == 1 ? 1 : 3;
  unsigned char *out = arena_alloc(a, hl + NONCE + pl + TAG);
  out[0] = v == 1 ? SEAL_V1 : SEAL_V2;
  if (hl == 3) out[1] = (unsigned char)(v >> 8), out[2] = (unsigned char)v;
  pool_bytes(out + hl, NONCE);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + hl + NONCE, &clen, (const unsigned char *)plain, pl,
                                             (const unsigned char *)ad, strlen(ad), 0, out + hl, key);
  *len = hl + NONCE + (size_t)clen;
  return out;
}

uint16_t field_blob_version(const void *blob, size_t len)
{
  const unsigned char *b = blob;
  if (!b || len < 1 + NONCE + TAG) return 0;
  if (b[0] == SEAL_V1) return 1;
  if (b[0] == SEAL_V2 && len >= 3 + NONCE + TAG) return (uint16_t)(b[1] << 8 | b[2]);
  return 0;
}

char *field_open(struct arena *a, const struct keys *k, const void *blob, size_t len, const char *ad)
{
  const unsigned char *b = blob;
  uint16_t v = field_blob_version(blob, len);
  if (!v) return 0;
  const unsigned char *key = field_key(k, v);
  if (!key) { /* sealed by a version rotated in since this process read the key file */
    keys_refresh(k);
    if (!(key = field_key(k, v))) return 0;
  }
  size_t hl = b[0] == SEAL_V1 ? 1 : 3, cl = len - hl - NONCE;
  char *out = arena_alloc(a, cl - TAG + 1);
  unsigned long long pl = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &pl, 0, b + hl + NONCE, cl,
                                                 (const unsigned char *)ad, strlen(ad), b + hl, key) != 0)
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
