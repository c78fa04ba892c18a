/* status.h: the one result type of Jingkang.
 *
 * Every fallible function returns a `jk_status`. The HTTP layer maps each to a status code
 * (http/server.c: jk_status_http); the message and the field travel separately, in a
 * `struct jk_err` the caller owns. Codes are English and stable; messages are Chinese. */
#ifndef JK_STATUS_H
#define JK_STATUS_H

typedef enum jk_status {
  JK_OK = 0,
  JK_EINVAL,      /* 400: malformed or invalid input */
  JK_EAUTH,       /* 401: not logged in, bad credentials */
  JK_EFORBIDDEN,  /* 403: logged in, not allowed */
  JK_ENOTFOUND,   /* 404: no such object, or not in the caller's scope */
  JK_ECONFLICT,   /* 409: duplicate, or a state that does not allow this */
  JK_ETOOBIG,     /* 413: body over the cap */
  JK_EMEDIA,      /* 415: body is not the media type the API takes */
  JK_ERULE,       /* 422: well-formed but breaks a rule of the field */
  JK_ELOCKED,     /* 423: account locked */
  JK_ERATE,       /* 429: too many requests */
  JK_EINTERNAL,   /* 500: our fault */
  JK_EUNAVAIL,    /* 503: storage busy or unavailable */
} jk_status;

/* An error's details. `code` and `message` point to static strings or the request arena;
 * `field` names the offending input field or is NULL. */
struct jk_err {
  const char *code;
  const char *message;
  const char *field;
  const char *extra_key;   /* optional extra member of the error object, e.g. "existing_id" */
  const char *extra_val;
};

/* Fills *e (when e is non-NULL) and returns st: `return jk_fail(e, JK_EINVAL, "bad", "坏", "f");` */
jk_status jk_fail(struct jk_err *e, jk_status st, const char *code, const char *message,
                  const char *field);

#endif
