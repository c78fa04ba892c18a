// asvs.test.mjs: the ASVS 4.0.3 Level 2 items not already covered by the other files
// (docs/security.md has the whole table): idle and absolute session timeouts (3.3.1/3.3.2),
// no personal data in the server's logs (7.1.1/7.1.2, 8.3.1), HSTS behind TLS (14.4.5),
// generic error bodies (7.4.1). The clock is the server's one clock: JINGKANG_NOW at start.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, expectStatus, clientBody, makeIdNumber, mobile, uniqueName } from './helpers.mjs';

const T0 = Date.parse('2026-06-01T09:00:00+08:00');
const MIN = 60_000;
const at = (ms) => String(ms);
const servers = [];
after(async () => { for (const s of servers) await s.close(); });

async function restartAt(srv, ms) {
  await srv.stop();
  srv.env = { ...srv.env, JINGKANG_NOW: at(ms) };
  await srv.start();
}

describe('session timeouts (ASVS 3.3.2: 30 minutes idle, 12 hours in all)', () => {
  test('29 minutes idle: still signed in; then 31 more minutes idle: 401', async () => {
    const srv = await startServer({ env: { JINGKANG_NOW: at(T0) } });
    servers.push(srv);
    const api = await srv.login('rehab_worker');
    expectStatus(await api.get('/api/v1/session'), 200);
    await restartAt(srv, T0 + 29 * MIN);
    api.base = srv.base;
    expectStatus(await api.get('/api/v1/session'), 200);
    await restartAt(srv, T0 + 29 * MIN + 31 * MIN);
    api.base = srv.base;
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
  });

  test('a session older than 12 hours ends even while in use', async () => {
    const srv = await startServer({ env: { JINGKANG_NOW: at(T0) } });
    servers.push(srv);
    const api = await srv.login('rehab_worker');
    // Touched every 25 minutes (each restart jumps the clock; the session lives in the
    // database), so idleness never ends it; past 12 hours it ends all the same.
    await restartAt(srv, T0);
    api.base = srv.base;
    expectStatus(await api.get('/api/v1/session'), 200);
    let t = 0;
    while (t + 25 < 12 * 60) {
      t += 25;
      await restartAt(srv, T0 + t * MIN);
      api.base = srv.base;
      assert.equal((await api.get('/api/v1/session')).status, 200, `at +${t} min`);
    }
    await restartAt(srv, T0 + 12 * 60 * MIN + MIN);
    api.base = srv.base;
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
  });
});

describe('no personal data in the logs (ASVS 7.1.1, 7.1.2, 8.3.1)', () => {
  test('registering, searching, revealing and failing: the server log holds none of the values', async () => {
    const srv = await startServer();
    servers.push(srv);
    const api = await srv.login('rehab_worker');
    const name = uniqueName();
    const id = makeIdNumber();
    const phone = mobile();
    const address = `测试路${Math.floor(Math.random() * 900 + 100)}号`;
    const c = await api.post('/api/v1/clients', clientBody({ name, id_number: id, phone, address, organization: api.user.organization }));
    expectStatus(c, 201);
    expectStatus(await api.get(`/api/v1/clients?id_number=${id}`), 200);
    expectStatus(await api.post('/api/v1/clients/search', { id_number: id }), 200);
    expectStatus(await api.post(`/api/v1/clients/${c.json.id}/reveal`, { fields: ['id_number', 'phone', 'address'], reason: '日志测试' }), 200);
    // a refused duplicate and a bad phone: error paths log too
    expectStatus(await api.post('/api/v1/clients', clientBody({ name, id_number: id, organization: api.user.organization })), 409);
    expectStatus(await api.post('/api/v1/clients', clientBody({ name, phone: `${phone}x`, organization: api.user.organization })), 400);
    // a failed login with the ID number as the password
    expectStatus(await srv.anon().post('/api/v1/session', { username: 'rehab_worker', password: id }), 401);
    await srv.stop();
    for (const v of [name, id, id.slice(0, 14), phone, address, 'Jingkang-Demo-2026!']) {
      assert.ok(!srv.log.includes(v), `the server log contains ${JSON.stringify(v)}`);
    }
    assert.ok(srv.log.length > 0, 'the server did log something');
    // and nothing of it in the audit trail either (detail holds field names and reasons only)
    const db = path.join(srv.dataDir, 'jingkang.db');
    const trail = execFileSync('sqlite3', [db, 'SELECT group_concat(coalesce(detail,\'\') || object_id, \' \') FROM audit'], { encoding: 'utf8' });
    for (const v of [name, id, phone, address]) assert.ok(!trail.includes(v), `the audit trail contains ${v}`);
    await srv.start();
  });
});

describe('answers', () => {
  test('behind TLS (--secure-cookies): HSTS for at least 15724800 s and a Secure cookie (ASVS 14.4.5, 3.4.1)', async () => {
    const srv = await startServer({ env: { JINGKANG_SECURE_COOKIES: '1' } });
    servers.push(srv);
    const r = await srv.anon().post('/api/v1/session', { username: 'rehab_worker', password: 'Jingkang-Demo-2026!' });
    expectStatus(r, 200);
    const hsts = r.headers['strict-transport-security'];
    assert.ok(hsts, 'Strict-Transport-Security present');
    const age = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    assert.ok(age >= 15724800, `max-age ${age}`);
    const c = (r.headers['set-cookie'] || []).find((x) => x.startsWith('jk_session='));
    assert.match(c, /;\s*Secure/i);
  });

  test('no version banner: no Server or X-Powered-By header (ASVS 14.3.3)', async () => {
    for (const p of ['/healthz', '/api/v1/session', '/api/v1/nothing']) {
      const r = await servers[0].anon().get(p);
      assert.equal(r.headers.server, undefined, `${p}: Server: ${r.headers.server}`);
      assert.equal(r.headers['x-powered-by'], undefined);
    }
  });

  test('errors are generic: a code and a Chinese message, no internals (ASVS 7.4.1)', async () => {
    const srv = servers[0];
    const api = await srv.login('rehab_worker');
    for (const [method, p, body] of [['GET', '/api/v1/clients/not-a-uuid'], ['GET', '/api/v1/nothing-here'],
      ['POST', '/api/v1/clients', '{"name":'], ['DELETE', '/api/v1/clients']]) {
      const r = await api.req(method, p, body === undefined ? {} : { body });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${p}: ${r.status}`);
      assert.equal(typeof r.json?.error?.code, 'string', `${method} ${p}: ${r.text}`);
      assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
      assert.ok(!/sqlite|\.c:\d+|jansson|errno|0x[0-9a-f]{6}/i.test(r.text), `internals leaked: ${r.text}`);
    }
  });
});
