// ops.test.mjs: operations endpoints (/healthz, /metrics), unknown paths and methods, and the
// overview counts (GET /api/v1/stats/overview) for each role.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectJson } from './helpers.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.close(); });

describe('/healthz', () => {
  test('200 {"status":"ok"} without login', async () => {
    const r = await srv.anon().get('/healthz');
    expectStatus(r, 200);
    assert.deepEqual(expectJson(r), { status: 'ok' });
  });
});

describe('/metrics', () => {
  test('Prometheus text with jingkang_ metrics', async () => {
    await srv.anon().get('/api/v1/regions/51'); // at least one request to count
    const r = await srv.anon().get('/metrics');
    expectStatus(r, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const lines = r.text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(lines.length > 0, 'some samples');
    assert.ok(lines.some((l) => /^jingkang_[a-z_]+(\{[^}]*\})? [0-9.eE+-]+$/.test(l)), `a jingkang_ sample:\n${r.text.slice(0, 500)}`);
    for (const l of lines) assert.match(l, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9.eE+-]+( \d+)?$/, `valid sample line: ${l}`);
    assert.match(r.text, /^# TYPE jingkang_\w+ (counter|gauge|histogram|summary|untyped)$/m);
  });

  test('counters grow', async () => {
    const total = (t) => t.split('\n').filter((l) => l.startsWith('jingkang_requests_total'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    const a = total((await srv.anon().get('/metrics')).text);
    for (let i = 0; i < 3; i++) await srv.anon().get('/api/v1/regions/51');
    const b = total((await srv.anon().get('/metrics')).text);
    if (a > 0 || b > 0) assert.ok(b >= a + 3, `requests counter ${a} → ${b}`);
  });

  test('memory gauges: SQLite caches and heap in use (the load soak reads them)', async () => {
    await srv.anon().get('/api/v1/regions/51');
    const t = (await srv.anon().get('/metrics')).text;
    const val = (name) => Number((t.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1]);
    assert.ok(val('jingkang_sqlite_memory_bytes') > 0, 'SQLite memory of the connections');
    if (/asan/.test(process.env.JK_BIN || '')) return;   // the sanitizer's allocator: glibc's figures are not there
    assert.ok(val('jingkang_heap_in_use_bytes') > 0, 'heap in use');
    assert.ok(val('jingkang_heap_held_bytes') >= val('jingkang_heap_in_use_bytes'), 'held ≥ in use');
  });

  test('no personal data or secrets in metrics', async () => {
    const r = await srv.anon().get('/metrics');
    assert.ok(!/jk_session|password|id_number/i.test(r.text));
  });
});

describe('unknown paths and methods', () => {
  test('unknown /api path: 404 JSON not_found', async () => {
    for (const p of ['/api/v1/nope', '/api/v1/clients/abc/def', '/api/v2/regions', '/api/']) {
      const r = await srv.anon().get(p);
      expectStatus(r, 404, 'not_found');
      expectJson(r);
      assert.match(String(r.headers['cache-control']), /no-store/);
    }
  });

  test('unknown /api path with a session: still 404', async () => {
    const api = await srv.login('sysadmin');
    expectStatus(await api.get('/api/v1/secret-admin'), 404, 'not_found');
  });

  test('method not allowed: 405', async () => {
    const api = await srv.login('sysadmin');
    for (const [m, p] of [['DELETE', '/api/v1/regions'], ['PUT', '/api/v1/session'], ['DELETE', '/api/v1/clients'],
      ['PUT', '/api/v1/organizations'], ['POST', '/api/v1/audit'], ['DELETE', '/api/v1/audit/verify']]) {
      const r = await api.req(m, p);
      assert.equal(r.status, 405, `${m} ${p}: ${r.status} ${r.text}`);
      expectJson(r);
      assert.ok(r.json.error && typeof r.json.error.code === 'string', 'an error object');
    }
  });

  test('405 names the allowed methods', async () => {
    const r = await srv.anon().req('DELETE', '/api/v1/regions');
    assert.equal(r.status, 405);
    assert.match(String(r.headers.allow || ''), /GET/);
  });

  test('a query string does not change the route', async () => {
    expectStatus(await srv.anon().get('/api/v1/regions/510421?x=1'), 200);
  });

  test('a path id that is not clean UTF-8 or too long: 404, and the audit trail stays readable', async () => {
    const api = await srv.login('rehab_worker');
    for (const p of ['/api/v1/clients/%FF%FE', '/api/v1/clients/%E6%94', '/api/v1/clients/a%00b',
      `/api/v1/clients/${'a'.repeat(65)}`, '/api/v1/regions/51%0A']) {
      expectStatus(await api.get(p), 404, 'not_found');
    }
    expectStatus(await api.get('/api/v1/clients/%E6%94%80%E6%9E%9D'), 404, 'not_found'); // 攀枝: no such client
    const auditor = await srv.login('auditor');
    expectStatus(await auditor.get('/api/v1/audit?page_size=100'), 200);
  });

  test('a query value that is not clean UTF-8 or too long: 400 bad_query', async () => {
    const api = await srv.login('county_official');
    for (const q of ['q=%FF', 'q=%E6%94', 'q=a%0Ab', `q=${'a'.repeat(257)}`, '%FF=1']) {
      expectStatus(await api.get(`/api/v1/clients?${q}`), 400, 'bad_query');
    }
    expectStatus(await api.get(`/api/v1/clients?q=${encodeURIComponent('张')}`), 200);
  });
});

describe('GET /api/v1/stats/overview', () => {
  test('county_official: client counts of the county and organizations', async () => {
    const api = await srv.login('county_official');
    const j = expectStatus(await api.get('/api/v1/stats/overview'), 200);
    assert.equal(typeof j.clients, 'number');
    assert.ok(j.clients > 0);
    assert.equal(typeof j.clients_severe, 'number');
    assert.ok(j.clients_severe <= j.clients);
    assert.equal(typeof j.clients_by_status, 'object');
    const sum = Object.values(j.clients_by_status).reduce((a, b) => a + b, 0);
    assert.equal(sum, j.clients);
    for (const k of Object.keys(j.clients_by_status)) assert.ok(['registered', 'in_service', 'closed', 'moved', 'deceased'].includes(k), k);
    assert.equal(typeof j.organizations, 'object');
    assert.ok(!('users' in j), 'officials do not see account counts');
    const list = expectStatus(await api.get('/api/v1/clients'), 200);
    assert.equal(j.clients, list.total, 'the same count as the list');
  });

  test('city_official sees at least as many clients as one county', async () => {
    const a = expectStatus(await (await srv.login('county_official')).get('/api/v1/stats/overview'), 200);
    const b = expectStatus(await (await srv.login('city_official')).get('/api/v1/stats/overview'), 200);
    assert.ok(b.clients >= a.clients);
  });

  test('rehab_worker: counts of their organization', async () => {
    const api = await srv.login('rehab_worker');
    const j = expectStatus(await api.get('/api/v1/stats/overview'), 200);
    const list = expectStatus(await api.get('/api/v1/clients'), 200);
    assert.equal(j.clients, list.total);
  });

  for (const u of ['sysadmin', 'secadmin', 'auditor', 'evaluator']) {
    test(`${u}: no client counts`, async () => {
      const api = await srv.login(u);
      const r = await api.get('/api/v1/stats/overview');
      if (r.status === 403) return; // a role with nothing to see may be refused outright
      const j = expectStatus(r, 200);
      assert.ok(!('clients' in j) && !('clients_severe' in j) && !('clients_by_status' in j), JSON.stringify(j));
    });
  }

  test('sysadmin sees account counts', async () => {
    const api = await srv.login('sysadmin');
    const j = expectStatus(await api.get('/api/v1/stats/overview'), 200);
    assert.equal(typeof j.users, 'number');
    assert.ok(j.users >= 10);
  });

  test('anonymous: 401', async () => {
    expectStatus(await srv.anon().get('/api/v1/stats/overview'), 401, 'unauthenticated');
  });
});
