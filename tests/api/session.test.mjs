// session.test.mjs: login, lockout, the current session, logout, cookie flags, CSRF, bearer
// tokens and the security headers (docs/api.md "Session", "Conventions").
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectJson, DEMO_PASSWORD, DEMO_USERS, UUID_RE } from './helpers.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.close(); });

const USER_FIELDS = ['id', 'username', 'display_name', 'role', 'region', 'region_name', 'organization',
  'organization_name', 'disabled', 'locked_until'];

describe('POST /api/v1/session (login)', () => {
  test('good credentials: 200, user, csrf token and a session cookie', async () => {
    const api = srv.anon();
    const r = await api.post('/api/v1/session', { username: 'county_official', password: DEMO_PASSWORD });
    expectStatus(r, 200);
    const j = expectJson(r);
    assert.equal(typeof j.csrf_token, 'string');
    assert.ok(j.csrf_token.length >= 16, 'csrf token long enough');
    for (const f of USER_FIELDS) assert.ok(f in j.user, `user.${f} present`);
    assert.match(j.user.id, UUID_RE);
    assert.equal(j.user.username, 'county_official');
    assert.equal(j.user.role, 'official');
    assert.equal(j.user.region, '510421');
    assert.equal(j.user.region_name, '米易县');
    assert.equal(j.user.disabled, false);
    assert.equal(j.user.locked_until, null);
    assert.ok(api.cookie, 'jk_session cookie set');
    assert.ok(!r.text.includes('pw_hash') && !r.text.includes('$argon2'), 'no password hash in the answer');
  });

  test('every demo account can log in with its role', async () => {
    for (const [username, { role, region }] of Object.entries(DEMO_USERS)) {
      const api = await srv.login(username);
      assert.equal(api.user.role, role, username);
      if (region) assert.equal(api.user.region, region, username);
      if (role === 'rehab_staff' || role === 'hospital_staff') {
        assert.match(api.user.organization, UUID_RE, `${username} has an organization`);
        assert.equal(typeof api.user.organization_name, 'string');
      }
    }
  });

  test('cookie flags: HttpOnly, SameSite=Strict, Path=/', async () => {
    const api = srv.anon();
    // (a password-only account: administrators get the cookie from the TOTP step, totp.test.mjs)
    const r = await api.post('/api/v1/session', { username: 'county_official', password: DEMO_PASSWORD });
    expectStatus(r, 200);
    const c = (r.headers['set-cookie'] || []).find((x) => x.startsWith('jk_session='));
    assert.ok(c, `Set-Cookie jk_session: ${r.headers['set-cookie']}`);
    assert.match(c, /;\s*HttpOnly/i);
    assert.match(c, /;\s*SameSite=Strict/i);
    assert.match(c, /;\s*Path=\//i);
    const value = /^jk_session=([^;]*)/.exec(c)[1];
    assert.ok(value.length >= 32, 'session token long enough');
    assert.ok(!r.text.includes(value), 'the session token is only in the cookie, not in the body');
  });

  test('wrong password: 401 invalid_credentials, no cookie', async () => {
    const api = srv.anon();
    const r = await api.post('/api/v1/session', { username: 'evaluator', password: 'Wrong-Password-123!' });
    expectStatus(r, 401, 'invalid_credentials');
    assert.equal(api.cookie, null);
  });

  test('unknown username answers the same as a wrong password', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'nobody_here', password: 'Wrong-Password-123!' });
    expectStatus(r, 401, 'invalid_credentials');
  });

  test('missing password: 400 missing_field', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'evaluator' });
    expectStatus(r, 400, 'missing_field', 'password');
  });

  test('unknown field: 400 unknown_field', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'evaluator', password: DEMO_PASSWORD, remember: true });
    expectStatus(r, 400, 'unknown_field');
  });

  test('malformed JSON: 400 bad_json', async () => {
    const r = await srv.anon().post('/api/v1/session', '{"username": "evaluator",');
    expectStatus(r, 400, 'bad_json');
  });

  test('password of the wrong type: 400 invalid_field', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'evaluator', password: 12345678901234 });
    expectStatus(r, 400, 'invalid_field', 'password');
  });

  test('wrong content type: 415 unsupported_media_type', async () => {
    const r = await srv.anon().post('/api/v1/session', `username=evaluator&password=${DEMO_PASSWORD}`,
      { contentType: 'application/x-www-form-urlencoded' });
    expectStatus(r, 415, 'unsupported_media_type');
  });
});

describe('lockout', () => {
  test('5 failures lock the account: 423 account_locked even with the right password', async () => {
    srv.addUser('lock_me', 'evaluator');
    const api = srv.anon();
    for (let i = 1; i <= 5; i++) {
      const r = await api.post('/api/v1/session', { username: 'lock_me', password: `Wrong-Password-${i}!x` });
      assert.ok(r.status === 401 || (i === 5 && r.status === 423), `failure ${i}: ${r.status} ${r.text}`);
    }
    const r = await api.post('/api/v1/session', { username: 'lock_me', password: DEMO_PASSWORD });
    expectStatus(r, 423, 'account_locked');
    assert.equal(api.cookie, null, 'no session for a locked account');
    // still locked on the next try
    const r2 = await api.post('/api/v1/session', { username: 'lock_me', password: DEMO_PASSWORD });
    expectStatus(r2, 423, 'account_locked');
  });

  test('4 failures then a success reset the count', async () => {
    srv.addUser('almost_locked', 'evaluator');
    const api = srv.anon();
    for (let i = 0; i < 4; i++) {
      expectStatus(await api.post('/api/v1/session', { username: 'almost_locked', password: 'Wrong-Password-99!' }), 401, 'invalid_credentials');
    }
    expectStatus(await api.post('/api/v1/session', { username: 'almost_locked', password: DEMO_PASSWORD }), 200);
    for (let i = 0; i < 4; i++) {
      expectStatus(await api.post('/api/v1/session', { username: 'almost_locked', password: 'Wrong-Password-99!' }), 401, 'invalid_credentials');
    }
    expectStatus(await api.post('/api/v1/session', { username: 'almost_locked', password: DEMO_PASSWORD }), 200);
  });
});

describe('GET /api/v1/session', () => {
  test('with the cookie: the user and the same CSRF token', async () => {
    const api = await srv.login('city_official');
    const csrf = api.csrf;
    const r = await api.get('/api/v1/session');
    const j = expectStatus(r, 200);
    assert.equal(j.user.username, 'city_official');
    assert.equal(j.user.region, '5104');
    assert.equal(j.csrf_token, csrf);
  });

  test('without a cookie: 401 unauthenticated', async () => {
    expectStatus(await srv.anon().get('/api/v1/session'), 401, 'unauthenticated');
  });

  test('with a made-up cookie: 401', async () => {
    const api = srv.anon();
    api.cookie = 'A'.repeat(43);
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
  });

  test('with a bearer token (CLI token create): the token user', async () => {
    const api = await srv.bearer('referral_worker');
    const j = expectStatus(await api.get('/api/v1/session'), 200);
    assert.equal(j.user.username, 'referral_worker');
  });

  test('with a made-up bearer token: 401', async () => {
    const api = srv.anon();
    api.bearer = 'not-a-real-token-0123456789abcdef';
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
  });
});

describe('CSRF', () => {
  const org = () => ({
    name: 'CSRF测试机构', kind: 'community', region: '510421', address: '米易县攀莲镇', location: { lat: 26.89, lng: 102.11 },
  });

  test('POST with the cookie but without X-CSRF-Token: 403 csrf_failed', async () => {
    const api = await srv.login('sysadmin');
    expectStatus(await api.post('/api/v1/organizations', org(), { csrf: false }), 403, 'csrf_failed');
  });

  test('POST with a wrong X-CSRF-Token: 403 csrf_failed', async () => {
    const api = await srv.login('sysadmin');
    const r = await api.post('/api/v1/organizations', org(), { csrf: false, headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
    expectStatus(r, 403, 'csrf_failed');
  });

  test("another session's CSRF token does not work", async () => {
    const a = await srv.login('sysadmin');
    const b = await srv.login('sysadmin', DEMO_PASSWORD, { fresh: true });
    const r = await a.post('/api/v1/organizations', org(), { csrf: false, headers: { 'X-CSRF-Token': b.csrf } });
    expectStatus(r, 403, 'csrf_failed');
  });

  test('PATCH without the token: 403 csrf_failed', async () => {
    const api = await srv.login('sysadmin');
    const created = expectStatus(await api.post('/api/v1/organizations', org()), 201);
    expectStatus(await api.patch(`/api/v1/organizations/${created.id}`, { name: '改名' }, { csrf: false }), 403, 'csrf_failed');
  });

  test('POST with the right token: accepted', async () => {
    const api = await srv.login('sysadmin');
    expectStatus(await api.post('/api/v1/organizations', org()), 201);
  });

  test('bearer tokens need no CSRF token', async () => {
    const api = await srv.bearer('sysadmin');
    expectStatus(await api.post('/api/v1/organizations', org()), 201);
  });
});

describe('security headers', () => {
  function checkHeaders(r, { api }) {
    const h = r.headers;
    const csp = String(h['content-security-policy'] || '');
    assert.ok(csp, 'Content-Security-Policy present');
    assert.match(csp, /default-src 'self'/);
    assert.ok(/frame-ancestors 'none'/.test(csp) || String(h['x-frame-options']).toUpperCase() === 'DENY',
      "frame-ancestors 'none' or X-Frame-Options: DENY");
    assert.equal(h['x-content-type-options'], 'nosniff');
    if (api) assert.match(String(h['cache-control'] || ''), /no-store/, 'Cache-Control: no-store on the API');
  }

  test('on a public API answer', async () => {
    const r = await srv.anon().get('/api/v1/regions/510421');
    expectStatus(r, 200);
    checkHeaders(r, { api: true });
  });

  test('on the login answer', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'auditor', password: DEMO_PASSWORD });
    expectStatus(r, 200);
    checkHeaders(r, { api: true });
  });

  test('on a 401 answer', async () => {
    const r = await srv.anon().get('/api/v1/session');
    expectStatus(r, 401);
    checkHeaders(r, { api: true });
  });

  test('on an authenticated answer with personal data', async () => {
    const api = await srv.login('rehab_worker');
    const r = await api.get('/api/v1/clients');
    expectStatus(r, 200);
    checkHeaders(r, { api: true });
  });

  test('on /healthz', async () => {
    const r = await srv.anon().get('/healthz');
    expectStatus(r, 200);
    checkHeaders(r, { api: false });
  });

  test('JSON answers say application/json', async () => {
    const r = await srv.anon().get('/api/v1/session');
    assert.match(String(r.headers['content-type']), /^application\/json/);
  });
});

describe('DELETE /api/v1/session (logout)', () => {
  test('204, then the old cookie is refused (ended on the server)', async () => {
    const api = await srv.login('hospital_worker');
    const cookie = api.cookie;
    const r = await api.del('/api/v1/session');
    expectStatus(r, 204);
    assert.equal(r.text, '');
    // even if a client keeps the old cookie, the server no longer accepts it
    api.cookie = cookie;
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
    expectStatus(await api.get('/api/v1/organizations'), 401, 'unauthenticated');
  });

  test('logout clears the cookie in the browser', async () => {
    const api = await srv.login('hospital_worker');
    const r = await api.del('/api/v1/session');
    expectStatus(r, 204);
    const c = (r.headers['set-cookie'] || []).find((x) => x.startsWith('jk_session='));
    assert.ok(c, 'a Set-Cookie clearing jk_session');
    assert.match(c, /^jk_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
  });

  test('logout needs the CSRF token', async () => {
    const api = await srv.login('hospital_worker');
    expectStatus(await api.del('/api/v1/session', { csrf: false }), 403, 'csrf_failed');
    expectStatus(await api.get('/api/v1/session'), 200); // still logged in
  });

  test('logout without a session: 401', async () => {
    expectStatus(await srv.anon().del('/api/v1/session'), 401, 'unauthenticated');
  });

  test('other sessions of the same user survive a logout', async () => {
    const a = await srv.login('evaluator');
    const b = await srv.login('evaluator');
    expectStatus(await a.del('/api/v1/session'), 204);
    expectStatus(await b.get('/api/v1/session'), 200);
  });
});
