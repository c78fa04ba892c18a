/* password.h: the password policy (OWASP ASVS 4.0 §2.1, NIST SP 800-63B §5.1.1.2).
 *
 * A password is 12 to 128 characters (Unicode code points of valid UTF-8; any character,
 * spaces included, no composition rules), does not contain the username, and is neither common
 * nor simple: not made mostly of common passwords, keyboard or alphabet runs, repeats and
 * years (our own check), and not rejected by cracklib's dictionary check (libcrack2). Link with
 * -lcrack; cracklib's dictionary comes from Debian's cracklib-runtime. */
#ifndef JK_PASSWORD_H
#define JK_PASSWORD_H
#include <stdbool.h>
#include "base/status.h"

/* JK_OK, or JK_EINVAL with code "weak_password", field "password" and a static Chinese message
 * saying why; JK_EINTERNAL (code "password_dictionary_unavailable") when cracklib's dictionary
 * cannot be read, since the policy then cannot be applied. Thread-safe. */
jk_status password_check(const char *pw, const char *username, struct jk_err *e);
/* True when cracklib's dictionary can be read (for `jingkang doctor`). Thread-safe. */
bool password_dictionary_ok(void);

#endif
