/* arena.h: a bump allocator whose memory is released all at once.
 *
 * Each HTTP request owns one arena (PostgreSQL's memory contexts, h2o's pools): handlers
 * allocate freely and never free a field; the server frees the arena when the request
 * completes. Allocation failure aborts the process (as Redis' zmalloc), so callers never
 * check for NULL: a half-handled out-of-memory is worse than a restart. */
#ifndef JK_ARENA_H
#define JK_ARENA_H
#include <stddef.h>
#include <stdarg.h>

struct arena;

struct arena *arena_new(void);                 /* caller frees with arena_free */
void arena_free(struct arena *a);              /* NULL is fine */
void *arena_alloc(struct arena *a, size_t n);  /* zeroed, aligned for any type */
char *arena_strdup(struct arena *a, const char *s);          /* NULL in, NULL out */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
size_t arena_used(const struct arena *a);
/* Doubles an arena array of *cap elements of `size` bytes: returns the new array with the old
 * elements copied and sets *cap. For growing result lists row by row. */
void *arena_grow(struct arena *a, const void *old, size_t *cap, size_t size);

#endif
