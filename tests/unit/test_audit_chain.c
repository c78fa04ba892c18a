/* Unit tests of the audit hash chain (sec/audit.c): an intact chain verifies; an edited,
 * deleted, reordered or appended-behind-our-back entry is found, at the right seq. The
 * tampering goes around the append-only triggers with raw SQL, as an attacker with the
 * database file would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sec/audit.h"
#include "sec/crypto.h"
#include "store/db.h"

struct fx {
  char dir[32], path[64];
  struct db *db;
  struct keys k;
};

static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/jk-audit-XXXXXX");
  if (!mkdtemp(f->dir) || crypto_init() != JK_OK) return -1;
  char key[64];
  snprintf(key, sizeof key, "%s/key", f->dir);
  snprintf(f->path, sizeof f->path, "%s/db", f->dir);
  if (keys_create_file(key) != JK_OK || keys_load(key, &f->k) != JK_OK) return -1;
  if (db_open(f->path, true, &f->db) != JK_OK || db_migrate(f->db) != JK_OK) return -1;
  for (int i = 0; i < 5; i++) {
    char id[16];
    snprintf(id, sizeof id, "c%d", i + 1);
    struct audit_entry e = {.user_id = "u1", .username = "rehab_worker", .role = "rehab_staff", .action = "read",
                            .object_type = "client", .object_id = id, .result = "ok", .request_id = "r"};
    if (db_begin_write(f->db) != JK_OK || audit_append(f->db, &f->k, &e) != JK_OK || db_commit(f->db) != JK_OK) return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  db_close(f->db);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  if (system(cmd) != 0) return -1;
  free(f);
  return 0;
}

static void tamper(struct fx *f, const char *sql)
{
  char full[512];
  snprintf(full, sizeof full, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; %s", sql);
  assert_int_equal(db_exec(f->db, full), JK_OK);
}

static void test_intact_chain_verifies(void **state)
{
  struct fx *f = *state;
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_true(c.ok);
  assert_int_equal(c.entries, 5);
}

static void test_triggers_refuse_update_and_delete(void **state)
{
  struct fx *f = *state;
  assert_int_not_equal(db_exec(f->db, "UPDATE audit SET username = 'x' WHERE seq = 2"), JK_OK);
  assert_int_not_equal(db_exec(f->db, "DELETE FROM audit WHERE seq = 2"), JK_OK);
}

static void test_edited_entry_is_found(void **state)
{
  struct fx *f = *state;
  tamper(f, "UPDATE audit SET object_id = 'c9' WHERE seq = 3");
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_false(c.ok);
  assert_int_equal(c.first_bad_seq, 3);
}

static void test_deleted_entry_is_found(void **state)
{
  struct fx *f = *state;
  tamper(f, "DELETE FROM audit WHERE seq = 2");
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_false(c.ok);
  assert_int_equal(c.first_bad_seq, 2);
}

static void test_deleted_tail_is_found(void **state)
{
  struct fx *f = *state;
  tamper(f, "DELETE FROM audit WHERE seq >= 4");
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_false(c.ok);
  assert_int_equal(c.first_bad_seq, 4);
}

static void test_reordered_entries_are_found(void **state)
{
  struct fx *f = *state;
  tamper(f, "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4;"
            "UPDATE audit SET seq = 4 WHERE seq = 100");
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_false(c.ok);
  assert_int_equal(c.first_bad_seq, 2);
}

static void test_forged_entry_without_key_is_found(void **state)
{
  struct fx *f = *state;
  /* the forger copies a real hash: it does not match the new content */
  tamper(f, "INSERT INTO audit(seq, time, action, result, hash) SELECT 6, time, 'read', 'ok', hash FROM audit WHERE seq = 5");
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_false(c.ok);
  assert_int_equal(c.first_bad_seq, 6);
}

static void test_queue_appends_in_order(void **state)
{
  struct fx *f = *state;
  struct audit_queue *q;
  assert_int_equal(audit_queue_start(f->path, &f->k, &q), JK_OK);
  for (int i = 0; i < 1000; i++) {
    struct audit_entry e = {.username = "u", .action = "read", .object_type = "client", .object_id = "c", .result = "ok"};
    audit_enqueue(q, &e);
  }
  audit_queue_flush(q);
  audit_queue_stop(q);
  struct audit_check c;
  assert_int_equal(audit_verify(f->db, &f->k, &c), JK_OK);
  assert_true(c.ok);
  assert_int_equal(c.entries, 1005);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_intact_chain_verifies, setup, teardown),
    cmocka_unit_test_setup_teardown(test_triggers_refuse_update_and_delete, setup, teardown),
    cmocka_unit_test_setup_teardown(test_edited_entry_is_found, setup, teardown),
    cmocka_unit_test_setup_teardown(test_deleted_entry_is_found, setup, teardown),
    cmocka_unit_test_setup_teardown(test_deleted_tail_is_found, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reordered_entries_are_found, setup, teardown),
    cmocka_unit_test_setup_teardown(test_forged_entry_without_key_is_found, setup, teardown),
    cmocka_unit_test_setup_teardown(test_queue_appends_in_order, setup, teardown),
  };
  return cmocka_run_group_tests_name("audit_chain", tests, 0, 0);
}
