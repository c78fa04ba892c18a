// care.test.mjs: assessments scored on the server (PHQ-9 item 9 alert, SDSS with 不适用, the
// follow-up classification setting the next visit), corrections as new versions, the
// multidisciplinary intake signed section by section, rehab plans with progress, group service
// records and the Excel ledger, the care team, staff and training against the targets — and
// scope: another institution's staff can neither read nor write, officials read but do not write.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, expectStatus, zipEntry, UUID_RE } from './helpers.mjs';

let srv, rw, rw2, official, other_official, evaluator;
let clients = [];
const staff = {};
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  [rw, rw2, official, other_official, evaluator] = await Promise.all(
    ['rehab_worker', 'rehab_worker2', 'county_official', 'county_official2', 'evaluator'].map((u) => srv.login(u)));
  clients = expectStatus(await rw.get('/api/v1/clients?status=in_service&page_size=30'), 200).items;
  assert.ok(clients.length >= 20, 'the demo institution serves at least 20 clients');
  for (const [name, profession, major_field] of [['李医生', 'psychiatrist', 'mental_health'], ['王护士', 'nurse', 'other'],
    ['赵治疗师', 'therapist', 'other'], ['陈社工', 'social_worker', 'social_work']]) {
    staff[profession] = expectStatus(await rw.post('/api/v1/staff', { name, profession, major_field }), 201).id;
  }
});
after(async () => { await srv?.close(); });

const phq9 = (v) => Object.fromEntries(v.map((x, i) => [`q${i + 1}`, x]));

describe('instruments', () => {
  test('the shipped instruments are listed and give their items in order', async () => {
    const ids = expectStatus(await rw.get('/api/v1/instruments'), 200).items.map((i) => i.id);
    for (const id of ['risk', 'sdss', 'phq9', 'gad7', 'intake', 'periodic', 'followup', 'satisfaction']) assert.ok(ids.includes(id), id);
    const p = expectStatus(await rw.get('/api/v1/instruments/phq9'), 200);
    assert.deepEqual(p.items.map((i) => i.id), ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9']);
    assert.deepEqual(p.items[8].options.map((o) => o.value), [0, 1, 2, 3]);
    expectStatus(await rw.get('/api/v1/instruments/nope'), 404, 'not_found');
    expectStatus(await rw.get('/api/v1/instruments/phq9?version=x'), 400, 'invalid_query');
  });
});

describe('assessments', () => {
  test('PHQ-9 is scored on the server; item 9 above 0 alerts the institution whatever the total', async () => {
    const c = clients[0];
    const a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]) }), 201);
    assert.match(a.id, UUID_RE);
    assert.equal(a.score, 1);
    assert.equal(a.band, 'minimal');
    assert.deepEqual(a.flags.map((f) => f.id), ['suicide_risk']);
    const alerts = expectStatus(await rw.get('/api/v1/alerts'), 200).items;
    const mine = alerts.find((x) => x.assessment === a.id);
    assert.ok(mine, 'the alert is in the institution’s list');
    assert.equal(mine.client, c.id);
    assert.ok(!expectStatus(await rw2.get('/api/v1/alerts'), 200).items.some((x) => x.assessment === a.id), 'not another institution’s');
    expectStatus(await rw.post(`/api/v1/alerts/${mine.id}/ack`, {}), 400, 'missing_field');
    expectStatus(await rw2.post(`/api/v1/alerts/${mine.id}/ack`, { note: '已处理' }), 404, 'not_found');
    expectStatus(await rw.post(`/api/v1/alerts/${mine.id}/ack`, { note: '已电话联系家属并评估，预约门诊' }), 204);
    expectStatus(await rw.post(`/api/v1/alerts/${mine.id}/ack`, { note: '再次' }), 409, 'already_acknowledged');
    assert.ok(!expectStatus(await rw.get('/api/v1/alerts'), 200).items.some((x) => x.id === mine.id));
  });

  test('boundaries: PHQ-9 totals 4/5/9/10, a score sent by the client is refused', async () => {
    const c = clients[1];
    for (const [v, score, band] of [[[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 'minimal'], [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'mild'],
      [[3, 3, 3, 0, 0, 0, 0, 0, 0], 9, 'mild'], [[3, 3, 3, 1, 0, 0, 0, 0, 0], 10, 'moderate']]) {
      const a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'phq9', date: today, answers: phq9(v) }), 201);
      assert.equal(a.score, score);
      assert.equal(a.band, band);
    }
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), score: 27 }), 400, 'unknown_field');
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0]) }), 400, 'missing_answer', 'answers.q9');
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 4]) }), 400, 'invalid_answer', 'answers.q9');
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'phq9', date: addDays(today, 1), answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]) }), 400, 'invalid_field', 'date');
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'nope', date: today, answers: {} }), 400, 'invalid_field', 'instrument');
  });

  test('SDSS leaves 不适用 (9) out of the total; ≥ 2 flags a deficit', async () => {
    const c = clients[2];
    const ans = (v) => Object.fromEntries(v.map((x, i) => [`q${i + 1}`, x]));
    let a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'sdss', date: today, answers: ans([0, 9, 9, 1, 0, 0, 0, 0, 0, 0]) }), 201);
    assert.equal(a.score, 1);
    assert.deepEqual(a.flags, []);
    a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'sdss', date: today, answers: ans([1, 9, 9, 1, 0, 0, 0, 0, 0, 0]) }), 201);
    assert.equal(a.score, 2);
    assert.deepEqual(a.flags.map((f) => f.id), ['social_function_deficit']);
  });

  test('a follow-up classed 不稳定 is due again in 2 weeks and shows in the due list', async () => {
    const c = clients[3];
    const date = addDays(today, -10);
    const form = expectStatus(await rw.get('/api/v1/instruments/followup'), 200);
    const a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, {
      instrument: 'followup', date,
      answers: fill(form, { visit_mode: 2, classification: 1, visit_target: [1, 2], risk_level: 3 }),
    }), 201);
    assert.equal(a.next_due, addDays(date, 14));
    assert.equal(a.score, 3);
    assert.equal(a.band, 'unstable');
    assert.ok(a.flags.some((f) => f.id === 'high_risk' && f.alert));
    const due = expectStatus(await rw.get('/api/v1/care/due?days=7'), 200).items.find((d) => d.client === c.id && d.kind === 'followup');
    assert.ok(due, 'the follow-up is due within a week');
    assert.equal(due.due_date, addDays(date, 14));
    const stable = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, {
      instrument: 'followup', date: today, answers: fill(form, { visit_mode: 1, classification: 3, visit_target: [1], risk_level: 0 }),
    }), 201);
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + 3);
    assert.ok(stable.next_due.slice(0, 7) === d.toISOString().slice(0, 7) || stable.next_due < d.toISOString().slice(0, 10));
    assert.ok(!expectStatus(await rw.get('/api/v1/care/due?days=7'), 200).items.some((x) => x.client === c.id && x.kind === 'followup'));
  });

  test('a correction is a new version; the old one is kept; only the newest can be corrected', async () => {
    const c = clients[4];
    const first = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`,
      { instrument: 'gad7', date: today, answers: { q1: 3, q2: 3, q3: 3, q4: 1, q5: 0, q6: 0, q7: 0 } }), 201);
    assert.equal(first.score, 10);
    expectStatus(await rw.post(`/api/v1/assessments/${first.id}/corrections`, { answers: { q1: 1, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0 } }),
      400, 'missing_field', 'reason');
    const second = expectStatus(await rw.post(`/api/v1/assessments/${first.id}/corrections`,
      { answers: { q1: 1, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0 }, reason: '第1题录入错误' }), 201);
    assert.equal(second.series, first.id);
    assert.equal(second.version, 2);
    assert.equal(second.score, 1);
    expectStatus(await rw.post(`/api/v1/assessments/${first.id}/corrections`,
      { answers: { q1: 2, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0 }, reason: '再改' }), 409, 'stale');
    const old = expectStatus(await rw.get(`/api/v1/assessments/${first.id}`), 200);
    assert.equal(old.score, 10, 'the first version is unchanged');
    assert.deepEqual(old.versions.map((v) => v.version), [2, 1]);
    const list = expectStatus(await rw.get(`/api/v1/clients/${c.id}/assessments?instrument=gad7`), 200).items;
    assert.deepEqual(list.map((x) => x.id), [second.id], 'the list shows the current version only');
  });

  test('the intake is signed section by section by staff of the right profession', async () => {
    const c = clients[5];
    const inst = expectStatus(await rw.get('/api/v1/instruments/intake'), 200);
    const signed = inst.sections.filter((s) => s.signer);
    assert.deepEqual(signed.map((s) => s.signer), ['psychiatrist', 'nurse', 'therapist', 'social_worker']);
    const answers = fill(inst);
    const signatures = Object.fromEntries(signed.map((s) => [s.id, staff[s.signer]]));
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'intake', date: today, answers }),
      422, 'signature_required');
    const wrong = { ...signatures, [signed[0].id]: staff.nurse };
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'intake', date: today, answers, signatures: wrong }),
      422, 'signature_required', `signatures.${signed[0].id}`);
    const a = expectStatus(await rw.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'intake', date: today, answers, signatures }), 201);
    assert.equal(a.signatures[signed[0].id].name, '李医生');
    assert.ok(a.next_due, 'the periodic assessment falls due');
  });

  test('scope: another institution cannot read or write; officials read but do not write; evaluators neither', async () => {
    const c = clients[0];
    expectStatus(await rw2.get(`/api/v1/clients/${c.id}/assessments`), 404, 'not_found');
    expectStatus(await rw2.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]) }),
      404, 'not_found');
    expectStatus(await official.get(`/api/v1/clients/${c.id}/assessments`), 200);
    expectStatus(await official.post(`/api/v1/clients/${c.id}/assessments`, { instrument: 'phq9', date: today, answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]) }),
      403, 'forbidden');
    expectStatus(await other_official.get(`/api/v1/clients/${c.id}/assessments`), 404, 'not_found');
    expectStatus(await evaluator.get(`/api/v1/clients/${c.id}/assessments`), 403);
    const a = expectStatus(await rw.get(`/api/v1/clients/${c.id}/assessments`), 200).items[0];
    expectStatus(await rw2.get(`/api/v1/assessments/${a.id}`), 404, 'not_found');
    expectStatus(await rw2.post(`/api/v1/assessments/${a.id}/corrections`, { answers: {}, reason: 'x' }), 404, 'not_found');
  });
});

describe('plans, services, team', () => {
  test('a plan with goals and services; its progress follows the service records; versions are kept', async () => {
    const c = clients[6];
    const start = addDays(today, -5);
    const body = {
      start_date: start, review_date: addDays(start, 90),
      goals: [{ text: '能按时自行服药', target_date: addDays(start, 60) }],
      services: [{ type: 'medication', per_month: 4, staff: staff.nurse }, { type: 'social_skills', per_month: 2, staff: staff.social_worker }],
    };
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/plans`, { ...body, services: [{ type: 'juggling', per_month: 1, staff: staff.nurse }] }),
      400, 'invalid_field', 'type');
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/plans`, { ...body, review_date: start }), 400, 'invalid_field', 'review_date');
    expectStatus(await rw2.post(`/api/v1/clients/${c.id}/plans`, body), 404);
    const p1 = expectStatus(await rw.post(`/api/v1/clients/${c.id}/plans`, body), 201);
    assert.equal(p1.version, 1);
    expectStatus(await rw.post('/api/v1/service-records', {
      type: 'medication', date: today, duration_minutes: 30, place: 'home', clients: [c.id], staff: [staff.nurse], content: '服药训练',
    }), 201);
    let plan = expectStatus(await rw.get(`/api/v1/clients/${c.id}/plan`), 200);
    const med = plan.current.services.find((s) => s.type === 'medication');
    assert.equal(med.done, 1);
    assert.equal(med.expected, 1);
    assert.equal(med.on_track, true);
    const p2 = expectStatus(await rw.post(`/api/v1/clients/${c.id}/plans`, { ...body, goals: [{ text: '能按时自行服药', target_date: addDays(start, 60), status: 'in_progress' }] }), 201);
    assert.equal(p2.version, 2);
    assert.equal(p2.series, p1.series);
    plan = expectStatus(await rw.get(`/api/v1/clients/${c.id}/plan`), 200);
    assert.equal(plan.current.id, p2.id);
    assert.deepEqual(plan.versions.map((v) => v.version), [2, 1]);
    const due = expectStatus(await rw.get('/api/v1/care/due?days=366'), 200).items;
    assert.ok(due.some((d) => d.client === c.id && d.kind === 'plan_review' && d.due_date === body.review_date));
  });

  test('one group record for twenty clients; the ledger exports to Excel', async () => {
    const group = clients.slice(0, 20);
    const body = {
      type: 'social_skills', date: today, duration_minutes: 90, place: 'institution', topic: '人际沟通小组',
      clients: [...group.slice(0, 19).map((c) => c.id), { id: group[19].id, attended: false }], staff: [staff.social_worker, staff.therapist],
    };
    const r = expectStatus(await rw.post('/api/v1/service-records', body), 201);
    assert.equal(r.mode, 'group');
    assert.equal(r.n_clients, 20);
    assert.equal(r.n_attended, 19);
    assert.equal(r.clients.length, 20);
    expectStatus(await rw2.get(`/api/v1/service-records/${r.id}`), 404);
    expectStatus(await official.get(`/api/v1/service-records/${r.id}`), 200);
    // Someone else's client makes the whole record fail, and nothing is written.
    const theirs = expectStatus(await rw2.get('/api/v1/clients?page_size=1'), 200).items[0];
    const before = expectStatus(await rw.get('/api/v1/service-records?page_size=1'), 200).total;
    expectStatus(await rw.post('/api/v1/service-records', { ...body, clients: [group[0].id, theirs.id] }), 404, 'not_found', 'clients');
    expectStatus(await rw.post('/api/v1/service-records', { ...body, clients: [group[0].id, group[0].id] }), 400, 'invalid_field', 'clients');
    expectStatus(await rw.post('/api/v1/service-records', { ...body, staff: [crypto.randomUUID()] }), 422, 'unknown_staff');
    expectStatus(await rw.post('/api/v1/service-records', { ...body, place: 'moon' }), 400, 'invalid_field', 'place');
    expectStatus(await rw.post('/api/v1/service-records', { ...body, duration_minutes: 0 }), 400, 'invalid_field', 'duration_minutes');
    expectStatus(await official.post('/api/v1/service-records', body), 403);
    assert.equal(expectStatus(await rw.get('/api/v1/service-records?page_size=1'), 200).total, before);
    const mine = expectStatus(await rw.get(`/api/v1/clients/${group[19].id}/services`), 200).items.find((s) => s.id === r.id);
    assert.equal(mine.attended, false);

    const x = await rw.get(`/api/v1/service-records/ledger?from=${today}&to=${today}`);
    assert.equal(x.status, 200);
    assert.match(x.headers['content-type'], /spreadsheetml/);
    assert.match(x.headers['content-disposition'], /attachment/);
    const sheet = zipEntry(x.raw, 'xl/worksheets/sheet1.xml');
    assert.ok(sheet.includes('人际沟通小组'), 'the session is in the ledger');
    assert.ok(sheet.includes(`${group[19].name}（缺席）`), 'the absent client is marked');
    assert.ok(sheet.includes('康复服务台账'));
    assert.ok(sheet.includes('<pane'), 'the header row is frozen');
    const cl = await rw.get(`/api/v1/clients/${group[0].id}/ledger`);
    assert.equal(cl.status, 200);
    assert.ok(zipEntry(cl.raw, 'xl/worksheets/sheet1.xml').includes('人际沟通小组'));
    expectStatus(await rw2.get(`/api/v1/clients/${group[0].id}/ledger`), 404);
    const org = rw.user.organization;
    expectStatus(await other_official.get(`/api/v1/service-records/ledger?organization=${org}`), 404);
    assert.equal((await official.get(`/api/v1/service-records/ledger?organization=${org}&from=${today}&to=${today}`)).status, 200);
  });

  test('the care team: one member responsible for the next step; phones masked', async () => {
    const c = clients[7];
    let t = expectStatus(await rw.post(`/api/v1/clients/${c.id}/team`, { role: 'guardian', name: '张父', phone: '13912345678', responsible: true }), 201);
    assert.equal(t.items[0].phone_masked, '139****5678');
    assert.ok(!JSON.stringify(t).includes('13912345678'));
    t = expectStatus(await rw.post(`/api/v1/clients/${c.id}/team`, { role: 'psych_doctor', name: '刘医生', responsible: true, next_step: '两周内入户随访', next_step_due: addDays(today, 14) }), 201);
    assert.deepEqual(t.items.filter((m) => m.responsible).map((m) => m.name), ['刘医生']);
    expectStatus(await rw.post(`/api/v1/clients/${c.id}/team`, { role: 'wizard', name: 'x' }), 400, 'invalid_field', 'role');
    const member = t.items.find((m) => m.name === '张父');
    t = expectStatus(await rw.patch(`/api/v1/clients/${c.id}/team/${member.id}`, { unit: '家属' }), 200);
    expectStatus(await rw2.patch(`/api/v1/clients/${c.id}/team/${member.id}`, { unit: 'x' }), 404);
    expectStatus(await rw.del(`/api/v1/clients/${c.id}/team/${member.id}`), 204);
    assert.equal(expectStatus(await rw.get(`/api/v1/clients/${c.id}/team`), 200).items.length, 1);
  });
});

describe('staff and training', () => {
  test('hours this year against 20; the share of qualified staff against 30%', async () => {
    let list = expectStatus(await rw.get('/api/v1/staff'), 200);
    assert.equal(list.summary.qualified_target_pct, 30);
    const nurse = list.items.find((s) => s.id === staff.nurse);
    assert.equal(nurse.hours, 0);
    assert.equal(nurse.hours_met, false);
    expectStatus(await rw.post(`/api/v1/staff/${staff.nurse}/trainings`, { kind: 'centralized', date: today, hours: 12.5, topic: '精神康复基础' }), 201);
    const s = expectStatus(await rw.post(`/api/v1/staff/${staff.nurse}/trainings`, { kind: 'supervision', date: today, hours: 7.5, topic: '个案督导' }), 201);
    assert.equal(s.hours, 20);
    assert.equal(s.hours_met, true);
    assert.equal(s.trainings.length, 2);
    expectStatus(await rw.post(`/api/v1/staff/${staff.nurse}/trainings`, { kind: 'centralized', date: today, hours: 0.25, topic: 'x' }), 400, 'invalid_field', 'hours');
    expectStatus(await rw.post(`/api/v1/staff/${staff.nurse}/trainings`, { kind: 'party', date: today, hours: 1, topic: 'x' }), 400, 'invalid_field', 'kind');
    list = expectStatus(await rw.get('/api/v1/staff'), 200);
    const active = list.items.filter((x) => x.active);
    assert.equal(list.summary.active, active.length);
    assert.equal(list.summary.qualified, active.filter((x) => ['mental_health', 'psychology', 'social_work'].includes(x.major_field)).length);
    expectStatus(await rw2.get(`/api/v1/staff/${staff.nurse}`), 404);
    expectStatus(await official.get(`/api/v1/staff/${staff.nurse}`), 200);
    expectStatus(await other_official.get(`/api/v1/staff/${staff.nurse}`), 404);
    expectStatus(await rw.patch(`/api/v1/staff/${staff.nurse}`, { active: false }), 200);
    const gone = expectStatus(await rw.post('/api/v1/service-records', {
      type: 'medication', date: today, duration_minutes: 30, place: 'home', clients: [clients[0].id], staff: [staff.nurse],
    }), 422, 'unknown_staff');
    assert.ok(gone);
    expectStatus(await rw.patch(`/api/v1/staff/${staff.nurse}`, { active: true }), 200);
  });

  test('officials keep the referral workers of their region and see their needs-assessment training', async () => {
    const w = expectStatus(await official.post('/api/v1/staff', { name: '周转介员', profession: 'social_worker', region: '510421', major_field: 'social_work' }), 201);
    assert.equal(w.referral_worker, true);
    assert.equal(w.organization, null);
    expectStatus(await rw.post('/api/v1/staff', { name: 'x', profession: 'other', region: '510421' }), 403);
    expectStatus(await other_official.post(`/api/v1/staff/${w.id}/trainings`, { kind: 'centralized', date: today, hours: 8, topic: '需求评估' }), 404);
    expectStatus(await official.post(`/api/v1/staff/${w.id}/trainings`, { kind: 'centralized', date: today, hours: 8, topic: '需求评估', needs_assessment: true }), 201);
    const list = expectStatus(await official.get('/api/v1/staff?region=510421'), 200);
    assert.ok(list.summary.referral_workers >= 1);
    assert.ok(list.summary.referral_workers_trained >= 1);
  });

  test('one person of an institution with more than 2,000 staff is still found (found by the crash soak)', async () => {
    const last = expectStatus(await rw.post('/api/v1/staff', { name: '龥最后一名', profession: 'nurse' }), 201);
    const org = execFileSync('sqlite3', [path.join(srv.dataDir, 'jingkang.db'),
      `SELECT org_rid FROM staff WHERE id = '${last.id}'`], { encoding: 'utf8' }).trim();
    // 2,001 more people whose names sort first, written straight into the database
    execFileSync('sqlite3', [path.join(srv.dataDir, 'jingkang.db'),
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2001)
       INSERT INTO staff(id, org_rid, region, name, profession, created_at, updated_at)
       SELECT lower(hex(randomblob(16))), ${org}, region, '阿' || i, 'nurse', 0, 0 FROM n, (SELECT region FROM staff WHERE id = '${last.id}')`]);
    const got = expectStatus(await rw.get(`/api/v1/staff/${last.id}`), 200);
    assert.equal(got.name, '龥最后一名');
    assert.equal(got.hours, 0);
  });
});

/** Answers every required item that applies with its first allowed value; `over` sets chosen ones. */
function fill(inst, over = {}) {
  const a = {};
  for (const it of inst.items) {
    if (it.show_if && !it.show_if.in.some((v) => a[it.show_if.item] === v)) continue;
    if (it.id in over) a[it.id] = over[it.id];
    else if (!it.required) continue;
    else if (it.type === 'choice') a[it.id] = it.options[0].value;
    else if (it.type === 'multi') a[it.id] = [it.options[0].value];
    else if (it.type === 'number') a[it.id] = it.min;
    else if (it.type === 'date') a[it.id] = today;
    else if (it.type === 'bool') a[it.id] = false;
    else a[it.id] = '良好';
  }
  return a;
}
