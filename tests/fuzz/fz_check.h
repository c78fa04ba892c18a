/* fz_check.h: a check that survives -DNDEBUG — a property the harness expects of the code
 * under test; a failure aborts, which libFuzzer reports as a crash with the input saved. */
#ifndef JK_FZ_CHECK_H
#define JK_FZ_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#define FZ_CHECK(cond) \
  do { \
    if (!(cond)) { \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      abort(); \
    } \
  } while (0)
#endif
