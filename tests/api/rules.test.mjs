// rules.test.mjs: referral rules as data, per region (seed 001 part 3). Everyone logged in reads
// the set in force and where it comes from; a region's officials set its own, the sysadmin the
// national default; DELETE returns a region to its parent's; bad values change nothing; audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus, Api } from './helpers.mjs';

const COUNTY = '510421';            // county_official's county
const VILLAGE = '510421100001';     // a village in it
const OTHER = '510422';             // county_official2's county
const DEFAULT = {
  local_hukou: 'county', age_min: 18, age_max: 60, grade_min: 3, grade_max: 4, severe_qualifies: true,
  require_condition: true, max_risk_level: 2, risk_window_months: 6, followup_days: 30, waitlist_months: 3,
};

let srv, as = {};
before(async () => {
  srv = await startServer();
  const users = ['sysadmin', 'auditor', 'county_official', 'county_official2', 'city_official', 'rehab_worker',
    'hospital_worker', 'referral_worker', 'evaluator'];
  const apis = await Promise.all(users.map((u) => srv.login(u)));
  users.forEach((u, i) => { as[u] = apis[i]; });
});
after(async () => { await srv?.close(); });

const rulesOf = async (api, region) =>
  expectStatus(await api.get(`/api/v1/referral-rules${region ? `?region=${region}` : ''}`), 200);

describe('referral rules', () => {
  test('everyone logged in reads the national default', async () => {
    for (const u of ['rehab_worker', 'hospital_worker', 'evaluator', 'auditor', 'sysadmin']) {
      const j = await rulesOf(as[u]);
      assert.equal(j.region, '');
      assert.equal(j.from_region, '');
      assert.equal(j.from_region_name, '全国默认');
      assert.equal(j.default, true);
      assert.deepEqual(j.rules, DEFAULT);
    }
    const j = await rulesOf(as.rehab_worker, VILLAGE);
    assert.equal(j.region, VILLAGE);
    assert.equal(j.default, true);
  });

  test('not logged in: 401; bad or unknown region: 400', async () => {
    const anon = new Api(srv.base, srv);
    assert.equal((await anon.get('/api/v1/referral-rules')).status, 401);
    expectStatus(await as.rehab_worker.get('/api/v1/referral-rules?region=51042'), 400, 'invalid_field', 'region');
    expectStatus(await as.rehab_worker.get('/api/v1/referral-rules?region=519999'), 400, 'invalid_field', 'region');
  });

  test("an official sets the county's rules; a village under it follows them", async () => {
    const put = expectStatus(await as.county_official.put(`/api/v1/referral-rules/${COUNTY}`,
      { age_max: 65, local_hukou: 'prefecture', followup_days: 14 }), 200);
    assert.equal(put.region, COUNTY);
    assert.equal(put.from_region, COUNTY);
    assert.equal(put.default, false);
    assert.deepEqual(put.rules, { ...DEFAULT, age_max: 65, local_hukou: 'prefecture', followup_days: 14 });
    const j = await rulesOf(as.rehab_worker, VILLAGE);
    assert.equal(j.region, VILLAGE);
    assert.equal(j.from_region, COUNTY);
    assert.equal(j.from_region_name, '米易县');
    assert.equal(j.default, false);
    assert.equal(j.rules.age_max, 65);
    assert.equal(j.rules.local_hukou, 'prefecture');
    // the neighbour county and the nation keep the default
    assert.equal((await rulesOf(as.rehab_worker, OTHER)).default, true);
    assert.deepEqual((await rulesOf(as.rehab_worker)).rules, DEFAULT);
  });

  test('a padded code means the same region', async () => {
    const j = await rulesOf(as.rehab_worker, '510421000000');
    assert.equal(j.region, COUNTY);
    assert.equal(j.from_region, COUNTY);
  });

  test("the other county's official, rehab staff and others: 403, nothing changed", async () => {
    expectStatus(await as.county_official2.put(`/api/v1/referral-rules/${COUNTY}`, { age_max: 50 }), 403, 'forbidden');
    expectStatus(await as.county_official2.del(`/api/v1/referral-rules/${COUNTY}`), 403, 'forbidden');
    for (const u of ['rehab_worker', 'hospital_worker', 'referral_worker', 'auditor', 'evaluator']) {
      expectStatus(await as[u].put(`/api/v1/referral-rules/${COUNTY}`, { age_max: 50 }), 403, 'forbidden');
    }
    expectStatus(await as.county_official.put('/api/v1/referral-rules/national', { age_max: 50 }), 403, 'forbidden');
    expectStatus(await as.county_official.put('/api/v1/referral-rules/5104', { age_max: 50 }), 403, 'forbidden');
    assert.equal((await rulesOf(as.rehab_worker, COUNTY)).rules.age_max, 65);
    assert.equal((await rulesOf(as.rehab_worker)).rules.age_max, 60);
  });

  test('bad values: 400 invalid_rules naming the field, nothing changed', async () => {
    const bad = [
      [{ age_max: 999 }, 'age_max'],
      [{ age_min: 40, age_max: 30 }, 'age_min'],
      [{ grade_min: 0 }, 'grade_min'],
      [{ grade_min: 4, grade_max: 3 }, 'grade_min'],
      [{ local_hukou: 'town' }, 'local_hukou'],
      [{ max_risk_level: 6 }, 'max_risk_level'],
      [{ risk_window_months: '6' }, 'risk_window_months'],
      [{ severe_qualifies: 'yes' }, 'severe_qualifies'],
      [{ followup_days: 0 }, 'followup_days'],
      [{ waitlist_months: 25 }, 'waitlist_months'],
      [{ age_max: 50, colour: 'red' }, 'rules'],
    ];
    for (const [body, field] of bad) {
      expectStatus(await as.county_official.put(`/api/v1/referral-rules/${COUNTY}`, body), 400, 'invalid_rules', field);
    }
    let r = await as.county_official.put(`/api/v1/referral-rules/${COUNTY}`, '{"age_max":50,"age_max":51}');
    assert.equal(r.status, 400);
    r = await as.county_official.put(`/api/v1/referral-rules/${COUNTY}`, '[1]');
    assert.equal(r.status, 400);
    expectStatus(await as.county_official.put('/api/v1/referral-rules/5104219', { age_max: 50 }), 400, 'invalid_field', 'region');
    const j = await rulesOf(as.rehab_worker, COUNTY);
    assert.deepEqual(j.rules, { ...DEFAULT, age_max: 65, local_hukou: 'prefecture', followup_days: 14 });
  });

  test('a city official sets a village in their city; sysadmin any region and the national default', async () => {
    expectStatus(await as.city_official.put(`/api/v1/referral-rules/${VILLAGE}`, { max_risk_level: 1 }), 200);
    let j = await rulesOf(as.rehab_worker, VILLAGE);
    assert.equal(j.from_region, VILLAGE);
    assert.equal(j.rules.max_risk_level, 1);
    assert.equal(j.rules.age_max, 60, 'a region set is whole: missing keys are the default, not the parent');
    expectStatus(await as.sysadmin.put('/api/v1/referral-rules/national', { waitlist_months: 4 }), 200);
    j = await rulesOf(as.evaluator, OTHER);
    assert.equal(j.default, true);
    assert.equal(j.rules.waitlist_months, 4);
    expectStatus(await as.sysadmin.put(`/api/v1/referral-rules/${OTHER}`, { age_min: 16 }), 200);
    assert.equal((await rulesOf(as.evaluator, OTHER)).rules.age_min, 16);
  });

  test("DELETE returns a region to its parent's rules", async () => {
    let j = expectStatus(await as.county_official.del(`/api/v1/referral-rules/${VILLAGE}`), 200);
    assert.equal(j.region, VILLAGE);
    assert.equal(j.from_region, COUNTY);
    assert.equal(j.rules.age_max, 65);
    j = expectStatus(await as.county_official.del(`/api/v1/referral-rules/${COUNTY}`), 200);
    assert.equal(j.from_region, '');
    assert.equal(j.default, true);
    assert.equal(j.rules.waitlist_months, 4, 'the national set now in force');
    j = expectStatus(await as.county_official.del(`/api/v1/referral-rules/${COUNTY}`), 200);   // nothing left: no-op
    assert.equal(j.default, true);
    expectStatus(await as.sysadmin.del('/api/v1/referral-rules/national'), 422, 'rule_violation');
    expectStatus(await as.county_official.del('/api/v1/referral-rules/national'), 403, 'forbidden');
  });

  test('every change and refusal is audited', async () => {
    const a = expectStatus(await as.auditor.get('/api/v1/audit?object_type=referral_rules&page_size=100'), 200);
    const has = (action, id, result, user) => a.items.some((e) => e.action === action && e.object_id === id
      && (!result || e.result === result) && (!user || e.user === user || e.username === user));
    assert.ok(has('update', COUNTY, 'ok'), JSON.stringify(a.items.slice(0, 5)));
    assert.ok(has('update', 'national', 'ok'));
    assert.ok(has('delete', VILLAGE, 'ok'));
    assert.ok(has('delete', COUNTY, 'ok'));
    assert.ok(a.items.some((e) => e.result === 'denied' && e.object_id === COUNTY), 'refusals audited');
    const deletes = a.items.filter((e) => e.action === 'delete' && e.object_id === COUNTY && e.result === 'ok');
    assert.equal(deletes.length, 1, 'the no-op delete is not a change');
  });
});
