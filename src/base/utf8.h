/* utf8.h: checks on UTF-8 text from outside (query strings, CSV cells). */
#ifndef JK_UTF8_H
#define JK_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
 * with no control characters (U+0000–U+001F, U+007F). */
bool utf8_clean(const char *s);

/* The number of characters (code points) in well-formed UTF-8 text. */
size_t utf8_chars(const char *s);

#endif
