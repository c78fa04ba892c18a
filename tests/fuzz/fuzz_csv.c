/* fuzz_csv: the CSV reader (io/csv.c; it reads the division data at init) on a file holding
 * the input. Round trip: each record read is written back quoted, and reading that gives the
 * same fields. */
#include "fz_check.h"
#include "io/csv.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int file_of(const void *data, size_t size, char path[64])
{
  int fd = memfd_create("fuzz_csv", MFD_CLOEXEC);
  FZ_CHECK(fd >= 0);
  FZ_CHECK(write(fd, data, size) == (ssize_t)size);
  snprintf(path, 64, "/proc/self/fd/%d", fd);
  return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > (1u << 16)) return 0;
  char path[64], path2[64];
  int fd = file_of(data, size, path);
  struct csv c, c2;
  FZ_CHECK(csv_open(&c, path) == JK_OK);
  jk_status st;
  while ((st = csv_next(&c)) == JK_OK) {
    FZ_CHECK(c.nfields >= 1 && c.nfields <= CSV_MAX_FIELDS);
    char out[1 << 17];
    size_t n = 0;
    for (int i = 0; i < c.nfields; i++) {
      if (i) out[n++] = ',';
      out[n++] = '"';
      for (const char *p = c.fields[i]; *p; p++) {
        if (*p == '"') out[n++] = '"';
        out[n++] = *p;
      }
      out[n++] = '"';
    }
    out[n++] = '\n';
    int fd2 = file_of(out, n, path2);
    FZ_CHECK(csv_open(&c2, path2) == JK_OK);
    FZ_CHECK(csv_next(&c2) == JK_OK);
    FZ_CHECK(c2.nfields == c.nfields);
    for (int i = 0; i < c.nfields; i++) FZ_CHECK(strcmp(c.fields[i], c2.fields[i]) == 0);
    FZ_CHECK(csv_next(&c2) == JK_ENOTFOUND);
    csv_close(&c2);
    close(fd2);
  }
  FZ_CHECK(st == JK_ENOTFOUND || st == JK_EINVAL);
  csv_close(&c);
  close(fd);
  return 0;
}
