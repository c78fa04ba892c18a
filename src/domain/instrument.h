/* instrument.h: assessment instruments (scales and forms) as data, and their scoring.
 *
 * An instrument is a JSON document (docs/internals/instruments.md; the shipped ones are in
 * data/instruments/). instrument_parse validates the whole definition once, so that scoring
 * can trust it: every reference (option sets, show_if, score items, flags, schedule) resolves
 * and every value has the right type. instrument_check then validates a submission's answers
 * against it and scores them: the server's score is the only one stored.
 *
 * Ownership: an instrument owns its definition (json_t) and arrays; instrument_free releases
 * them. Everything an instrument hands out (ids, labels, option arrays) is borrowed from it
 * and lives as long as it does. Pure functions: no I/O, no clock. */
#ifndef JK_INSTRUMENT_H
#define JK_INSTRUMENT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/clock.h"
#include "base/status.h"

struct arena;

enum item_type { IT_CHOICE, IT_MULTI, IT_NUMBER, IT_TEXT, IT_DATE, IT_BOOL };
enum cond_op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE, OP_IN };

struct instr_item {
  const char *id, *text, *hint, *unit;
  int section;                       /* index into sections */
  enum item_type type;
  json_t *options;                   /* choice, multi: array of {"value","label"} */
  bool required;                     /* as written; an item hidden by show_if is never required */
  int64_t min, max;                  /* number: range; text: max characters in max */
  int max_choices;                   /* multi: 0 = any number */
  int show_if;                       /* index of the governing choice item, or -1 */
  json_t *show_in;                   /* the values of that item that show this one */
};

struct instr_section {
  const char *id, *title, *description;
  const char *signer;                /* a profession, or NULL when the section needs no signature */
};

struct instr_cond {
  int item;                          /* item index, or -1 for the score */
  enum cond_op op;
  json_t *value;
};

struct instr_band {
  const char *id, *label;
  bool has_min, has_max, has_when;
  int64_t min, max;
  struct instr_cond when;
};

struct instr_flag {
  const char *id, *label;
  bool alert;                        /* goes to the client's institution whatever the score */
  struct instr_cond when;
};

struct instr_interval { int days, months; };

enum score_method { SCORE_NONE, SCORE_SUM, SCORE_ITEM };

struct instrument {
  json_t *def;
  const char *id, *name, *short_name, *kind, *description, *period;
  int version;
  struct instr_section *sections;
  int nsections;
  struct instr_item *items;
  int nitems;
  enum score_method score;
  int *sum;                          /* item indexes summed */
  int nsum;
  json_t *skip;                      /* values left out of the sum (e.g. 9 = 不适用) */
  int score_item;
  struct instr_band *bands;
  int nbands;
  struct instr_flag *flags;
  int nflags;
  const char *due;                   /* the instrument that falls due next, or NULL */
  int by_item;                       /* item choosing the interval, or -1 */
  json_t *intervals;                 /* {"<value>": {"days"|"months": n}} */
  struct instr_interval default_interval;
  int outcome_item;                  /* 阶段性评估: the recommended outcome, or -1 */
};

#define INSTR_MAX_FLAGS 16

struct instr_result {
  bool has_score;
  int64_t score;
  const struct instr_band *band;     /* NULL when no band matches */
  const struct instr_flag *flags[INSTR_MAX_FLAGS];
  int nflags;
  bool alert;                        /* some raised flag is an alert */
  const char *outcome;               /* the outcome item's value as text, or NULL */
};

/* Parses and validates a definition. On failure JK_EINVAL and a Chinese explanation naming
 * the place in err (always NUL-terminated). Caller frees *out with instrument_free. */
jk_status instrument_parse(const char *json, struct instrument **out, char *err, size_t errlen);
void instrument_free(struct instrument *in);
int instrument_item_index(const struct instrument *in, const char *id);   /* -1 when none */

/* Validates `answers` (an object item id → value) and scores them. Errors are 400s naming the
 * field as "answers.<item>" with a message in the arena: an unknown item, a missing required
 * answer, a value not among the options or out of range, an answer to an item that does not
 * apply (show_if). */
jk_status instrument_check(const struct instrument *in, json_t *answers, struct arena *a,
                           struct instr_result *res, struct jk_err *e);

/* The date the instrument's `due` falls due after an assessment of `date` with these (checked)
 * answers. False when the instrument has no schedule. */
bool instrument_next_due(const struct instrument *in, json_t *answers, struct jk_date date, struct jk_date *due);

/* The label of a choice value of item i (borrowed), or NULL. */
const char *instrument_option_label(const struct instrument *in, int i, json_t *value);

/* Every loaded instrument, all versions: the server's read-only registry once started. The set
 * owns its instruments. */
struct instrument_set {
  struct instrument **v;
  int n, cap;
};
/* Takes ownership of in (freed at once when it cannot be added). */
jk_status instrument_set_add(struct instrument_set *s, struct instrument *in);
/* The given version of id, or its highest when version is 0; NULL when none. */
const struct instrument *instrument_find(const struct instrument_set *s, const char *id, int version);
void instrument_set_clear(struct instrument_set *s);

#endif
