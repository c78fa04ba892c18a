// totp.test.mjs: two-factor login (RFC 6238 TOTP) — required for sysadmin, secadmin and auditor
// (等保 2.0 level 3), optional for everyone else; enrolment, each code once, failed codes in the
// lockout, secadmin's reset, the secret sealed at rest (docs/api.md "Session").
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, expectStatus, DEMO_PASSWORD, DEMO_TOTP_SECRET, totpCode, TOTP_STEP_MS, base32Decode,
} from './helpers.mjs';

const GOOD_PW = '康复服务平台2026安全';
const step = () => Math.floor(Date.now() / TOTP_STEP_MS);
let srv, sysadmin, secadmin, auditor;
before(async () => {
  srv = await startServer();
  [sysadmin, secadmin, auditor] = await Promise.all(['sysadmin', 'secadmin', 'auditor'].map((u) => srv.login(u)));
});
after(async () => { await srv?.close(); });

let seq = 0;
/** A new account made by sysadmin: {id, username}. */
async function newUser(role, extra = {}) {
  const username = `tf_${role}_${Date.now() % 100000}_${seq++}`;
  const j = expectStatus(await sysadmin.post('/api/v1/users', { username, role, password: GOOD_PW, ...extra }), 201);
  return { id: j.id, username };
}

async function auditHas(pred, query = 'page_size=100') {
  const j = expectStatus(await auditor.get(`/api/v1/audit?${query}`), 200);
  return j.items.find(pred);
}

describe('administrators need a second factor', () => {
  test('password alone: 200 totp_required with a challenge, and no session', async () => {
    const api = srv.anon();
    const r = await api.post('/api/v1/session', { username: 'auditor', password: DEMO_PASSWORD });
    const j = expectStatus(r, 200);
    assert.equal(j.totp_required, true);
    assert.equal(j.enrolment_required, false);
    assert.equal(typeof j.challenge, 'string');
    assert.ok(j.challenge.length >= 40);
    assert.equal(j.expires_in, 300);
    assert.equal(j.csrf_token, undefined);
    assert.equal(j.user, undefined);
    assert.equal(r.headers['set-cookie'], undefined, 'no cookie before the second factor');
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
  });

  test('the challenge alone opens nothing: used as a cookie or a bearer token it is refused', async () => {
    const r = await srv.anon().post('/api/v1/session', { username: 'secadmin', password: DEMO_PASSWORD });
    const { challenge } = expectStatus(r, 200);
    const api = srv.anon();
    api.cookie = challenge;
    expectStatus(await api.get('/api/v1/users'), 401, 'unauthenticated');
    api.cookie = null;
    api.bearer = challenge;
    expectStatus(await api.get('/api/v1/users'), 401, 'unauthenticated');
  });

  test('wrong code: 401 invalid_totp; garbage challenge: 401 challenge_expired; malformed: 400', async () => {
    const u = await newUser('auditor');
    const api = srv.anon();
    let j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    assert.equal(j.enrolment_required, true);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret) }), 200);
    j = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const wrong = totpCode(e.secret) === '000000' ? '111111' : '000000';
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: wrong }), 401, 'invalid_totp', 'code');
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: 'x'.repeat(43), code: wrong }), 401, 'challenge_expired');
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge }), 400, 'missing_field', 'code');
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: '1', extra: 1 }), 400, 'unknown_field');
  });

  test('the right code completes the login: cookie, csrf token, user with totp_enabled', async () => {
    const u = await newUser('sysadmin');
    const api = srv.anon();
    let j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    assert.match(e.secret, /^[A-Z2-7]{32}$/);
    assert.equal(e.otpauth_uri, `otpauth://totp/Jingkang:${u.username}?secret=${e.secret}&issuer=Jingkang&algorithm=SHA1&digits=6&period=30`);
    const r = await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret) });
    j = expectStatus(r, 200);
    assert.ok(api.cookie, 'session cookie set');
    assert.match(r.headers['set-cookie'].join(';'), /HttpOnly/);
    assert.equal(j.user.username, u.username);
    assert.equal(j.user.totp_enabled, true);
    assert.equal(j.user.totp_required, true);
    expectStatus(await api.get('/api/v1/users'), 200);
    assert.ok(await auditHas((x) => x.action === 'totp_enable' && x.object_id === u.id));
    assert.ok(await auditHas((x) => x.action === 'login' && x.object_id === u.id && /TOTP/.test(x.detail || '')));
  });

  test('each code works once: the same code a second time is refused, the next step works', async () => {
    const u = await newUser('secadmin');
    const api = srv.anon();
    let j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    const s = step();
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, s) }), 200);
    j = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, s) }), 401, 'invalid_totp');
    // one step behind the last one used: also refused
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, s - 1) }), 401, 'invalid_totp');
    // two steps ahead: outside the ±1 window
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, s + 3) }), 401, 'invalid_totp');
    const ok = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW, totp: totpCode(e.secret, s + 1) }), 200);
    assert.equal(ok.user.username, u.username, 'one-request login with "totp" in the body');
  });

  test('a challenge works once', async () => {
    const u = await newUser('auditor');
    const api = srv.anon();
    const j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, step()) }), 200);
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, step() + 1) }), 401, 'challenge_expired');
  });

  test('failed codes count toward the lockout: 5 wrong codes lock the account (423)', async () => {
    const u = await newUser('auditor');
    const api = srv.anon();
    let j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret) }), 200);
    const valid = new Set([-1, 0, 1].map((d) => totpCode(e.secret, step() + d)));
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666', '777777'].filter((c) => !valid.has(c));
    j = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    for (let i = 0; i < 5; i++) {
      expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: wrong[i] }), 401, 'invalid_totp');
    }
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret, step() + 1) }), 423, 'account_locked');
    expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 423, 'account_locked');
    assert.ok(await auditHas((x) => x.action === 'login' && x.object_id === u.id && /wrong TOTP code; account locked/.test(x.detail || '')));
    // secadmin unlocks as for a wrong password
    expectStatus(await secadmin.post(`/api/v1/users/${u.id}/unlock`, {}), 200);
  });

  test('a right password does not reset the failure count before the code is right', async () => {
    const u = await newUser('sysadmin');
    const api = srv.anon();
    let j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret) }), 200);
    const valid = new Set([-1, 0, 1].map((d) => totpCode(e.secret, step() + d)));
    const wrong = ['000001', '111112', '222223', '333334', '444445', '555556', '666667'].filter((c) => !valid.has(c));
    for (let i = 0; i < 5; i++) {
      j = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
      assert.equal(j.totp_required, true);
      const r = await srv.anon().post('/api/v1/session/second-factor', { challenge: j.challenge, code: wrong[i] });
      expectStatus(r, 401, 'invalid_totp');
    }
    expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 423, 'account_locked');
  });
});

describe('enrolment', () => {
  test('an administrator not yet enrolled may only enrol: no code can be checked, no session exists', async () => {
    const u = await newUser('secadmin');
    const api = srv.anon();
    const j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    assert.equal(j.enrolment_required, true);
    assert.equal(api.cookie, null);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: '123456' }), 422, 'enrolment_required');
    // "totp" in the login body does not skip enrolment either
    const k = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW, totp: '123456' }), 200);
    assert.equal(k.enrolment_required, true);
    assert.equal(api.cookie, null);
    // a second enrolment start replaces the first secret
    const e1 = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    const e2 = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    assert.notEqual(e1.secret, e2.secret);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e1.secret) }), 401, 'invalid_totp');
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e2.secret) }), 200);
    // once enrolled, the enrolment step is closed
    const again = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    expectStatus(await srv.anon().post('/api/v1/session/enrolment', { challenge: again.challenge }), 409, 'totp_already_enabled');
  });

  test('any user may enrol from the account page; then their login needs a code', async () => {
    const u = await newUser('official', { region: '510421' });
    const api = await srv.login(u.username, GOOD_PW);
    assert.equal(api.user.totp_enabled, false);
    assert.equal(api.user.totp_required, false);
    expectStatus(await api.post('/api/v1/session/totp/confirm', { code: '123456' }), 422, 'enrolment_required');
    const e = expectStatus(await api.post('/api/v1/session/totp', {}), 200);
    expectStatus(await api.post('/api/v1/session/totp', {}, { csrf: false }), 403, 'csrf_failed');
    const valid = new Set([-1, 0, 1].map((d) => totpCode(e.secret, step() + d)));
    const wrong = ['000000', '999999', '123123'].find((c) => !valid.has(c));
    expectStatus(await api.post('/api/v1/session/totp/confirm', { code: wrong }), 400, 'invalid_totp', 'code');
    const j = expectStatus(await api.post('/api/v1/session/totp/confirm', { code: totpCode(e.secret) }), 200);
    assert.equal(j.totp_enabled, true);
    assert.equal(j.totp_required, true);
    expectStatus(await api.post('/api/v1/session/totp', {}), 409, 'totp_already_enabled');
    const login = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    assert.equal(login.totp_required, true);
    assert.equal(login.enrolment_required, false);
    expectStatus(await srv.anon().post('/api/v1/session/second-factor', { challenge: login.challenge, code: totpCode(e.secret, step() + 1) }), 200);
  });

  test('without login, enrolment from the account page is 401', async () => {
    expectStatus(await srv.anon().post('/api/v1/session/totp', {}), 401, 'unauthenticated');
    expectStatus(await srv.anon().post('/api/v1/session/totp/confirm', { code: '123456' }), 401, 'unauthenticated');
  });

  test('the secret is stored sealed: not in the database file in base32 or raw', async () => {
    const u = await newUser('auditor');
    const api = srv.anon();
    const j = expectStatus(await api.post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    const e = expectStatus(await api.post('/api/v1/session/enrolment', { challenge: j.challenge }), 200);
    expectStatus(await api.post('/api/v1/session/second-factor', { challenge: j.challenge, code: totpCode(e.secret) }), 200);
    // the WAL and the main file both
    const files = fs.readdirSync(srv.dataDir).filter((f) => f.startsWith('jingkang.db'));
    const raw = base32Decode(e.secret);
    for (const f of files) {
      const buf = fs.readFileSync(path.join(srv.dataDir, f));
      assert.ok(!buf.includes(Buffer.from(e.secret)), `${f} holds the base32 secret`);
      assert.ok(!buf.includes(raw), `${f} holds the raw secret`);
      assert.ok(!buf.includes(Buffer.from(DEMO_TOTP_SECRET)), `${f} holds the demo secret`);
    }
  });
});

describe('DELETE /api/v1/users/{id}/totp (secadmin resets a lost authenticator)', () => {
  test('secadmin resets: sessions end, the next login enrols again; audited', async () => {
    const u = await newUser('auditor');
    const api = await srv.login(u.username, GOOD_PW);
    expectStatus(await api.get('/api/v1/session'), 200);
    const j = expectStatus(await secadmin.del(`/api/v1/users/${u.id}/totp`), 200);
    assert.equal(j.totp_enabled, false);
    expectStatus(await api.get('/api/v1/session'), 401, 'unauthenticated');
    const login = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    assert.equal(login.enrolment_required, true);
    assert.ok(await auditHas((x) => x.action === 'totp_reset' && x.object_id === u.id && x.username === 'secadmin'));
  });

  test('a non-administrator reset needs only the password again', async () => {
    const u = await newUser('official', { region: '510421' });
    const api = await srv.login(u.username, GOOD_PW);
    const e = expectStatus(await api.post('/api/v1/session/totp', {}), 200);
    expectStatus(await api.post('/api/v1/session/totp/confirm', { code: totpCode(e.secret) }), 200);
    expectStatus(await secadmin.del(`/api/v1/users/${u.id}/totp`), 200);
    const r = expectStatus(await srv.anon().post('/api/v1/session', { username: u.username, password: GOOD_PW }), 200);
    assert.equal(r.user.username, u.username);
  });

  test('only secadmin: sysadmin, auditor and others get 403; secadmin not for itself', async () => {
    const u = await newUser('auditor');
    expectStatus(await sysadmin.del(`/api/v1/users/${u.id}/totp`), 403, 'forbidden');
    expectStatus(await auditor.del(`/api/v1/users/${u.id}/totp`), 403, 'forbidden');
    const official = await srv.login('county_official');
    expectStatus(await official.del(`/api/v1/users/${u.id}/totp`), 403, 'forbidden');
    expectStatus(await secadmin.del(`/api/v1/users/${secadmin.user.id}/totp`), 403, 'forbidden');
    expectStatus(await secadmin.del('/api/v1/users/00000000-0000-7000-8000-000000000000/totp'), 404, 'not_found');
  });
});

describe('the demo', () => {
  test('demo administrators are enrolled with the documented secret', async () => {
    for (const name of ['sysadmin', 'secadmin', 'auditor']) {
      const j = expectStatus(await srv.anon().post('/api/v1/session', { username: name, password: DEMO_PASSWORD }), 200);
      assert.equal(j.totp_required, true, name);
      assert.equal(j.enrolment_required, false, name);
    }
    assert.equal(sysadmin.user.totp_enabled, true);
    assert.equal(totpCode(DEMO_TOTP_SECRET, 1), totpCode('jingkangdemototpsecretforadmins2', 1));
  });

  test('the code computation matches RFC 6238 appendix B (SHA-1 seed)', () => {
    // secret "12345678901234567890" in base32
    const s = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(totpCode(s, Math.floor(59 / 30)), '287082');
    assert.equal(totpCode(s, Math.floor(1111111109 / 30)), '081804');
    assert.equal(totpCode(s, Math.floor(1234567890 / 30)), '005924');
    assert.equal(totpCode(s, Math.floor(20000000000 / 30)), '353130');
  });
});
