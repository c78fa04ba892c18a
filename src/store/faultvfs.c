/* faultvfs.c: see faultvfs.h. Only in the fault build (-DJK_FAULT).
 *
 * Power-loss mode keeps, per file path, the list of writes and truncations not yet synced
 * (struct pfile, never freed: a handful of paths per process). Every access to that list holds
 * one process-wide mutex; a read takes the real bytes and replays the pending operations over
 * them in order, so every connection sees what a real file would show before the crash. */
#ifdef JK_FAULT
#include "store/faultvfs.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arming ---- */

/* left[k]: 0 disarmed; n > 0 the nth call from now fails; -1 failing for good. */
static _Atomic int64_t left[FAULT_NKINDS];
static _Atomic bool persist[FAULT_NKINDS];
static _Atomic int64_t hits[FAULT_NKINDS];
static bool powerloss;

static const char *const kind_names[FAULT_NKINDS] = {"write", "fsync", "read", "malloc"};

bool fault_kind_parse(const char *name, enum fault_kind *out)
{
  for (int k = 0; k < FAULT_NKINDS; k++)
    if (name && strcmp(name, kind_names[k]) == 0) return *out = (enum fault_kind)k, true;
  return false;
}

const char *fault_kind_name(enum fault_kind k) { return k < FAULT_NKINDS ? kind_names[k] : "?"; }

void fault_arm(enum fault_kind k, int64_t n, bool persistent)
{
  atomic_store(&persist[k], persistent);
  atomic_store(&left[k], n < 1 ? 1 : n);
}

void fault_disarm(void)
{
  for (int k = 0; k < FAULT_NKINDS; k++) atomic_store(&left[k], 0);
}

int64_t fault_hits(enum fault_kind k) { return atomic_load(&hits[k]); }
bool fault_powerloss(void) { return powerloss; }

/* True when this call of kind k is to fail. */
static bool fault_hit(enum fault_kind k)
{
  int64_t v = atomic_load_explicit(&left[k], memory_order_relaxed);
  for (;;) {
    if (v == 0) return false;
    if (v < 0) {
      atomic_fetch_add(&hits[k], 1);
      return true;
    }
    int64_t nv = v > 1 ? v - 1 : atomic_load(&persist[k]) ? -1 : 0;
    if (atomic_compare_exchange_weak(&left[k], &v, nv)) {
      if (v > 1) return false;
      atomic_fetch_add(&hits[k], 1);
      return true;
    }
  }
}

/* ---- allocators ---- */

static sqlite3_mem_methods real_mem;

static void *mem_malloc(int n) { return fault_hit(FAULT_MALLOC) ? 0 : real_mem.xMalloc(n); }
static void *mem_realloc(void *p, int n) { return fault_hit(FAULT_MALLOC) ? 0 : real_mem.xRealloc(p, n); }
bool fault_malloc_fails(void) { return fault_hit(FAULT_MALLOC); }

/* ---- the VFS shim ---- */

struct op {
  struct op *next;
  sqlite3_int64 off;
  int len;                 /* < 0: truncate to off */
  unsigned char data[];
};

struct pfile {
  struct pfile *next;
  char *path;
  sqlite3_int64 size;      /* as the process sees it, pending operations included */
  struct op *head, *tail;
};

static pthread_mutex_t pl_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pfile *pfiles;
static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;

struct ffile {
  sqlite3_file base;
  struct pfile *pf;        /* NULL: not buffered (temp files, or power-loss mode off) */
  sqlite3_file *real;      /* the unix VFS's file, right after this struct */
};

static void drop_ops(struct pfile *pf)
{
  for (struct op *o = pf->head, *n; o; o = n) {
    n = o->next;
    free(o);
  }
  pf->head = pf->tail = 0;
}

static struct pfile *pfile_of(const char *path, sqlite3_file *real)
{
  pthread_mutex_lock(&pl_mu);
  struct pfile *pf = pfiles;
  while (pf && strcmp(pf->path, path) != 0) pf = pf->next;
  if (!pf && (pf = calloc(1, sizeof *pf)) && (pf->path = strdup(path))) {
    if (real->pMethods->xFileSize(real, &pf->size) != SQLITE_OK) pf->size = 0;
    pf->next = pfiles;
    pfiles = pf;
  } else if (pf && !pf->path) {
    free(pf);
    pf = 0;
  }
  if (pf && !pf->head) { /* nothing pending: the real file is the truth (it may have been recreated) */
    if (real->pMethods->xFileSize(real, &pf->size) != SQLITE_OK) pf->size = 0;
  }
  pthread_mutex_unlock(&pl_mu);
  return pf;
}

static int add_op(struct pfile *pf, sqlite3_int64 off, const void *data, int len)
{
  struct op *o = malloc(sizeof *o + (len > 0 ? (size_t)len : 0));
  if (!o) return SQLITE_IOERR_NOMEM;
  o->next = 0;
  o->off = off;
  o->len = len;
  if (len > 0) memcpy(o->data, data, (size_t)len);
  pthread_mutex_lock(&pl_mu);
  if (pf->tail) pf->tail->next = o;
  else pf->head = o;
  pf->tail = o;
  if (len < 0) pf->size = off;
  else if (off + len > pf->size) pf->size = off + len;
  pthread_mutex_unlock(&pl_mu);
  return SQLITE_OK;
}

#define F(f) ((struct ffile *)(f))
#define R(f) (F(f)->real)

static int f_close(sqlite3_file *f) { return R(f)->pMethods->xClose(R(f)); }

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
  if (fault_hit(FAULT_READ)) return SQLITE_IOERR_READ;
  struct pfile *pf = F(f)->pf;
  if (!pf) return R(f)->pMethods->xRead(R(f), buf, amt, off);
  pthread_mutex_lock(&pl_mu);
  int rc = R(f)->pMethods->xRead(R(f), buf, amt, off); /* a short read zero-fills the rest */
  if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) {
    unsigned char *b = buf;
    for (struct op *o = pf->head; o; o = o->next) {
      if (o->len < 0) {
        if (o->off < off + amt) {
          sqlite3_int64 from = o->off > off ? o->off - off : 0;
          memset(b + from, 0, (size_t)(amt - from));
        }
        continue;
      }
      sqlite3_int64 lo = o->off > off ? o->off : off;
      sqlite3_int64 hi = o->off + o->len < off + amt ? o->off + o->len : off + amt;
      if (lo < hi) memcpy(b + (lo - off), o->data + (lo - o->off), (size_t)(hi - lo));
    }
    rc = SQLITE_OK;
    if (off + amt > pf->size) {
      sqlite3_int64 from = pf->size > off ? pf->size - off : 0;
      memset(b + from, 0, (size_t)(amt - from));
      rc = SQLITE_IOERR_SHORT_READ;
    }
  }
  pthread_mutex_unlock(&pl_mu);
  return rc;
}

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
  if (fault_hit(FAULT_WRITE)) return SQLITE_IOERR_WRITE;
  struct pfile *pf = F(f)->pf;
  if (!pf) return R(f)->pMethods->xWrite(R(f), buf, amt, off);
  return add_op(pf, off, buf, amt);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
  struct pfile *pf = F(f)->pf;
  if (!pf) return R(f)->pMethods->xTruncate(R(f), size);
  return add_op(pf, size, 0, -1);
}

static int f_sync(sqlite3_file *f, int flags)
{
  if (fault_hit(FAULT_FSYNC)) {
    /* what the unix VFS does on a real failure (unixLogErrorAtLine) */
    sqlite3_log(SQLITE_IOERR_FSYNC, "faultvfs: injected fsync failure");
    return SQLITE_IOERR_FSYNC;
  }
  struct pfile *pf = F(f)->pf;
  if (pf) {
    int rc = SQLITE_OK;
    pthread_mutex_lock(&pl_mu);
    for (struct op *o = pf->head, *n; o && rc == SQLITE_OK; o = n) {
      n = o->next;
      rc = o->len < 0 ? R(f)->pMethods->xTruncate(R(f), o->off)
                      : R(f)->pMethods->xWrite(R(f), o->data, o->len, o->off);
      pf->head = n;
      if (!n) pf->tail = 0;
      free(o);
    }
    pthread_mutex_unlock(&pl_mu);
    if (rc != SQLITE_OK) return rc;
  }
  return R(f)->pMethods->xSync(R(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
  struct pfile *pf = F(f)->pf;
  if (!pf) return R(f)->pMethods->xFileSize(R(f), size);
  pthread_mutex_lock(&pl_mu);
  *size = pf->size;
  pthread_mutex_unlock(&pl_mu);
  return SQLITE_OK;
}

static int f_lock(sqlite3_file *f, int l) { return R(f)->pMethods->xLock(R(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return R(f)->pMethods->xUnlock(R(f), l); }
static int f_check_reserved(sqlite3_file *f, int *out) { return R(f)->pMethods->xCheckReservedLock(R(f), out); }

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
  /* the size hint would grow the real file at once, ahead of the data */
  if (F(f)->pf && op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
  return R(f)->pMethods->xFileControl(R(f), op, arg);
}

static int f_sector_size(sqlite3_file *f) { return R(f)->pMethods->xSectorSize(R(f)); }
static int f_device_chars(sqlite3_file *f) { return R(f)->pMethods->xDeviceCharacteristics(R(f)); }
static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
  return R(f)->pMethods->xShmMap(R(f), pg, sz, ext, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags) { return R(f)->pMethods->xShmLock(R(f), off, n, flags); }
static void f_shm_barrier(sqlite3_file *f) { R(f)->pMethods->xShmBarrier(R(f)); }
static int f_shm_unmap(sqlite3_file *f, int del) { return R(f)->pMethods->xShmUnmap(R(f), del); }

/* Version 2: shared memory for WAL, but no xFetch, so SQLite never maps the file directly. */
static const sqlite3_io_methods fault_io = {
  2, f_close, f_read, f_write, f_truncate, f_sync, f_file_size, f_lock, f_unlock,
  f_check_reserved, f_file_control, f_sector_size, f_device_chars,
  f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, 0, 0,
};

static int v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
  struct ffile *ff = (struct ffile *)file;
  ff->base.pMethods = 0;
  ff->pf = 0;
  ff->real = (sqlite3_file *)(ff + 1);
  int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (powerloss && name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
    ff->pf = pfile_of(name, ff->real);
    if (!ff->pf) {
      ff->real->pMethods->xClose(ff->real);
      return SQLITE_NOMEM;
    }
  }
  ff->base.pMethods = &fault_io;
  return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
  pthread_mutex_lock(&pl_mu);
  for (struct pfile *pf = pfiles; pf; pf = pf->next)
    if (strcmp(pf->path, name) == 0) {
      drop_ops(pf);
      pf->size = 0;
    }
  pthread_mutex_unlock(&pl_mu);
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *v, const char *n, int f, int *out) { return real_vfs->xAccess(real_vfs, n, f, out); }
static int v_full_pathname(sqlite3_vfs *v, const char *n, int len, char *out)
{
  return real_vfs->xFullPathname(real_vfs, n, len, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *n) { return real_vfs->xDlOpen(real_vfs, n); }
static void v_dlerror(sqlite3_vfs *v, int n, char *out) { real_vfs->xDlError(real_vfs, n, out); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { return real_vfs->xDlSym(real_vfs, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { real_vfs->xDlClose(real_vfs, h); }
static int v_randomness(sqlite3_vfs *v, int n, char *out) { return real_vfs->xRandomness(real_vfs, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { return real_vfs->xSleep(real_vfs, us); }
static int v_current_time(sqlite3_vfs *v, double *out) { return real_vfs->xCurrentTime(real_vfs, out); }
static int v_last_error(sqlite3_vfs *v, int n, char *out) { return real_vfs->xGetLastError(real_vfs, n, out); }
static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }

void faultvfs_install(void)
{
  /* before anything initializes SQLite: the allocator can only be replaced then */
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) == SQLITE_OK) {
    sqlite3_mem_methods m = real_mem;
    m.xMalloc = mem_malloc;
    m.xRealloc = mem_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) fputs("faultvfs: SQLITE_CONFIG_MALLOC refused\n", stderr);
  }
  const char *pl = getenv("JINGKANG_FAULT_POWERLOSS");
  powerloss = pl && strcmp(pl, "1") == 0;
  real_vfs = sqlite3_vfs_find(0);
  if (!real_vfs) return;
  fault_vfs = (sqlite3_vfs){
    .iVersion = 2, .szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile,
    .mxPathname = real_vfs->mxPathname, .zName = "jkfault", .xOpen = v_open, .xDelete = v_delete,
    .xAccess = v_access, .xFullPathname = v_full_pathname, .xDlOpen = v_dlopen, .xDlError = v_dlerror,
    .xDlSym = v_dlsym, .xDlClose = v_dlclose, .xRandomness = v_randomness, .xSleep = v_sleep,
    .xCurrentTime = v_current_time, .xGetLastError = v_last_error, .xCurrentTimeInt64 = v_current_time64,
  };
  sqlite3_vfs_register(&fault_vfs, 1);
  fprintf(stderr, "faultvfs: fault-injection build%s\n", powerloss ? ", power-loss mode" : "");
}
#else
typedef int jk_faultvfs_not_built; /* production: nothing here */
#endif
