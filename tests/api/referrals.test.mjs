// referrals.test.mjs: the closed-loop referral — the three application routes, every step of
// the state machine with who may take it, illegal steps refused without change, deadlines in
// working days, dispatch suggestions, capacity under concurrency, the waiting-list limit and
// re-referral through `jingkang sweep`, relapse to hospital, closing with follow-up, the work
// lists and the public application.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, expectPage, cli, makeIdNumber, uniqueName, mobile, UUID_RE, TIME_RE } from './helpers.mjs';

let srv, hospital, worker, rehab, rehab2, official, official2, sysadmin, auditor;
let orgs = {};
before(async () => {
  srv = await startServer({ env: { JINGKANG_PUBLIC_APPLY_LIMIT: '1000' } });
  [hospital, worker, rehab, rehab2, official, official2, sysadmin, auditor] = await Promise.all(
    ['hospital_worker', 'referral_worker', 'rehab_worker', 'rehab_worker2', 'county_official', 'county_official2',
      'sysadmin', 'auditor'].map((u) => srv.login(u)));
  const list = expectStatus(await sysadmin.get('/api/v1/organizations?page_size=100'), 200).items;
  for (const o of list) orgs[o.name] = o;
});
after(async () => { await srv?.close(); });

const org = (prefix) => Object.values(orgs).find((o) => o.name.startsWith(prefix));
const MIYI_REHAB = () => org('米易县精康家园');
const CITY_HOSPITAL = () => org('攀枝花市精神卫生中心');
const EAST_REHAB = () => org('东区阳光家园');
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

const newClient = (over = {}) => ({
  name: uniqueName(),
  id_number: makeIdNumber({ region: '510421', birth: '1985-06-15' }),
  phone: mobile(),
  residence_region: '510421',
  hukou_region: '510421',
  diagnosis: 'F20.0',
  ...over,
});

const hospitalBody = (over = {}) => ({
  client: newClient(),
  source: 'hospital',
  need: { functions: ['day_care'], note: '出院后需要日间康复' },
  consent: { client_agreed: true, guardian_agreed: true, guardian_name: '王父', signed_on: today() },
  assessment: { date: today(), risk_level: 1, summary: '病情稳定，适合社区康复', assessor: '周医生' },
  ...over,
});

const act = (api, id, action, body = {}) => api.post(`/api/v1/referrals/${id}/${action}`, body);
const signed = (extra = {}) => ({ client_signed: true, guardian_signed: true, guardian_name: '王父', signed_on: today(), version: '2026.1', ...extra });

async function toService(api = hospital) {
  const ref = expectStatus(await api.post('/api/v1/referrals', hospitalBody()), 201);
  expectStatus(await act(worker, ref.id, 'register'), 200);
  expectStatus(await act(worker, ref.id, 'dispatch', { organization: MIYI_REHAB().id }), 200);
  expectStatus(await act(rehab, ref.id, 'accept'), 200);
  expectStatus(await act(rehab, ref.id, 'consent', signed()), 200);
  expectStatus(await act(rehab, ref.id, 'agreement', signed({ price_terms: '日间照料 30元/天' })), 200);
  return expectStatus(await act(rehab, ref.id, 'start'), 200);
}

describe('a hospital referral through to service', () => {
  let ref;
  test('hospital staff refer with consent: 201 submitted, step 1, due in 5 working days', async () => {
    ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    assert.match(ref.id, UUID_RE);
    assert.equal(ref.status, 'submitted');
    assert.equal(ref.step, 1);
    assert.equal(ref.step_label, '提出申请');
    assert.equal(ref.source, 'hospital');
    assert.equal(ref.from_organization.id, CITY_HOSPITAL().id);
    assert.equal(ref.organization, null);
    assert.match(ref.due_at, TIME_RE);
    assert.match(ref.due_date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(ref.overdue, false);
    assert.match(ref.client.id_number_masked, /\*{4}/);
    assert.equal(ref.client.residence_region, '510421');
    assert.equal(ref.events.length, 1);
    assert.equal(ref.events[0].action, 'submit');
    assert.equal(ref.events[0].actor_name, 'hospital_worker');
    assert.deepEqual(ref.actions, ['withdraw']);
    assert.match(ref.receipt, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  test('the referral worker sees it to register, registers, gets suggestions, dispatches', async () => {
    const inbox = expectStatus(await worker.get('/api/v1/inbox'), 200);
    const sec = inbox.sections.find((s) => s.key === 'to_register');
    assert.ok(sec.count >= 1);
    assert.ok(sec.items.some((i) => i.id === ref.id));
    let j = expectStatus(await act(worker, ref.id, 'register', { note: '需求已核实' }), 200);
    assert.equal(j.status, 'registered');
    assert.equal(j.step, 2);
    assert.ok(j.actions.includes('dispatch'));
    const sug = expectStatus(await worker.get(`/api/v1/referrals/${ref.id}/suggestions`), 200);
    assert.ok(sug.items.length >= 1);
    assert.equal(sug.items[0].id, MIYI_REHAB().id, 'the nearest institution with day care comes first');
    for (const k of ['id', 'name', 'distance_km', 'free_places', 'capacity', 'functions']) assert.ok(k in sug.items[0], k);
    for (let i = 1; i < sug.items.length; i++) {
      if (sug.items[i].distance_km !== null && sug.items[i - 1].distance_km !== null)
        assert.ok(sug.items[i].distance_km >= sug.items[i - 1].distance_km, 'nearest first');
    }
    for (const s of sug.items) assert.ok(s.functions.includes('day_care') && s.eligible && s.matched, 'matches the need');
    const all = expectStatus(await worker.get(`/api/v1/referrals/${ref.id}/suggestions?include=all`), 200);
    assert.ok(all.items.length >= sug.items.length, 'include=all lists the others too');
    for (const s of all.items) assert.ok(typeof s.eligible === 'boolean' && typeof s.matched === 'boolean');
    expectStatus(await worker.get(`/api/v1/referrals/${ref.id}/suggestions?include=some`), 400, 'invalid_field', 'include');
    assert.equal(sug.eligibility.eligible, true, JSON.stringify(sug.eligibility));
    j = expectStatus(await act(worker, ref.id, 'dispatch', { organization: MIYI_REHAB().id }), 200);
    assert.equal(j.status, 'dispatched');
    assert.equal(j.step, 3);
    assert.equal(j.organization.id, MIYI_REHAB().id);
  });

  test('the institution receives it, cannot start before consent and agreement, then starts', async () => {
    const inbox = expectStatus(await rehab.get('/api/v1/inbox'), 200);
    assert.ok(inbox.sections.find((s) => s.key === 'to_receive').items.some((i) => i.id === ref.id));
    let j = expectStatus(await act(rehab, ref.id, 'accept'), 200);
    assert.equal(j.status, 'accepted');
    assert.equal(j.step, 4);
    expectStatus(await act(rehab, ref.id, 'start'), 422, 'consent_required');
    expectStatus(await act(rehab, ref.id, 'consent', signed({ client_signed: false })), 422, 'signature_required');
    j = expectStatus(await act(rehab, ref.id, 'consent', signed()), 200);
    assert.equal(j.informed_consent.version, '2026.1');
    expectStatus(await act(rehab, ref.id, 'start'), 422, 'consent_required');
    expectStatus(await act(rehab, ref.id, 'agreement', signed()), 400, 'missing_field', 'price_terms');
    expectStatus(await act(rehab, ref.id, 'agreement', signed({ price_terms: '日间照料 30元/天，按月结算' })), 200);
    j = expectStatus(await act(rehab, ref.id, 'start'), 200);
    assert.equal(j.status, 'in_service');
    assert.equal(j.step, 5);
    j = expectStatus(await act(rehab, ref.id, 'review', { date: today(), summary: '生活技能提高', recommendation: 'continue' }), 200);
    assert.equal(j.step, 6);
    assert.equal(j.step_label, '阶段性评估');
    const actions = j.events.map((e) => e.action);
    assert.deepEqual(actions, ['submit', 'register', 'dispatch', 'accept', 'consent', 'agreement', 'start', 'review']);
    for (const e of j.events) {
      assert.match(e.time, TIME_RE);
      assert.ok(e.actor_name && e.actor_role && e.action_label, JSON.stringify(e));
    }
  });

  test('the client record follows: now served by the institution, which can read it', async () => {
    const j = expectStatus(await rehab.get(`/api/v1/referrals/${ref.id}`), 200);
    const c = expectStatus(await rehab.get(`/api/v1/clients/${j.client.id}`), 200);
    assert.equal(c.organization, MIYI_REHAB().id);
    assert.equal(c.status, 'in_service');
  });

  test('the referring hospital sees the status of its referral but cannot act on it', async () => {
    const j = expectStatus(await hospital.get(`/api/v1/referrals/${ref.id}`), 200);
    assert.equal(j.status, 'in_service');
    assert.deepEqual(j.actions, []);
    expectStatus(await act(hospital, ref.id, 'close', { outcome: 'completed' }), 403, 'forbidden');
  });
});

describe('illegal steps and scope', () => {
  test('an illegal transition is 409 and changes nothing', async () => {
    const ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    expectStatus(await act(worker, ref.id, 'dispatch', { organization: MIYI_REHAB().id }), 409, 'invalid_transition');
    expectStatus(await act(worker, ref.id, 'register'), 200);
    expectStatus(await act(worker, ref.id, 'register'), 409, 'invalid_transition');
    expectStatus(await act(worker, ref.id, 'reject', { reason: 'x' }), 409, 'invalid_transition');
    const j = expectStatus(await worker.get(`/api/v1/referrals/${ref.id}`), 200);
    assert.equal(j.status, 'registered');
    assert.equal(j.events.length, 2);
  });

  test('reject needs a reason; a rejected referral is at its end', async () => {
    const ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    expectStatus(await act(worker, ref.id, 'reject', {}), 400, 'missing_field', 'reason');
    const j = expectStatus(await act(worker, ref.id, 'reject', { reason: '经核实无社区康复需求' }), 200);
    assert.equal(j.status, 'rejected');
    assert.deepEqual(j.actions, []);
    assert.equal(j.due_at, null);
    assert.equal(j.events.at(-1).reason, '经核实无社区康复需求');
  });

  test('who may do what: wrong role 403, out of scope 404, unknown action 404', async () => {
    const ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    expectStatus(await act(official, ref.id, 'register'), 403, 'forbidden');
    expectStatus(await act(rehab, ref.id, 'register'), 404, 'not_found');   // not theirs: not disclosed
    expectStatus(await rehab2.get(`/api/v1/referrals/${ref.id}`), 404, 'not_found');
    expectStatus(await official2.get(`/api/v1/referrals/${ref.id}`), 404, 'not_found');
    const j = expectStatus(await official.get(`/api/v1/referrals/${ref.id}`), 200);
    assert.deepEqual(j.actions, []);
    expectStatus(await act(worker, ref.id, 'fly'), 404);
    expectStatus(await sysadmin.get(`/api/v1/referrals/${ref.id}`), 403, 'forbidden');
    expectStatus(await auditor.get('/api/v1/referrals'), 403, 'forbidden');
    expectStatus(await worker.get('/api/v1/referrals/not-a-uuid'), 404, 'not_found');
  });

  test('lists are scoped: the other county sees none of this county\'s referrals', async () => {
    const ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    const mine = expectStatus(await official.get('/api/v1/referrals?status=submitted&page_size=100'), 200);
    assert.ok(mine.items.some((i) => i.id === ref.id));
    const other = expectStatus(await official2.get('/api/v1/referrals?page_size=100'), 200);
    assert.ok(!other.items.some((i) => i.id === ref.id));
    for (const i of other.items) assert.ok(i.region.startsWith('510422'));
    const page = expectStatus(await worker.get('/api/v1/referrals?status=submitted,registered&region=510421'), 200);
    expectPage(page);
    for (const i of page.items) assert.ok(['submitted', 'registered'].includes(i.status));
    expectStatus(await worker.get('/api/v1/referrals?status=bogus'), 400, 'invalid_field', 'status');
    expectStatus(await worker.get('/api/v1/referrals?overdue=maybe'), 400, 'invalid_field', 'overdue');
  });
});

describe('creating: validation and the three routes', () => {
  test('a hospital referral needs consent of patient and guardian', async () => {
    const b = hospitalBody();
    delete b.consent;
    expectStatus(await hospital.post('/api/v1/referrals', b), 400, 'missing_field', 'consent');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ consent: { client_agreed: true, guardian_agreed: false, signed_on: today() } })),
      422, 'consent_required');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ need: {} })), 400, 'invalid_field', 'need');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ need: { functions: ['flying'] } })), 400, 'invalid_field', 'need');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ source: 'alien' })), 400, 'invalid_field', 'source');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ extra: 1 })), 400, 'unknown_field');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ assessment: { date: today(), risk_level: 9 } })), 400);
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ from_organization: MIYI_REHAB().id })), 400, 'invalid_field', 'from_organization');
  });

  test('hospital staff cannot refer in another hospital\'s name; officials cannot create', async () => {
    const other = org('米易县人民医院');
    expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ from_organization: other.id })), 403, 'forbidden');
    expectStatus(await official.post('/api/v1/referrals', hospitalBody()), 403, 'forbidden');
  });

  test('a known person joins their existing record (no duplicate client)', async () => {
    const client = newClient();
    const a = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ client })), 201);
    const b = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody({ client })), 201);
    assert.equal(a.client.id, b.client.id);
  });

  test('a referral worker registers a report from a village committee (community route)', async () => {
    const body = {
      client: newClient(), source: 'community', need: { note: '长期居家，家属希望参加日间康复' },
      reporter: { name: '村委会李主任', kind: 'community', phone: mobile(), organization_name: '某村委会' },
    };
    const j = expectStatus(await worker.post('/api/v1/referrals', body), 201);
    assert.equal(j.source, 'community');
    assert.equal(j.reporter.name, '村委会李主任');
    assert.match(j.reporter.phone_masked, /\*{4}/);
    assert.ok(!('phone_enc' in j.reporter) && !('phone' in j.reporter), 'the reporter phone is not shown');
    expectStatus(await worker.post('/api/v1/referrals', { ...body, client: newClient(), reporter: undefined }), 400, 'missing_field', 'reporter');
  });

  test('an institution applies on the client\'s behalf (self route)', async () => {
    const j = expectStatus(await rehab.post('/api/v1/referrals', { client: newClient(), source: 'self', need: { functions: ['home_support'] } }), 201);
    assert.equal(j.from_organization.id, MIYI_REHAB().id);
    const again = expectStatus(await rehab.get(`/api/v1/referrals/${j.id}`), 200);
    assert.ok(again.actions.includes('withdraw'));
  });

  test('systems resubmit idempotently with a bearer token and Idempotency-Key', async () => {
    const api = await srv.bearer('hospital_worker');
    const body = hospitalBody();
    const key = `his-${Date.now()}-1`;
    const a = expectStatus(await api.post('/api/v1/referrals', body, { headers: { 'Idempotency-Key': key } }), 201);
    const b = expectStatus(await api.post('/api/v1/referrals', body, { headers: { 'Idempotency-Key': key } }), 200);
    assert.equal(b.id, a.id);
    expectStatus(await api.post('/api/v1/referrals', hospitalBody(), { headers: { 'Idempotency-Key': key } }), 422, 'idempotency_mismatch');
    expectStatus(await api.post('/api/v1/referrals', body, { headers: { 'Idempotency-Key': 'short' } }), 400, 'invalid_idempotency_key');
    const list = expectStatus(await worker.get(`/api/v1/referrals?client=${a.client.id}`), 200);
    assert.equal(list.total, 1, 'one referral, not two');
  });
});

describe('capacity, waiting list, the 3-month rule', () => {
  let small, staffA, staffB;
  before(async () => {
    small = expectStatus(await sysadmin.post('/api/v1/organizations', {
      name: `米易县小型康复站${Date.now() % 100000}`, kind: 'rehab_institution', region: '510421', address: '米易县攀莲镇',
      location: { lat: 26.95, lng: 102.2 }, capacity: 1, functions: ['day_care'],
    }), 201);
    srv.addUser('small_a', 'rehab_staff', { org: small.id });
    srv.addUser('small_b', 'rehab_staff', { org: small.id });
    [staffA, staffB] = await Promise.all([srv.login('small_a'), srv.login('small_b')]);
  });

  async function dispatchedTo(orgId) {
    const ref = expectStatus(await hospital.post('/api/v1/referrals', hospitalBody()), 201);
    expectStatus(await act(worker, ref.id, 'register'), 200);
    return expectStatus(await act(worker, ref.id, 'dispatch', { organization: orgId }), 200);
  }

  test('two staff accept the last free place at once: exactly one wins', async () => {
    const [a, b] = await Promise.all([dispatchedTo(small.id), dispatchedTo(small.id)]);
    const [ra, rb] = await Promise.all([act(staffA, a.id, 'accept'), act(staffB, b.id, 'accept')]);
    const codes = [ra.status, rb.status].sort();
    assert.deepEqual(codes, [200, 422], `${ra.text} ${rb.text}`);
    const loser = ra.status === 422 ? ra : rb;
    assert.equal(loser.json.error.code, 'no_free_place');
    const lost = ra.status === 422 ? a : b;
    const j = expectStatus(await staffA.get(`/api/v1/referrals/${lost.id}`), 200);
    assert.equal(j.status, 'dispatched', 'the loser changed nothing');
  });

  test('a full institution waitlists with a position; past 3 months the sweep sends it back for re-referral', async () => {
    const ref = await dispatchedTo(small.id);
    let j = expectStatus(await act(staffA, ref.id, 'waitlist', { note: '暂无名额' }), 200);
    assert.equal(j.status, 'waitlisted');
    assert.ok(j.waitlist_position >= 1);
    assert.equal(j.overdue, false);
    const sug = expectStatus(await worker.get(`/api/v1/referrals/${ref.id}/suggestions?include=full`), 200);
    assert.ok(sug.items.some((s) => s.id === small.id && s.free_places === 0));
    // not yet: a sweep two months ahead changes nothing
    const two = new Date(Date.now() + 61 * 86400e3).toISOString();
    let r = cli(['sweep', '--data', srv.dataDir, '--as-of', two]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(expectStatus(await worker.get(`/api/v1/referrals/${ref.id}`), 200).status, 'waitlisted');
    const four = new Date(Date.now() + 122 * 86400e3).toISOString();
    r = cli(['sweep', '--data', srv.dataDir, '--as-of', four]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /复核 [1-9]\d* 件/);
    j = expectStatus(await worker.get(`/api/v1/referrals/${ref.id}`), 200);
    assert.equal(j.status, 'recheck');
    assert.equal(j.events.at(-1).action, 'expire');
    assert.equal(j.events.at(-1).actor_role, 'system');
    const inbox = expectStatus(await worker.get('/api/v1/inbox'), 200);
    assert.ok(inbox.sections.find((s) => s.key === 'recheck').items.some((i) => i.id === ref.id));
    // a second sweep at the same instant has nothing left to do
    r = cli(['sweep', '--data', srv.dataDir, '--as-of', four]);
    assert.match(r.stdout, /复核 0 件/);
    expectStatus(await act(worker, ref.id, 'rerefer', { wishes_confirmed: false }), 422, 'wishes_not_confirmed');
    j = expectStatus(await act(worker, ref.id, 'rerefer', { wishes_confirmed: true, note: '电话确认仍希望参加' }), 200);
    assert.equal(j.status, 'dispatched');
    assert.notEqual(j.organization.id, small.id, 'to another institution');
    assert.equal(j.organization.id, MIYI_REHAB().id, 'the nearest other one with a free place');
  });
});

describe('after service', () => {
  test('relapse goes to the hospital at once (green channel), discharge comes back', async () => {
    const ref = await toService();
    expectStatus(await act(rehab, ref.id, 'relapse', { hospital: MIYI_REHAB().id, reason: 'x' }), 400, 'invalid_field', 'hospital');
    let j = expectStatus(await act(rehab, ref.id, 'relapse', { hospital: CITY_HOSPITAL().id, reason: '病情复发，出现幻听' }), 200);
    assert.equal(j.status, 'hospitalized');
    assert.equal(j.urgent, true);
    const inbox = expectStatus(await hospital.get('/api/v1/inbox'), 200);
    const green = inbox.sections.find((s) => s.key === 'green_channel');
    assert.ok(green.items.some((i) => i.id === ref.id));
    j = expectStatus(await act(hospital, ref.id, 'discharge', { note: '病情稳定出院' }), 200);
    assert.equal(j.status, 'dispatched');
    assert.equal(j.organization.id, MIYI_REHAB().id);
    assert.equal(j.urgent, false);
  });

  test('employment outcome closes with a follow-up date; follow-up is recorded once', async () => {
    const ref = await toService();
    const employer = org('米易县绿源');
    expectStatus(await act(rehab, ref.id, 'refer_out', { type: 'home', organization: employer.id }), 400);
    let j = expectStatus(await act(rehab, ref.id, 'refer_out', { type: 'employment_assisted', organization: employer.id, note: '辅助性就业' }), 200);
    assert.equal(j.status, 'closed');
    assert.equal(j.step, 7);
    assert.equal(j.outcome, 'employment_assisted');
    assert.match(j.followup_due, TIME_RE);
    const days = (Date.parse(j.followup_due) - Date.now()) / 86400e3;
    assert.ok(days > 29 && days < 31.1, `follow-up in 30 days, got ${days}`);
    j = expectStatus(await act(rehab, ref.id, 'followup', { date: today(), note: '电话回访，工作稳定' }), 200);
    assert.match(j.followup_done, TIME_RE);
    expectStatus(await act(rehab, ref.id, 'followup', { date: today(), note: '再次' }), 409, 'invalid_transition');
  });

  test('transfer and moving away push the file to the new institution, which reads the history', async () => {
    const ref = await toService();
    let j = expectStatus(await act(rehab, ref.id, 'move', { residence_region: '510402', organization: EAST_REHAB().id, reason: '随子女迁居东区' }), 200);
    assert.equal(j.status, 'dispatched');
    assert.equal(j.region, '510402');
    j = expectStatus(await rehab2.get(`/api/v1/referrals/${ref.id}`), 200);
    assert.ok(j.events.length >= 7, 'the whole history');
    assert.ok(j.actions.includes('accept'));
    expectStatus(await rehab.get(`/api/v1/referrals/${ref.id}`), 404);
    expectStatus(await act(rehab2, ref.id, 'accept'), 200);
    const c = expectStatus(await rehab2.get(`/api/v1/clients/${j.client.id}`), 200);
    assert.equal(c.residence_region, '510402');
  });

  test('every step is audited', async () => {
    const ref = await toService();
    const a = expectStatus(await auditor.get(`/api/v1/audit?object_id=${ref.id}&page_size=100`), 200);
    const actions = a.items.map((e) => e.action);
    for (const x of ['submit', 'register', 'dispatch', 'accept', 'consent', 'agreement', 'start']) assert.ok(actions.includes(x), x);
  });
});

describe('deadlines and overdue', () => {
  test('registration due counts working days across the Spring Festival and its 调休 Saturday', async () => {
    const s = await startServer({ env: { JINGKANG_NOW: '2026-02-12T10:00:00+08:00' } });
    try {
      const h = await s.login('hospital_worker');
      const j = expectStatus(await h.post('/api/v1/referrals', hospitalBody({
        consent: { client_agreed: true, guardian_agreed: true, signed_on: '2026-02-12' }, assessment: undefined,
      })), 201);
      // Fri 13, Sat 14 (调休 working day), holidays 15–23, then Tue 24, Wed 25, Thu 26
      assert.equal(j.due_date, '2026-02-26');
      // a week later nothing has moved: overdue shows for the referral worker
      await s.stop();
      s.env = { JINGKANG_NOW: '2026-03-02T09:00:00+08:00' };
      await s.start();
      const w = await s.login('referral_worker');
      const again = expectStatus(await w.get(`/api/v1/referrals/${j.id}`), 200);
      assert.equal(again.overdue, true);
      const list = expectStatus(await w.get('/api/v1/referrals?overdue=true'), 200);
      assert.ok(list.items.some((i) => i.id === j.id));
      const inbox = expectStatus(await w.get('/api/v1/inbox'), 200);
      const od = inbox.sections.find((x) => x.key === 'overdue');
      assert.ok(od.count >= 1 && od.items.some((i) => i.id === j.id));
      const o = await s.login('county_official');
      const ov = expectStatus(await o.get('/api/v1/referrals/overview'), 200);
      assert.ok(ov.totals.overdue >= 1);
      assert.ok(ov.children.some((c) => c.overdue >= 1));
    } finally {
      await s.close();
    }
  });
});

describe('the public application', () => {
  test('anyone applies without login and checks progress with the receipt', async () => {
    const anon = srv.anon();
    const body = { name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), phone: mobile(), residence_region: '510421',
      need: { functions: ['day_care'], note: '想参加日间活动' }, guardian: { name: '母亲', relation: '母亲', phone: mobile() } };
    const j = expectStatus(await anon.post('/api/v1/public/applications', body), 201);
    assert.match(j.receipt, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.equal(j.status_label, '待初核');
    const st = expectStatus(await anon.get(`/api/v1/public/applications/${j.receipt}`), 200);
    assert.equal(st.status, 'submitted');
    assert.equal(st.step, 1);
    const text = JSON.stringify(st);
    assert.ok(!text.includes(body.name) && !text.includes(body.id_number) && !text.includes(body.phone), 'nothing personal');
    expectStatus(await anon.get('/api/v1/public/applications/AAAA-AAAA-AAAA'), 404, 'not_found');
    expectStatus(await anon.get('/api/v1/public/applications/nonsense'), 404, 'not_found');
    const inbox = expectStatus(await worker.get('/api/v1/inbox'), 200);
    assert.ok(inbox.sections.find((s) => s.key === 'to_register').count >= 1);
    expectStatus(await anon.post('/api/v1/public/applications', { ...body, id_number: '123' }), 400);
    expectStatus(await anon.post('/api/v1/public/applications', { ...body, need: undefined }), 400, 'missing_field');
  });

  test('rate-limited per address', async () => {
    const s = await startServer({ env: { JINGKANG_PUBLIC_APPLY_LIMIT: '2' } });
    try {
      const anon = s.anon();
      const body = () => ({ name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), phone: mobile(),
        residence_region: '510421', need: { note: '需要帮助' } });
      expectStatus(await anon.post('/api/v1/public/applications', body()), 201);
      expectStatus(await anon.post('/api/v1/public/applications', body()), 201);
      expectStatus(await anon.post('/api/v1/public/applications', body()), 429, 'rate_limited');
    } finally {
      await s.close();
    }
  });
});
