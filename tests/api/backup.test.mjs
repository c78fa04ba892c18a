// backup.test.mjs: `jingkang backup` / `jingkang restore` (the restore drill) and rotation of
// the field-encryption key while the server runs (`jingkang keys rotate|rewrap|retire`).
//
// Drill: a server under a write load; a backup taken meanwhile (the load goes on during it);
// more writes; stop; restore into a fresh directory holding only the key; start → every client
// acknowledged before the backup began is there, the audit chain verifies, the counts are the
// backup's. A corrupted backup, a backup restored under another key and a restore while the
// server runs are refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  startServer, Server, cli, BIN, ROOT, expectStatus, makeIdNumber, uniqueName, villageOf,
} from './helpers.mjs';

const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

// The CLI without blocking the event loop (so the load goes on while it runs).
function cliAsync(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function freshDir(root, name, keyFrom) {
  const d = path.join(root, name);
  fs.mkdirSync(d, { mode: 0o700 });
  if (keyFrom) fs.copyFileSync(keyFrom, path.join(d, 'jingkang.key'));
  else fs.writeFileSync(path.join(d, 'jingkang.key'), `jingkang-key v1\n${randomBytes(32).toString('hex')}\n`);
  fs.chmodSync(path.join(d, 'jingkang.key'), 0o600);
  return d;
}

let srv;
let rehab;
let village;
before(async () => {
  // Both drills keep one session writing as fast as it can: the per-session request limit
  // (limits.test.mjs) is not what they test.
  srv = await startServer({ env: { JINGKANG_RATE_LIMIT: 'off' } });
  rehab = await srv.login('rehab_worker');
  ({ village } = await villageOf(srv.base, '510421'));
});
after(async () => { await srv?.close(); });

async function createClient(extra = {}) {
  const id_number = makeIdNumber();
  const body = { name: uniqueName(), id_number, phone: '13698765432', residence_region: village.code, ...extra };
  const r = await rehab.post('/api/v1/clients', body);
  return { id: expectStatus(r, 201).id, id_number, body };
}

describe('backup and restore drill', () => {
  let work;
  before(() => { work = fs.mkdtempSync(path.join(srv.root, 'drill-')); });

  test('backup under load, restore into a fresh directory, everything acknowledged is there', async () => {
    const before = [];
    let stop = false;
    const phase = { label: 'before' };
    const after = [];
    const load = (async () => {
      while (!stop) {
        const label = phase.label;
        const c = await createClient();
        (label === 'before' ? before : after).push(c.id);
      }
    })();
    while (before.length < 20) await new Promise((r) => setTimeout(r, 20));
    const out = path.join(work, 'jk.backup');
    phase.label = 'during';   // writes from now on may or may not be in the backup
    const acked = [...before];
    const b = await cliAsync(['backup', '--data', srv.dataDir, '--out', out, '--with-key']);
    phase.label = 'after';
    assert.equal(b.status, 0, b.stdout + b.stderr);
    assert.match(b.stdout, /integrity_check ok/);
    assert.match(b.stdout, /不含密钥文件|密钥文件已复制/);
    while (after.length < 10) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await load;
    assert.equal((fs.statSync(out).mode & 0o777), 0o600);
    assert.equal((fs.statSync(`${out}.key`).mode & 0o777), 0o600);
    assert.ok(!fs.existsSync(`${out}.tmp`));
    const backupClients = Number(sql(out, 'SELECT count(*) FROM client'));
    const backupAudit = Number(sql(out, 'SELECT max(seq) FROM audit'));
    assert.equal(sql(out, 'PRAGMA integrity_check'), 'ok');

    // While the server runs, restoring over its directory is refused (it holds the lock).
    const busy = cli(['restore', '--from', out, '--data', srv.dataDir]);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /正在运行/);

    // A fresh directory with only the key: restore, start, check.
    const fresh = freshDir(work, 'fresh', `${out}.key`);
    const r = cli(['restore', '--from', out, '--data', fresh]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /恢复完成/);
    const s2 = new Server(work, fresh, {});
    await s2.start();
    try {
      const rw = await s2.login('rehab_worker');
      for (const id of acked) expectStatus(await rw.get(`/api/v1/clients/${id}`), 200);
      const one = expectStatus(await rw.post(`/api/v1/clients/${acked[0]}/reveal`, { fields: ['phone'], reason: '恢复演练' }), 200);
      assert.equal(one.phone, '13698765432');
    } finally {
      const x = await s2.stop();
      assert.equal(x.code, 0, s2.tail());
    }
    assert.equal(Number(sql(path.join(fresh, 'jingkang.db'), 'SELECT count(*) FROM client')), backupClients);
    assert.ok(Number(sql(path.join(fresh, 'jingkang.db'), 'SELECT max(seq) FROM audit')) >= backupAudit);
    const v = cli(['audit', 'verify', '--data', fresh]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    // Clients written after the backup are not there (the restore is the backup's state).
    assert.ok(backupClients < Number(sql(path.join(srv.dataDir, 'jingkang.db'), 'SELECT count(*) FROM client')));

    // Restoring again keeps the previous database aside.
    const again = cli(['restore', '--from', out, '--data', fresh]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.ok(fs.readdirSync(fresh).some((f) => /^jingkang\.db\.before-restore-/.test(f)));
  });

  test('a corrupted backup is refused and the data directory is left alone', () => {
    const out = path.join(work, 'corrupt.backup');
    const b = cli(['backup', '--data', srv.dataDir, '--out', out]);
    assert.equal(b.status, 0, b.stdout + b.stderr);
    const buf = fs.readFileSync(out);
    const pageSize = buf.readUInt16BE(16) || 65536;
    for (let p = 2; p < Math.min(40, buf.length / pageSize); p++) buf.fill(0xa5, p * pageSize + 100, p * pageSize + 600);
    fs.writeFileSync(out, buf);
    const fresh = freshDir(work, 'fresh-corrupt', path.join(srv.dataDir, 'jingkang.key'));
    const r = cli(['restore', '--from', out, '--data', fresh]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /损坏|拒绝恢复/);
    assert.ok(!fs.existsSync(path.join(fresh, 'jingkang.db')));
  });

  test('a backup restored under another installation\'s key is refused', () => {
    const out = path.join(work, 'other.backup');
    const b = cli(['backup', '--data', srv.dataDir, '--out', out]);
    assert.equal(b.status, 0, b.stdout + b.stderr);
    const fresh = freshDir(work, 'fresh-otherkey', null);
    const r = cli(['restore', '--from', out, '--data', fresh]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /另一套安装|拒绝恢复/);
    assert.ok(!fs.existsSync(path.join(fresh, 'jingkang.db')));
  });

  test('backup refuses to overwrite an existing file', () => {
    const out = path.join(work, 'exists.backup');
    fs.writeFileSync(out, 'x');
    const b = cli(['backup', '--data', srv.dataDir, '--out', out]);
    assert.equal(b.status, 1);
    assert.equal(fs.readFileSync(out, 'utf8'), 'x');
  });
});

describe('field-key rotation while the server runs', () => {
  const keyVersions = (db) => sql(db, "SELECT group_concat(v) FROM (SELECT DISTINCT CASE substr(hex(phone_enc),1,2)"
    + " WHEN '01' THEN 1 ELSE CAST(substr(hex(phone_enc),3,4) AS INTEGER) END AS v FROM client WHERE phone_enc IS NOT NULL ORDER BY v)");

  test('rotate, rewrap and retire without downtime; everything still decrypts', async () => {
    const db = path.join(srv.dataDir, 'jingkang.db');
    const old = await createClient({ guardians: [{ name: uniqueName(), relation: '父亲', phone: '15811112222' }] });
    assert.equal(keyVersions(db), '1');
    const rot = cli(['keys', 'rotate', '--data', srv.dataDir]);
    assert.equal(rot.status, 0, rot.stdout + rot.stderr);
    assert.match(rot.stdout, /新增密钥版本 2/);
    // The server picks the new version up by itself (re-reads the changed key file).
    let stop = false;
    let errors = 0;
    const made = [];
    const load = (async () => {
      while (!stop) {
        const c = await createClient();
        made.push(c);
        const rv = await rehab.post(`/api/v1/clients/${old.id}/reveal`, { fields: ['phone', 'id_number', 'guardian_phones'], reason: '轮换测试' });
        if (rv.status !== 200 || rv.json.phone !== '13698765432' || rv.json.id_number !== old.id_number) errors++;
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    const rw = await new Promise((resolve) => {
      execFile(BIN, ['keys', 'rewrap', '--data', srv.dataDir], { cwd: ROOT, encoding: 'utf8' },
        (err, stdout, stderr) => resolve({ status: err ? 1 : 0, stdout, stderr }));
    });
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    assert.equal(rw.status, 0, rw.stdout + rw.stderr);
    assert.equal(errors, 0);
    assert.ok(made.length > 3, `only ${made.length} writes during rotation`);
    // No blob of version 1 anywhere (all sealed columns, JSON ones included).
    const st = cli(['keys', 'status', '--data', srv.dataDir]);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /当前加密版本 2/);
    assert.doesNotMatch(st.stdout, /版本1=/);
    assert.match(st.stdout, /版本2=\d+/);
    assert.equal(keyVersions(db), '2');
    for (const c of [old, ...made.slice(-3)]) {
      const rv = expectStatus(await rehab.post(`/api/v1/clients/${c.id}/reveal`, { fields: ['phone', 'id_number'], reason: '轮换测试' }), 200);
      assert.equal(rv.id_number, c.id_number);
    }
    const g = expectStatus(await rehab.post(`/api/v1/clients/${old.id}/reveal`, { fields: ['guardian_phones'], reason: '轮换测试' }), 200);
    assert.equal(g.guardians[0].phone, '15811112222');
    // The duplicate check (blind index) is unchanged by rotation.
    expectStatus(await rehab.post('/api/v1/clients', old.body), 409);
    // Retire: the newest version is refused; version 1 (now unused) is accepted.
    const r2 = cli(['keys', 'retire', '2', '--data', srv.dataDir]);
    assert.equal(r2.status, 1);
    const r1 = cli(['keys', 'retire', '1', '--data', srv.dataDir]);
    assert.equal(r1.status, 0, r1.stdout + r1.stderr);
    assert.match(fs.readFileSync(path.join(srv.dataDir, 'jingkang.key'), 'utf8'), /^retired 1$/m);
    // A restarted server reads everything with the remaining key; the audit chain is intact.
    await srv.stop();
    await srv.start();
    rehab = await srv.login('rehab_worker');
    const rv = expectStatus(await rehab.post(`/api/v1/clients/${old.id}/reveal`, { fields: ['phone'], reason: '轮换测试' }), 200);
    assert.equal(rv.phone, '13698765432');
    const v = cli(['audit', 'verify', '--data', srv.dataDir]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    // Rotate again: version 3 appears; retiring 2 is refused while blobs still use it.
    assert.equal(cli(['keys', 'rotate', '--data', srv.dataDir]).status, 0);
    const busy = cli(['keys', 'retire', '2', '--data', srv.dataDir]);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /仍有 \d+ 个字段使用密钥版本 2/);
  });
});
