// audit.test.mjs: the audit trail — reads, searches, reveals, logins and refusals are recorded
// and can be found by object and by user; only the auditor reads the trail; the keyed hash
// chain verifies through the API and the CLI and detects an edited row; personal data never
// reaches the database file in plain text.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  startServer, cli, expectStatus, expectPage, eventually, makeIdNumber, uniqueName, villageOf, DEMO_PASSWORD, TIME_RE,
  BIN, ROOT,
} from './helpers.mjs';

let srv;
let auditor;
let rehab;
let client;      // {id, id_number, phone, address, guardianPhone, cert}
before(async () => {
  srv = await startServer();
  auditor = await srv.login('auditor');
  rehab = await srv.login('rehab_worker');
  const { village } = await villageOf(srv.base, '510421');
  const id_number = makeIdNumber();
  client = {
    id_number,
    phone: '13698765432',
    address: '米易县攀莲镇审计测试路99号7栋1单元',
    guardianPhone: '15811112222',
    cert: `${id_number}62`,
  };
  const r = await rehab.post('/api/v1/clients', {
    name: uniqueName(), id_number, phone: client.phone, address: client.address, residence_region: village.code,
    disability_certificate: client.cert, guardians: [{ name: uniqueName(), relation: '父亲', phone: client.guardianPhone }],
  });
  client.id = expectStatus(r, 201).id;
});
after(async () => { await srv?.close(); });

async function auditFind(query, pred, timeout = 5000) {
  let last;
  const hit = await eventually(async () => {
    const r = await auditor.get(`/api/v1/audit?${query}&page_size=100`);
    expectStatus(r, 200);
    last = r.json;
    return r.json.items.find(pred);
  }, { timeout });
  assert.ok(hit, `audit entry for ${query} not found; got ${JSON.stringify(last?.items?.slice(0, 5))}`);
  return hit;
}

describe('GET /api/v1/audit', () => {
  test('a client read is found by object_id, with the reader', async () => {
    expectStatus(await rehab.get(`/api/v1/clients/${client.id}`), 200);
    const e = await auditFind(`object_type=client&object_id=${client.id}`, (x) => x.action === 'read' && x.username === 'rehab_worker');
    for (const f of ['seq', 'time', 'username', 'role', 'action', 'object_type', 'object_id', 'result', 'request_id', 'detail']) {
      assert.ok(f in e, `entry.${f}`);
    }
    assert.equal(e.object_type, 'client');
    assert.equal(e.object_id, client.id);
    assert.equal(e.role, 'rehab_staff');
    assert.equal(e.result, 'ok');
    assert.equal(typeof e.seq, 'number');
    assert.match(e.time, TIME_RE);
  });

  test('the creation is recorded too', async () => {
    await auditFind(`object_id=${client.id}`, (x) => x.action === 'create' && x.username === 'rehab_worker');
  });

  test('found by username', async () => {
    const city = await srv.login('city_official');
    expectStatus(await city.get(`/api/v1/clients/${client.id}`), 200);
    const e = await auditFind('user=city_official', (x) => x.action === 'read' && x.object_id === client.id);
    assert.equal(e.username, 'city_official');
    const all = expectStatus(await auditor.get('/api/v1/audit?user=city_official&page_size=100'), 200);
    assert.ok(all.items.every((x) => x.username === 'city_official'));
  });

  test('filter by action', async () => {
    const j = expectStatus(await auditor.get('/api/v1/audit?action=login&page_size=100'), 200);
    expectPage(j, { pageSize: 100 });
    assert.ok(j.items.length > 0);
    assert.ok(j.items.every((x) => x.action === 'login'));
  });

  test('a reveal is recorded with the fields and the reason, not the values', async () => {
    const reason = '核对身份-审计测试';
    expectStatus(await rehab.post(`/api/v1/clients/${client.id}/reveal`, { fields: ['id_number', 'phone'], reason }), 200);
    const e = await auditFind(`object_id=${client.id}&action=reveal`, (x) => x.action === 'reveal');
    assert.equal(e.username, 'rehab_worker');
    assert.ok(String(e.detail).includes(reason), `detail has the reason: ${e.detail}`);
    assert.ok(String(e.detail).includes('id_number'), `detail names the fields: ${e.detail}`);
    assert.ok(!String(e.detail).includes(client.id_number) && !String(e.detail).includes(client.phone));
  });

  test('a refused read outside scope is recorded', async () => {
    const c2 = await srv.login('county_official2');
    expectStatus(await c2.get(`/api/v1/clients/${client.id}`), 404);
    await auditFind('user=county_official2', (x) => x.object_id === client.id && (x.action === 'denied' || x.result !== 'ok'));
  });

  test('failed and successful logins are recorded', async () => {
    await srv.anon().post('/api/v1/session', { username: 'evaluator', password: 'Wrong-Password-77!' });
    await srv.login('evaluator');
    const failed = await auditFind('user=evaluator&action=login', (x) => x.result !== 'ok' || /fail/i.test(String(x.detail)));
    assert.notEqual(failed.result, 'ok', `a failed login must not be recorded with result "ok": ${JSON.stringify(failed)}`);
    await auditFind('user=evaluator&action=login', (x) => x.result === 'ok' && !/fail/i.test(String(x.detail)));
  });

  test('a search by ID number is recorded without the number', async () => {
    expectStatus(await rehab.post('/api/v1/clients/search', { id_number: client.id_number }), 200);
    await auditFind('user=rehab_worker&action=search', (x) => x.object_type === 'client');
  });

  test('the trail never holds personal data', async () => {
    const r = await auditor.get('/api/v1/audit?page_size=100');
    expectStatus(r, 200);
    for (const s of [client.id_number, client.phone, client.address, client.guardianPhone, client.cert]) {
      assert.ok(!r.text.includes(s), `audit list contains ${s}`);
    }
  });

  test('newest first, seq strictly decreasing', async () => {
    const j = expectStatus(await auditor.get('/api/v1/audit?page_size=50'), 200);
    for (let i = 1; i < j.items.length; i++) assert.ok(j.items[i - 1].seq > j.items[i].seq, 'seq order');
  });

  test('from/to by date', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const j = expectStatus(await auditor.get(`/api/v1/audit?from=${today}&to=${today}`), 200);
    assert.ok(j.total > 0);
    const none = expectStatus(await auditor.get('/api/v1/audit?from=2000-01-01&to=2000-01-02'), 200);
    assert.equal(none.total, 0);
    expectStatus(await auditor.get('/api/v1/audit?from=yesterday'), 400, 'invalid_field', 'from');
  });

  test('bad paging: 400', async () => {
    expectStatus(await auditor.get('/api/v1/audit?page_size=1000'), 400);
  });

  for (const u of ['sysadmin', 'secadmin', 'county_official', 'city_official', 'rehab_worker', 'evaluator', 'referral_worker']) {
    test(`${u}: 403 on /audit and /audit/verify`, async () => {
      const api = await srv.login(u);
      expectStatus(await api.get('/api/v1/audit'), 403, 'forbidden');
      expectStatus(await api.get('/api/v1/audit/verify'), 403, 'forbidden');
    });
  }

  test('anonymous: 401', async () => {
    expectStatus(await srv.anon().get('/api/v1/audit'), 401, 'unauthenticated');
    expectStatus(await srv.anon().get('/api/v1/audit/verify'), 401, 'unauthenticated');
  });

  test('reading the trail is itself audited', async () => {
    await auditFind('user=auditor', (x) => x.object_type === 'audit');
  });
});

describe('the database file holds no personal data in plain text', () => {
  function scan() {
    const hits = [];
    for (const f of ['jingkang.db', 'jingkang.db-wal', 'jingkang.db-journal']) {
      const p = path.join(srv.dataDir, f);
      if (!fs.existsSync(p)) continue;
      const bytes = fs.readFileSync(p);
      for (const [what, s] of Object.entries({
        id_number: client.id_number, phone: client.phone, address: client.address, guardian_phone: client.guardianPhone,
        certificate: client.cert,
      })) {
        if (bytes.includes(Buffer.from(s, 'utf8'))) hits.push(`${f}: ${what}`);
      }
      // the address's distinctive part alone, too
      if (bytes.includes(Buffer.from('审计测试路99号', 'utf8'))) hits.push(`${f}: address fragment`);
    }
    return hits;
  }

  test('while the server runs (database and WAL)', async () => {
    assert.ok(fs.existsSync(path.join(srv.dataDir, 'jingkang.db')));
    assert.deepEqual(scan(), []);
  });

  test('the key file is private (0600) and the data directory 0700', () => {
    const key = fs.statSync(path.join(srv.dataDir, 'jingkang.key'));
    assert.equal(key.mode & 0o077, 0, `key mode ${(key.mode & 0o777).toString(8)}`);
    const db = fs.statSync(path.join(srv.dataDir, 'jingkang.db'));
    assert.equal(db.mode & 0o077, 0, `db mode ${(db.mode & 0o777).toString(8)}`);
  });

  test('jingkang doctor: 0 when all is well; names a key file others can read and exits 1', () => {
    const ok = cli(['doctor', '--data', srv.dataDir]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /\[正常\] 密钥文件：存在，权限0600/);
    const key = path.join(srv.dataDir, 'jingkang.key');
    fs.chmodSync(key, 0o644);
    try {
      const bad = cli(['doctor', '--data', srv.dataDir]);
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, /\[异常\] 密钥文件：密钥文件权限过宽，应为0600/);
    } finally {
      fs.chmodSync(key, 0o600);
    }
  });
});

// ---- tampering on copies of the database (an attacker with file access drops the triggers
// first), signed export for an external archive, retention and pruning.
describe('jingkang audit verify detects tampering, export is signed, prune keeps the chain', () => {
  let work;
  let base;
  const sq = (db, q) => {
    const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const DROP = 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;';
  const run = (args, env = {}) => {
    const e = { ...process.env, ...env };
    delete e.JINGKANG_DATA;
    if (!env.JINGKANG_NOW) delete e.JINGKANG_NOW;
    const r = spawnSync(BIN, args, { cwd: ROOT, env: e, encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  // A data directory holding a copy of the server's database and its key.
  let n = 0;
  const copyDir = () => {
    const d = path.join(work, `copy${n++}`);
    fs.mkdirSync(d);
    fs.copyFileSync(path.join(srv.dataDir, 'jingkang.key'), path.join(d, 'jingkang.key'));
    fs.chmodSync(path.join(d, 'jingkang.key'), 0o600);
    fs.copyFileSync(base, path.join(d, 'jingkang.db'));
    return d;
  };
  let last;
  before(async () => {
    work = fs.mkdtempSync(path.join(srv.root, 'audit-'));
    base = path.join(work, 'base.db');
    for (let i = 0; i < 5; i++) expectStatus(await rehab.get(`/api/v1/clients/${client.id}`), 200);
    await new Promise((r) => setTimeout(r, 300));   // the read entries are written in batches
    sq(path.join(srv.dataDir, 'jingkang.db'), `.backup '${base}'`);
    last = Number(sq(base, 'SELECT max(seq) FROM audit'));
    assert.ok(last > 20, `only ${last} audit entries`);
  });

  test('an untouched copy verifies', () => {
    const r = run(['audit', 'verify', '--data', copyDir()]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /审计链完好/);
  });

  test('a changed column is found at its seq', () => {
    const d = copyDir();
    const mid = Math.floor(last / 2);
    sq(path.join(d, 'jingkang.db'), `${DROP} UPDATE audit SET result = 'denied' WHERE seq = ${mid};`);
    const r = run(['audit', 'verify', '--data', d]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`seq=${mid}（审计记录内容被修改`));
  });

  test('a row deleted in the middle is found', () => {
    const d = copyDir();
    const mid = Math.floor(last / 3);
    sq(path.join(d, 'jingkang.db'), `${DROP} DELETE FROM audit WHERE seq = ${mid};`);
    const r = run(['audit', 'verify', '--data', d]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`seq=${mid}（审计记录缺失`));
  });

  test('rows deleted at the end are found', () => {
    const d = copyDir();
    sq(path.join(d, 'jingkang.db'), `${DROP} DELETE FROM audit WHERE seq > ${last - 3};`);
    const r = run(['audit', 'verify', '--data', d]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /末尾记录被删除/);
  });

  test('two rows swapped (their seq exchanged) are found', () => {
    const d = copyDir();
    const a = Math.floor(last / 2);
    const b = a + 2;
    sq(path.join(d, 'jingkang.db'), `${DROP} UPDATE audit SET seq = -1 WHERE seq = ${a};`
      + ` UPDATE audit SET seq = ${a} WHERE seq = ${b}; UPDATE audit SET seq = ${b} WHERE seq = -1;`);
    const r = run(['audit', 'verify', '--data', d]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`seq=${a}（`));
  });

  test('export with signed checkpoints verifies offline with the public key only', () => {
    const d = copyDir();
    const pk = run(['audit', 'pubkey', '--data', d]).out.trim();
    assert.match(pk, /^[0-9a-f]{64}$/);
    const file = path.join(work, 'audit.jsonl');
    const e = run(['audit', 'export', '--data', d, '--out', file, '--every', '7']);
    assert.equal(e.status, 0, e.out);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].type, 'header');
    assert.equal(lines[0].pubkey, pk);
    const entries = lines.filter((l) => l.type === 'entry');
    const cps = lines.filter((l) => l.type === 'checkpoint');
    assert.equal(entries.length, last);
    assert.equal(entries[0].seq, 1);
    assert.ok(cps.length >= Math.floor(last / 7));
    for (const c of cps) for (const k of ['seq', 'hash', 'time', 'signature']) assert.ok(k in c, k);
    assert.equal(cps.at(-1).final, true);
    assert.equal(cps.at(-1).seq, last);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const ok = run(['audit', 'verify-export', file, '--pubkey', pk]);
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, new RegExp(`${last} 条记录`));

    const other = run(['audit', 'verify-export', file, '--pubkey', 'ab'.repeat(32)]);
    assert.equal(other.status, 1, other.out);

    const text = fs.readFileSync(file, 'utf8').trim().split('\n');
    const variant = (name, f) => {
      const p = path.join(work, `${name}.jsonl`);
      fs.writeFileSync(p, `${f([...text]).join('\n')}\n`);
      const r = run(['audit', 'verify-export', p, '--pubkey', pk]);
      assert.equal(r.status, 1, `${name}: ${r.out}`);
      return r.out;
    };
    const i = text.findIndex((l) => l.includes('"seq":5,') && l.includes('"entry"'));
    variant('edited', (t) => { t[i] = t[i].replace('"result":"ok"', '"result":"denied"').replace('"result":null', '"result":"x"'); return t; });
    variant('deleted', (t) => { t.splice(i, 1); return t; });
    variant('swapped', (t) => { [t[i], t[i + 1]] = [t[i + 1], t[i]]; return t; });
    assert.match(variant('truncated', (t) => t.slice(0, -1)), /最终检查点|截断/);

    // --from exports the rest, linked to what came before (prev_hash).
    const part = path.join(work, 'part.jsonl');
    assert.equal(run(['audit', 'export', '--data', d, '--out', part, '--from', String(last - 4)]).status, 0);
    const pl = fs.readFileSync(part, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(pl[0].prev_hash, entries.find((x) => x.seq === last - 5).hash);
    assert.equal(run(['audit', 'verify-export', part, '--pubkey', pk]).status, 0);
  });

  test('prune deletes only exported entries older than the retention, and verify still passes', () => {
    const d = copyDir();
    const db = path.join(d, 'jingkang.db');
    const later = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
    // Retention below 181 days is refused.
    const low = run(['audit', 'prune', '--data', d, '--before', later(1), '--keep-days', '180']);
    assert.equal(low.status, 2, low.out);
    // Nothing exported yet: nothing goes, even far in the future.
    let r = run(['audit', 'prune', '--data', d, '--before', later(1000)], { JINGKANG_NOW: later(400) });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /没有可删除/);
    const file = path.join(work, 'before-prune.jsonl');
    assert.equal(run(['audit', 'export', '--data', d, '--out', file, '--every', '50']).status, 0);
    const exported = Number(sq(db, "SELECT value FROM meta WHERE key = 'audit_exported_seq'"));
    assert.ok(exported >= last);
    // Exported but younger than 181 days: nothing goes.
    r = run(['audit', 'prune', '--data', d, '--before', later(1000)], { JINGKANG_NOW: later(100) });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /没有可删除/);
    // 200 days on: everything exported goes, the anchor and a prune entry remain.
    r = run(['audit', 'prune', '--data', d, '--before', later(1000)], { JINGKANG_NOW: later(200) });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`已删除 seq ${exported} 及之前`));
    assert.equal(Number(sq(db, `SELECT count(*) FROM audit WHERE seq <= ${exported}`)), 0);
    assert.match(sq(db, 'SELECT action FROM audit ORDER BY seq DESC LIMIT 1'), /prune/);
    assert.match(sq(db, "SELECT value FROM meta WHERE key = 'audit_anchor'"), new RegExp(`^${exported}:[0-9a-f]{64}:[0-9a-f]{128}$`));
    const v = run(['audit', 'verify', '--data', d]);
    assert.equal(v.status, 0, v.out);
    // The append-only trigger is back.
    const del = spawnSync('sqlite3', [db, 'DELETE FROM audit'], { encoding: 'utf8' });
    assert.notEqual(del.status, 0);
    // The next export starts after the anchor and links to it.
    const next = path.join(work, 'after-prune.jsonl');
    assert.equal(run(['audit', 'export', '--data', d, '--out', next, '--from', String(exported + 1)]).status, 0);
    const pk = run(['audit', 'pubkey', '--data', d]).out.trim();
    assert.equal(run(['audit', 'verify-export', next, '--pubkey', pk]).status, 0);
    // A forged anchor, or its removal, is found.
    const anchor = sq(db, "SELECT value FROM meta WHERE key = 'audit_anchor'");
    const forged = anchor.replace(/^(\d+):(.)/, (m, s, c) => `${s}:${c === '0' ? '1' : '0'}`);
    sq(db, `UPDATE meta SET value = '${forged}' WHERE key = 'audit_anchor'`);
    assert.equal(run(['audit', 'verify', '--data', d]).status, 1);
    sq(db, "DELETE FROM meta WHERE key = 'audit_anchor'");
    const gone = run(['audit', 'verify', '--data', d]);
    assert.equal(gone.status, 1, gone.out);
    assert.match(gone.out, /缺失/);
  });
});

describe('the audit chain', () => {
  test('GET /api/v1/audit/verify: ok', async () => {
    const j = expectStatus(await auditor.get('/api/v1/audit/verify'), 200);
    assert.equal(j.ok, true);
    assert.equal(typeof j.entries, 'number');
    assert.ok(j.entries > 10, `entries ${j.entries}`);
  });

  test('jingkang audit verify exits 0 while the server runs', () => {
    const r = cli(['audit', 'verify', '--data', srv.dataDir]);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  test('an edited row is detected: CLI exits non-zero naming seq 3; the API says ok:false', async () => {
    // the reads above are queued: make sure they are on disk before stopping
    expectStatus(await auditor.get('/api/v1/audit/verify'), 200);
    const stopped = await srv.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, `clean shutdown:\n${srv.tail()}`);

    // once more with the server stopped: nothing personal in any file left behind
    for (const f of fs.readdirSync(srv.dataDir)) {
      if (!f.startsWith('jingkang.db')) continue;
      const bytes = fs.readFileSync(path.join(srv.dataDir, f));
      for (const s of [client.id_number, client.phone, client.address, client.guardianPhone]) {
        assert.ok(!bytes.includes(Buffer.from(s, 'utf8')), `${f} contains ${s}`);
      }
    }

    const ok = cli(['audit', 'verify', '--data', srv.dataDir]);
    assert.equal(ok.status, 0, `intact before tampering: ${ok.stdout}${ok.stderr}`);

    const db = path.join(srv.dataDir, 'jingkang.db');
    const schema = spawnSync('sqlite3', [db, '.schema audit'], { encoding: 'utf8' });
    assert.equal(schema.status, 0, schema.stderr);
    assert.match(schema.stdout, /CREATE TABLE audit/);
    assert.match(schema.stdout, /\bseq\b/);
    assert.match(schema.stdout, /\bdetail\b/);

    // The table refuses UPDATE through triggers; someone with the file can drop them.
    const direct = spawnSync('sqlite3', [db, "UPDATE audit SET detail = 'tampered' WHERE seq = 3"], { encoding: 'utf8' });
    assert.notEqual(direct.status, 0, 'the append-only trigger refuses a plain UPDATE');

    const triggers = spawnSync('sqlite3', [db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"], { encoding: 'utf8' })
      .stdout.split('\n').filter(Boolean);
    const sql = `${triggers.map((t) => `DROP TRIGGER "${t}";`).join(' ')} UPDATE audit SET detail = coalesce(detail, '') || ' (edited)' WHERE seq = 3;`;
    const edit = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
    assert.equal(edit.status, 0, edit.stderr);
    const check = spawnSync('sqlite3', [db, 'SELECT detail FROM audit WHERE seq = 3'], { encoding: 'utf8' });
    assert.match(check.stdout, /\(edited\)/);

    const bad = cli(['audit', 'verify', '--data', srv.dataDir]);
    assert.notEqual(bad.status, 0, `verify must fail after tampering: ${bad.stdout}${bad.stderr}`);
    assert.match(`${bad.stdout}${bad.stderr}`, /(^|[^0-9])3([^0-9]|$)/, `names the first broken entry (seq 3): ${bad.stdout}${bad.stderr}`);

    await srv.start();
    const api = await srv.login('auditor');
    const j = expectStatus(await api.get('/api/v1/audit/verify'), 200);
    assert.equal(j.ok, false);
    assert.equal(j.first_bad_seq, 3);
  });
});
