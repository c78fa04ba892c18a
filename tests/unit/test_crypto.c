/* Unit tests of sec/crypto.c: sealed fields bound to row and field, blind index, passwords,
 * tokens, ids, the key file. */
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

static struct keys K;

static int setup(void **s)
{
  char dir[] = "/tmp/jk-crypto-XXXXXX", path[64];
  if (!mkdtemp(dir)) return -1;
  snprintf(path, sizeof path, "%s/key", dir);
  if (crypto_init() != JK_OK || keys_create_file(path) != JK_OK || keys_load(path, &K) != JK_OK) return -1;
  unlink(path);
  rmdir(dir);
  return 0;
}

static void test_sealed_field_round_trips(void **s)
{
  struct arena *a = arena_new();
  size_t n;
  unsigned char *b = field_seal(a, &K, "13812345678", "client:x:phone", &n);
  assert_null(memmem(b, n, "13812345678", 11));
  assert_string_equal(field_open(a, &K, b, n, "client:x:phone"), "13812345678");
  arena_free(a);
}

static void test_sealed_field_moved_to_other_row_does_not_open(void **s)
{
  struct arena *a = arena_new();
  size_t n;
  unsigned char *b = field_seal(a, &K, "510421199001010012", "client:x:id_number", &n);
  assert_null(field_open(a, &K, b, n, "client:y:id_number"));
  assert_null(field_open(a, &K, b, n, "client:x:phone"));
  b[n - 1] ^= 1;
  assert_null(field_open(a, &K, b, n, "client:x:id_number"));
  assert_null(field_open(a, &K, b, 5, "client:x:id_number"));
  arena_free(a);
}

static void test_same_value_seals_differently_each_time(void **s)
{
  struct arena *a = arena_new();
  size_t n1, n2;
  unsigned char *b1 = field_seal(a, &K, "abc", "ad", &n1), *b2 = field_seal(a, &K, "abc", "ad", &n2);
  assert_int_equal(n1, n2);
  assert_memory_not_equal(b1, b2, n1);
  arena_free(a);
}

static void test_blind_index_is_deterministic_and_keyed(void **s)
{
  unsigned char a[BLIND_INDEX_BYTES], b[BLIND_INDEX_BYTES], c[BLIND_INDEX_BYTES];
  blind_index(&K, "id_number", "11010519491231002X", a);
  blind_index(&K, "id_number", "11010519491231002X", b);
  blind_index(&K, "phone", "11010519491231002X", c);
  assert_memory_equal(a, b, sizeof a);
  assert_memory_not_equal(a, c, sizeof a);
  struct keys other = K;
  other.bidx[0] ^= 1;
  blind_index(&other, "id_number", "11010519491231002X", c);
  assert_memory_not_equal(a, c, sizeof a);
}

static void test_password_hash_is_argon2id_and_verifies(void **s)
{
  char h[PASSWORD_HASH_BYTES];
  assert_int_equal(password_hash("Jingkang-Demo-2026!", h), JK_OK);
  assert_non_null(strstr(h, "$argon2id$"));
  assert_true(password_verify(h, "Jingkang-Demo-2026!"));
  assert_false(password_verify(h, "Jingkang-Demo-2026?"));
}

static void test_tokens_are_random_and_hashed(void **s)
{
  char t1[TOKEN_CHARS], t2[TOKEN_CHARS];
  unsigned char h1[32], h2[32];
  token_new(t1);
  token_new(t2);
  assert_int_equal(strlen(t1), 43);
  assert_string_not_equal(t1, t2);
  token_hash(t1, h1);
  token_hash(t1, h2);
  assert_memory_equal(h1, h2, 32);
}

static void test_uuid_v7_format(void **s)
{
  char u[37];
  uuid_v7(u);
  assert_true(uuid_valid(u));
  assert_int_equal(u[14], '7');
  assert_false(uuid_valid("not-a-uuid"));
  assert_false(uuid_valid("0192ABCD-0000-7000-8000-000000000000"));
}

static void test_key_file_is_private_and_never_overwritten(void **s)
{
  char dir[] = "/tmp/jk-key-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/jingkang.key", dir);
  assert_int_equal(keys_create_file(path), JK_OK);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  const char *why = 0;
  assert_true(keys_check_file(path, &why));
  assert_int_equal(keys_create_file(path), JK_ECONFLICT);
  chmod(path, 0644);
  assert_false(keys_check_file(path, &why));
  unlink(path);
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sealed_field_round_trips),
    cmocka_unit_test(test_sealed_field_moved_to_other_row_does_not_open),
    cmocka_unit_test(test_same_value_seals_differently_each_time),
    cmocka_unit_test(test_blind_index_is_deterministic_and_keyed),
    cmocka_unit_test(test_password_hash_is_argon2id_and_verifies),
    cmocka_unit_test(test_tokens_are_random_and_hashed),
    cmocka_unit_test(test_uuid_v7_format),
    cmocka_unit_test(test_key_file_is_private_and_never_overwritten),
  };
  return cmocka_run_group_tests_name("crypto", tests, setup, 0);
}
