/* cmd_backup.c: `jingkang backup` and `jingkang restore`, and the options that only these,
 * `keys` and `audit` take (bk_take_opts, called by main before cli_parse).
 *
 * backup: an online, consistent copy through SQLite's backup API (store/backup_store.c) into
 * FILE.tmp, integrity-checked, fsynced, renamed to FILE, directory fsynced. The key file is
 * NOT in the backup; --with-key copies it beside the backup as FILE.key (mode 0600), to be kept
 * apart from the backup in practice.
 *
 * restore: refuses while a server runs on DATA (it holds an flock on DATA/jingkang.lock, which
 * restore takes too), copies FILE into DATA, checks integrity and that DATA's key opens it (the
 * audit chain verifies with its MAC key), then moves the old database (and its WAL) aside as
 * jingkang.db.before-restore-<time> and renames the copy into place. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/log.h"
#include "sec/audit.h"
#include "store/backup_store.h"
#include "store/db.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct bk_opts bk_opts;

void bk_take_opts(int *argc, char **argv)
{
  static const char *const mine[] = {"backup", "restore", "keys", "audit", 0};
  bool ours = false;
  for (int i = 0; *argc > 1 && mine[i]; i++) ours |= strcmp(argv[1], mine[i]) == 0;
  if (!ours) return;
  static const struct { const char *name; const char **dst; } strs[] = {
    {"--out", &bk_opts.out}, {"--from", &bk_opts.from}, {"--pubkey", &bk_opts.pubkey},
    {"--before", &bk_opts.before}, {"--every", &bk_opts.every}, {"--keep-days", &bk_opts.keep_days},
  };
  int w = 2;
  for (int i = 2; i < *argc; i++) {
    if (strcmp(argv[i], "--with-key") == 0) {
      bk_opts.with_key = true;
      continue;
    }
    bool taken = false;
    for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !taken; k++) {
      if (strcmp(argv[i], strs[k].name) != 0 || i + 1 >= *argc) continue;
      *strs[k].dst = argv[++i];
      taken = true;
    }
    if (!taken) argv[w++] = argv[i];
  }
  *argc = w;
  argv[w] = 0;
}

bool fsync_path(const char *path, bool dir)
{
  int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  bool ok = fd >= 0 && fsync(fd) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

static void dir_of(const char *path, char *out, size_t cap)
{
  snprintf(out, cap, "%s", path);
  char *slash = strrchr(out, '/');
  if (slash == out) out[1] = 0;
  else if (slash) *slash = 0;
  else snprintf(out, cap, ".");
}

int data_lock(const char *data_dir)
{
  char p[4200];
  snprintf(p, sizeof p, "%s/jingkang.lock", data_dir);
  int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return -2;
  }
  return fd;
}

static bool copy_file(const char *from, const char *to, mode_t mode)
{
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0) return close(in), false;
  char buf[65536];
  ssize_t n;
  bool ok = true;
  while (ok && (n = read(in, buf, sizeof buf)) != 0) {
    if (n < 0) { ok = errno == EINTR; continue; }
    for (ssize_t off = 0; ok && off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0) ok = errno == EINTR;
      else off += w;
    }
  }
  ok = fsync(out) == 0 && ok;
  ok = close(out) == 0 && ok;
  close(in);
  if (!ok) unlink(to);
  return ok;
}

static void print_counts(const char *label, const struct backup_counts *c)
{
  printf("%s：康复对象 %lld，转介 %lld，账号 %lld，审计记录至 seq %lld\n", label, (long long)c->clients,
         (long long)c->referrals, (long long)c->users, (long long)c->audit_last);
}

int cmd_backup(const struct cli_opts *o)
{
  if (o->argc != 0 || !bk_opts.out) {
    fprintf(stderr, "用法: jingkang backup --data DIR --out FILE [--with-key]\n");
    return 2;
  }
  struct app app;
  struct db *db;
  if (cli_open(o, &app, &db) != JK_OK) return 1;
  db_close(db);
  const char *out = bk_opts.out;
  char tmp[4200], msg[256], dir[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  dir_of(out, dir, sizeof dir);
  if (access(out, F_OK) == 0) {
    fprintf(stderr, "jingkang: %s 已存在，不覆盖\n", out);
    return 1;
  }
  unlink(tmp);
  int steps = 0;
  int64_t t0 = clock_now_ms();
  if (backup_copy(app.db_path, tmp, 1024, &steps) != JK_OK) {
    fprintf(stderr, "jingkang: 备份失败（无法读取数据库或写入 %s）\n", tmp);
    return 1;
  }
  if (backup_integrity(tmp, msg, sizeof msg) != JK_OK) {
    fprintf(stderr, "jingkang: 备份副本完整性检查失败：%s\n", msg);
    unlink(tmp);
    return 1;
  }
  struct backup_counts c;
  if (backup_count(tmp, &c) != JK_OK || !fsync_path(tmp, false) || rename(tmp, out) != 0 || !fsync_path(dir, true)) {
    fprintf(stderr, "jingkang: 无法完成备份文件 %s\n", out);
    unlink(tmp);
    return 1;
  }
  printf("备份完成：%s（%d 步，%lld ms，integrity_check ok）\n", out, steps, (long long)(clock_now_ms() - t0));
  print_counts("备份内容", &c);
  if (bk_opts.with_key) {
    char key[4300], kout[4300];
    snprintf(key, sizeof key, "%s/jingkang.key", app.data_dir);
    snprintf(kout, sizeof kout, "%s.key", out);
    if (!copy_file(key, kout, 0600) || !fsync_path(dir, true)) {
      fprintf(stderr, "jingkang: 无法复制密钥文件到 %s\n", kout);
      return 1;
    }
    printf("密钥文件已复制到 %s（权限0600）；请与备份分开保管\n", kout);
  } else {
    printf("注意：备份不含密钥文件 %s/jingkang.key；恢复需要同一密钥（可用 --with-key 一并复制）\n", app.data_dir);
  }
  return 0;
}

int cmd_restore(const struct cli_opts *o)
{
  const char *from = bk_opts.from;
  if (o->argc != 0 || !from) {
    fprintf(stderr, "用法: jingkang restore --from FILE --data DIR\n");
    return 2;
  }
  struct app app;
  if (app_open(&app, cli_data_dir(o)) != JK_OK) {
    fprintf(stderr, "jingkang: 无法打开数据目录 %s 或其密钥文件（恢复需要该安装的 jingkang.key）\n", cli_data_dir(o));
    return 1;
  }
  int lock = data_lock(app.data_dir);
  if (lock < 0) {
    fprintf(stderr, lock == -2 ? "jingkang: 该数据目录的服务正在运行，先停止服务再恢复\n" : "jingkang: 无法创建锁文件\n");
    return 1;
  }
  char tmp[4300], msg[256];
  snprintf(tmp, sizeof tmp, "%s/jingkang.db.restoring", app.data_dir);
  unlink(tmp);
  int rc = 1;
  struct db *db = 0;
  if (!copy_file(from, tmp, 0600)) {
    fprintf(stderr, "jingkang: 无法读取备份文件 %s\n", from);
    goto out;
  }
  if (backup_integrity(tmp, msg, sizeof msg) != JK_OK) {
    fprintf(stderr, "jingkang: 备份文件已损坏（integrity_check：%s），拒绝恢复\n", msg);
    goto out;
  }
  struct audit_check chk;
  if (db_open(tmp, false, &db) != JK_OK || audit_verify(db, &app.keys, &chk) != JK_OK) {
    fprintf(stderr, "jingkang: 无法读取备份中的审计记录，拒绝恢复\n");
    goto out;
  }
  db_close(db);
  db = 0;
  if (!chk.ok || chk.entries == 0) {
    fprintf(stderr, "jingkang: 备份的审计链不能用本数据目录的密钥验证（%s），可能来自另一套安装，拒绝恢复\n",
            chk.ok ? "审计记录为空" : chk.why);
    goto out;
  }
  struct backup_counts c;
  if (backup_count(tmp, &c) != JK_OK || !fsync_path(tmp, false)) {
    fprintf(stderr, "jingkang: 备份文件内容不完整，拒绝恢复\n");
    goto out;
  }
  char old[4300], aside[4400];
  char stamp[32];
  time_format(clock_now_ms(), stamp);
  for (char *p = stamp; *p; p++) if (*p == ':' || *p == '+') *p = '-';
  static const char *const sfx[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) { /* the old database and its WAL move aside together */
    snprintf(old, sizeof old, "%s%s", app.db_path, sfx[i]);
    snprintf(aside, sizeof aside, "%s.before-restore-%s%s", app.db_path, stamp, sfx[i]);
    if (access(old, F_OK) == 0 && rename(old, aside) != 0) {
      fprintf(stderr, "jingkang: 无法移开旧数据库 %s\n", old);
      goto out;
    }
    if (i == 0 && access(aside, F_OK) == 0) printf("原数据库已保留为 %s\n", aside);
  }
  if (rename(tmp, app.db_path) != 0 || !fsync_path(app.data_dir, true)) {
    fprintf(stderr, "jingkang: 无法把恢复的数据库放入 %s\n", app.db_path);
    goto out;
  }
  printf("恢复完成：%s → %s（integrity_check ok，审计链完好：%lld 条）\n", from, app.db_path, (long long)chk.entries);
  print_counts("恢复内容", &c);
  rc = 0;
out:
  if (db) db_close(db);
  if (rc) {
    unlink(tmp);
    char side[4400];
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
  }
  close(lock);
  return rc;
}
