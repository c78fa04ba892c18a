/* indicators.h: what the indicator handlers share with their exports (api/indicators.c,
 * api/indicator_export.c). */
#ifndef JK_API_INDICATORS_H
#define JK_API_INDICATORS_H
#include <jansson.h>
#include <stdbool.h>
#include "domain/indicator.h"
#include "http/server.h"
#include "store/indicator_store.h"
#include "store/org_store.h"

struct ind_query {
  const char *region;           /* normalized code, "" = the country; NULL for an organization */
  int level;                    /* 0 country … 5 village; IND_LEVEL_ORG for an organization */
  struct org_rec org;
  int first, last;              /* months */
  char from[11], to[11];
};

/* ?region= or ?organization=, ?from=&to=, and the caller's right to see them; false after
 * replying with the error. */
bool ind_params(struct req *r, struct ind_query *q);
/* ?by=child|organization|month (NULL when absent); false after replying 400. */
bool ind_by_param(struct req *r, const char **by);
/* The answers of GET /indicators and GET /indicators/{id} (with rows when by is non-NULL); NULL
 * with *st on a storage error. */
json_t *ind_all(struct req *r, const struct ind_query *q, jk_status *st);
json_t *ind_one(struct req *r, const struct ind_query *q, const struct indicator_def *d, const char *by, jk_status *st);

#endif
