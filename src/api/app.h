/* app.h: the server's one context, shared read-only by every request once started.
 * Owned by main (cli/cmd_serve.c); the audit queue inside it is started and stopped there. */
#ifndef JK_APP_H
#define JK_APP_H
#include "domain/instrument.h"
#include "sec/crypto.h"

struct audit_queue;

struct app {
  char data_dir[4096];
  char db_path[4200];
  const char *web_dir;          /* built UI (web/dist), or NULL */
  struct keys keys;
  struct audit_queue *audit;
  bool secure_cookies;          /* add Secure to cookies (behind TLS) */
  struct instrument_set instruments;   /* every stored instrument version (cli_load_instruments) */
};

/* Fills paths and loads the key of the data directory. */
jk_status app_open(struct app *app, const char *data_dir);

#endif
