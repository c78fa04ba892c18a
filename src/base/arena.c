/* arena.c: chunks of at least 16 KiB, each allocation rounded to 16 bytes. A large request
 * gets a chunk of its own. Invariant: `used <= size` in every chunk. */
#include "base/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define ARENA_CHUNK 16384
#define ARENA_ALIGN 16

struct chunk {
  struct chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

struct arena {
  struct chunk *head;
  size_t total;
};

static void *xmalloc(size_t n)
{
  void *p = malloc(n);
  if (!p) {
    fputs("jingkang: out of memory\n", stderr);
    abort();
  }
  return p;
}

struct arena *arena_new(void)
{
  struct arena *a = xmalloc(sizeof *a);
  a->head = 0;
  a->total = 0;
  return a;
}

void arena_free(struct arena *a)
{
  if (!a) return;
  struct chunk *c = a->head;
  while (c) {
    struct chunk *n = c->next;
    free(c);
    c = n;
  }
  free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
  if (n > SIZE_MAX / 2) abort();
  n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (n == 0) n = ARENA_ALIGN;
  struct chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    c = xmalloc(sizeof *c + sz);
    c->size = sz;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  a->total += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
  if (!s) return 0;
  n = strnlen(s, n);
  char *d = arena_alloc(a, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
  return s ? arena_strndup(a, s, strlen(s)) : 0;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(0, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) n = 0;
  char *d = arena_alloc(a, (size_t)n + 1);
  vsnprintf(d, (size_t)n + 1, fmt, ap);
  return d;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *d = arena_vprintf(a, fmt, ap);
  va_end(ap);
  return d;
}

size_t arena_used(const struct arena *a) { return a->total; }

void *arena_grow(struct arena *a, const void *old, size_t *cap, size_t size)
{
  void *p = arena_alloc(a, *cap * 2 * size);
  if (old) memcpy(p, old, *cap * size);
  *cap *= 2;
  return p;
}
