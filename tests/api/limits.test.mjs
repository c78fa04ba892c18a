// limits.test.mjs: the limits against resource exhaustion (docs/api.md, "限制"): JSON depth,
// body size, page size, the per-client request rate (429 rate_limited with Retry-After), and a
// slow-loris client holding hundreds of slow connections from 127.0.0.2 while a normal client
// on 127.0.0.1 is still answered quickly and the connections over the per-address limit (512)
// are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectStatus, request } from './helpers.mjs';

let srv, official;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  srv = await startServer();
  official = await srv.login('county_official');
});

after(async () => {
  if (srv) await srv.close();
});

test('JSON nested deeper than 32 levels is refused before parsing: 400 json_too_deep', async () => {
  const deep = `{"name":${'['.repeat(40)}${']'.repeat(40)}}`;
  expectStatus(await official.post('/api/v1/clients/search', deep), 400, 'json_too_deep');
  // 100,000 levels: still a clean 400, no stack exhaustion
  const huge = '['.repeat(100_000);
  expectStatus(await official.post('/api/v1/clients/search', `{"a":${huge}`), 400, 'json_too_deep');
  // exactly 32 levels is fine as far as depth goes (the field is then judged on its own)
  const ok32 = `{"name":${'['.repeat(31)}${']'.repeat(31)}}`;
  const r = await official.post('/api/v1/clients/search', ok32);
  assert.equal(r.status, 400);
  assert.notEqual(r.json.error.code, 'json_too_deep');
  // brackets inside strings do not count
  const inString = JSON.stringify({ name: '['.repeat(100) });
  const s = await official.post('/api/v1/clients/search', inString);
  assert.notEqual(s.json?.error?.code, 'json_too_deep');
});

test('a body over 1 MiB is refused: 413 body_too_large', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
  expectStatus(await official.post('/api/v1/clients/search', big), 413, 'body_too_large');
  // and the server is fine afterwards
  expectStatus(await official.get('/api/v1/session'), 200);
});

test('page_size over 100 is refused with 400, 100 is served', async () => {
  expectStatus(await official.get('/api/v1/clients?page_size=101'), 400, 'invalid_field', 'page_size');
  expectStatus(await official.get('/api/v1/clients?page_size=100000'), 400, 'invalid_field', 'page_size');
  expectStatus(await official.get('/api/v1/clients?page_size=0'), 400, 'invalid_field', 'page_size');
  const j = expectStatus(await official.get('/api/v1/clients?page_size=100'), 200);
  assert.equal(j.page_size, 100);
  assert.ok(j.items.length <= 100);
});

test('per-client request rate: 429 rate_limited with Retry-After, per session and per address', async () => {
  const small = await startServer({ env: { JINGKANG_RATE_LIMIT: '5/10' } });
  try {
    const a = await small.login('rehab_worker');
    const statuses = [];
    let limited;
    for (let i = 0; i < 30; i++) {
      const r = await a.get('/api/v1/session');
      statuses.push(r.status);
      if (r.status === 429 && !limited) limited = r;
    }
    assert.ok(statuses.filter((s) => s === 200).length >= 9, `some served first: ${statuses}`);
    assert.ok(limited, `no 429 in ${statuses}`);
    expectStatus(limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1, `Retry-After: ${limited.headers['retry-after']}`);
    // another session is not affected
    const b = await small.login('hospital_worker');
    expectStatus(await b.get('/api/v1/session'), 200);
    // the bucket refills: 5 a second
    await sleep(Number(limited.headers['retry-after']) * 1000 + 200);
    expectStatus(await a.get('/api/v1/session'), 200);
    // without a session, the address is the client
    const anon = small.anon();
    let anon429 = 0;
    for (let i = 0; i < 25; i++) if ((await anon.get('/api/v1/regions?parent=5104')).status === 429) anon429++;
    assert.ok(anon429 > 0, 'anonymous requests from one address are limited too');
  } finally {
    await small.close();
  }
});

test('slow-loris: 600 slow connections from 127.0.0.2 do not starve a client on 127.0.0.1', async () => {
  const port = Number(new URL(srv.base).port);
  const socks = [];
  let closedEarly = 0;
  const open = () => new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    s.on('error', () => {});
    s.on('close', () => { s.closed_ = true; });
    s.on('connect', () => {
      s.write('GET /api/v1/session HTTP/1.1\r\nHost: x\r\n');
      resolve(s);
    });
    setTimeout(() => resolve(s), 3000);
  });
  try {
    for (let i = 0; i < 600; i += 50) {
      socks.push(...await Promise.all(Array.from({ length: 50 }, open)));
    }
    // trickle one header byte every 2 s on every connection, for 10 s
    const trickle = setInterval(() => {
      for (const s of socks) if (!s.closed_) s.write('X');
    }, 2000);
    try {
      await sleep(1500);
      closedEarly = socks.filter((s) => s.closed_).length;
      // over the per-address limit of 512: refused
      assert.ok(closedEarly >= 600 - 512, `only ${closedEarly} of 600 slow connections refused`);
      // a normal client is answered quickly, repeatedly, while the slow ones are held
      const times = [];
      for (let i = 0; i < 20; i++) {
        const t0 = Date.now();
        const r = await request(srv.base, 'GET', '/healthz', { timeout: 5000 });
        assert.equal(r.status, 200);
        times.push(Date.now() - t0);
        expectStatus(await official.get('/api/v1/session'), 200);
        await sleep(200);
      }
      times.sort((x, y) => x - y);
      assert.ok(times[times.length - 1] < 1000, `slowest answer ${times[times.length - 1]} ms`);
      const held = socks.filter((s) => !s.closed_).length;
      assert.ok(held >= 400, `the slow connections were held (${held}), so they really competed`);
      console.log(`# slow-loris: ${closedEarly} refused, ${held} held; normal client p50 ${times[10]} ms, max ${times[19]} ms`);
    } finally {
      clearInterval(trickle);
    }
  } finally {
    for (const s of socks) s.destroy();
  }
  await sleep(300);
  expectStatus(await official.get('/api/v1/session'), 200);
});
