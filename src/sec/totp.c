/* totp.c: see totp.h. liboath computes HOTP(secret, counter); TOTP is HOTP of the step. Codes
 * are compared in constant time (sodium_memcmp) and every candidate step is computed, so the
 * time taken does not say which step matched. */
#include "sec/totp.h"
#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static void init_oath(void) { oath_init(); }

int64_t totp_step(int64_t now_ms)
{
  return now_ms >= 0 ? now_ms / TOTP_STEP_MS : -((-now_ms + TOTP_STEP_MS - 1) / TOTP_STEP_MS);
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_secret_new(char out[TOTP_B32_CHARS])
{
  unsigned char k[TOTP_SECRET_BYTES];
  randombytes_buf(k, sizeof k);
  /* 20 bytes = 160 bits = exactly 32 groups of 5 bits */
  for (int i = 0; i < 32; i++) {
    int bit = i * 5, byte = bit / 8, off = bit % 8;
    unsigned v = (unsigned)k[byte] << 8 | (byte + 1 < TOTP_SECRET_BYTES ? k[byte + 1] : 0);
    out[i] = B32[(v >> (11 - off)) & 31];
  }
  out[32] = 0;
  sodium_memzero(k, sizeof k);
}

bool totp_secret_decode(const char *b32, unsigned char out[TOTP_SECRET_BYTES])
{
  unsigned acc = 0;
  int bits = 0, n = 0;
  for (const char *c = b32; *c; c++) {
    if (*c == ' ' || *c == '=') continue;
    char u = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
    const char *p = u ? strchr(B32, u) : 0;
    if (!p) return false;
    acc = (acc << 5 | (unsigned)(p - B32)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      if (n >= TOTP_SECRET_BYTES) return false;
      out[n++] = (unsigned char)(acc >> (bits - 8));
      bits -= 8;
    }
  }
  return n == TOTP_SECRET_BYTES;
}

void totp_code(const unsigned char secret[TOTP_SECRET_BYTES], int64_t step, char out[TOTP_DIGITS + 1])
{
  pthread_once(&oath_once, init_oath);
  if (step < 0 || oath_hotp_generate((const char *)secret, TOTP_SECRET_BYTES, (uint64_t)step, TOTP_DIGITS, false,
                                     OATH_HOTP_DYNAMIC_TRUNCATION, out) != OATH_OK)
    strcpy(out, "------");   /* never equal to a well-formed code */
}

bool totp_code_wellformed(const char *s)
{
  if (!s || strlen(s) != TOTP_DIGITS) return false;
  for (int i = 0; i < TOTP_DIGITS; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool totp_verify(const unsigned char secret[TOTP_SECRET_BYTES], const char *code, int64_t now_ms,
                 int64_t last_step, int64_t *step_out)
{
  if (!totp_code_wellformed(code)) return false;
  int64_t now = totp_step(now_ms), hit = -1;
  for (int64_t s = now - 1; s <= now + 1; s++) {
    char c[TOTP_DIGITS + 1];
    totp_code(secret, s, c);
    bool same = sodium_memcmp(c, code, TOTP_DIGITS) == 0;
    if (same && s > last_step && hit < 0) hit = s;
  }
  if (hit < 0) return false;
  *step_out = hit;
  return true;
}
