/* Unit tests of key rotation in sec/crypto.c: versioned key file, sealed blobs naming their
 * key version (version-1 blobs in the old format still open), a process picking up a rotated
 * key by itself, the index/MAC/signing keys unchanged by rotation, retirement rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/arena.h"
#include "sec/crypto.h"

static char dir[] = "/tmp/jk-keys-XXXXXX", path[64];

static int setup(void **s)
{
  if (crypto_init() != JK_OK || !mkdtemp(dir)) return -1;
  snprintf(path, sizeof path, "%s/jingkang.key", dir);
  return keys_create_file(path) == JK_OK ? 0 : -1;
}

static int teardown(void **s)
{
  char tmp[80];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  unlink(tmp);
  unlink(path);
  rmdir(dir);
  return 0;
}

static void test_rotation(void **s)
{
  static struct keys a, b;   /* a: a process that loaded the key before the rotation */
  struct arena *ar = arena_new();
  assert_int_equal(keys_load(path, &a), JK_OK);
  assert_int_equal(keys_newest(&a), 1);
  size_t n1;
  unsigned char *v1 = field_seal(ar, &a, "13812345678", "client:x:phone", &n1);
  assert_int_equal(v1[0], 1);   /* version 1 keeps the original format */
  assert_int_equal(field_blob_version(v1, n1), 1);
  unsigned char bidx1[BLIND_INDEX_BYTES], mac1[32], z[32] = {0};
  blind_index(&a, "id_number", "11010519491231002X", bidx1);
  audit_mac(&a, z, "m", 1, mac1);

  unsigned v;
  assert_int_equal(keys_rotate_file(path, &v), JK_OK);
  assert_int_equal(v, 2);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  const char *why;
  assert_true(keys_check_file(path, &why));

  assert_int_equal(keys_load(path, &b), JK_OK);
  assert_int_equal(keys_newest(&b), 2);
  size_t n2;
  unsigned char *v2 = field_seal(ar, &b, "13812345678", "client:x:phone", &n2);
  assert_int_equal(v2[0], 2);
  assert_int_equal(field_blob_version(v2, n2), 2);
  assert_int_equal(n2, n1 + 2);
  assert_string_equal(field_open(ar, &b, v1, n1, "client:x:phone"), "13812345678");
  assert_string_equal(field_open(ar, &b, v2, n2, "client:x:phone"), "13812345678");
  assert_null(field_open(ar, &b, v2, n2, "client:y:phone"));

  /* The process that loaded version 1 only opens version 2 by re-reading the file. */
  assert_false(keys_has_version(&a, 2));
  assert_string_equal(field_open(ar, &a, v2, n2, "client:x:phone"), "13812345678");
  assert_true(keys_has_version(&a, 2));
  assert_int_equal(keys_newest(&a), 2);

  /* Index, MAC and signing keys do not change. */
  unsigned char bidx2[BLIND_INDEX_BYTES], mac2[32];
  blind_index(&b, "id_number", "11010519491231002X", bidx2);
  audit_mac(&b, z, "m", 1, mac2);
  assert_memory_equal(bidx1, bidx2, sizeof bidx1);
  assert_memory_equal(mac1, mac2, 32);
  assert_memory_equal(a.sign_pk, b.sign_pk, 32);
  unsigned char sig[64];
  audit_sign(&b, "x", 1, sig);
  assert_true(audit_sign_check(a.sign_pk, "x", 1, sig));
  assert_false(audit_sign_check(a.sign_pk, "y", 1, sig));

  /* Retire: not the newest, not an unknown one; 1 is marked retired, a later one removed. */
  assert_int_equal(keys_retire_file(path, 2), JK_ECONFLICT);
  assert_int_equal(keys_retire_file(path, 7), JK_ENOTFOUND);
  assert_int_equal(keys_rotate_file(path, &v), JK_OK);
  assert_int_equal(v, 3);
  assert_int_equal(keys_retire_file(path, 2), JK_OK);
  assert_int_equal(keys_retire_file(path, 1), JK_OK);
  assert_int_equal(keys_retire_file(path, 1), JK_ENOTFOUND);
  static struct keys c;
  assert_int_equal(keys_load(path, &c), JK_OK);
  assert_int_equal(keys_newest(&c), 3);
  assert_false(keys_has_version(&c, 1));
  assert_false(keys_has_version(&c, 2));
  assert_null(field_open(ar, &c, v1, n1, "client:x:phone"));
  assert_memory_equal(c.sign_pk, a.sign_pk, 32);
  blind_index(&c, "id_number", "11010519491231002X", bidx2);
  assert_memory_equal(bidx1, bidx2, sizeof bidx1);

  /* Malformed blobs name no version. */
  assert_int_equal(field_blob_version(v1, 10), 0);
  unsigned char junk[64] = {9};
  assert_int_equal(field_blob_version(junk, sizeof junk), 0);
  arena_free(ar);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rotation),
  };
  return cmocka_run_group_tests_name("crypto_keys", tests, setup, teardown);
}
