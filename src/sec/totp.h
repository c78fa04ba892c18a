/* totp.h: time-based one-time passwords (RFC 6238) for the second login factor.
 *
 * SHA-1, 6 digits, 30-second steps from the Unix epoch: what every authenticator app
 * (Google Authenticator, Microsoft Authenticator, FreeOTP, 阿里云/腾讯身份宝) reads from an
 * otpauth:// URI. The HMAC is OATH Toolkit's (liboath; libsodium has no HMAC-SHA1). A code is
 * accepted for the current step and one step either side (clock drift), and only for a step
 * later than the last one accepted for that account, so each code works once (RFC 6238 §5.2).
 * Secrets are 20 random bytes (RFC 4226 §4: at least 128 bits, 160 recommended); the caller
 * stores them sealed (sec/crypto.h field_seal). Time is always passed in, from clock_now_ms. */
#ifndef JK_TOTP_H
#define JK_TOTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_B32_CHARS 33          /* 32 base32 characters and the NUL */
#define TOTP_STEP_MS 30000LL
#define TOTP_DIGITS 6

/* The step that contains instant now_ms (epoch ms). */
int64_t totp_step(int64_t now_ms);
/* A new random secret as base32 (RFC 4648, no padding: 20 bytes → 32 characters). */
void totp_secret_new(char out[TOTP_B32_CHARS]);
/* Decodes a base32 secret (upper or lower case, spaces ignored); false when malformed. */
bool totp_secret_decode(const char *b32, unsigned char out[TOTP_SECRET_BYTES]);
/* The 6-digit code of a step, NUL-terminated. */
void totp_code(const unsigned char secret[TOTP_SECRET_BYTES], int64_t step, char out[TOTP_DIGITS + 1]);
/* Checks code against the steps around now_ms (±1), accepting only a step > last_step. On
 * success *step_out is the step that matched (to be stored as the new last_step). */
bool totp_verify(const unsigned char secret[TOTP_SECRET_BYTES], const char *code, int64_t now_ms,
                 int64_t last_step, int64_t *step_out);
/* True when s is exactly 6 ASCII digits. */
bool totp_code_wellformed(const char *s);

#endif
