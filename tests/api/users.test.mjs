// users.test.mjs: user administration — list, create (password policy, duplicates, role
// requirements), update (display name, disable, password), unlock by the security
// administrator, and bearer tokens created through the API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectPage, DEMO_PASSWORD, UUID_RE, TIME_RE } from './helpers.mjs';

let srv;
let sysadmin;
let secadmin;
before(async () => {
  srv = await startServer();
  sysadmin = await srv.login('sysadmin');
  secadmin = await srv.login('secadmin');
});
after(async () => { await srv?.close(); });

const GOOD_PW = '康复服务平台2026安全';
let n = 0;
const uname = (p = 'u') => `${p}_${process.pid % 1000}_${++n}`;

async function userId(username) {
  const j = expectStatus(await sysadmin.get(`/api/v1/users?q=${encodeURIComponent(username)}&page_size=100`), 200);
  const u = j.items.find((x) => x.username === username);
  assert.ok(u, `user ${username} listed`);
  return u.id;
}

async function lock(username) {
  const api = srv.anon();
  for (let i = 0; i < 5; i++) await api.post('/api/v1/session', { username, password: `Not-The-Password-${i}!` });
  expectStatus(await api.post('/api/v1/session', { username, password: DEMO_PASSWORD }), 423, 'account_locked');
}

describe('GET /api/v1/users', () => {
  test('sysadmin lists the demo users', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/users?page_size=100'), 200);
    expectPage(j, { pageSize: 100 });
    const names = j.items.map((u) => u.username);
    for (const u of ['sysadmin', 'secadmin', 'auditor', 'county_official', 'county_official2', 'city_official',
      'referral_worker', 'rehab_worker', 'hospital_worker', 'evaluator']) assert.ok(names.includes(u), `${u} listed`);
    const co = j.items.find((u) => u.username === 'county_official');
    for (const f of ['id', 'username', 'display_name', 'role', 'region', 'region_name', 'organization', 'organization_name', 'disabled', 'locked_until']) {
      assert.ok(f in co, `user.${f}`);
    }
    assert.equal(co.region, '510421');
    assert.equal(co.region_name, '米易县');
  });

  test('no password hashes in the list', async () => {
    const r = await sysadmin.get('/api/v1/users?page_size=100');
    expectStatus(r, 200);
    assert.ok(!/argon2|pw_hash|password/i.test(r.text), 'no password material');
  });

  test('?role= filters', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/users?role=official'), 200);
    assert.ok(j.items.length >= 3);
    assert.ok(j.items.every((u) => u.role === 'official'));
  });

  test('?q= filters', async () => {
    const j = expectStatus(await sysadmin.get('/api/v1/users?q=county_official2'), 200);
    assert.ok(j.items.some((u) => u.username === 'county_official2'));
    assert.ok(!j.items.some((u) => u.username === 'sysadmin'));
  });

  test('?role=bogus: 400', async () => {
    expectStatus(await sysadmin.get('/api/v1/users?role=king'), 400, 'invalid_field', 'role');
  });

  test('secadmin may list too', async () => {
    expectStatus(await secadmin.get('/api/v1/users'), 200);
  });

  for (const u of ['auditor', 'county_official', 'city_official', 'referral_worker', 'rehab_worker', 'hospital_worker', 'evaluator']) {
    test(`${u}: 403`, async () => {
      const api = await srv.login(u);
      expectStatus(await api.get('/api/v1/users'), 403, 'forbidden');
    });
  }

  test('anonymous: 401', async () => {
    expectStatus(await srv.anon().get('/api/v1/users'), 401, 'unauthenticated');
  });
});

describe('POST /api/v1/users', () => {
  test('sysadmin creates an official; the new user logs in with their scope', async () => {
    const username = uname('official');
    const r = await sysadmin.post('/api/v1/users', {
      username, display_name: '米易县卫健局 测试员', role: 'official', region: '510421', password: GOOD_PW,
    });
    const j = expectStatus(r, 201);
    assert.match(j.id, UUID_RE);
    assert.equal(j.username, username);
    assert.equal(j.display_name, '米易县卫健局 测试员');
    assert.equal(j.role, 'official');
    assert.equal(j.region, '510421');
    assert.equal(j.disabled, false);
    assert.equal(j.locked_until, null);
    assert.ok(!r.text.includes(GOOD_PW), 'the password is not echoed');
    const api = await srv.login(username, GOOD_PW);
    assert.equal(api.user.region, '510421');
    expectStatus(await api.get('/api/v1/clients'), 200);
  });

  test('staff need an organization of the right kind', async () => {
    const rehabOrg = (await srv.login('rehab_worker')).user.organization;
    const hospOrg = (await srv.login('hospital_worker')).user.organization;
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('rs'), role: 'rehab_staff', organization: rehabOrg, password: GOOD_PW }), 201);
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('hs'), role: 'hospital_staff', organization: hospOrg, password: GOOD_PW }), 201);
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('rs'), role: 'rehab_staff', password: GOOD_PW }), 400, 'missing_field', 'organization');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('hs'), role: 'hospital_staff', organization: rehabOrg, password: GOOD_PW }), 400, 'invalid_field', 'organization');
  });

  test('regional roles need a region', async () => {
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('o'), role: 'official', password: GOOD_PW }), 400, 'missing_field', 'region');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('o'), role: 'referral_worker', region: '519999', password: GOOD_PW }), 400, 'invalid_field', 'region');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname('o'), role: 'auditor', region: '510421', password: GOOD_PW }), 400, 'invalid_field', 'region');
  });

  for (const pw of ['short-pw-1', 'password1234', '123456789012', 'qwertyuiopas', 'aaaaaaaaaaaa', 'x'.repeat(129)]) {
    test(`weak password ${JSON.stringify(pw.length > 20 ? `${pw.slice(0, 10)}…` : pw)}: 400 weak_password`, async () => {
      const r = await sysadmin.post('/api/v1/users', { username: uname('w'), role: 'evaluator', password: pw });
      expectStatus(r, 400, 'weak_password', 'password');
    });
  }

  test('a password containing the username: 400 weak_password', async () => {
    const username = uname('zhangsan');
    const r = await sysadmin.post('/api/v1/users', { username, role: 'evaluator', password: `${username}-Rehab-2026` });
    expectStatus(r, 400, 'weak_password', 'password');
  });

  test('duplicate username: 409 duplicate_username', async () => {
    const username = uname('dup');
    expectStatus(await sysadmin.post('/api/v1/users', { username, role: 'evaluator', password: GOOD_PW }), 201);
    expectStatus(await sysadmin.post('/api/v1/users', { username, role: 'auditor', password: GOOD_PW }), 409, 'duplicate_username');
    expectStatus(await sysadmin.post('/api/v1/users', { username: 'county_official', role: 'evaluator', password: GOOD_PW }), 409, 'duplicate_username');
  });

  test('bad username, bad role, unknown field, missing password', async () => {
    expectStatus(await sysadmin.post('/api/v1/users', { username: 'Has Spaces', role: 'evaluator', password: GOOD_PW }), 400, 'invalid_field', 'username');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname(), role: 'superuser', password: GOOD_PW }), 400, 'invalid_field', 'role');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname(), role: 'evaluator', password: GOOD_PW, is_admin: true }), 400, 'unknown_field');
    expectStatus(await sysadmin.post('/api/v1/users', { username: uname(), role: 'evaluator' }), 400, 'missing_field', 'password');
    expectStatus(await sysadmin.post('/api/v1/users', '{"username":'), 400, 'bad_json');
  });

  for (const u of ['secadmin', 'auditor', 'city_official', 'rehab_worker', 'evaluator']) {
    test(`${u} cannot create users: 403`, async () => {
      const api = await srv.login(u);
      expectStatus(await api.post('/api/v1/users', { username: uname(), role: 'evaluator', password: GOOD_PW }), 403, 'forbidden');
    });
  }
});

describe('PATCH /api/v1/users/{id}', () => {
  test('sysadmin changes the display name', async () => {
    const username = uname('p');
    const c = expectStatus(await sysadmin.post('/api/v1/users', { username, role: 'evaluator', password: GOOD_PW }), 201);
    const j = expectStatus(await sysadmin.patch(`/api/v1/users/${c.id}`, { display_name: '新名字' }), 200);
    assert.equal(j.display_name, '新名字');
    assert.equal(j.username, username);
  });

  test('disabling ends the sessions and blocks login; enabling restores it', async () => {
    const username = uname('d');
    const c = expectStatus(await sysadmin.post('/api/v1/users', { username, role: 'evaluator', password: GOOD_PW }), 201);
    const api = await srv.login(username, GOOD_PW);
    const tokenApi = await srv.bearer(username);
    const j = expectStatus(await sysadmin.patch(`/api/v1/users/${c.id}`, { disabled: true }), 200);
    assert.equal(j.disabled, true);
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
    expectStatus(await tokenApi.get('/api/v1/session'), 401, 'unauthenticated');
    expectStatus(await srv.anon().post('/api/v1/session', { username, password: GOOD_PW }), 401, 'invalid_credentials');
    expectStatus(await sysadmin.patch(`/api/v1/users/${c.id}`, { disabled: false }), 200);
    await srv.login(username, GOOD_PW);
  });

  test('a new password ends the sessions; the old password stops working', async () => {
    const username = uname('pw');
    const c = expectStatus(await sysadmin.post('/api/v1/users', { username, role: 'evaluator', password: GOOD_PW }), 201);
    const api = await srv.login(username, GOOD_PW);
    const NEW_PW = '换一个新的长密码-精康2027';
    expectStatus(await sysadmin.patch(`/api/v1/users/${c.id}`, { password: NEW_PW }), 200);
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
    expectStatus(await srv.anon().post('/api/v1/session', { username, password: GOOD_PW }), 401, 'invalid_credentials');
    await srv.login(username, NEW_PW);
  });

  test('validation', async () => {
    const c = expectStatus(await sysadmin.post('/api/v1/users', { username: uname('v'), role: 'evaluator', password: GOOD_PW }), 201);
    const p = (b) => sysadmin.patch(`/api/v1/users/${c.id}`, b);
    expectStatus(await p({ password: 'password1234' }), 400, 'weak_password', 'password');
    expectStatus(await p({ disabled: 'yes' }), 400, 'invalid_field', 'disabled');
    expectStatus(await p({ role: 'sysadmin' }), 400, 'unknown_field');
    expectStatus(await p({ username: 'renamed' }), 400, 'unknown_field');
  });

  test('unknown user: 404', async () => {
    expectStatus(await sysadmin.patch('/api/v1/users/00000000-0000-4000-8000-000000000000', { display_name: 'x' }), 404, 'not_found');
  });

  for (const u of ['secadmin', 'auditor', 'county_official']) {
    test(`${u} cannot update users: 403`, async () => {
      const id = await userId('evaluator');
      const api = await srv.login(u);
      expectStatus(await api.patch(`/api/v1/users/${id}`, { display_name: 'x' }), 403, 'forbidden');
    });
  }
});

describe('POST /api/v1/users/{id}/unlock', () => {
  test('secadmin unlocks a locked user', async () => {
    const username = uname('locked');
    srv.addUser(username, 'evaluator');
    await lock(username);
    const id = await userId(username);
    const listed = expectStatus(await sysadmin.get(`/api/v1/users?q=${username}`), 200).items.find((u) => u.username === username);
    assert.match(String(listed.locked_until), TIME_RE, 'locked_until shows the lock');
    const j = expectStatus(await secadmin.post(`/api/v1/users/${id}/unlock`), 200);
    assert.equal(j.locked_until, null);
    await srv.login(username);
  });

  test('after an unlock the failure count starts again from zero', async () => {
    const username = uname('relock');
    srv.addUser(username, 'evaluator');
    await lock(username);
    expectStatus(await secadmin.post(`/api/v1/users/${await userId(username)}/unlock`), 200);
    const api = srv.anon();
    expectStatus(await api.post('/api/v1/session', { username, password: 'Not-The-Password-0!' }), 401, 'invalid_credentials');
    await srv.login(username);
  });

  test('unlock with an empty JSON body also works', async () => {
    const username = uname('lk');
    srv.addUser(username, 'evaluator');
    await lock(username);
    expectStatus(await secadmin.post(`/api/v1/users/${await userId(username)}/unlock`, {}), 200);
    await srv.login(username);
  });

  for (const u of ['sysadmin', 'auditor', 'county_official', 'rehab_worker']) {
    test(`${u} cannot unlock: 403`, async () => {
      const username = uname('nolk');
      srv.addUser(username, 'evaluator');
      await lock(username);
      const id = await userId(username);
      const api = await srv.login(u);
      expectStatus(await api.post(`/api/v1/users/${id}/unlock`), 403, 'forbidden');
      expectStatus(await srv.anon().post('/api/v1/session', { username, password: DEMO_PASSWORD }), 423, 'account_locked');
    });
  }

  test('unknown user: 404', async () => {
    expectStatus(await secadmin.post('/api/v1/users/00000000-0000-4000-8000-000000000000/unlock'), 404, 'not_found');
  });

  test('unlock needs the CSRF token', async () => {
    const id = await userId('evaluator');
    expectStatus(await secadmin.post(`/api/v1/users/${id}/unlock`, undefined, { csrf: false }), 403, 'csrf_failed');
  });
});

describe('POST /api/v1/tokens', () => {
  test('sysadmin creates a token that acts as the named user', async () => {
    const r = await sysadmin.post('/api/v1/tokens', { username: 'rehab_worker', name: '区平台对接' });
    const j = expectStatus(r, 201);
    assert.match(j.id, UUID_RE);
    assert.equal(typeof j.token, 'string');
    assert.ok(j.token.length >= 20);
    const api = srv.anon();
    api.bearer = j.token;
    const s = expectStatus(await api.get('/api/v1/session'), 200);
    assert.equal(s.user.username, 'rehab_worker');
    expectStatus(await api.get('/api/v1/clients'), 200);
  });

  test('two tokens differ', async () => {
    const a = expectStatus(await sysadmin.post('/api/v1/tokens', { username: 'evaluator' }), 201);
    const b = expectStatus(await sysadmin.post('/api/v1/tokens', { username: 'evaluator' }), 201);
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.id, b.id);
  });

  test('unknown user or field: 400', async () => {
    expectStatus(await sysadmin.post('/api/v1/tokens', { username: 'no_such_user' }), 400, undefined, 'username');
    expectStatus(await sysadmin.post('/api/v1/tokens', { username: 'evaluator', scope: 'all' }), 400, 'unknown_field');
    expectStatus(await sysadmin.post('/api/v1/tokens', {}), 400, 'missing_field', 'username');
  });

  for (const u of ['secadmin', 'auditor', 'city_official', 'rehab_worker']) {
    test(`${u} cannot create tokens: 403`, async () => {
      const api = await srv.login(u);
      expectStatus(await api.post('/api/v1/tokens', { username: u }), 403, 'forbidden');
    });
  }
});
