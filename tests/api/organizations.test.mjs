// organizations.test.mjs: the directory of organizations — create, read, update, list with
// filters, validation of every field, and who may change what.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectPage, UUID_RE, TIME_RE } from './helpers.mjs';

let srv;
let sysadmin;
before(async () => {
  srv = await startServer();
  sysadmin = await srv.login('sysadmin');
});
after(async () => { await srv?.close(); });

let seq = 0;
const orgBody = (over = {}) => ({
  name: `测试康复中心${Date.now() % 100000}-${++seq}`,
  kind: 'rehab_institution',
  region: '510421',
  address: '米易县攀莲镇测试路1号',
  location: { lat: 26.8871, lng: 102.1098 },
  capacity: 30,
  operating_mode: 'purchased',
  functions: ['day_care', 'vocational'],
  services: [{ name: '日间照料', price_fen: 3000, unit: '天' }, { name: '居家康复指导', price_fen: 5000, unit: '次' }],
  phone: '0812-8888888',
  contact: '王主任',
  ...over,
});

const ORG_FIELDS = ['id', 'name', 'kind', 'region', 'region_name', 'address', 'location', 'capacity', 'operating_mode',
  'functions', 'services', 'phone', 'contact', 'created_at', 'updated_at'];

describe('POST /api/v1/organizations', () => {
  test('sysadmin creates: 201 with id, region_name and times', async () => {
    const body = orgBody();
    const r = await sysadmin.post('/api/v1/organizations', body);
    const j = expectStatus(r, 201);
    for (const f of ORG_FIELDS) assert.ok(f in j, `organization.${f}`);
    assert.match(j.id, UUID_RE);
    assert.equal(j.name, body.name);
    assert.equal(j.kind, 'rehab_institution');
    assert.equal(j.region, '510421');
    assert.equal(j.region_name, '米易县');
    assert.equal(j.address, body.address);
    assert.ok(Math.abs(j.location.lat - 26.8871) < 1e-6 && Math.abs(j.location.lng - 102.1098) < 1e-6);
    assert.equal(j.capacity, 30);
    assert.equal(j.operating_mode, 'purchased');
    assert.deepEqual(j.functions, ['day_care', 'vocational']);
    assert.deepEqual(j.services, body.services);
    assert.equal(j.phone, body.phone);
    assert.equal(j.contact, '王主任');
    assert.match(j.created_at, TIME_RE);
    assert.match(j.updated_at, TIME_RE);
  });

  test('only the required fields', async () => {
    const body = { name: '最小机构', kind: 'employer', region: '510422', address: '盐边县', location: { lat: 26.68, lng: 101.85 } };
    const j = expectStatus(await sysadmin.post('/api/v1/organizations', body), 201);
    assert.equal(j.capacity ?? 0, 0);
    assert.deepEqual(j.functions ?? [], []);
    assert.deepEqual(j.services ?? [], []);
  });

  test('every kind, operating mode and function is accepted', async () => {
    for (const kind of ['hospital', 'rehab_institution', 'employer', 'community', 'social_org', 'government']) {
      expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ kind })), 201);
    }
    for (const operating_mode of ['public', 'public_private', 'purchased', 'private_nonprofit']) {
      expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ operating_mode })), 201);
    }
    const all = ['residential', 'day_care', 'home_support', 'transitional_housing', 'vocational', 'assessment_referral', 'training_supervision', 'service_demonstration'];
    const j = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ functions: all })), 201);
    assert.deepEqual([...j.functions].sort(), [...all].sort());
  });

  test('the GB code 510400 is stored as 5104', async () => {
    const j = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ kind: 'government', region: '510400' })), 201);
    assert.equal(j.region, '5104');
    assert.equal(j.region_name, '攀枝花市');
  });

  describe('validation', () => {
    const bad = async (over, code, field) => {
      const body = orgBody(over);
      for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k];
      return expectStatus(await sysadmin.post('/api/v1/organizations', body), 400, code, field);
    };

    test('missing name: 400 missing_field', () => bad({ name: undefined }, 'missing_field', 'name'));
    test('blank name: 400', async () => {
      const r = await sysadmin.post('/api/v1/organizations', orgBody({ name: '   ' }));
      expectStatus(r, 400);
      assert.equal(r.json.error.field, 'name');
    });
    test('missing kind: 400 missing_field', () => bad({ kind: undefined }, 'missing_field', 'kind'));
    test('missing region: 400 missing_field', () => bad({ region: undefined }, 'missing_field', 'region'));
    test('missing address: 400 missing_field', () => bad({ address: undefined }, 'missing_field', 'address'));
    test('missing location: 400 missing_field', () => bad({ location: undefined }, 'missing_field', 'location'));
    test('bad kind: 400 invalid_field', () => bad({ kind: 'hotel' }, 'invalid_field', 'kind'));
    test('bad operating mode: 400 invalid_field', () => bad({ operating_mode: 'for_profit' }, 'invalid_field', 'operating_mode'));
    test('bad function: 400 invalid_field', () => bad({ functions: ['day_care', 'karaoke'] }, 'invalid_field', 'functions'));
    test('functions not an array: 400 invalid_field', () => bad({ functions: 'day_care' }, 'invalid_field', 'functions'));
    test('malformed region: 400 invalid_field', () => bad({ region: '51042X' }, 'invalid_field', 'region'));
    test('nonexistent region: 400 invalid_field', () => bad({ region: '519999' }, 'invalid_field', 'region'));
    test('region of the wrong type: 400 invalid_field', () => bad({ region: 510421 }, 'invalid_field', 'region'));
    test('latitude out of range: 400', () => bad({ location: { lat: 95, lng: 102.1 } }, 'invalid_field', 'location'));
    test('longitude out of range: 400', () => bad({ location: { lat: 26.9, lng: 200 } }, 'invalid_field', 'location'));
    test('location without lng: 400', () => bad({ location: { lat: 26.9 } }, 'invalid_field', 'location'));
    test('location as strings: 400', () => bad({ location: { lat: '26.9', lng: '102.1' } }, 'invalid_field', 'location'));
    test('negative capacity: 400 invalid_field', () => bad({ capacity: -1 }, 'invalid_field', 'capacity'));
    test('fractional capacity: 400 invalid_field', () => bad({ capacity: 2.5 }, 'invalid_field', 'capacity'));
    test('capacity as a string: 400 invalid_field', () => bad({ capacity: '30' }, 'invalid_field', 'capacity'));
    test('unknown field: 400 unknown_field', () => bad({ director: '张三' }, 'unknown_field'));
    test('unknown field inside a service: 400 unknown_field', () =>
      bad({ services: [{ name: '日间照料', price_fen: 3000, unit: '天', discount: 10 }] }, 'unknown_field'));

    test('price must be integer fen: 30.5 yuan-style decimals refused', async () => {
      const j = await bad({ services: [{ name: '日间照料', price_fen: 30.5, unit: '天' }] }, 'invalid_field');
      assert.ok(['services', 'price_fen'].includes(j.error.field), `field ${j.error.field}`);
    });
    test('price as a string refused', async () => {
      const j = await bad({ services: [{ name: '日间照料', price_fen: '3000', unit: '天' }] }, 'invalid_field');
      assert.ok(['services', 'price_fen'].includes(j.error.field), `field ${j.error.field}`);
    });
    test('negative price refused', async () => {
      await bad({ services: [{ name: '日间照料', price_fen: -100, unit: '天' }] }, 'invalid_field');
    });
    test('a service without a name refused', async () => {
      const r = await sysadmin.post('/api/v1/organizations', orgBody({ services: [{ price_fen: 100 }] }));
      expectStatus(r, 400);
    });
    test('a price of 0 (free) is fine', async () => {
      expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ services: [{ name: '职业康复训练', price_fen: 0, unit: '月' }] })), 201);
    });
    test('malformed JSON: 400 bad_json', async () => {
      expectStatus(await sysadmin.post('/api/v1/organizations', '{"name":'), 400, 'bad_json');
    });
    test('wrong content type: 415', async () => {
      expectStatus(await sysadmin.post('/api/v1/organizations', JSON.stringify(orgBody()), { contentType: 'text/plain' }), 415, 'unsupported_media_type');
    });
  });

  describe('who may create', () => {
    test('official of 510421 may create in 510421 and below', async () => {
      const api = await srv.login('county_official');
      expectStatus(await api.post('/api/v1/organizations', orgBody({ region: '510421' })), 201);
      const town = (await api.get('/api/v1/regions?parent=510421')).json.items[0];
      expectStatus(await api.post('/api/v1/organizations', orgBody({ kind: 'community', region: town.code })), 201);
    });

    test('official of 510421 may not create in 510422: 403', async () => {
      const api = await srv.login('county_official');
      expectStatus(await api.post('/api/v1/organizations', orgBody({ region: '510422' })), 403, 'forbidden');
    });

    test('official of 510421 may not create for the whole prefecture 5104: 403', async () => {
      const api = await srv.login('county_official');
      expectStatus(await api.post('/api/v1/organizations', orgBody({ kind: 'government', region: '5104' })), 403, 'forbidden');
    });

    test('city official (5104) may create in any of its counties', async () => {
      const api = await srv.login('city_official');
      expectStatus(await api.post('/api/v1/organizations', orgBody({ region: '510422' })), 201);
    });

    for (const u of ['rehab_worker', 'hospital_worker', 'referral_worker', 'secadmin', 'auditor', 'evaluator']) {
      test(`${u} cannot create: 403`, async () => {
        const api = await srv.login(u);
        expectStatus(await api.post('/api/v1/organizations', orgBody()), 403, 'forbidden');
      });
    }

    test('without login: 401', async () => {
      expectStatus(await srv.anon().post('/api/v1/organizations', orgBody()), 401, 'unauthenticated');
    });
  });
});

describe('GET /api/v1/organizations/{id}', () => {
  test('any logged-in role reads it', async () => {
    const created = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    for (const u of ['sysadmin', 'county_official2', 'rehab_worker', 'hospital_worker', 'auditor', 'evaluator', 'referral_worker']) {
      const api = await srv.login(u);
      const j = expectStatus(await api.get(`/api/v1/organizations/${created.id}`), 200);
      assert.deepEqual(j, created, `${u} sees the same organization`);
    }
  });

  test('unknown id: 404', async () => {
    expectStatus(await sysadmin.get('/api/v1/organizations/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectStatus(await sysadmin.get('/api/v1/organizations/not-a-uuid'), 404, 'not_found');
  });

  test('without login: 401', async () => {
    const created = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    expectStatus(await srv.anon().get(`/api/v1/organizations/${created.id}`), 401, 'unauthenticated');
  });
});

describe('PATCH /api/v1/organizations/{id}', () => {
  test('sysadmin changes a subset; the rest stays', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    const r = await sysadmin.patch(`/api/v1/organizations/${c.id}`, { name: `${c.name}（新）`, capacity: 45 });
    const j = expectStatus(r, 200);
    assert.equal(j.name, `${c.name}（新）`);
    assert.equal(j.capacity, 45);
    assert.equal(j.kind, c.kind);
    assert.deepEqual(j.services, c.services);
    assert.equal(j.created_at, c.created_at);
    const again = expectStatus(await sysadmin.get(`/api/v1/organizations/${c.id}`), 200);
    assert.equal(again.name, j.name);
    assert.equal(again.capacity, 45);
  });

  test('services and functions can be replaced', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    const j = expectStatus(await sysadmin.patch(`/api/v1/organizations/${c.id}`, {
      functions: ['residential'], services: [{ name: '集中托养', price_fen: 180000, unit: '月' }],
    }), 200);
    assert.deepEqual(j.functions, ['residential']);
    assert.deepEqual(j.services, [{ name: '集中托养', price_fen: 180000, unit: '月' }]);
  });

  test('validation applies to PATCH too', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    const p = (b) => sysadmin.patch(`/api/v1/organizations/${c.id}`, b);
    expectStatus(await p({ capacity: -5 }), 400, 'invalid_field', 'capacity');
    expectStatus(await p({ kind: 'spaceship' }), 400, 'invalid_field', 'kind');
    expectStatus(await p({ location: { lat: -91, lng: 102 } }), 400, 'invalid_field', 'location');
    expectStatus(await p({ id: '00000000-0000-4000-8000-000000000000' }), 400, 'unknown_field');
    expectStatus(await p({ created_at: '2020-01-01T00:00:00+08:00' }), 400, 'unknown_field');
    const after = expectStatus(await sysadmin.get(`/api/v1/organizations/${c.id}`), 200);
    assert.deepEqual(after, c, 'a refused PATCH changes nothing');
  });

  test('a required field cannot be blanked by PATCH: 400', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    const r = await sysadmin.patch(`/api/v1/organizations/${c.id}`, { name: '' });
    expectStatus(r, 400);
    assert.equal(r.json.error.field, 'name');
    const after = expectStatus(await sysadmin.get(`/api/v1/organizations/${c.id}`), 200);
    assert.equal(after.name, c.name);
  });

  test('official of 510421 updates one in 510421 but not one in 510422 (403)', async () => {
    const api = await srv.login('county_official');
    const mine = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ region: '510421' })), 201);
    const theirs = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ region: '510422' })), 201);
    expectStatus(await api.patch(`/api/v1/organizations/${mine.id}`, { capacity: 12 }), 200);
    expectStatus(await api.patch(`/api/v1/organizations/${theirs.id}`, { capacity: 12 }), 403, 'forbidden');
  });

  test('official of 510421 cannot move an organization out of the county', async () => {
    const api = await srv.login('county_official');
    const mine = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ region: '510421' })), 201);
    expectStatus(await api.patch(`/api/v1/organizations/${mine.id}`, { region: '510422' }), 403, 'forbidden');
    const after = expectStatus(await api.get(`/api/v1/organizations/${mine.id}`), 200);
    assert.equal(after.region, '510421');
  });

  test('staff may update their own organization, not another', async () => {
    const api = await srv.login('rehab_worker');
    const own = api.user.organization;
    assert.match(own, UUID_RE);
    const j = expectStatus(await api.patch(`/api/v1/organizations/${own}`, { phone: '0812-8123456' }), 200);
    assert.equal(j.phone, '0812-8123456');
    const other = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    expectStatus(await api.patch(`/api/v1/organizations/${other.id}`, { phone: '0812-8123456' }), 403, 'forbidden');
  });

  test('auditor and evaluator cannot update: 403', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/organizations', orgBody()), 201);
    for (const u of ['auditor', 'evaluator', 'secadmin', 'referral_worker']) {
      const api = await srv.login(u);
      expectStatus(await api.patch(`/api/v1/organizations/${c.id}`, { capacity: 1 }), 403, 'forbidden');
    }
  });

  test('unknown id: 404', async () => {
    expectStatus(await sysadmin.patch('/api/v1/organizations/00000000-0000-4000-8000-000000000000', { capacity: 1 }), 404, 'not_found');
  });
});

describe('GET /api/v1/organizations', () => {
  test('envelope and default paging', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/organizations'), 200);
    expectPage(j);
    assert.ok(j.total >= 16, 'the demo organizations are there');
  });

  test('?kind= filters', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/organizations?kind=rehab_institution&page_size=100'), 200);
    expectPage(j, { pageSize: 100 });
    assert.ok(j.items.length > 0);
    assert.ok(j.items.every((o) => o.kind === 'rehab_institution'));
    assert.ok(j.items.some((o) => o.name === '米易县精康家园社区康复中心'));
  });

  test('?region= filters by subtree', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/organizations?region=510421&page_size=100'), 200);
    assert.ok(j.items.length > 0);
    assert.ok(j.items.every((o) => o.region.startsWith('510421')), j.items.map((o) => o.region).join(','));
    const all = expectStatus(await sysadmin.get('/api/v1/organizations?region=5104&page_size=100'), 200);
    assert.ok(all.total >= j.total);
  });

  test('?q= finds by name', async () => {
    const name = `独一无二的机构名${Date.now()}`;
    expectStatus(await sysadmin.post('/api/v1/organizations', orgBody({ name })), 201);
    const j = expectStatus(await sysadmin.get(`/api/v1/organizations?q=${encodeURIComponent('独一无二的机构')}`), 200);
    assert.equal(j.total, 1);
    assert.equal(j.items[0].name, name);
  });

  test('filters combine', async () => {
    const j = expectStatus(await sysadmin.get(`/api/v1/organizations?kind=hospital&region=510421&q=${encodeURIComponent('米易')}`), 200);
    assert.ok(j.items.every((o) => o.kind === 'hospital' && o.region.startsWith('510421') && o.name.includes('米易')));
    assert.ok(j.items.length >= 1);
  });

  test('paging', async () => {
    const p1 = expectStatus(await sysadmin.get('/api/v1/organizations?page=1&page_size=2'), 200);
    expectPage(p1, { pageSize: 2 });
    assert.equal(p1.items.length, 2);
    const p2 = expectStatus(await sysadmin.get('/api/v1/organizations?page=2&page_size=2'), 200);
    expectPage(p2, { pageSize: 2, page: 2 });
    assert.notDeepEqual(p1.items.map((o) => o.id), p2.items.map((o) => o.id));
    assert.equal(p1.total, p2.total);
  });

  test('bad paging and filters: 400', async () => {
    expectStatus(await sysadmin.get('/api/v1/organizations?page_size=101'), 400);
    expectStatus(await sysadmin.get('/api/v1/organizations?page_size=0'), 400);
    expectStatus(await sysadmin.get('/api/v1/organizations?page=0'), 400);
    expectStatus(await sysadmin.get('/api/v1/organizations?page=abc'), 400);
    expectStatus(await sysadmin.get('/api/v1/organizations?kind=hotel'), 400, 'invalid_field', 'kind');
    expectStatus(await sysadmin.get('/api/v1/organizations?region=xx'), 400);
  });

  test('every logged-in role may list; anonymous may not', async () => {
    for (const u of ['evaluator', 'auditor', 'rehab_worker', 'county_official2']) {
      const api = await srv.login(u);
      expectStatus(await api.get('/api/v1/organizations'), 200);
    }
    expectStatus(await srv.anon().get('/api/v1/organizations'), 401, 'unauthenticated');
  });
});
