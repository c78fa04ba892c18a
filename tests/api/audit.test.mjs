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
