/* fuzz_instrument: the instrument definition reader (domain/instrument.c; definitions are
 * files in data/instruments/ loaded at start). Input: a definition, optionally followed by a
 * NUL byte and a JSON object of answers, which are then checked and scored against it
 * (instrument_check, instrument_next_due), as a submitted assessment is. A refusal must
 * explain itself in well-formed UTF-8. */
#include "fz_check.h"
#include "base/arena.h"
#include "base/utf8.h"
#include "domain/instrument.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > (1u << 17)) return 0;
  char *s = malloc(size + 1);
  FZ_CHECK(s);
  memcpy(s, data, size);
  s[size] = 0;
  struct instrument *in = 0;
  char err[256];
  if (instrument_parse(s, &in, err, sizeof err) == JK_OK) {
    FZ_CHECK(in && in->id && in->nitems >= 0);
    size_t dl = strlen(s);
    json_t *answers = dl + 1 < size ? json_loadb(s + dl + 1, size - dl - 1, 0, 0) : 0;
    if (json_is_object(answers)) {
      struct arena *a = arena_new();
      struct instr_result res;
      struct jk_err e = {0};
      if (instrument_check(in, answers, a, &res, &e) == JK_OK) {
        FZ_CHECK(res.nflags >= 0 && res.nflags <= INSTR_MAX_FLAGS);
        struct jk_date due;
        (void)instrument_next_due(in, answers, (struct jk_date){2026, 1, 31}, &due);
        for (int i = 0; i < in->nitems; i++) (void)instrument_option_label(in, i, json_object_get(answers, in->items[i].id));
      } else {
        FZ_CHECK(e.message && utf8_clean(e.message));
      }
      arena_free(a);
    }
    json_decref(answers);
    instrument_free(in);
  } else {
    FZ_CHECK(err[0] && utf8_clean(err));
  }
  free(s);
  return 0;
}
