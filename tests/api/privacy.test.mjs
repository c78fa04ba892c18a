// privacy.test.mjs: PIPL — the separate consent (单独同意, Art. 29) to processing a client's
// sensitive personal information, its withdrawal (Art. 15) and the flag when none is in force;
// the export of everything held about a person on request (Art. 45), audited with its reason.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, eventually, UUID_RE, TIME_RE } from './helpers.mjs';

let srv, rehab, official, official2, sysadmin, auditor, client;
before(async () => {
  srv = await startServer();
  [rehab, official, official2, sysadmin, auditor] = await Promise.all(
    ['rehab_worker', 'county_official', 'county_official2', 'sysadmin', 'auditor'].map((u) => srv.login(u)));
  const list = expectStatus(await rehab.get('/api/v1/clients?page_size=50'), 200);
  assert.ok(list.items.length > 0, 'rehab_worker has clients in the demo');
  client = list.items.find((c) => c.residence_region?.startsWith('510421')) || list.items[0];
});
after(async () => { await srv?.close(); });

const consent = (over = {}) => ({
  scope: ['health_records', 'service_records'], signed_by: 'client', signed_on: '2026-01-05', version: '2026.1', ...over,
});

async function auditFind(pred, query) {
  const j = expectStatus(await auditor.get(`/api/v1/audit?${query}&page_size=100`), 200);
  return j.items.find(pred);
}

describe('separate consent for sensitive personal information', () => {
  let fresh;
  before(async () => {
    // a client of the rehab worker without any consent yet
    const list = expectStatus(await rehab.get('/api/v1/clients?page_size=50'), 200);
    fresh = list.items[list.items.length - 1];
  });

  test('no consent: status missing and flagged', async () => {
    const j = expectStatus(await rehab.get(`/api/v1/clients/${fresh.id}/consents`), 200);
    assert.equal(j.status, 'missing');
    assert.equal(j.flagged, true);
    assert.match(j.status_label, /单独同意/);
    assert.deepEqual(j.items, []);
  });

  test('bad bodies: 400 with the field named', async () => {
    const p = `/api/v1/clients/${fresh.id}/consents`;
    expectStatus(await rehab.post(p, consent({ scope: [] })), 400, 'invalid_field', 'scope');
    expectStatus(await rehab.post(p, consent({ scope: ['everything'] })), 400, 'invalid_field', 'scope');
    expectStatus(await rehab.post(p, consent({ scope: ['health_records', 'health_records'] })), 400, 'invalid_field', 'scope');
    expectStatus(await rehab.post(p, consent({ signed_by: 'neighbour' })), 400, 'invalid_field', 'signed_by');
    expectStatus(await rehab.post(p, consent({ signed_by: 'guardian' })), 400, 'missing_field', 'guardian_name');
    expectStatus(await rehab.post(p, consent({ signed_on: '2999-01-01' })), 400, undefined, 'signed_on');
    expectStatus(await rehab.post(p, consent({ version: undefined })), 400, 'missing_field', 'version');
    expectStatus(await rehab.post(p, consent({ extra: 1 })), 400, 'unknown_field');
  });

  test('recorded: who, when, by whom, scope; status given; audited', async () => {
    const r = await rehab.post(`/api/v1/clients/${fresh.id}/consents`,
      consent({ signed_by: 'guardian', guardian_name: '王大伟' }));
    const j = expectStatus(r, 201);
    assert.match(j.id, UUID_RE);
    assert.equal(j.status, 'given');
    assert.equal(j.flagged, false);
    const c = j.items[0];
    assert.equal(c.id, j.id);
    assert.deepEqual(c.scope, ['health_records', 'service_records']);
    assert.equal(c.signed_by, 'guardian');
    assert.equal(c.guardian_name, '王大伟');
    assert.equal(c.signed_on, '2026-01-05');
    assert.equal(c.version, '2026.1');
    assert.equal(c.recorded_by, 'rehab_worker');
    assert.match(c.recorded_at, TIME_RE);
    assert.equal(c.withdrawn_at, null);
    assert.ok(await auditFind((x) => x.action === 'consent' && x.object_id === fresh.id && x.username === 'rehab_worker',
      `object_id=${fresh.id}`));
  });

  test('withdrawal is recorded, not deleted; the status becomes withdrawn; twice is 409', async () => {
    const made = expectStatus(await rehab.post(`/api/v1/clients/${fresh.id}/consents`, consent({ scope: ['information_sharing'] })), 201);
    const list = expectStatus(await rehab.get(`/api/v1/clients/${fresh.id}/consents`), 200);
    const health = list.items.find((c) => c.scope.includes('health_records'));
    const p = `/api/v1/clients/${fresh.id}/consents/${health.id}/withdraw`;
    expectStatus(await rehab.post(p, { reason: '本人要求' }), 400, 'missing_field', 'withdrawn_on');
    const j = expectStatus(await rehab.post(p, { withdrawn_on: '2026-01-20', reason: '本人要求撤回' }), 200);
    assert.equal(j.status, 'withdrawn');
    assert.equal(j.flagged, true);
    const w = j.items.find((c) => c.id === health.id);
    assert.equal(w.withdrawn_on, '2026-01-20');
    assert.equal(w.withdrawn_reason, '本人要求撤回');
    assert.equal(w.withdrawn_by, 'rehab_worker');
    assert.match(w.withdrawn_at, TIME_RE);
    assert.equal(j.items.length, 2, 'nothing deleted');
    assert.ok(j.items.find((c) => c.id === made.id).withdrawn_at === null);
    expectStatus(await rehab.post(p, { withdrawn_on: '2026-01-21' }), 409, 'already_withdrawn');
    expectStatus(await rehab.post(`/api/v1/clients/${fresh.id}/consents/${made.id.replace(/.$/, '0')}x/withdraw`,
      { withdrawn_on: '2026-01-21' }), 404, 'not_found');
    assert.ok(await auditFind((x) => x.action === 'consent_withdraw' && x.object_id === fresh.id, `object_id=${fresh.id}`));
    // a new consent puts it back in force
    const again = expectStatus(await rehab.post(`/api/v1/clients/${fresh.id}/consents`, consent()), 201);
    assert.equal(again.status, 'given');
  });

  test('scope: the official of the county reads; another county 404; administrators 403; no login 401', async () => {
    if (!fresh.residence_region?.startsWith('510421')) return;
    expectStatus(await official.get(`/api/v1/clients/${fresh.id}/consents`), 200);
    expectStatus(await official2.get(`/api/v1/clients/${fresh.id}/consents`), 404, 'not_found');
    expectStatus(await official2.post(`/api/v1/clients/${fresh.id}/consents`, consent()), 404, 'not_found');
    expectStatus(await sysadmin.get(`/api/v1/clients/${fresh.id}/consents`), 403, 'forbidden');
    expectStatus(await auditor.post(`/api/v1/clients/${fresh.id}/consents`, consent()), 403, 'forbidden');
    expectStatus(await srv.anon().get(`/api/v1/clients/${fresh.id}/consents`), 401, 'unauthenticated');
  });
});

describe('GET /api/v1/clients/{id}/export (a person\'s own data)', () => {
  test('a reason is required', async () => {
    expectStatus(await rehab.get(`/api/v1/clients/${client.id}/export`), 400, 'missing_field', 'reason');
    expectStatus(await rehab.get(`/api/v1/clients/${client.id}/export?reason=%20%20`), 400, 'missing_field', 'reason');
    expectStatus(await rehab.get(`/api/v1/clients/${client.id}/export?reason=${'x'.repeat(201)}`), 400, 'invalid_field', 'reason');
  });

  test('everything held: the record with full values, care, consents and the accesses; audited first', async () => {
    expectStatus(await rehab.get(`/api/v1/clients/${client.id}`), 200);   // an access to find later
    assert.ok(await eventually(() => auditFind((x) => x.action === 'read' && x.username === 'rehab_worker', `object_id=${client.id}`)),
      'the read reached the audit trail');
    const reason = '本人依《个人信息保护法》第45条申请复制';
    const r = await rehab.get(`/api/v1/clients/${client.id}/export?reason=${encodeURIComponent(reason)}`);
    const j = expectStatus(r, 200);
    assert.match(String(r.headers['content-disposition']), /^attachment; filename="client-[0-9a-f-]+\.json"$/);
    assert.equal(j.format, 'jingkang-client-export/1');
    assert.equal(j.reason, reason);
    assert.equal(j.exported_by, 'rehab_worker');
    assert.match(j.exported_at, TIME_RE);
    assert.equal(j.client.id, client.id);
    assert.equal(j.client.name, client.name);
    const rev = expectStatus(await rehab.post(`/api/v1/clients/${client.id}/reveal`,
      { fields: ['id_number', 'phone', 'address', 'guardian_phones'], reason: '核对导出' }), 200);
    assert.equal(j.client.id_number, rev.id_number, 'the full ID number, not the mask');
    assert.match(j.client.id_number, /^\d{17}[\dX]$/);
    assert.equal(j.client.phone, rev.phone);
    assert.equal(j.client.address, rev.address);
    assert.deepEqual(j.client.guardians.map((g) => g.phone), rev.guardians.map((g) => g.phone));
    for (const k of ['referrals', 'assessments', 'plans', 'care_team', 'services', 'due', 'alerts', 'accesses']) {
      assert.ok(Array.isArray(j[k]), `${k} is an array`);
    }
    assert.ok(['given', 'missing', 'withdrawn'].includes(j.consents.status));
    const list = expectStatus(await rehab.get(`/api/v1/clients/${client.id}/assessments`), 200);
    const items = Array.isArray(list) ? list : list.items;
    if (Array.isArray(items)) assert.equal(j.assessments.length, items.length, 'every current assessment');
    const svc = expectStatus(await rehab.get(`/api/v1/clients/${client.id}/services`), 200);
    const svcItems = Array.isArray(svc) ? svc : svc.items;
    if (Array.isArray(svcItems)) assert.ok(j.services.length >= svcItems.length, 'every service record');
    assert.ok(j.accesses.some((a) => a.username === 'rehab_worker' && a.action === 'read'), 'the read above is listed');
    assert.ok(j.accesses.every((a) => TIME_RE.test(a.time) && a.action && a.result));
    // the export itself is audited, with the reason, and shows up in the next export
    const e = await auditFind((x) => x.action === 'export' && x.object_id === client.id, `object_id=${client.id}`);
    assert.ok(e, 'export audited');
    assert.equal(e.username, 'rehab_worker');
    assert.match(e.detail, /第45条/);
    const again = expectStatus(await rehab.get(`/api/v1/clients/${client.id}/export?reason=check`), 200);
    assert.ok(again.accesses.some((a) => a.action === 'export' && a.username === 'rehab_worker'));
  });

  test('a client with referrals: their documents are in the export', async () => {
    const refs = expectStatus(await rehab.get('/api/v1/referrals?page_size=20'), 200);
    const withClient = refs.items.find((x) => x.client && x.client.id);
    if (!withClient) return;
    const j = expectStatus(await rehab.get(`/api/v1/clients/${withClient.client.id}/export?reason=test`), 200);
    assert.ok(j.referrals.some((x) => x.id === withClient.id), 'the referral is listed');
    const ref = j.referrals.find((x) => x.id === withClient.id);
    for (const k of ['status', 'source', 'need', 'consent', 'informed_consent', 'agreement', 'created_at']) assert.ok(k in ref, k);
  });

  test('only staff who may see full values: official 403, other county 404, administrators 403, unknown 404', async () => {
    if (client.residence_region?.startsWith('510421')) {
      expectStatus(await official.get(`/api/v1/clients/${client.id}/export?reason=x`), 403, 'forbidden');
    }
    expectStatus(await official2.get(`/api/v1/clients/${client.id}/export?reason=x`), 404, 'not_found');
    for (const api of [sysadmin, auditor]) expectStatus(await api.get(`/api/v1/clients/${client.id}/export?reason=x`), 403, 'forbidden');
    expectStatus(await rehab.get('/api/v1/clients/00000000-0000-7000-8000-000000000000/export?reason=x'), 404, 'not_found');
    expectStatus(await srv.anon().get(`/api/v1/clients/${client.id}/export?reason=x`), 401, 'unauthenticated');
    const other = await srv.login('rehab_worker2');
    expectStatus(await other.get(`/api/v1/clients/${client.id}/export?reason=x`), 404, 'not_found');
  });
});
