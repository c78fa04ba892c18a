// regions.test.mjs: administrative divisions (public, no login): lookup by statistical and
// GB/T 2260 codes at every level, children, name search, bad codes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectJson } from './helpers.mjs';

let srv;
let api;
before(async () => { srv = await startServer(); api = srv.anon(); });
after(async () => { await srv?.close(); });

const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'];

describe('GET /api/v1/regions/{code}', () => {
  test('510421 is 米易县, a county under 5104, with its path', async () => {
    const j = expectStatus(await api.get('/api/v1/regions/510421'), 200);
    expectJson(await api.get('/api/v1/regions/510421'));
    assert.equal(j.code, '510421');
    assert.equal(j.name, '米易县');
    assert.equal(j.level, 'county');
    assert.equal(j.parent, '5104');
    assert.equal(j.has_children, true);
    assert.deepEqual(j.path.map((p) => p.code), ['51', '5104', '510421']);
    assert.deepEqual(j.path.map((p) => p.name), ['四川省', '攀枝花市', '米易县']);
    assert.deepEqual(j.path.map((p) => p.level), ['province', 'prefecture', 'county']);
    assert.equal(j.path.map((p) => p.name).join('/'), '四川省/攀枝花市/米易县');
    if ('path_name' in j) assert.equal(j.path_name, '四川省/攀枝花市/米易县');
  });

  test('no login needed (no cookie, no token)', async () => {
    expectStatus(await srv.anon().get('/api/v1/regions/5104'), 200);
  });

  test('province 51 and prefecture 5104', async () => {
    const p = expectStatus(await api.get('/api/v1/regions/51'), 200);
    assert.equal(p.name, '四川省');
    assert.equal(p.level, 'province');
    assert.equal(p.parent ?? null, null);
    assert.deepEqual(p.path.map((x) => x.code), ['51']);
    const c = expectStatus(await api.get('/api/v1/regions/5104'), 200);
    assert.equal(c.name, '攀枝花市');
    assert.equal(c.level, 'prefecture');
    assert.equal(c.parent, '51');
  });

  test('6-digit GB/T 2260 codes: 510000 → 51, 510400 → 5104', async () => {
    const p = expectStatus(await api.get('/api/v1/regions/510000'), 200);
    assert.equal(p.code, '51');
    assert.equal(p.name, '四川省');
    const c = expectStatus(await api.get('/api/v1/regions/510400'), 200);
    assert.equal(c.code, '5104');
    assert.equal(c.name, '攀枝花市');
  });

  test('9-digit township and 12-digit village codes resolve (found via ?parent=)', async () => {
    const towns = expectStatus(await api.get('/api/v1/regions?parent=510421'), 200).items;
    assert.ok(towns.length > 0);
    const town = towns.find((t) => t.has_children);
    assert.ok(town, 'a township with villages');
    assert.match(town.code, /^510421\d{3}$/);
    const t = expectStatus(await api.get(`/api/v1/regions/${town.code}`), 200);
    assert.equal(t.level, 'township');
    assert.equal(t.parent, '510421');
    assert.equal(t.name, town.name);
    assert.deepEqual(t.path.map((x) => x.code), ['51', '5104', '510421', town.code]);

    const villages = expectStatus(await api.get(`/api/v1/regions?parent=${town.code}`), 200).items;
    assert.ok(villages.length > 0);
    const v = villages[0];
    assert.match(v.code, new RegExp(`^${town.code}\\d{3}$`));
    const vj = expectStatus(await api.get(`/api/v1/regions/${v.code}`), 200);
    assert.equal(vj.level, 'village');
    assert.equal(vj.parent, town.code);
    assert.equal(vj.has_children, false);
    assert.equal(vj.path.length, 5);
    assert.deepEqual(vj.path.map((x) => x.level), LEVELS);
  });

  test('a 12-digit code with a zero village part resolves to the township', async () => {
    const town = expectStatus(await api.get('/api/v1/regions?parent=510421'), 200).items[0];
    const j = expectStatus(await api.get(`/api/v1/regions/${town.code}000`), 200);
    assert.equal(j.code, town.code);
  });

  test('unknown but well-formed code: 404 not_found', async () => {
    expectStatus(await api.get('/api/v1/regions/519999'), 404, 'not_found');
    expectStatus(await api.get('/api/v1/regions/510421999'), 404, 'not_found');
  });

  test('garbage codes: 400', async () => {
    for (const bad of ['abc', '5104x1', '5104211', '51042', '1', '5104210001234', '%E7%B1%B3']) {
      const r = await api.get(`/api/v1/regions/${bad}`);
      expectStatus(r, 400);
      assert.ok(r.json?.error?.code, `${bad}: error code`);
    }
  });

  test('an unknown province code is refused', async () => {
    const r = await api.get('/api/v1/regions/99');
    assert.ok(r.status === 400 || r.status === 404, `99: ${r.status}`);
  });
});

describe('GET /api/v1/regions', () => {
  test('without parameters: the provinces', async () => {
    const j = expectStatus(await api.get('/api/v1/regions'), 200);
    assert.ok(Array.isArray(j.items));
    assert.ok(j.items.length >= 31, `at least 31 provinces, got ${j.items.length}`);
    assert.ok(j.items.every((x) => x.level === 'province' && /^\d{2}$/.test(x.code)));
    const sc = j.items.find((x) => x.code === '51');
    assert.equal(sc.name, '四川省');
    assert.equal(sc.has_children, true);
    for (const k of ['code', 'name', 'level', 'has_children']) assert.ok(k in sc, `item.${k}`);
  });

  test('?parent=5104 lists the counties of 攀枝花市', async () => {
    const j = expectStatus(await api.get('/api/v1/regions?parent=5104'), 200);
    const codes = j.items.map((x) => x.code);
    for (const c of ['510402', '510403', '510411', '510421', '510422']) assert.ok(codes.includes(c), `${c} listed`);
    assert.ok(j.items.every((x) => x.code.startsWith('5104') && x.level === 'county'));
    assert.equal(j.items.find((x) => x.code === '510422').name, '盐边县');
  });

  test('?parent= accepts the GB code 510400', async () => {
    const j = expectStatus(await api.get('/api/v1/regions?parent=510400'), 200);
    assert.ok(j.items.some((x) => x.code === '510421'));
  });

  test('?parent= of a village: empty list', async () => {
    const town = expectStatus(await api.get('/api/v1/regions?parent=510421'), 200).items[0];
    const v = expectStatus(await api.get(`/api/v1/regions?parent=${town.code}`), 200).items[0];
    const j = expectStatus(await api.get(`/api/v1/regions?parent=${v.code}`), 200);
    assert.deepEqual(j.items, []);
  });

  test('?parent=garbage: 400', async () => {
    expectStatus(await api.get('/api/v1/regions?parent=xyz'), 400);
  });

  test('?q=米易 finds 米易县 with its path_name', async () => {
    const j = expectStatus(await api.get(`/api/v1/regions?q=${encodeURIComponent('米易')}`), 200);
    const hit = j.items.find((x) => x.code === '510421');
    assert.ok(hit, `米易县 among ${j.items.map((x) => x.code)}`);
    assert.equal(hit.name, '米易县');
    assert.equal(hit.path_name, '四川省/攀枝花市/米易县');
    assert.ok(j.items.every((x) => x.name.includes('米易')), 'every match has 米易 in its name');
  });

  test('?q= returns at most 50 matches', async () => {
    const j = expectStatus(await api.get(`/api/v1/regions?q=${encodeURIComponent('村')}`), 200);
    assert.ok(j.items.length <= 50, `${j.items.length} items`);
    assert.ok(j.items.length > 0);
  });

  test('?q= with no match: empty list', async () => {
    const j = expectStatus(await api.get(`/api/v1/regions?q=${encodeURIComponent('不存在的地名乙丙丁')}`), 200);
    assert.deepEqual(j.items, []);
  });

  test('?q= that is too long is refused, an empty one finds nothing or is refused', async () => {
    expectStatus(await api.get(`/api/v1/regions?q=${encodeURIComponent('长'.repeat(100))}`), 400);
    const r = await api.get('/api/v1/regions?q=');
    assert.ok(r.status === 400 || (r.status === 200 && r.json.items.every((x) => x.level === 'province')),
      `empty q: ${r.status} ${r.text.slice(0, 200)}`);
  });

  test('SQL-ish input is just a name that matches nothing', async () => {
    const r = await api.get(`/api/v1/regions?q=${encodeURIComponent("' OR 1=1 --")}`);
    const j = expectStatus(r, 200);
    assert.deepEqual(j.items, []);
  });
});
