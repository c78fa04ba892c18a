// contract.test.mjs: the real server against docs/openapi.yaml. Every operation of the spec is
// called at least once, every answer's status must be documented for that operation, and its
// body must validate against the documented schema (strictly: undocumented fields fail).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, makeIdNumber, uniqueName, villageOf, DEMO_PASSWORD, totpCode } from './helpers.mjs';
import { loadSpec, validate } from './schema.mjs';

let srv;
let spec;
const called = new Set();
let as = {};

before(async () => {
  spec = loadSpec();
  srv = await startServer();
  for (const u of ['sysadmin', 'secadmin', 'auditor', 'county_official', 'city_official', 'rehab_worker', 'evaluator', 'referral_worker']) {
    as[u] = await srv.login(u);
  }
});
after(async () => { await srv?.close(); });

/** Finds the spec operation for a concrete path. */
function operation(method, urlPath) {
  const p = urlPath.split('?')[0];
  for (const [tpl, item] of Object.entries(spec.paths)) {
    const re = new RegExp(`^${tpl.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(p) && item[method.toLowerCase()]) return { tpl, op: item[method.toLowerCase()] };
  }
  return null;
}

/** Asserts that the answer is documented and matches its schema. Returns r.json. */
function conforms(method, urlPath, r) {
  const found = operation(method, urlPath);
  assert.ok(found, `${method} ${urlPath} is not in docs/openapi.yaml`);
  called.add(`${method.toUpperCase()} ${found.tpl}`);
  const resp = found.op.responses[String(r.status)];
  assert.ok(resp, `${method} ${found.tpl}: status ${r.status} is not documented (documented: ${Object.keys(found.op.responses)}); body ${r.text.slice(0, 300)}`);
  const content = resp.content || {};
  if (Object.keys(content).length === 0) {
    assert.equal(r.text, '', `${method} ${found.tpl} ${r.status}: no body documented`);
    return undefined;
  }
  const ct = String(r.headers['content-type'] || '').split(';')[0].trim();
  assert.ok(content[ct], `${method} ${found.tpl} ${r.status}: content type ${ct} not documented (${Object.keys(content)})`);
  if (ct === 'application/json') {
    const errors = validate(content[ct].schema, r.json);
    assert.deepEqual(errors, [], `${method} ${found.tpl} ${r.status} does not match the schema:\n${errors.join('\n')}\nbody: ${r.text.slice(0, 600)}`);
  }
  return r.json;
}

async function call(api, method, urlPath, body) {
  const r = await api.req(method, urlPath, body === undefined ? {} : { body });
  return { r, j: conforms(method, urlPath, r) };
}

describe('every operation answers as documented', () => {
  let orgId;
  let clientId;
  let idNumber;
  let village;

  test('session', async () => {
    const anon = srv.anon();
    let { r } = await call(anon, 'POST', '/api/v1/session', { username: 'evaluator', password: DEMO_PASSWORD });
    expectStatus(r, 200);
    ({ r } = await call(anon, 'GET', '/api/v1/session'));
    expectStatus(r, 200);
    ({ r } = await call(srv.anon(), 'POST', '/api/v1/session', { username: 'evaluator', password: 'Wrong-Password-1!' }));
    expectStatus(r, 401);
    ({ r } = await call(srv.anon(), 'POST', '/api/v1/session', { username: 'evaluator' }));
    expectStatus(r, 400);
    ({ r } = await call(srv.anon(), 'GET', '/api/v1/session'));
    expectStatus(r, 401);
    ({ r } = await call(srv.anon(), 'DELETE', '/api/v1/session'));
    expectStatus(r, 401);
  });

  test('regions', async () => {
    const anon = srv.anon();
    for (const p of ['/api/v1/regions', '/api/v1/regions?parent=5104', `/api/v1/regions?q=${encodeURIComponent('米易')}`,
      '/api/v1/regions/51', '/api/v1/regions/510421', '/api/v1/regions/510400']) {
      const { r } = await call(anon, 'GET', p);
      expectStatus(r, 200);
    }
    village = (await villageOf(srv.base, '510421')).village.code;
    expectStatus((await call(anon, 'GET', `/api/v1/regions/${village}`)).r, 200);
    expectStatus((await call(anon, 'GET', '/api/v1/regions/519999')).r, 404);
    expectStatus((await call(anon, 'GET', '/api/v1/regions/abc')).r, 400);
  });

  test('organizations', async () => {
    const body = {
      name: `契约测试机构${Date.now()}`, kind: 'rehab_institution', region: '510421', address: '米易县攀莲镇', location: { lat: 26.89, lng: 102.11 },
      capacity: 10, operating_mode: 'public', functions: ['day_care'], services: [{ name: '日间照料', price_fen: 2000, unit: '天' }],
      phone: '0812-8123456', contact: '李主任',
    };
    let { r, j } = await call(as.sysadmin, 'POST', '/api/v1/organizations', body);
    expectStatus(r, 201);
    orgId = j.id;
    expectStatus((await call(as.sysadmin, 'POST', '/api/v1/organizations', { ...body, kind: 'x' })).r, 400);
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/organizations', body)).r, 403);
    expectStatus((await call(srv.anon(), 'POST', '/api/v1/organizations', body)).r, 401);
    ({ r } = await call(as.evaluator, 'GET', `/api/v1/organizations/${orgId}`));
    expectStatus(r, 200);
    expectStatus((await call(as.evaluator, 'GET', '/api/v1/organizations/00000000-0000-4000-8000-000000000000')).r, 404);
    expectStatus((await call(as.county_official, 'PATCH', `/api/v1/organizations/${orgId}`, { capacity: 11 })).r, 200);
    expectStatus((await call(as.evaluator, 'PATCH', `/api/v1/organizations/${orgId}`, { capacity: 11 })).r, 403);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/organizations?kind=hospital&page_size=100')).r, 200);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/organizations?page_size=500')).r, 400);
    // the demo organizations, every one of them
    const all = await call(as.sysadmin, 'GET', '/api/v1/organizations?page_size=100');
    expectStatus(all.r, 200);
    assert.ok(all.j.items.length >= 16);
  });

  test('clients', async () => {
    idNumber = makeIdNumber();
    const name = uniqueName();
    const body = {
      name, id_number: idNumber, phone: '13812345678', address: '米易县攀莲镇安宁路1号', residence_region: village, hukou_region: '510421',
      diagnosis: 'F20.0', disability_certificate: `${idNumber}62`, guardians: [{ name: uniqueName(), relation: '母亲', phone: '13987654321' }],
      status: 'in_service', notes: '契约测试',
    };
    let { r, j } = await call(as.rehab_worker, 'POST', '/api/v1/clients', body);
    expectStatus(r, 201);
    clientId = j.id;
    ({ r } = await call(as.rehab_worker, 'POST', '/api/v1/clients', body));
    expectStatus(r, 409);
    ({ r } = await call(as.rehab_worker, 'POST', '/api/v1/clients', { ...body, id_number: makeIdNumber({ birth: j.birth_date }), disability_certificate: undefined, residence_region: '510421' }));
    expectStatus(r, 201);
    assert.equal(r.json.warnings[0]?.code, 'possible_duplicate');
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/clients', { ...body, id_number: '123' })).r, 400);
    expectStatus((await call(as.sysadmin, 'POST', '/api/v1/clients', body)).r, 403);
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/clients', { name: 'x'.repeat(10), residence_region: village, id_number: makeIdNumber(), notes: 'y'.repeat(1100000) })).r, 413);

    for (const u of ['rehab_worker', 'county_official', 'city_official', 'referral_worker']) {
      expectStatus((await call(as[u], 'GET', `/api/v1/clients/${clientId}`)).r, 200);
      expectStatus((await call(as[u], 'GET', '/api/v1/clients?page_size=100')).r, 200);
    }
    expectStatus((await call(as.auditor, 'GET', `/api/v1/clients/${clientId}`)).r, 403);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/clients/00000000-0000-4000-8000-000000000000')).r, 404);
    expectStatus((await call(as.rehab_worker, 'GET', `/api/v1/clients?id_number=${idNumber}`)).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/clients?severe=true&status=in_service')).r, 200);
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/clients/search', { id_number: idNumber })).r, 200);
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/clients/search', { id_number: 'bad' })).r, 400);
    expectStatus((await call(as.rehab_worker, 'PATCH', `/api/v1/clients/${clientId}`, { notes: '更新' })).r, 200);
    expectStatus((await call(as.rehab_worker, 'PATCH', `/api/v1/clients/${clientId}`, { bogus: 1 })).r, 400);
    ({ r, j } = await call(as.rehab_worker, 'POST', `/api/v1/clients/${clientId}/reveal`, {
      fields: ['id_number', 'phone', 'address', 'guardian_phones', 'disability_certificate'], reason: '契约测试',
    }));
    expectStatus(r, 200);
    assert.equal(j.id_number, idNumber);
    expectStatus((await call(as.county_official, 'POST', `/api/v1/clients/${clientId}/reveal`, { fields: ['phone'], reason: 'x' })).r, 403);
  });

  test('users and tokens', async () => {
    let { r, j } = await call(as.sysadmin, 'GET', '/api/v1/users?page_size=100');
    expectStatus(r, 200);
    expectStatus((await call(as.secadmin, 'GET', '/api/v1/users?role=official')).r, 200);
    expectStatus((await call(as.auditor, 'GET', '/api/v1/users')).r, 403);
    const username = `contract_${process.pid}`;
    ({ r, j } = await call(as.sysadmin, 'POST', '/api/v1/users', { username, role: 'referral_worker', region: '510421', password: '康复服务平台2026安全' }));
    expectStatus(r, 201);
    const id = j.id;
    expectStatus((await call(as.sysadmin, 'POST', '/api/v1/users', { username, role: 'evaluator', password: '康复服务平台2026安全' })).r, 409);
    expectStatus((await call(as.sysadmin, 'POST', '/api/v1/users', { username: `${username}x`, role: 'evaluator', password: 'password1234' })).r, 400);
    expectStatus((await call(as.sysadmin, 'PATCH', `/api/v1/users/${id}`, { display_name: '契约' })).r, 200);
    expectStatus((await call(as.secadmin, 'PATCH', `/api/v1/users/${id}`, { display_name: '契约' })).r, 403);
    for (let i = 0; i < 5; i++) await srv.anon().post('/api/v1/session', { username, password: `Wrong-Password-${i}!` });
    ({ r, j } = await call(srv.anon(), 'POST', '/api/v1/session', { username, password: '康复服务平台2026安全' }));
    expectStatus(r, 423);
    ({ r, j } = await call(as.sysadmin, 'GET', `/api/v1/users?q=${username}`));
    assert.ok(j.items[0].locked_until, 'locked_until set');
    expectStatus((await call(as.secadmin, 'POST', `/api/v1/users/${id}/unlock`)).r, 200);
    expectStatus((await call(as.sysadmin, 'POST', `/api/v1/users/${id}/unlock`)).r, 403);
    ({ r, j } = await call(as.sysadmin, 'POST', '/api/v1/tokens', { username: 'referral_worker', name: '契约测试' }));
    expectStatus(r, 201);
    expectStatus((await call(as.secadmin, 'POST', '/api/v1/tokens', { username: 'referral_worker' })).r, 403);
  });

  test('audit and stats', async () => {
    expectStatus((await call(as.auditor, 'GET', `/api/v1/audit?object_type=client&object_id=${clientId}`)).r, 200);
    expectStatus((await call(as.auditor, 'GET', '/api/v1/audit?page_size=100')).r, 200);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/audit')).r, 403);
    expectStatus((await call(as.auditor, 'GET', '/api/v1/audit/verify')).r, 200);
    expectStatus((await call(as.county_official, 'GET', '/api/v1/audit/verify')).r, 403);
    for (const u of Object.keys(as)) {
      const { r } = await call(as[u], 'GET', '/api/v1/stats/overview');
      assert.ok(r.status === 200 || r.status === 403, `${u}: ${r.status}`);
    }
    expectStatus((await call(srv.anon(), 'GET', '/api/v1/stats/overview')).r, 401);
  });

  test('indicators, their exports and the 规范服务 definition', async () => {
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators?from=2026-01-01&to=2026-03-31')).r, 200);
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators?region=51')).r, 403);
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators?from=2026-02-30')).r, 400);
    for (const by of ['child', 'organization', 'month']) {
      expectStatus((await call(as.city_official, 'GET', `/api/v1/indicators/standardized_service_rate?by=${by}`)).r, 200);
    }
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators/nope')).r, 404);
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators/export?format=csv')).r, 200);
    expectStatus((await call(as.city_official, 'GET', '/api/v1/indicators/county_coverage/export?by=child')).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/indicators/report')).r, 200);
    expectStatus((await call(as.evaluator, 'GET', '/api/v1/indicators/extract?region=5104&format=csv')).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/indicators/extract')).r, 403);
    expectStatus((await call(as.evaluator, 'GET', '/api/v1/indicators/definition?region=51')).r, 200);
    expectStatus((await call(as.sysadmin, 'PUT', '/api/v1/indicators/definition', { region: '', definition: { min_services: 1 } })).r, 200);
    expectStatus((await call(as.city_official, 'PUT', '/api/v1/indicators/definition', { region: '51', definition: {} })).r, 403);
    expectStatus((await call(as.sysadmin, 'DELETE', '/api/v1/indicators/definition')).r, 200);
  });

  test('export jobs (api/export_jobs.c)', async () => {
    let { r, j } = await call(as.evaluator, 'POST', '/api/v1/exports?kind=indicator_extract&region=5104&format=csv');
    expectStatus(r, 202);
    const id = j.id;
    expectStatus((await call(as.evaluator, 'POST', '/api/v1/exports?kind=nope')).r, 400);
    expectStatus((await call(as.rehab_worker, 'POST', '/api/v1/exports?kind=indicator_extract')).r, 403);
    expectStatus((await call(as.evaluator, 'GET', '/api/v1/exports')).r, 200);
    for (let i = 0; i < 100; i++) {
      ({ r, j } = await call(as.evaluator, 'GET', `/api/v1/exports/${id}`));
      if (j.state === 'done') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expectStatus(r, 200);
    expectStatus((await call(as.evaluator, 'GET', `/api/v1/exports/${id}/file`)).r, 200);
    expectStatus((await call(as.evaluator, 'POST', `/api/v1/exports/${id}/cancel`)).r, 409);
    expectStatus((await call(as.city_official, 'GET', `/api/v1/exports/${id}`)).r, 404);
    expectStatus((await call(as.evaluator, 'DELETE', `/api/v1/exports/${id}`)).r, 204);
    expectStatus((await call(as.evaluator, 'GET', `/api/v1/exports/${id}/file`)).r, 404);
  });

  test('referrals, work lists, rules and the public application', async () => {
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const client = { name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), residence_region: '510421', hukou_region: '510421' };
    const rehabOrg = as.rehab_worker.user.organization;
    let { r, j } = await call(as.referral_worker, 'POST', '/api/v1/referrals',
      { client, source: 'community', need: { functions: ['day_care'] }, reporter: { name: '李主任', kind: 'community' } });
    expectStatus(r, 201);
    const id = j.id;
    expectStatus((await call(as.referral_worker, 'POST', '/api/v1/referrals', { source: 'x' })).r, 400);
    expectStatus((await call(as.county_official, 'POST', '/api/v1/referrals', { source: 'self' })).r, 403);
    expectStatus((await call(as.referral_worker, 'GET', '/api/v1/referrals?status=submitted')).r, 200);
    expectStatus((await call(as.referral_worker, 'GET', '/api/v1/referrals?status=nope')).r, 400);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/referrals')).r, 403);
    expectStatus((await call(as.referral_worker, 'GET', `/api/v1/referrals/${id}`)).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', `/api/v1/referrals/${id}`)).r, 404);
    expectStatus((await call(as.referral_worker, 'POST', `/api/v1/referrals/${id}/register`, {})).r, 200);
    expectStatus((await call(as.referral_worker, 'POST', `/api/v1/referrals/${id}/register`, {})).r, 409);
    expectStatus((await call(as.county_official, 'POST', `/api/v1/referrals/${id}/dispatch`, {})).r, 403);
    expectStatus((await call(as.referral_worker, 'GET', `/api/v1/referrals/${id}/suggestions`)).r, 200);
    expectStatus((await call(as.county_official, 'GET', `/api/v1/referrals/${id}/suggestions`)).r, 403);
    expectStatus((await call(as.referral_worker, 'POST', `/api/v1/referrals/${id}/dispatch`, { organization: rehabOrg })).r, 200);
    expectStatus((await call(as.rehab_worker, 'POST', `/api/v1/referrals/${id}/accept`, {})).r, 200);
    expectStatus((await call(as.rehab_worker, 'POST', `/api/v1/referrals/${id}/start`, {})).r, 422);
    expectStatus((await call(as.rehab_worker, 'POST', `/api/v1/referrals/${id}/consent`, { signed_on: today })).r, 400);
    for (const u of ['referral_worker', 'rehab_worker', 'county_official', 'evaluator']) {
      expectStatus((await call(as[u], 'GET', '/api/v1/inbox')).r, 200);
    }
    expectStatus((await call(srv.anon(), 'GET', '/api/v1/inbox')).r, 401);
    expectStatus((await call(as.county_official, 'GET', '/api/v1/referrals/overview')).r, 200);
    expectStatus((await call(as.county_official, 'GET', '/api/v1/referrals/overview?region=510422')).r, 403);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/referrals/overview')).r, 403);
    const pub = { name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), phone: '13800000000', residence_region: '510421', need: { note: '需要帮助' } };
    ({ r, j } = await call(srv.anon(), 'POST', '/api/v1/public/applications', pub));
    expectStatus(r, 201);
    expectStatus((await call(srv.anon(), 'GET', `/api/v1/public/applications/${j.receipt}`)).r, 200);
    expectStatus((await call(srv.anon(), 'GET', '/api/v1/public/applications/0000-0000-0000')).r, 404);
    expectStatus((await call(srv.anon(), 'POST', '/api/v1/public/applications', {})).r, 400);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/referral-rules?region=510421')).r, 200);
    expectStatus((await call(as.county_official, 'PUT', '/api/v1/referral-rules/510421', { age_max: 65 })).r, 200);
    expectStatus((await call(as.county_official, 'PUT', '/api/v1/referral-rules/510421', { age_max: 999 })).r, 400);
    expectStatus((await call(as.county_official, 'PUT', '/api/v1/referral-rules/national', { age_max: 65 })).r, 403);
    expectStatus((await call(as.county_official, 'DELETE', '/api/v1/referral-rules/510421')).r, 200);
    expectStatus((await call(as.rehab_worker, 'DELETE', '/api/v1/referral-rules/510421')).r, 403);
  });

  test('calendar', async () => {
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/calendar')).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/calendar/2026')).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/calendar/2099')).r, 404);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/workdays?from=2026-02-12&n=5')).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', '/api/v1/workdays?from=x')).r, 400);
    const days = [{ date: '2099-01-01', off: true, name: '元旦' }];
    expectStatus((await call(as.sysadmin, 'PUT', '/api/v1/calendar/2099', { days })).r, 200);
    expectStatus((await call(as.sysadmin, 'PUT', '/api/v1/calendar/2099', { days: [{ date: '2098-01-01', off: true }] })).r, 400);
    expectStatus((await call(as.county_official, 'PUT', '/api/v1/calendar/2099', { days })).r, 403);
  });

  test('care: instruments, assessments, alerts, due, plans, team, services, staff', async () => {
    const rw = as.rehab_worker, off = as.county_official;
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    let { j } = await call(rw, 'GET', '/api/v1/instruments');
    assert.ok(j.items.length >= 8);
    for (const inst of j.items) expectStatus((await call(rw, 'GET', `/api/v1/instruments/${inst.id}`)).r, 200);
    expectStatus((await call(rw, 'GET', '/api/v1/instruments/nope')).r, 404);
    expectStatus((await call(rw, 'GET', '/api/v1/instruments/phq9?version=0')).r, 400);
    expectStatus((await call(rw, 'GET', '/api/v1/care/catalogue')).r, 200);
    const client = (await rw.get('/api/v1/clients?status=in_service&page_size=1')).json.items[0];
    const staff = (await call(rw, 'POST', '/api/v1/staff', { name: '契约测试', profession: 'nurse', certificates: [{ name: '护士执业证书', number: 'N1' }] })).j;
    expectStatus((await call(rw, 'POST', '/api/v1/staff', { name: '' })).r, 400);
    expectStatus((await call(as.evaluator, 'POST', '/api/v1/staff', { name: 'x', profession: 'nurse' })).r, 403);
    expectStatus((await call(rw, 'GET', '/api/v1/staff')).r, 200);
    expectStatus((await call(rw, 'GET', `/api/v1/staff/${staff.id}`)).r, 200);
    expectStatus((await call(rw, 'GET', `/api/v1/staff/${crypto.randomUUID()}`)).r, 404);
    expectStatus((await call(rw, 'PATCH', `/api/v1/staff/${staff.id}`, { degree: 'bachelor' })).r, 200);
    expectStatus((await call(rw, 'PATCH', `/api/v1/staff/${staff.id}`, { degree: 'phd?' })).r, 400);
    expectStatus((await call(rw, 'POST', `/api/v1/staff/${staff.id}/trainings`, { kind: 'pre_service', date: today, hours: 4, topic: '岗前' })).r, 201);
    expectStatus((await call(rw, 'POST', `/api/v1/staff/${staff.id}/trainings`, { kind: 'pre_service', date: today, hours: 0, topic: '岗前' })).r, 400);
    const phq = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`q${i}`, i === 9 ? 1 : 0]));
    const a = (await call(rw, 'POST', `/api/v1/clients/${client.id}/assessments`, { instrument: 'phq9', date: today, answers: phq })).j;
    expectStatus((await call(rw, 'POST', `/api/v1/clients/${client.id}/assessments`, { instrument: 'phq9', date: today, answers: {} })).r, 400);
    expectStatus((await call(off, 'POST', `/api/v1/clients/${client.id}/assessments`, { instrument: 'phq9', date: today, answers: phq })).r, 403);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${client.id}/assessments`)).r, 200);
    expectStatus((await call(as.evaluator, 'GET', `/api/v1/clients/${client.id}/assessments`)).r, 403);
    expectStatus((await call(rw, 'GET', `/api/v1/assessments/${a.id}`)).r, 200);
    expectStatus((await call(rw, 'POST', `/api/v1/assessments/${a.id}/corrections`, { answers: { ...phq, q9: 0 }, reason: '更正' })).r, 201);
    expectStatus((await call(rw, 'POST', `/api/v1/assessments/${a.id}/corrections`, { answers: phq, reason: '再更正' })).r, 409);
    const alerts = (await call(rw, 'GET', '/api/v1/alerts')).j.items;
    expectStatus((await call(rw, 'POST', `/api/v1/alerts/${alerts[0].id}/ack`, { note: '已处理' })).r, 204);
    expectStatus((await call(rw, 'POST', `/api/v1/alerts/${alerts[0].id}/ack`, { note: '已处理' })).r, 409);
    expectStatus((await call(rw, 'GET', '/api/v1/care/due?days=30')).r, 200);
    expectStatus((await call(rw, 'GET', '/api/v1/care/due?days=x')).r, 400);
    const plan = { start_date: today, review_date: '2099-01-01', goals: [{ text: '目标', target_date: today }], services: [{ type: 'medication', per_month: 2, staff: staff.id }] };
    expectStatus((await call(rw, 'POST', `/api/v1/clients/${client.id}/plans`, plan)).r, 400);
    plan.review_date = new Date(Date.parse(today) + 60 * 86400e3).toISOString().slice(0, 10);
    expectStatus((await call(rw, 'POST', `/api/v1/clients/${client.id}/plans`, plan)).r, 201);
    expectStatus((await call(rw, 'POST', `/api/v1/clients/${client.id}/plans`, { ...plan, services: [{ type: 'medication', per_month: 2, staff: crypto.randomUUID() }] })).r, 422);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${client.id}/plan`)).r, 200);
    const team = (await call(rw, 'POST', `/api/v1/clients/${client.id}/team`, { role: 'grid_worker', name: '网格员甲', phone: '13800000000' })).j;
    expectStatus((await call(rw, 'POST', `/api/v1/clients/${client.id}/team`, { role: 'grid_worker' })).r, 400);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${client.id}/team`)).r, 200);
    const m = team.items.find((x) => x.name === '网格员甲');
    expectStatus((await call(rw, 'PATCH', `/api/v1/clients/${client.id}/team/${m.id}`, { responsible: true, phone: null })).r, 200);
    expectStatus((await call(rw, 'PATCH', `/api/v1/clients/${client.id}/team/${m.id}`, { name: null })).r, 400);
    expectStatus((await call(rw, 'DELETE', `/api/v1/clients/${client.id}/team/${m.id}`)).r, 204);
    expectStatus((await call(rw, 'DELETE', `/api/v1/clients/${client.id}/team/${m.id}`)).r, 404);
    const rec = (await call(rw, 'POST', '/api/v1/service-records', { type: 'recreation', date: today, duration_minutes: 60, place: 'community', clients: [client.id], staff: staff.id })).j;
    expectStatus((await call(rw, 'POST', '/api/v1/service-records', { type: 'recreation', date: today, duration_minutes: 60, place: 'community', clients: [client.id], staff: crypto.randomUUID() })).r, 422);
    expectStatus((await call(rw, 'POST', '/api/v1/service-records', { type: 'recreation', date: today, duration_minutes: 60, place: 'community', clients: [crypto.randomUUID()], staff: staff.id })).r, 404);
    expectStatus((await call(off, 'POST', '/api/v1/service-records', { type: 'recreation' })).r, 403);
    expectStatus((await call(rw, 'POST', '/api/v1/service-records', { type: 'x' })).r, 400);
    expectStatus((await call(rw, 'GET', `/api/v1/service-records/${rec.id}`)).r, 200);
    expectStatus((await call(rw, 'GET', `/api/v1/service-records/${crypto.randomUUID()}`)).r, 404);
    expectStatus((await call(rw, 'GET', '/api/v1/service-records?page_size=5')).r, 200);
    expectStatus((await call(rw, 'GET', '/api/v1/service-records?from=bad')).r, 400);
    expectStatus((await call(off, 'GET', '/api/v1/service-records')).r, 400);
    expectStatus((await call(rw, 'GET', `/api/v1/service-records/ledger?from=${today}&to=${today}`)).r, 200);
    expectStatus((await call(rw, 'GET', '/api/v1/service-records/ledger?to=2000-01-01')).r, 400);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${client.id}/services`)).r, 200);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${client.id}/ledger`)).r, 200);
    expectStatus((await call(rw, 'GET', `/api/v1/clients/${crypto.randomUUID()}/ledger`)).r, 404);
  });

  test('webhooks', async () => {
    let { r, j } = await call(as.sysadmin, 'POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['referral.*'] });
    expectStatus(r, 201);
    expectStatus((await call(as.sysadmin, 'POST', '/api/v1/webhooks', { url: 'x', events: ['referral.*'] })).r, 400);
    expectStatus((await call(as.referral_worker, 'POST', '/api/v1/webhooks', { url: 'http://x', events: ['referral.*'] })).r, 403);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/webhooks')).r, 200);
    expectStatus((await call(as.auditor, 'GET', '/api/v1/webhooks')).r, 403);
    expectStatus((await call(as.sysadmin, 'POST', `/api/v1/webhooks/${j.id}/test`)).r, 202);
    expectStatus((await call(as.sysadmin, 'GET', `/api/v1/webhooks/${j.id}/deliveries`)).r, 200);
    expectStatus((await call(as.sysadmin, 'GET', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).r, 404);
    expectStatus((await call(as.sysadmin, 'DELETE', `/api/v1/webhooks/${j.id}`)).r, 204);
    expectStatus((await call(as.sysadmin, 'DELETE', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000')).r, 404);
  });

  test('operations', async () => {
    expectStatus((await call(srv.anon(), 'GET', '/healthz')).r, 200);
    expectStatus((await call(srv.anon(), 'GET', '/metrics')).r, 200);
  });

  test('logout', async () => {
    const api = await srv.login('evaluator');
    expectStatus((await call(api, 'DELETE', '/api/v1/session')).r, 204);
    expectStatus((await call(api, 'GET', '/api/v1/session')).r, 401);
  });

  test('two-factor login, separate consent and export (issue 5)', async () => {
    // an administrator enrols at login, then logs in with a code
    const username = `ct_tf_${Date.now() % 100000}`;
    const pw = '康复服务平台2026安全';
    const made = (await call(as.sysadmin, 'POST', '/api/v1/users', { username, role: 'auditor', password: pw })).j;
    const anon = srv.anon();
    const ch = (await call(anon, 'POST', '/api/v1/session', { username, password: pw })).j;
    const e = (await call(anon, 'POST', '/api/v1/session/enrolment', { challenge: ch.challenge })).j;
    expectStatus((await call(anon, 'POST', '/api/v1/session/second-factor', { challenge: ch.challenge, code: '000000' === totpCode(e.secret) ? '111111' : '000000' })).r, 401);
    expectStatus((await call(anon, 'POST', '/api/v1/session/second-factor', { challenge: ch.challenge, code: totpCode(e.secret) })).r, 200);
    // a non-administrator enrols from the account page
    const official = await srv.login('city_official');
    const e2 = (await call(official, 'POST', '/api/v1/session/totp', {})).j;
    expectStatus((await call(official, 'POST', '/api/v1/session/totp/confirm', { code: totpCode(e2.secret) })).r, 200);
    expectStatus((await call(as.secadmin, 'DELETE', `/api/v1/users/${made.id}/totp`)).r, 200);
    // consent and export on a client of the rehab worker
    const c = expectStatus(await as.rehab_worker.get('/api/v1/clients?page_size=1'), 200).items[0];
    expectStatus((await call(as.rehab_worker, 'GET', `/api/v1/clients/${c.id}/consents`)).r, 200);
    const k = (await call(as.rehab_worker, 'POST', `/api/v1/clients/${c.id}/consents`,
      { scope: ['health_records'], signed_by: 'client', signed_on: '2026-01-05', version: '2026.1' })).j;
    expectStatus((await call(as.rehab_worker, 'POST', `/api/v1/clients/${c.id}/consents/${k.id}/withdraw`, { withdrawn_on: '2026-01-06' })).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', `/api/v1/clients/${c.id}/export?reason=contract`)).r, 200);
    expectStatus((await call(as.rehab_worker, 'GET', `/api/v1/clients/${c.id}/export`)).r, 400);
  });

  test('every operation in the spec was called', () => {
    const all = [];
    for (const [tpl, item] of Object.entries(spec.paths)) {
      for (const m of ['get', 'post', 'put', 'patch', 'delete']) if (item[m]) all.push(`${m.toUpperCase()} ${tpl}`);
    }
    const missing = all.filter((x) => !called.has(x));
    assert.deepEqual(missing, [], 'operations never exercised');
  });
});

describe('the spec itself', () => {
  test('every operation has an operationId, a summary and a 4xx or is an operations endpoint', () => {
    for (const [tpl, item] of Object.entries(spec.paths)) {
      for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = item[m];
        if (!op) continue;
        assert.ok(op.operationId && op.summary, `${m} ${tpl}`);
        if (tpl.startsWith('/api/')) {
          assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${m} ${tpl} documents an error`);
        }
      }
    }
  });

  test('every /api path of the spec exists on the server (an unsupported method gets 405, not 404)', async () => {
    for (const tpl of Object.keys(spec.paths).filter((t) => t.startsWith('/api/'))) {
      const p = tpl.replace('{code}', '510421').replace('{year}', '2026').replace('{id}', '00000000-0000-4000-8000-000000000000');
      const item = spec.paths[tpl];
      const method = ['PUT', 'PATCH', 'DELETE', 'POST'].find((m) => !item[m.toLowerCase()]);
      const r = await srv.anon().req(method, p);
      assert.equal(r.status, 405, `${method} ${p}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  });
});
