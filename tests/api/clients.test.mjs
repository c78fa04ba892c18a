// clients.test.mjs: client records (康复对象) — registration with ID number checks, masking,
// duplicates, lookup by ID number, the audited reveal, updates, lists, the scope of every
// role, bearer tokens, and malformed input.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, expectStatus, expectPage, expectJson, makeIdNumber, breakCheck, checkChar, uniqueName, mobile, maskId,
  villageOf, randomBirth, UUID_RE, TIME_RE,
} from './helpers.mjs';

let srv;
let rehab;        // rehab_worker: staff of 米易县精康家园 (510421)
let county;       // county_official: 510421
let county2;      // county_official2: 510422
let city;         // city_official: 5104
let referral;     // referral_worker: 5104
let hospital;     // hospital_worker: 攀枝花市精神卫生中心
let village;      // a real 12-digit village code in 510421
let village2;     // one in 510422

before(async () => {
  srv = await startServer();
  [rehab, county, county2, city, referral, hospital] = await Promise.all(
    ['rehab_worker', 'county_official', 'county_official2', 'city_official', 'referral_worker', 'hospital_worker'].map((u) => srv.login(u)));
  village = (await villageOf(srv.base, '510421')).village.code;
  village2 = (await villageOf(srv.base, '510422')).village.code;
});
after(async () => { await srv?.close(); });

const CLIENT_FIELDS = ['id', 'name', 'sex', 'birth_date', 'age', 'id_number_masked', 'phone_masked', 'address_masked',
  'residence_region', 'residence_region_name', 'hukou_region', 'hukou_region_name', 'diagnosis', 'diagnosis_name',
  'severe_disorder', 'disability_certificate_masked', 'disability_category', 'disability_grade', 'guardians',
  'organization', 'organization_name', 'status', 'notes', 'created_at', 'updated_at'];

/** Asserts none of the secrets occurs in the raw answer text. */
function noPlain(r, ...secrets) {
  for (const s of secrets.filter(Boolean)) {
    assert.ok(!r.text.includes(s), `the answer must not contain ${JSON.stringify(s)}: ${r.text.slice(0, 300)}`);
  }
}

function body(over = {}) {
  const county_ = (over.residence_region || village).slice(0, 6);
  const region = county_.length === 6 ? county_ : '510421';
  return { name: uniqueName(), id_number: makeIdNumber({ region }), residence_region: village, ...over };
}

async function create(api, over = {}) {
  const b = body(over);
  const r = await api.post('/api/v1/clients', b);
  const j = expectStatus(r, 201);
  noPlain(r, b.id_number, b.phone, b.address);
  return { b, j, r };
}

function age(birth) {
  const [y, m, d] = birth.split('-').map(Number);
  const now = new Date(Date.now() + 8 * 3600_000); // Asia/Shanghai
  let a = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) a--;
  return a;
}

describe('POST /api/v1/clients', () => {
  test('rehab_worker registers a client of their organization: 201, derived and masked fields', async () => {
    const birth = randomBirth(1980, 2000);
    const id = makeIdNumber({ region: '510421', birth, sex: 'female' });
    const phone = '13812345678';
    const address = '米易县攀莲镇安宁路66号3单元502';
    const b = {
      name: uniqueName(), id_number: id, phone, address, residence_region: village, hukou_region: '510421',
      diagnosis: 'F20.0', guardians: [{ name: uniqueName(), relation: '母亲', phone: '13987654321' }], notes: '首次登记',
    };
    const r = await rehab.post('/api/v1/clients', b);
    const j = expectStatus(r, 201);
    expectJson(r);
    for (const f of CLIENT_FIELDS) assert.ok(f in j, `client.${f}`);
    assert.match(j.id, UUID_RE);
    assert.equal(j.name, b.name);
    assert.equal(j.sex, 'female');
    assert.equal(j.birth_date, birth);
    assert.equal(j.age, age(birth));
    assert.equal(j.id_number_masked, maskId(id));
    assert.equal(j.phone_masked, '138****5678');
    assert.ok(j.address_masked && !j.address_masked.includes('66号'), `address masked: ${j.address_masked}`);
    assert.equal(j.residence_region, village);
    assert.equal(typeof j.residence_region_name, 'string');
    assert.equal(j.hukou_region, '510421');
    assert.equal(j.hukou_region_name, '米易县');
    assert.equal(j.diagnosis, 'F20.0');
    assert.equal(typeof j.diagnosis_name, 'string');
    assert.equal(j.severe_disorder, true);
    assert.equal(j.guardians.length, 1);
    assert.equal(j.guardians[0].relation, '母亲');
    assert.equal(j.guardians[0].phone_masked, '139****4321');
    assert.ok(!('phone' in j.guardians[0]), 'no full guardian phone');
    assert.equal(j.organization, rehab.user.organization, 'staff: their own organization by default');
    assert.equal(j.organization_name, rehab.user.organization_name);
    assert.equal(j.status, 'registered');
    assert.equal(j.notes, '首次登记');
    assert.match(j.created_at, TIME_RE);
    assert.match(j.updated_at, TIME_RE);
    assert.ok(!('id_number' in j) && !('phone' in j) && !('address' in j), 'no full-value fields');
    noPlain(r, id, phone, address, '13987654321');
    if ('warnings' in j) assert.deepEqual(j.warnings, []);
  });

  test('sex follows the 17th digit', async () => {
    const m = await create(rehab, { id_number: makeIdNumber({ sex: 'male' }) });
    assert.equal(m.j.sex, 'male');
    const f = await create(rehab, { id_number: makeIdNumber({ sex: 'female' }) });
    assert.equal(f.j.sex, 'female');
  });

  test('county_official registers in their county', async () => {
    const { j } = await create(county, { residence_region: '510421' });
    assert.equal(j.residence_region, '510421');
    assert.equal(j.residence_region_name, '米易县');
    assert.equal(j.organization, null);
  });

  test('county_official may name an institution as the organization', async () => {
    const { j } = await create(county, { organization: rehab.user.organization });
    assert.equal(j.organization, rehab.user.organization);
    // and then the institution's staff see the client
    expectStatus(await rehab.get(`/api/v1/clients/${j.id}`), 200);
  });

  test('county_official may not register a client living in 510422', async () => {
    const r = await county.post('/api/v1/clients', body({ residence_region: village2 }));
    assert.ok(r.status === 403 || r.status === 404, `${r.status} ${r.text}`);
  });

  test('staff cannot register a client for another organization', async () => {
    const r = await hospital.post('/api/v1/clients', body({ organization: rehab.user.organization }));
    assert.ok(r.status === 400 || r.status === 403, `${r.status} ${r.text}`);
  });

  test('lowercase x is accepted and stored as X', async () => {
    const id = makeIdNumber({ check: 'X' });
    const r = await rehab.post('/api/v1/clients', body({ id_number: id.toLowerCase() }));
    const j = expectStatus(r, 201);
    assert.equal(j.id_number_masked, maskId(id));
    assert.ok(j.id_number_masked.endsWith('X'));
    noPlain(r, id, id.toLowerCase());
    const rev = expectStatus(await rehab.post(`/api/v1/clients/${j.id}/reveal`, { fields: ['id_number'], reason: '核对' }), 200);
    assert.equal(rev.id_number, id);
    // the same person with an uppercase X is a duplicate
    expectStatus(await rehab.post('/api/v1/clients', body({ id_number: id })), 409, 'duplicate_id_number');
  });

  test('a 15-digit number is upgraded to 18 digits', async () => {
    const yy = String(70 + Math.floor(Math.random() * 20));
    const old15 = `510421${yy}0315${String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')}`;
    const first17 = `51042119${old15.slice(6)}`;
    const full = first17 + checkChar(first17);
    const r = await rehab.post('/api/v1/clients', body({ id_number: old15 }));
    const j = expectStatus(r, 201);
    assert.equal(j.birth_date, `19${yy}-03-15`);
    assert.equal(j.id_number_masked, maskId(full));
    noPlain(r, old15, full);
    const rev = expectStatus(await rehab.post(`/api/v1/clients/${j.id}/reveal`, { fields: ['id_number'], reason: '核对' }), 200);
    assert.equal(rev.id_number, full);
    const dup = await rehab.post('/api/v1/clients', body({ id_number: full }));
    expectStatus(dup, 409, 'duplicate_id_number');
    assert.equal(dup.json.error.existing_id, j.id);
  });

  describe('ID number validation: 400 invalid_id_number, field id_number', () => {
    const bad = async (id_number) => {
      const r = await rehab.post('/api/v1/clients', body({ id_number }));
      expectStatus(r, 400, 'invalid_id_number', 'id_number');
      noPlain(r, id_number);
    };
    test('wrong check digit', () => bad(breakCheck(makeIdNumber())));
    test('future birth date', () => bad(makeIdNumber({ birth: `${new Date().getFullYear() + 1}-06-15` })));
    test('impossible birth date (Feb 30)', () => {
      const f = '51042119900230123';
      return bad(f + checkChar(f));
    });
    test('too short', () => bad('51042119900101'));
    test('17 digits', () => bad('51042119900101123'));
    test('letters inside', () => {
      const id = makeIdNumber();
      return bad(`${id.slice(0, 8)}AB${id.slice(10)}`);
    });
    test('unknown province', () => {
      const f = '99042119900101123';
      return bad(f + checkChar(f));
    });
    test('X anywhere but last', () => bad('5104211990010112X3'));
  });

  test('duplicate ID number: 409 duplicate_id_number with existing_id', async () => {
    const { b, j } = await create(rehab);
    const r = await rehab.post('/api/v1/clients', { ...b, name: uniqueName() });
    expectStatus(r, 409, 'duplicate_id_number');
    assert.equal(r.json.error.existing_id, j.id);
    noPlain(r, b.id_number);
  });

  test('duplicate across scopes: still 409 (the ID number is unique system-wide)', async () => {
    const { b } = await create(rehab);
    const r = await county.post('/api/v1/clients', { ...b, residence_region: '510421' });
    expectStatus(r, 409, 'duplicate_id_number');
  });

  test('likely duplicate (same name, birth date and county; other ID): 201 with possible_duplicate', async () => {
    const birth = randomBirth(1980, 2000);
    const name = uniqueName();
    const first = await create(rehab, { name, id_number: makeIdNumber({ birth }) });
    const r = await rehab.post('/api/v1/clients', body({ name, id_number: makeIdNumber({ birth }), residence_region: '510421' }));
    const j = expectStatus(r, 201);
    assert.ok(Array.isArray(j.warnings) && j.warnings.length >= 1, `warnings: ${JSON.stringify(j.warnings)}`);
    assert.equal(j.warnings[0].code, 'possible_duplicate');
    assert.equal(typeof j.warnings[0].message, 'string');
    assert.ok(j.warnings[0].client_ids.includes(first.j.id), 'names the earlier client');
  });

  test('same name, different birth date: no warning', async () => {
    const name = uniqueName();
    await create(rehab, { name, id_number: makeIdNumber({ birth: '1985-01-01' }) });
    const { j } = await create(rehab, { name, id_number: makeIdNumber({ birth: '1986-02-02' }) });
    assert.deepEqual(j.warnings ?? [], []);
  });

  describe('field validation', () => {
    test('missing name: 400 missing_field', async () => {
      const b = body();
      delete b.name;
      expectStatus(await rehab.post('/api/v1/clients', b), 400, 'missing_field', 'name');
    });
    test('missing id_number: 400 missing_field', async () => {
      const b = body();
      delete b.id_number;
      expectStatus(await rehab.post('/api/v1/clients', b), 400, 'missing_field', 'id_number');
    });
    test('missing residence_region: 400 missing_field', async () => {
      const b = body();
      delete b.residence_region;
      expectStatus(await rehab.post('/api/v1/clients', b), 400, 'missing_field', 'residence_region');
    });
    test('residence region coarser than a county: 400', async () => {
      const r = await county.post('/api/v1/clients', body({ residence_region: '5104' }));
      expectStatus(r, 400, undefined, 'residence_region');
    });
    test('nonexistent residence region: 400', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ residence_region: '510421999' })), 400, undefined, 'residence_region');
    });
    test('bad phone: 400 field phone', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ phone: '12345' })), 400, undefined, 'phone');
      expectStatus(await rehab.post('/api/v1/clients', body({ phone: 'call me' })), 400, undefined, 'phone');
    });
    test('a landline with area code is a phone', async () => {
      const { j } = await create(rehab, { phone: '0812-8123456' });
      assert.ok(j.phone_masked.endsWith('3456') && !j.phone_masked.includes('8123456'), j.phone_masked);
    });
    test('bad status: 400 field status', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ status: 'hospitalized' })), 400, 'invalid_field', 'status');
    });
    test('every status is accepted', async () => {
      for (const status of ['registered', 'in_service', 'closed', 'moved', 'deceased']) {
        const { j } = await create(rehab, { status });
        assert.equal(j.status, status);
      }
    });
    test('guardian without relation: 400', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ guardians: [{ name: '张三' }] })), 400);
    });
    test('guardian with a bad phone: 400', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ guardians: [{ name: '张三', relation: '父亲', phone: '999' }] })), 400);
    });
    test('guardians not an array: 400', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ guardians: { name: '张三', relation: '父亲' } })), 400, 'invalid_field', 'guardians');
    });
    test('unknown organization: 400', async () => {
      const r = await county.post('/api/v1/clients', body({ organization: '00000000-0000-4000-8000-000000000000' }));
      expectStatus(r, 400, 'invalid_field', 'organization');
    });
  });

  describe('diagnosis (ICD-10 chapter F)', () => {
    test('F20.0 is a severe disorder, with a name', async () => {
      const { j } = await create(rehab, { diagnosis: 'F20.0' });
      assert.equal(j.diagnosis, 'F20.0');
      assert.equal(j.severe_disorder, true);
      assert.ok(j.diagnosis_name && j.diagnosis_name.length > 0);
    });
    test('F32.1 (depression) is not one of the six', async () => {
      const { j } = await create(rehab, { diagnosis: 'F32.1' });
      assert.equal(j.severe_disorder, false);
    });
    test('the six severe categories', async () => {
      for (const d of ['F20.9', 'F25.0', 'F22.0', 'F31.2', 'F06.2', 'F71']) {
        const { j } = await create(rehab, { diagnosis: d });
        assert.equal(j.severe_disorder, true, d);
      }
    });
    test('undotted and lowercase forms are normalized', async () => {
      const a = await create(rehab, { diagnosis: 'F200' });
      assert.equal(a.j.diagnosis, 'F20.0');
      const b = await create(rehab, { diagnosis: 'f31.2' });
      assert.equal(b.j.diagnosis, 'F31.2');
    });
    for (const d of ['G40.1', 'F1', 'F27', 'F20.000', 'schizophrenia', 'F2O.0']) {
      test(`${d} is refused: 400 field diagnosis`, async () => {
        const r = await rehab.post('/api/v1/clients', body({ diagnosis: d }));
        expectStatus(r, 400, undefined, 'diagnosis');
      });
    }
  });

  describe('disability certificate (20 = ID number + category + grade)', () => {
    test('valid psychiatric certificate: category 6, grade 2, masked', async () => {
      const id = makeIdNumber();
      const cert = `${id}62`;
      const { j, r } = await create(rehab, { id_number: id, disability_certificate: cert });
      assert.equal(j.disability_category, 6);
      assert.equal(j.disability_grade, 2);
      assert.equal(typeof j.disability_certificate_masked, 'string');
      assert.ok(j.disability_certificate_masked.includes('*'));
      noPlain(r, cert);
    });
    test('multiple disability (7) grade 4 accepted', async () => {
      const id = makeIdNumber();
      const { j } = await create(rehab, { id_number: id, disability_certificate: `${id}74` });
      assert.equal(j.disability_category, 7);
      assert.equal(j.disability_grade, 4);
    });
    test('lowercase x in the certificate accepted', async () => {
      const id = makeIdNumber({ check: 'X' });
      await create(rehab, { id_number: id, disability_certificate: `${id.toLowerCase()}63` });
    });
    const bad = async (cert, idOver) => {
      const id = idOver || makeIdNumber();
      const r = await rehab.post('/api/v1/clients', body({ id_number: id, disability_certificate: cert(id) }));
      expectStatus(r, 400, undefined, 'disability_certificate');
    };
    test('another person\'s ID number in it: 400', () => bad(() => `${makeIdNumber()}62`));
    test('visual disability (category 1): 400', () => bad((id) => `${id}12`));
    test('grade 5: 400', () => bad((id) => `${id}65`));
    test('19 characters: 400', () => bad((id) => `${id}6`));
    test('21 characters: 400', () => bad((id) => `${id}621`));
  });

  describe('malformed requests', () => {
    test('malformed JSON: 400 bad_json', async () => {
      expectStatus(await rehab.post('/api/v1/clients', '{"name": "张三", '), 400, 'bad_json');
    });
    test('not an object: 400 bad_json', async () => {
      expectStatus(await rehab.post('/api/v1/clients', '[1,2,3]'), 400, 'bad_json');
      expectStatus(await rehab.post('/api/v1/clients', '"text"'), 400, 'bad_json');
    });
    test('empty body: 400 bad_json', async () => {
      expectStatus(await rehab.post('/api/v1/clients', ''), 400, 'bad_json');
    });
    test('duplicate keys: 400 bad_json', async () => {
      const b = body();
      const raw = `{"name":"${b.name}","name":"另一个名字","id_number":"${b.id_number}","residence_region":"${b.residence_region}"}`;
      expectStatus(await rehab.post('/api/v1/clients', raw), 400, 'bad_json');
    });
    test('wrong types: 400 invalid_field', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ name: 12345 })), 400, 'invalid_field', 'name');
      expectStatus(await rehab.post('/api/v1/clients', body({ id_number: 510421199001011234 })), 400, 'invalid_field', 'id_number');
      expectStatus(await rehab.post('/api/v1/clients', body({ residence_region: ['510421'] })), 400, 'invalid_field', 'residence_region');
      expectStatus(await rehab.post('/api/v1/clients', body({ notes: { text: 'x' } })), 400, 'invalid_field', 'notes');
      expectStatus(await rehab.post('/api/v1/clients', body({ status: true })), 400, 'invalid_field', 'status');
    });
    test('unknown field: 400 unknown_field', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ religion: '无' })), 400, 'unknown_field');
      expectStatus(await rehab.post('/api/v1/clients', body({ id: '00000000-0000-4000-8000-000000000000' })), 400, 'unknown_field');
      expectStatus(await rehab.post('/api/v1/clients', body({ severe_disorder: true })), 400, 'unknown_field');
    });
    test('unknown field inside a guardian: 400 unknown_field', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ guardians: [{ name: '张三', relation: '父亲', id_number: '1' }] })), 400, 'unknown_field');
    });
    test('body over 1 MiB: 413 body_too_large', async () => {
      const b = body({ notes: 'x'.repeat(1024 * 1024 + 100) });
      const r = await rehab.post('/api/v1/clients', b);
      expectStatus(r, 413, 'body_too_large');
    });
    test('a body just under 1 MiB is read (and refused for its content, not its size)', async () => {
      const b = body({ notes: '' });
      const raw = JSON.stringify(b);
      const padded = raw.slice(0, -1) + ' '.repeat(1024 * 1024 - raw.length - 16) + '}';
      const r = await rehab.post('/api/v1/clients', padded);
      assert.ok(r.status === 201 || r.status === 400, `${r.status} ${r.text.slice(0, 200)}`);
    });
    test('wrong content type: 415 unsupported_media_type', async () => {
      const r = await rehab.post('/api/v1/clients', JSON.stringify(body()), { contentType: 'text/plain' });
      expectStatus(r, 415, 'unsupported_media_type');
    });
    test('no content type: 415 unsupported_media_type', async () => {
      const r = await rehab.post('/api/v1/clients', JSON.stringify(body()), { contentType: null });
      expectStatus(r, 415, 'unsupported_media_type');
    });
    test('application/json; charset=utf-8 is fine', async () => {
      const r = await rehab.post('/api/v1/clients', JSON.stringify(body()), { contentType: 'application/json; charset=utf-8' });
      expectStatus(r, 201);
    });
    test('NUL inside a string: 400', async () => {
      const b = body();
      const raw = JSON.stringify(b).replace(b.name, `${b.name}\\u0000x`);
      expectStatus(await rehab.post('/api/v1/clients', raw), 400);
    });
    test('a name over 50 characters: 400 invalid_field', async () => {
      expectStatus(await rehab.post('/api/v1/clients', body({ name: '名'.repeat(51) })), 400, 'invalid_field', 'name');
    });
  });
});

describe('encryption at rest', () => {
  test('the database files hold no ID number, phone, address or guardian phone in plain text', async () => {
    const id = makeIdNumber({ region: '510421' });
    const phone = mobile();
    const gphone = mobile();
    const address = `米易县攀莲镇明文检查路${Math.floor(Math.random() * 1e6)}号`;
    const b = body({ id_number: id, phone, address, disability_certificate: `${id}63`,
      guardians: [{ name: '监护人甲', relation: '母亲', phone: gphone }] });
    expectStatus(await rehab.post('/api/v1/clients', b), 201);
    // A read through the blind index still finds it.
    const found = expectStatus(await rehab.get(`/api/v1/clients?id_number=${id}`), 200);
    assert.equal(found.items.length, 1);
    const files = fs.readdirSync(srv.dataDir).filter((f) => f.startsWith('jingkang.db'));
    assert.ok(files.includes('jingkang.db'), `database file present: ${files}`);
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(srv.dataDir, f));
      for (const secret of [id, id.slice(6, 14) + id.slice(14), phone, gphone, address, address.slice(-8)]) {
        assert.equal(bytes.indexOf(Buffer.from(secret, 'utf8')), -1, `${f} must not contain ${secret}`);
      }
    }
  });
});

describe('GET /api/v1/clients/{id}', () => {
  test('the creator reads it back: same record, masked only', async () => {
    const { b, j } = await create(rehab, { phone: mobile(), address: '米易县丙谷镇芭蕉箐村3组15号' });
    const r = await rehab.get(`/api/v1/clients/${j.id}`);
    const g = expectStatus(r, 200);
    const { warnings, ...created } = j;
    assert.deepEqual(g, created);
    noPlain(r, b.id_number, b.phone, b.address);
  });

  test('unknown id and non-UUID: 404', async () => {
    expectStatus(await rehab.get('/api/v1/clients/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectStatus(await rehab.get('/api/v1/clients/12345'), 404, 'not_found');
  });

  test('scope: county_official (510421) cannot read a 510422 client (404); city_official can', async () => {
    const { j } = await create(county2, { residence_region: village2 });
    expectStatus(await county.get(`/api/v1/clients/${j.id}`), 404, 'not_found');
    expectStatus(await city.get(`/api/v1/clients/${j.id}`), 200);
    expectStatus(await referral.get(`/api/v1/clients/${j.id}`), 200);
    expectStatus(await county2.get(`/api/v1/clients/${j.id}`), 200);
  });

  test('the 404 outside scope looks exactly like a missing client', async () => {
    const { j } = await create(county2, { residence_region: village2 });
    const outside = await county.get(`/api/v1/clients/${j.id}`);
    const missing = await county.get('/api/v1/clients/00000000-0000-4000-8000-000000000000');
    assert.equal(outside.status, missing.status);
    assert.equal(outside.json.error.code, missing.json.error.code);
    assert.equal(outside.json.error.message, missing.json.error.message);
  });

  test('scope: staff see only their organization\'s clients', async () => {
    const mine = await create(rehab);
    const theirs = await create(county, { residence_region: '510421' }); // no organization
    expectStatus(await rehab.get(`/api/v1/clients/${mine.j.id}`), 200);
    expectStatus(await rehab.get(`/api/v1/clients/${theirs.j.id}`), 404, 'not_found');
    expectStatus(await hospital.get(`/api/v1/clients/${mine.j.id}`), 404, 'not_found');
    expectStatus(await county.get(`/api/v1/clients/${mine.j.id}`), 200, undefined);
  });

  for (const u of ['sysadmin', 'secadmin', 'auditor', 'evaluator']) {
    test(`${u} gets 403 on client records`, async () => {
      const api = await srv.login(u);
      const { j, b } = await create(rehab);
      expectStatus(await api.get(`/api/v1/clients/${j.id}`), 403, 'forbidden');
      expectStatus(await api.get('/api/v1/clients'), 403, 'forbidden');
      expectStatus(await api.get(`/api/v1/clients?id_number=${b.id_number}`), 403, 'forbidden');
      expectStatus(await api.post('/api/v1/clients', body()), 403, 'forbidden');
      expectStatus(await api.post('/api/v1/clients/search', { id_number: b.id_number }), 403, 'forbidden');
      expectStatus(await api.patch(`/api/v1/clients/${j.id}`, { notes: 'x' }), 403, 'forbidden');
      expectStatus(await api.post(`/api/v1/clients/${j.id}/reveal`, { fields: ['phone'], reason: 'x' }), 403, 'forbidden');
    });
  }

  test('without login: 401', async () => {
    const { j } = await create(rehab);
    expectStatus(await srv.anon().get(`/api/v1/clients/${j.id}`), 401, 'unauthenticated');
    expectStatus(await srv.anon().get('/api/v1/clients'), 401, 'unauthenticated');
    expectStatus(await srv.anon().post('/api/v1/clients', body()), 401, 'unauthenticated');
  });
});

describe('bearer token', () => {
  test('a CLI token for rehab_worker reads a client with Authorization: Bearer', async () => {
    const { j } = await create(rehab);
    const api = await srv.bearer('rehab_worker');
    const g = expectStatus(await api.get(`/api/v1/clients/${j.id}`), 200);
    assert.equal(g.id, j.id);
  });

  test('the token carries its user\'s scope', async () => {
    const { j } = await create(county2, { residence_region: village2 });
    const api = await srv.bearer('rehab_worker');
    expectStatus(await api.get(`/api/v1/clients/${j.id}`), 404, 'not_found');
  });

  test('writes with a bearer token need no CSRF token', async () => {
    const api = await srv.bearer('rehab_worker');
    const r = await api.post('/api/v1/clients', body());
    const j = expectStatus(r, 201);
    assert.equal(j.organization, rehab.user.organization);
  });

  test('a wrong token: 401', async () => {
    const api = srv.anon();
    api.bearer = `${(await srv.bearer('rehab_worker')).bearer}x`;
    expectStatus(await api.get('/api/v1/clients'), 401, 'unauthenticated');
  });
});

describe('masking', () => {
  test('mobile 138****5678, guardians masked too', async () => {
    const { j } = await create(rehab, {
      phone: '13812345678',
      guardians: [{ name: uniqueName(), relation: '父亲', phone: '15900001111' }, { name: uniqueName(), relation: '配偶' }],
    });
    assert.equal(j.phone_masked, '138****5678');
    assert.equal(j.guardians[0].phone_masked, '159****1111');
    assert.equal(j.guardians[1].phone_masked ?? null, null);
  });

  test('no phone: phone_masked null', async () => {
    const { j } = await create(rehab);
    assert.equal(j.phone_masked, null);
    assert.equal(j.address_masked, null);
  });

  test('ID masked as first 6 + 8 stars + last 4', async () => {
    const id = makeIdNumber();
    const { j } = await create(rehab, { id_number: id });
    assert.match(j.id_number_masked, /^\d{6}\*{8}\d{3}[\dX]$/);
    assert.equal(j.id_number_masked, maskId(id));
  });
});

describe('GET /api/v1/clients?id_number= and POST /api/v1/clients/search', () => {
  test('finds by ID number', async () => {
    const { b, j } = await create(rehab);
    const r = await rehab.get(`/api/v1/clients?id_number=${b.id_number}`);
    const l = expectStatus(r, 200);
    assert.equal(l.total, 1);
    assert.equal(l.items.length, 1);
    assert.equal(l.items[0].id, j.id);
    noPlain(r, b.id_number);
    const s = await rehab.post('/api/v1/clients/search', { id_number: b.id_number });
    const sj = expectStatus(s, 200);
    assert.equal(sj.total, 1);
    assert.equal(sj.items[0].id, j.id);
    noPlain(s, b.id_number);
  });

  test('finds with a lowercase x and with the 15-digit form', async () => {
    const id = makeIdNumber({ check: 'X' });
    const { j } = await create(rehab, { id_number: id });
    const s = expectStatus(await rehab.post('/api/v1/clients/search', { id_number: id.toLowerCase() }), 200);
    assert.equal(s.items[0]?.id, j.id);

    const yy = String(70 + Math.floor(Math.random() * 20));
    const old15 = `510421${yy}0611${String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')}`;
    const c15 = await create(rehab, { id_number: old15 });
    const f17 = `51042119${old15.slice(6)}`;
    const s2 = expectStatus(await rehab.post('/api/v1/clients/search', { id_number: f17 + checkChar(f17) }), 200);
    assert.equal(s2.items[0]?.id, c15.j.id);
    const s3 = expectStatus(await rehab.post('/api/v1/clients/search', { id_number: old15 }), 200);
    assert.equal(s3.items[0]?.id, c15.j.id);
  });

  test('no such client: empty list', async () => {
    const l = expectStatus(await rehab.get(`/api/v1/clients?id_number=${makeIdNumber()}`), 200);
    assert.equal(l.total, 0);
    assert.deepEqual(l.items, []);
    const s = expectStatus(await rehab.post('/api/v1/clients/search', { id_number: makeIdNumber() }), 200);
    assert.deepEqual(s.items, []);
  });

  test('outside scope: not disclosed (empty list)', async () => {
    const { b } = await create(county2, { residence_region: village2 });
    const l = expectStatus(await county.get(`/api/v1/clients?id_number=${b.id_number}`), 200);
    assert.deepEqual(l.items, []);
    assert.equal(l.total, 0);
    const s = expectStatus(await rehab.post('/api/v1/clients/search', { id_number: b.id_number }), 200);
    assert.deepEqual(s.items, []);
    const c = expectStatus(await city.post('/api/v1/clients/search', { id_number: b.id_number }), 200);
    assert.equal(c.items.length, 1);
  });

  test('an invalid number: 400 invalid_id_number', async () => {
    expectStatus(await rehab.get(`/api/v1/clients?id_number=${breakCheck(makeIdNumber())}`), 400, 'invalid_id_number');
    expectStatus(await rehab.post('/api/v1/clients/search', { id_number: 'abc' }), 400, 'invalid_id_number');
  });

  test('search body errors', async () => {
    expectStatus(await rehab.post('/api/v1/clients/search', {}), 400, 'missing_field', 'id_number');
    expectStatus(await rehab.post('/api/v1/clients/search', { id_number: makeIdNumber(), name: 'x' }), 400, 'unknown_field');
    expectStatus(await rehab.post('/api/v1/clients/search', '{"id_number":'), 400, 'bad_json');
    expectStatus(await rehab.post('/api/v1/clients/search', { id_number: 510421 }), 400, 'invalid_field');
  });
});

describe('POST /api/v1/clients/{id}/reveal', () => {
  let c;
  before(async () => {
    const id = makeIdNumber();
    c = await create(rehab, {
      id_number: id, phone: '13812345678', address: '米易县攀莲镇安宁路66号3单元502', disability_certificate: `${id}63`,
      guardians: [{ name: '王秀英', relation: '母亲', phone: '13987654321' }],
    });
  });

  test('rehab_worker reveals all fields', async () => {
    const r = await rehab.post(`/api/v1/clients/${c.j.id}/reveal`, {
      fields: ['id_number', 'phone', 'address', 'guardian_phones', 'disability_certificate'], reason: '上门随访需要联系',
    });
    const j = expectStatus(r, 200);
    assert.equal(j.id_number, c.b.id_number);
    assert.equal(j.phone, '13812345678');
    assert.equal(j.address, '米易县攀莲镇安宁路66号3单元502');
    assert.equal(j.disability_certificate, `${c.b.id_number}63`);
    assert.equal(j.guardians.length, 1);
    assert.equal(j.guardians[0].name, '王秀英');
    assert.equal(j.guardians[0].phone, '13987654321');
    assert.match(String(r.headers['cache-control']), /no-store/);
  });

  test('only the asked fields', async () => {
    const j = expectStatus(await rehab.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: '电话联系' }), 200);
    assert.equal(j.phone, '13812345678');
    assert.ok(!('id_number' in j) && !('address' in j) && !('guardians' in j), JSON.stringify(j));
  });

  test('referral_worker (5104) may reveal', async () => {
    const j = expectStatus(await referral.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['id_number'], reason: '转介核对' }), 200);
    assert.equal(j.id_number, c.b.id_number);
  });

  test('officials may not reveal: 403', async () => {
    expectStatus(await county.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: '查看' }), 403, 'forbidden');
    expectStatus(await city.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: '查看' }), 403, 'forbidden');
  });

  test('an official outside the region gets 404, like a missing client', async () => {
    expectStatus(await county2.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: '查看' }), 404, 'not_found');
  });

  test('staff of another organization: 404', async () => {
    expectStatus(await hospital.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: '查看' }), 404, 'not_found');
  });

  test('bad requests', async () => {
    const p = (b) => rehab.post(`/api/v1/clients/${c.j.id}/reveal`, b);
    expectStatus(await p({ fields: ['name'], reason: 'x' }), 400);
    expectStatus(await p({ fields: [], reason: 'x' }), 400);
    expectStatus(await p({ fields: 'phone', reason: 'x' }), 400);
    expectStatus(await p({ reason: 'x' }), 400);
    expectStatus(await p({ fields: ['phone'], reason: 'x', why: 'y' }), 400, 'unknown_field');
    expectStatus(await rehab.post(`/api/v1/clients/${c.j.id}/reveal`, '{"fields":'), 400, 'bad_json');
  });

  test('needs CSRF with a cookie', async () => {
    expectStatus(await rehab.post(`/api/v1/clients/${c.j.id}/reveal`, { fields: ['phone'], reason: 'x' }, { csrf: false }), 403, 'csrf_failed');
  });

  test('unknown client: 404', async () => {
    expectStatus(await rehab.post('/api/v1/clients/00000000-0000-4000-8000-000000000000/reveal', { fields: ['phone'], reason: 'x' }), 404, 'not_found');
  });
});

describe('PATCH /api/v1/clients/{id}', () => {
  test('changes a subset; the rest stays', async () => {
    const { j, b } = await create(rehab, { diagnosis: 'F32.1', phone: '13812345678' });
    const r = await rehab.patch(`/api/v1/clients/${j.id}`, { status: 'in_service', notes: '开始日间照料', diagnosis: 'F20.0', phone: '13700001234' });
    const p = expectStatus(r, 200);
    assert.equal(p.status, 'in_service');
    assert.equal(p.notes, '开始日间照料');
    assert.equal(p.diagnosis, 'F20.0');
    assert.equal(p.severe_disorder, true);
    assert.equal(p.phone_masked, '137****1234');
    assert.equal(p.name, j.name);
    assert.equal(p.id_number_masked, j.id_number_masked);
    assert.equal(p.created_at, j.created_at);
    noPlain(r, b.id_number, '13700001234');
    const g = expectStatus(await rehab.get(`/api/v1/clients/${j.id}`), 200);
    assert.equal(g.status, 'in_service');
    assert.equal(g.phone_masked, '137****1234');
  });

  test('a new ID number updates sex and birth date', async () => {
    const { j } = await create(rehab, { id_number: makeIdNumber({ birth: '1981-01-01', sex: 'male' }) });
    const p = expectStatus(await rehab.patch(`/api/v1/clients/${j.id}`, { id_number: makeIdNumber({ birth: '1992-12-31', sex: 'female' }) }), 200);
    assert.equal(p.birth_date, '1992-12-31');
    assert.equal(p.sex, 'female');
  });

  test('changing to another client\'s ID number: 409 duplicate_id_number', async () => {
    const a = await create(rehab);
    const b = await create(rehab);
    const r = await rehab.patch(`/api/v1/clients/${b.j.id}`, { id_number: a.b.id_number });
    expectStatus(r, 409, 'duplicate_id_number');
    assert.equal(r.json.error.existing_id, a.j.id);
  });

  test('validation: bad values, unknown fields, bad JSON', async () => {
    const { j } = await create(rehab);
    const p = (b) => rehab.patch(`/api/v1/clients/${j.id}`, b);
    expectStatus(await p({ status: 'lost' }), 400, 'invalid_field', 'status');
    expectStatus(await p({ id_number: breakCheck(makeIdNumber()) }), 400, 'invalid_id_number', 'id_number');
    expectStatus(await p({ diagnosis: 'X99' }), 400, undefined, 'diagnosis');
    expectStatus(await p({ sex: 'male' }), 400, 'unknown_field');
    expectStatus(await p({ birth_date: '1990-01-01' }), 400, 'unknown_field');
    expectStatus(await rehab.patch(`/api/v1/clients/${j.id}`, '{"notes":"a","notes":"b"}'), 400, 'bad_json');
    const g = expectStatus(await rehab.get(`/api/v1/clients/${j.id}`), 200);
    assert.equal(g.updated_at, j.updated_at, 'refused PATCHes change nothing');
  });

  test('wrong content type: 415 unsupported_media_type', async () => {
    const { j } = await create(rehab);
    const r = await rehab.patch(`/api/v1/clients/${j.id}`, JSON.stringify({ notes: 'x' }), { contentType: 'text/plain' });
    expectStatus(r, 415, 'unsupported_media_type');
  });

  test('scope: out-of-scope PATCH is 404', async () => {
    const { j } = await create(county2, { residence_region: village2 });
    expectStatus(await county.patch(`/api/v1/clients/${j.id}`, { notes: 'x' }), 404, 'not_found');
    expectStatus(await rehab.patch(`/api/v1/clients/${j.id}`, { notes: 'x' }), 404, 'not_found');
    expectStatus(await city.patch(`/api/v1/clients/${j.id}`, { notes: '市里补充' }), 200);
  });

  test('cannot move a client out of one\'s own scope', async () => {
    const { j } = await create(county, { residence_region: '510421' });
    const r = await county.patch(`/api/v1/clients/${j.id}`, { residence_region: village2 });
    assert.ok(r.status === 403 || r.status === 404, `${r.status} ${r.text}`);
    const g = expectStatus(await county.get(`/api/v1/clients/${j.id}`), 200);
    assert.equal(g.residence_region, '510421');
  });
});

describe('GET /api/v1/clients (list)', () => {
  test('envelope; rehab_worker sees only their organization', async () => {
    await create(rehab);
    const j = expectStatus(await rehab.get('/api/v1/clients?page_size=100'), 200);
    expectPage(j, { pageSize: 100 });
    assert.ok(j.total > 0);
    assert.ok(j.items.every((c) => c.organization === rehab.user.organization));
    for (const c of j.items) assert.ok(!('id_number' in c) && !('phone' in c));
  });

  test('county_official sees only 510421', async () => {
    const j = expectStatus(await county.get('/api/v1/clients?page_size=100'), 200);
    assert.ok(j.total > 0);
    assert.ok(j.items.every((c) => c.residence_region.startsWith('510421')), j.items.map((c) => c.residence_region).join());
  });

  test('city_official sees more than one county', async () => {
    const a = expectStatus(await county.get('/api/v1/clients'), 200);
    const b = expectStatus(await county2.get('/api/v1/clients'), 200);
    const c = expectStatus(await city.get('/api/v1/clients'), 200);
    assert.ok(c.total >= a.total + b.total);
  });

  test('?q= by name', async () => {
    const { j } = await create(rehab);
    const l = expectStatus(await rehab.get(`/api/v1/clients?q=${encodeURIComponent(j.name)}`), 200);
    assert.ok(l.items.some((x) => x.id === j.id));
    assert.ok(l.items.every((x) => x.name.includes(j.name)));
    const none = expectStatus(await county2.get(`/api/v1/clients?q=${encodeURIComponent(j.name)}`), 200);
    assert.ok(!none.items.some((x) => x.id === j.id), 'name search stays in scope');
  });

  test('?status=', async () => {
    await create(rehab, { status: 'closed' });
    const l = expectStatus(await rehab.get('/api/v1/clients?status=closed&page_size=100'), 200);
    assert.ok(l.items.length > 0);
    assert.ok(l.items.every((x) => x.status === 'closed'));
  });

  test('?severe=true and ?severe=false', async () => {
    await create(rehab, { diagnosis: 'F20.0' });
    await create(rehab, { diagnosis: 'F41.1' });
    const s = expectStatus(await rehab.get('/api/v1/clients?severe=true&page_size=100'), 200);
    assert.ok(s.items.length > 0 && s.items.every((x) => x.severe_disorder === true));
    const n = expectStatus(await rehab.get('/api/v1/clients?severe=false&page_size=100'), 200);
    assert.ok(n.items.length > 0 && n.items.every((x) => x.severe_disorder === false));
    const all = expectStatus(await rehab.get('/api/v1/clients'), 200);
    assert.equal(s.total + n.total, all.total);
  });

  test('?region= narrows within the scope', async () => {
    const l = expectStatus(await city.get('/api/v1/clients?region=510422&page_size=100'), 200);
    assert.ok(l.total > 0);
    assert.ok(l.items.every((x) => x.residence_region.startsWith('510422')));
  });

  test('?region= outside the scope shows nothing of it', async () => {
    const r = await county.get('/api/v1/clients?region=510422');
    if (r.status === 200) assert.ok(r.json.items.every((x) => x.residence_region.startsWith('510421')) && r.json.items.length === 0);
    else assert.ok([403, 404].includes(r.status), `${r.status}`);
  });

  test('?organization=', async () => {
    const l = expectStatus(await city.get(`/api/v1/clients?organization=${rehab.user.organization}&page_size=100`), 200);
    assert.ok(l.total > 0);
    assert.ok(l.items.every((x) => x.organization === rehab.user.organization));
  });

  test('paging', async () => {
    const p1 = expectStatus(await city.get('/api/v1/clients?page=1&page_size=5'), 200);
    expectPage(p1, { pageSize: 5 });
    assert.equal(p1.items.length, 5);
    const p2 = expectStatus(await city.get('/api/v1/clients?page=2&page_size=5'), 200);
    const ids1 = new Set(p1.items.map((x) => x.id));
    assert.ok(p2.items.every((x) => !ids1.has(x.id)), 'pages do not overlap');
  });

  test('bad parameters: 400', async () => {
    expectStatus(await rehab.get('/api/v1/clients?page_size=101'), 400);
    expectStatus(await rehab.get('/api/v1/clients?page=-1'), 400);
    expectStatus(await rehab.get('/api/v1/clients?status=bogus'), 400, 'invalid_field', 'status');
    expectStatus(await rehab.get('/api/v1/clients?severe=maybe'), 400, 'invalid_field', 'severe');
    expectStatus(await rehab.get('/api/v1/clients?region=5x'), 400);
  });
});
