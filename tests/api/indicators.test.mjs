// indicators.test.mjs: the officials' indicators against a hand-built dataset whose answers are
// known, the roll-up identity, scope by role, the 规范服务 definition, and the aggregates against a
// full recomputation after random writes, updates and deletions (`jingkang indicators check`).
//
// Five clients of 米易 (510421), served by 米易精康家园, registered in January 2025 (their
// registration is moved back by SQL, as a migration or an import would: the triggers see it):
//   A  consent + agreement 2025-01-20, periodic assessment 2025-01-25, plan 2025-01-25..2025-12-31,
//      a service in every month February–December          → standardized every month
//   B  as A, but no service in June                         → not in June, Q2 or the year
//   C  as A, but no plan                                    → never standardized; served
//   D  as A, but no service at all                          → on the register only
//   E  as A, services February–June, closed in June 2025    → standardized for the year
// The demo's own clients are registered now (2026) and do not count in 2025.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, cli, expectStatus, makeIdNumber, uniqueName, zipEntry, eventually } from './helpers.mjs';

let srv, hospital, worker, rehab, official, city, official2, evaluator, sysadmin;
let miyi, cityHospital;
const clients = {};
const db = () => path.join(srv.dataDir, 'jingkang.db');
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', db(), q], { encoding: 'utf8' }).trim();
const ms = (date) => Date.parse(`${date}T10:00:00+08:00`);
const act = (api, id, action, body = {}) => api.post(`/api/v1/referrals/${id}/${action}`, body);
const signed = (extra = {}) => ({ client_signed: true, signed_on: '2025-01-20', version: '2025.1', ...extra });
const months = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}-15`);

async function inService(label) {
  const body = {
    client: { name: uniqueName(), id_number: makeIdNumber({ region: '510421', birth: '1980-03-03', sex: 'female' }), residence_region: '510421', diagnosis: 'F20.0' },
    source: 'hospital', need: { functions: ['day_care'] },
    consent: { client_agreed: true, guardian_agreed: true, guardian_name: '王父', signed_on: '2025-01-10' },
    assessment: { date: '2025-01-10', risk_level: 0, summary: '病情稳定' },
  };
  const ref = expectStatus(await hospital.post('/api/v1/referrals', body), 201);
  expectStatus(await act(worker, ref.id, 'register'), 200);
  expectStatus(await act(worker, ref.id, 'dispatch', { organization: miyi.id }), 200);
  expectStatus(await act(rehab, ref.id, 'accept'), 200);
  expectStatus(await act(rehab, ref.id, 'consent', signed()), 200);
  expectStatus(await act(rehab, ref.id, 'agreement', signed({ price_terms: '日间照料 30元/天' })), 200);
  expectStatus(await act(rehab, ref.id, 'start'), 200);
  clients[label] = ref.client.id;
  return ref.client.id;
}

async function periodic(id, date) { await assess(id, 'periodic', date); }

// An assessment with every required item answered (the first option), `given` first.
async function assess(id, instrument, date, given = {}) {
  const inst = expectStatus(await rehab.get(`/api/v1/instruments/${instrument}`), 200);
  const answers = { ...given };
  for (const it of inst.items) {
    if (it.id in answers) continue;
    if (it.show_if && !it.show_if.in.some((v) => answers[it.show_if.item] === v)) continue;
    if (!it.required) continue;
    answers[it.id] = it.type === 'choice' ? it.options[0].value : it.type === 'multi' ? [it.options[0].value]
      : it.type === 'number' ? it.min : it.type === 'date' ? date : it.type === 'bool' ? false : '良好';
  }
  expectStatus(await rehab.post(`/api/v1/clients/${id}/assessments`, { instrument, date, answers }), 201);
}

let nurse;
async function service(ids, date, type = 'medication') {
  expectStatus(await rehab.post('/api/v1/service-records', {
    type, date, duration_minutes: 30, place: 'home', clients: ids, staff: [nurse], content: type === 'medication' ? '服药训练' : '心理疏导',
  }), 201);
}

const ind = async (api, q) => expectStatus(await api.get(`/api/v1/indicators?${q}`), 200);
const pick = (r, id) => r.indicators.find((x) => x.id === id);
const refresh = () => {
  const r = cli(['indicators', 'refresh', '--data', srv.dataDir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
};
const check = () => {
  const r = cli(['indicators', 'check', '--data', srv.dataDir]);
  assert.equal(r.status, 0, `aggregates differ from a recomputation:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /完全一致/);
};

before(async () => {
  srv = await startServer({ env: { JINGKANG_RATE_LIMIT: 'off' } });
  [hospital, worker, rehab, official, city, official2, evaluator, sysadmin] = await Promise.all(
    ['hospital_worker', 'referral_worker', 'rehab_worker', 'county_official', 'city_official', 'county_official2',
      'evaluator', 'sysadmin'].map((u) => srv.login(u)));
  const orgs = expectStatus(await sysadmin.get('/api/v1/organizations?page_size=100'), 200).items;
  miyi = orgs.find((o) => o.name.startsWith('米易县精康家园'));
  cityHospital = orgs.find((o) => o.name.startsWith('攀枝花市精神卫生中心'));
  assert.ok(miyi && cityHospital);
  nurse = expectStatus(await rehab.post('/api/v1/staff', { name: uniqueName(), profession: 'nurse' }), 201).id;
  for (const k of ['A', 'B', 'C', 'D', 'E']) {
    const id = await inService(k);
    await periodic(id, '2025-01-25');
    if (k !== 'C') {
      expectStatus(await rehab.post(`/api/v1/clients/${id}/plans`, {
        start_date: '2025-01-25', review_date: '2025-12-31',
        goals: [{ text: '能按时自行服药', target_date: '2025-06-30' }], services: [{ type: 'medication', per_month: 1, staff: nurse }],
      }), 201);
    }
  }
  for (const date of months(2, 12)) {
    const ids = ['A', 'B', 'C'].filter((k) => !(k === 'B' && date.startsWith('2025-06'))).map((k) => clients[k]);
    if (date <= '2025-06-30') ids.push(clients.E);
    await service(ids, date);
  }
  // registration moved back to January 2025; E closed in June 2025
  const list = Object.values(clients).map((id) => `'${id}'`).join(',');
  sql(`UPDATE client SET created_at = ${ms('2025-01-10')} WHERE id IN (${list})`);
  sql(`UPDATE client SET status = 'closed', updated_at = ${ms('2025-06-20')} WHERE id = '${clients.E}'`);
  refresh();
});
after(async () => { await srv?.close(); });

describe('the hand-built dataset', () => {
  test('2025 for 米易: 5 on the register, A and E standardized (40%), 4 served; coverage 1 of 5 counties in 攀枝花', async () => {
    const r = await ind(official, 'region=510421&from=2025-01-01&to=2025-12-31');
    assert.equal(r.period.kind, 'year');
    assert.equal(r.scope.code, '510421');
    const s = pick(r, 'standardized_service_rate');
    assert.deepEqual([s.numerator, s.denominator, s.value, s.target, s.met], [2, 5, 40, 60, false]);
    assert.deepEqual([pick(r, 'registered_clients').value, pick(r, 'service_coverage').numerator], [5, 4]);
    assert.equal(pick(r, 'county_coverage').value, 100, 'for one county: whether it provides services');
    const c = await ind(city, 'region=5104&from=2025-01-01&to=2025-12-31');
    const cov = pick(c, 'county_coverage');
    assert.deepEqual([cov.numerator, cov.denominator, cov.value, cov.target], [1, 5, 20, 80]);
    assert.equal(r.definition.source, 'default');
    assert.match(r.definition.text, /服务协议/);
  });

  test('quarters, a month, the registration month and an arbitrary range (counted from the facts)', async () => {
    const rate = async (from, to) => {
      const s = pick(await ind(official, `region=510421&from=${from}&to=${to}`), 'standardized_service_rate');
      return [s.numerator, s.denominator];
    };
    assert.deepEqual(await rate('2025-01-01', '2025-03-31'), [3, 5], 'Q1: A, B, E');
    assert.deepEqual(await rate('2025-04-01', '2025-06-30'), [2, 5], 'Q2: A, E (B missed June)');
    assert.deepEqual(await rate('2025-07-01', '2025-09-30'), [2, 4], 'Q3: A and B again; E left in June');
    assert.deepEqual(await rate('2025-06-01', '2025-06-30'), [2, 5], 'June');
    assert.deepEqual(await rate('2025-01-01', '2025-01-31'), [0, 5], 'nobody in the month of registration');
    assert.deepEqual(await rate('2025-02-10', '2025-04-20'), [3, 5], 'February–April, a range of whole months');
    assert.deepEqual(await rate('2024-01-01', '2024-12-31'), [0, 0], 'before registration: nobody');
    const range = await ind(official, 'region=510421&from=2025-02-10&to=2025-04-20');
    assert.deepEqual([range.period.from, range.period.to, range.period.kind], ['2025-02-01', '2025-04-30', 'range']);
    const ytd = await ind(official, 'region=510421&from=2025-01-01&to=2025-10-31');
    assert.equal(ytd.period.kind, 'year_to_date');
    assert.deepEqual([pick(ytd, 'standardized_service_rate').numerator], [2]);
  });

  test('the roll-up: county = prefecture = province for 2025, and each level is the sum of its children', async () => {
    const q = 'from=2025-01-01&to=2025-12-31';
    const [county, pref, prov, nation] = await Promise.all([
      ind(official, `region=510421&${q}`), ind(city, `region=5104&${q}`), ind(evaluator, `region=51&${q}`), ind(evaluator, q)]);
    for (const id of ['standardized_service_rate', 'registered_clients', 'service_coverage']) {
      const v = [county, pref, prov, nation].map((x) => pick(x, id).numerator);
      assert.deepEqual(v, [v[0], v[0], v[0], v[0]], id);
    }
    for (const [api, region] of [[evaluator, ''], [evaluator, '51'], [city, '5104'], [official, '510421']]) {
      for (const id of ['standardized_service_rate', 'county_coverage', 'staff_relevant_major', 'staff_training_20h']) {
        const r = expectStatus(await api.get(`/api/v1/indicators/${id}?${region ? `region=${region}&` : ''}${q}&by=child`), 200);
        if (r.indicator.numerator === null || r.rows.every((x) => x.numerator === null)) continue;   // not defined below counties
        const sum = (k) => r.rows.reduce((a, x) => a + (x[k] ?? 0), 0);
        assert.equal(sum('numerator'), r.indicator.numerator, `${id} ${region || 'nation'} numerator`);
        assert.equal(sum('denominator'), r.indicator.denominator, `${id} ${region || 'nation'} denominator`);
        if (region === '510421' && id === 'standardized_service_rate') {
          const own = r.rows.find((x) => x.unassigned);
          assert.deepEqual([own?.code, own?.numerator, own?.denominator], ['510421', 2, 5], 'clients registered at the county itself');
        } else if (id !== 'staff_relevant_major' && id !== 'staff_training_20h') {
          assert.ok(!r.rows.some((x) => x.unassigned), `${id} ${region}: everything lies in a sub-region`);
        }
      }
    }
  });

  test('drill-down: the ranked sub-regions, the institutions, the trend by month', async () => {
    const q = 'from=2025-01-01&to=2025-12-31';
    const kids = expectStatus(await city.get(`/api/v1/indicators/standardized_service_rate?region=5104&${q}&by=child`), 200);
    assert.equal(kids.rows.length, 5);
    assert.equal(kids.rows[0].code, '510421', 'ranked: the county with a value first');
    assert.equal(kids.rows[0].behind, true, '40% is behind the 60% target');
    const orgs = expectStatus(await official.get(`/api/v1/indicators/standardized_service_rate?region=510421&${q}&by=organization`), 200);
    const m = orgs.rows.find((x) => x.id === miyi.id);
    assert.deepEqual([m.numerator, m.denominator], [2, 5]);
    const trend = expectStatus(await official.get(`/api/v1/indicators/standardized_service_rate?region=510421&${q}&by=month`), 200);
    assert.equal(trend.rows.length, 12);
    assert.deepEqual(trend.rows.map((x) => x.numerator), [0, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    assert.deepEqual(trend.rows.map((x) => x.month).slice(0, 2), ['2025-01', '2025-02']);
    const v = sql("SELECT residence_region FROM client WHERE residence_region LIKE '510421%' AND length(residence_region) = 12 LIMIT 1");
    const now = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const vill = await ind(official, `region=${v}&from=2026-01-01&to=${now}`);
    assert.equal(vill.scope.level, 'village');
    assert.equal(pick(vill, 'registered_clients').value, Number(sql(`SELECT count(*) FROM client WHERE residence_region = '${v}'`)),
      'a village, counted from the facts');
  });

  test('staff: the demo institutions\' majors and this year\'s training hours', async () => {
    const r = await ind(city, 'region=5104');
    const major = pick(r, 'staff_relevant_major');
    assert.equal(major.target, 30);
    assert.ok(major.denominator >= 10 && major.numerator >= 6, JSON.stringify(major));
    const tr = pick(r, 'staff_training_20h');
    assert.equal(tr.numerator, 2, '张社工 22 h and 唐医生 20 h');
  });
});

describe('exports', () => {
  const q = 'region=510421&from=2025-01-01&to=2025-12-31';
  test('the table as Excel: title, scope, header, the figures as numbers, a definitions sheet', async () => {
    const x = await official.get(`/api/v1/indicators/export?${q}`);
    expectStatus(x, 200);
    assert.match(String(x.headers['content-type']), /spreadsheetml/);
    assert.match(String(x.headers['content-disposition']), /filename="export\.xlsx"; filename\*=UTF-8''/);
    const wb = zipEntry(x.raw, 'xl/workbook.xml');
    assert.ok(wb.includes('name="汇总"') && wb.includes('name="定义说明"'), wb);
    const sheet = zipEntry(x.raw, 'xl/worksheets/sheet1.xml');
    for (const t of ['精神障碍社区康复服务主要指标', '统计范围：米易县', '2025-01-01 至 2025-12-31', '登记康复对象接受规范服务率', '未达标'])
      assert.ok(sheet.includes(t), t);
    assert.match(sheet, /<pane [^>]*state="frozen"/, 'the header row is frozen');
    assert.match(sheet, /<v>40<\/v>/, '40 (%) written as a number');
    const defs = zipEntry(x.raw, 'xl/worksheets/sheet2.xml');
    assert.ok(defs.includes('服务协议') && defs.includes('2025 年 60%'), 'the 规范服务 definition and the targets');
  });

  test('CSV with a byte-order mark; one indicator by month; the report workbook; bad format 400', async () => {
    const c = await official.get(`/api/v1/indicators/standardized_service_rate/export?${q}&by=month&format=csv`);
    expectStatus(c, 200);
    assert.deepEqual([...c.raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = c.raw.subarray(3).toString('utf8').trim().split('\r\n');
    assert.equal(lines[0], '月份,,分子,分母,数值（%）,目标（%）,是否达标');
    assert.equal(lines.length, 13);
    assert.equal(lines[6], '2025-06,,2,5,40.0,60,未达标');
    const rep = await official.get(`/api/v1/indicators/report?${q}`);
    expectStatus(rep, 200);
    const names = [...zipEntry(rep.raw, 'xl/workbook.xml').matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(names, ['汇总', '规范服务率-下级地区', '规范服务率-机构', '规范服务率-月度', '定义说明']);
    expectStatus(await official.get(`/api/v1/indicators/export?${q}&format=pdf`), 400, undefined, 'format');
    expectStatus(await official2.get(`/api/v1/indicators/report?${q}`), 403);
  });
});

describe('the evaluators\' de-identified extract', () => {
  test('one row per client on the register: pseudonym, age band, county, months; nothing that names anyone', async () => {
    const x = await evaluator.get('/api/v1/indicators/extract?region=510421&from=2025-01-01&to=2025-12-31&format=csv');
    expectStatus(x, 200);
    const text = x.raw.subarray(3).toString('utf8');
    const lines = text.trim().split('\r\n').map((l) => l.split(','));
    assert.equal(lines[0].join(','), '编号,性别,年龄段,县级区划代码,县（市、区）,诊断类别,严重精神障碍,残疾类别,残疾等级,状态,服务机构,'
      + '登记月份,离开月份,期间在册月数,期间接受服务月数,期间规范服务月数,期间是否规范服务');
    const rows = lines.slice(1);
    assert.equal(rows.length, 5);
    for (const r of rows) {
      assert.match(r[0], /^[0-9a-f]{16}$/);
      assert.deepEqual([r[2], r[3], r[4], r[5], r[11]], ['40-49岁', '510421', '米易县', 'F20', '2025-01']);
    }
    const byStd = rows.map((r) => `${r[15]}/${r[16]}`).sort();
    assert.deepEqual(byStd, ['0/否', '0/否', '10/否', '11/是', '5/是'], 'D and C none, B all but June, A all, E until it left');
    // nothing identifying: no name, ID number, phone, birth date of any of these clients
    for (const id of Object.values(clients)) {
      const c = expectStatus(await official.get(`/api/v1/clients/${id}`), 200);
      assert.ok(!text.includes(c.name) && !text.includes(id) && !text.includes('1980-03-03'), 'no name, id or birth date');
    }
    const again = await evaluator.get('/api/v1/indicators/extract?region=510421&from=2025-01-01&to=2025-06-30&format=csv');
    const ids = (t) => t.raw.subarray(3).toString('utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')[0]).sort();
    assert.deepEqual(ids(again), ids(x), 'the same pseudonym for the same person in every extract');
    // small cells: after E left, four women of one age band and diagnosis in the county are too
    // few to show what singles them out
    const h2 = await evaluator.get('/api/v1/indicators/extract?region=510421&from=2025-07-01&to=2025-12-31&format=csv');
    const h2rows = h2.raw.subarray(3).toString('utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
    assert.equal(h2rows.length, 4);
    for (const r of h2rows) assert.deepEqual([r[1], r[2], r[3], r[5], r[7], r[8], r[10]], ['女', '*', '510421', '*', '*', '*', '*']);
    // a read's audit entry is queued and written after the reply: wait for it
    const lastExtract = () => sql("SELECT detail FROM audit WHERE object_type = 'indicator_extract' ORDER BY seq DESC LIMIT 1");
    assert.ok(h2.raw.length > 0 && await eventually(() => lastExtract().includes('4 withheld')), lastExtract());
    const xl = await official.get('/api/v1/indicators/extract?region=510421&from=2025-01-01&to=2025-12-31');
    expectStatus(xl, 200);
    assert.ok(zipEntry(xl.raw, 'xl/worksheets/sheet1.xml').includes('去标识化'));
    for (const who of [rehab, worker, hospital, sysadmin]) expectStatus(await who.get('/api/v1/indicators/extract?region=510421'), 403);
    expectStatus(await official2.get('/api/v1/indicators/extract?region=510421'), 403);
    assert.ok(await eventually(() => Number(sql("SELECT count(*) FROM audit WHERE object_type = 'indicator_extract' AND result = 'ok'")) >= 4), 'each extract audited');
  });
});

// The referrals of A, B and C get known times by SQL (a repair or an import would: the triggers
// see it); D is closed and visited through the API now (2026).
//   A  submitted Fri 2025-03-07, registered Fri 03-14 (5 working days: on time), dispatched Wed
//      03-26 (8 working days: late), in service 2025-04-01                      → waited 25 days
//   B  submitted Mon 2025-03-03, registered 03-04, dispatched 03-05, in service 03-10 → 7 days
//   C  as B, in service 2025-07-01 (120 days; the 3 months ran out on 06-03)   → over 3 months
describe('referrals: timeliness, waits and outcomes', () => {
  const refOf = (k) => `(SELECT r.rid FROM referral r JOIN client c ON c.rid = r.client_rid WHERE c.id = '${clients[k]}')`;
  const setTimes = (k, submitted, times) => {
    sql(`UPDATE referral SET submitted_at = ${ms(submitted)} WHERE rid = ${refOf(k)}`);
    for (const [action, date] of Object.entries(times))
      sql(`UPDATE referral_event SET time = ${ms(date)} WHERE referral_rid = ${refOf(k)} AND action = '${action}'`);
  };
  before(() => {
    setTimes('A', '2025-03-07', { register: '2025-03-14', dispatch: '2025-03-26', accept: '2025-03-27', start: '2025-04-01' });
    setTimes('B', '2025-03-03', { register: '2025-03-04', dispatch: '2025-03-05', accept: '2025-03-06', start: '2025-03-10' });
    setTimes('C', '2025-03-03', { register: '2025-03-04', dispatch: '2025-03-05', accept: '2025-03-06', start: '2025-07-01' });
    refresh();
  });

  test('2025 for 米易: registration on time 3/3, dispatch 2/3, waits 7/25/120 days, one past 3 months', async () => {
    const r = await ind(official, 'region=510421&from=2025-01-01&to=2025-12-31');
    const on = (id) => [pick(r, id).numerator, pick(r, id).denominator, pick(r, id).value];
    assert.deepEqual(on('referral_registered_on_time'), [3, 3, 100]);
    assert.deepEqual(on('referral_dispatched_on_time'), [2, 3, 66.7]);
    assert.equal(pick(r, 'referral_dispatched_on_time').met, false);
    assert.deepEqual([pick(r, 'referral_wait_median').numerator, pick(r, 'referral_wait_median').value], [3, 25]);
    assert.equal(pick(r, 'referral_wait_p90').value, 120);
    assert.equal(pick(r, 'referral_wait_median').unit, 'days');
    assert.equal(pick(r, 'referral_waits_over_3_months').value, 1);
    assert.equal(pick(r, 'referral_rereferrals').value, 0);
    // by month: the over-3-months wait falls in June; the same figures for the province, from the aggregates
    const june = await ind(official, 'region=510421&from=2025-06-01&to=2025-06-30');
    assert.equal(pick(june, 'referral_waits_over_3_months').value, 1);
    assert.equal(pick(june, 'referral_wait_median').value, null, 'nobody began service in June');
    const prov = await ind(evaluator, 'region=51&from=2025-01-01&to=2025-12-31');
    for (const id of ['referral_registered_on_time', 'referral_dispatched_on_time', 'referral_wait_median', 'referral_wait_p90'])
      assert.deepEqual([pick(prov, id).numerator, pick(prov, id).value], [pick(r, id).numerator, pick(r, id).value], id);
    // the institution and a township are answered from the referrals themselves
    const org = await ind(rehab, 'from=2025-01-01&to=2025-12-31');
    assert.deepEqual([pick(org, 'referral_wait_median').numerator, pick(org, 'referral_wait_median').value], [3, 25]);
    const q1 = await ind(official, 'region=510421&from=2025-01-01&to=2025-03-31');
    assert.deepEqual([pick(q1, 'referral_registered_on_time').numerator, pick(q1, 'referral_registered_on_time').denominator], [3, 3]);
    assert.deepEqual([pick(q1, 'referral_wait_median').numerator, pick(q1, 'referral_wait_median').value], [1, 7]);
  });

  test('outcomes: D closed and visited now counts this month; a percentile has no 本级 remainder row', async () => {
    const dRef = sql(`SELECT id FROM referral WHERE rid = ${refOf('D')}`);
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);   // the server's clock is real time here
    const thisMonth = `region=510421&from=${today.slice(0, 8)}01&to=${today}`;
    const fu = async () => { const x = pick(await ind(official, thisMonth), 'outcome_closed_followed_up'); return [x.numerator, x.denominator]; };
    const [num, den] = await fu();   // the demo's own closures this month
    expectStatus(await act(rehab, dRef, 'close', { outcome: 'completed' }), 200);
    assert.deepEqual(await fu(), [num, den + 1]);
    expectStatus(await act(rehab, dRef, 'followup', { date: today, note: '电话回访，情况稳定' }), 200);
    assert.deepEqual(await fu(), [num + 1, den + 1]);
    const kids = expectStatus(await city.get('/api/v1/indicators/referral_wait_median?region=5104&from=2025-01-01&to=2025-12-31&by=child'), 200);
    assert.ok(kids.rows.every((x) => !x.unassigned));
    assert.equal(kids.rows.find((x) => x.code === '510421').value, 25);
    check();
  });
});

// A (schizophrenia, like all five: severe) is visited in February 2025 on medication and in May
// off it, and has a counselling session in March.
describe('severe mental disorders: management, medication, psychological support', () => {
  before(async () => {
    await assess(clients.A, 'followup', '2025-02-10', { classification: 3, adherence: 1 });
    await assess(clients.A, 'followup', '2025-05-10', { classification: 2, adherence: 3 });
    await service([clients.A], '2025-03-20', 'counselling');
    const sat = (v) => Object.fromEntries(['attitude', 'content', 'frequency', 'environment', 'effect', 'privacy', 'communication', 'overall'].map((k) => [k, v]));
    await assess(clients.A, 'satisfaction', '2025-04-15', { respondent: 1, ...sat(5) });   // 40: satisfied
    await assess(clients.B, 'satisfaction', '2025-04-16', { respondent: 2, ...sat(3) });   // 24: neutral
  });

  test('satisfaction: of the two surveyed in Q2 2025, one satisfied', async () => {
    const q2 = await ind(official, 'region=510421&from=2025-04-01&to=2025-06-30');
    const s = pick(q2, 'satisfaction_rate');
    assert.deepEqual([s.numerator, s.denominator, s.value], [1, 2, 50]);
    assert.equal(pick(await ind(official, 'region=510421&from=2025-07-01&to=2025-09-30'), 'satisfaction_rate').denominator, 0);
  });

  test('Q1 and Q2 2025 for 米易: A managed both; on medication at Q1\'s last visit, not at Q2\'s; supported in Q1', async () => {
    const q1 = await ind(official, 'region=510421&from=2025-01-01&to=2025-03-31');
    const on = (r, id) => [pick(r, id).numerator, pick(r, id).denominator];
    assert.deepEqual(on(q1, 'severe_management_rate'), [1, 5]);
    assert.deepEqual(on(q1, 'severe_treatment_rate'), [1, 1]);
    assert.deepEqual(on(q1, 'severe_psych_support'), [1, 5]);
    assert.equal(pick(q1, 'severe_psych_support').target, 50);
    assert.deepEqual(on(q1, 'severe_participation'), [4, 5]);
    const q2 = await ind(official, 'region=510421&from=2025-04-01&to=2025-06-30');
    assert.deepEqual(on(q2, 'severe_management_rate'), [1, 5]);
    assert.deepEqual(on(q2, 'severe_treatment_rate'), [0, 1]);
    assert.deepEqual(on(q2, 'severe_psych_support'), [0, 5]);
    const q3 = await ind(official, 'region=510421&from=2025-07-01&to=2025-09-30');
    assert.deepEqual(on(q3, 'severe_management_rate'), [0, 4], 'no visit since May; E left in June');
    // the institution (from the facts) says the same as the county (from the aggregates)
    const org = await ind(rehab, 'from=2025-01-01&to=2025-03-31');
    for (const id of ['severe_management_rate', 'severe_treatment_rate', 'severe_psych_support'])
      assert.deepEqual(on(org, id), on(q1, id), id);
    check();
  });
});

describe('capacity', () => {
  test('places, occupancy now, and prefectures with the three functions', async () => {
    const r = await ind(city, 'region=5104');
    const places = pick(r, 'rehab_places'), occ = pick(r, 'occupancy'), fun = pick(r, 'prefecture_functions');
    assert.equal(places.value, Number(sql("SELECT sum(capacity) FROM organization WHERE kind = 'rehab_institution' AND region LIKE '5104%'")));
    assert.equal(occ.numerator, Number(sql("SELECT count(*) FROM client c JOIN organization o ON o.rid = c.organization_rid"
      + " WHERE c.status = 'in_service' AND o.kind = 'rehab_institution' AND o.region LIKE '5104%'")));
    assert.ok(occ.numerator > 0 && occ.denominator === places.value);
    assert.deepEqual([fun.numerator, fun.denominator, fun.target, fun.met], [1, 1, 100, true]);
    const prov = pick(await ind(evaluator, 'region=51'), 'prefecture_functions');
    assert.deepEqual([prov.numerator, prov.denominator], [1, Number(sql("SELECT count(*) FROM region WHERE level = 2 AND code LIKE '51%'"))]);
    assert.equal(pick(await ind(official, 'region=510421'), 'prefecture_functions').value, null, 'not for a county');
    const own = pick(await ind(rehab, ''), 'occupancy');
    assert.equal(own.denominator, miyi.capacity);
  });
});

describe('scope', () => {
  test('each role sees its own region or organization only', async () => {
    expectStatus(await official2.get('/api/v1/indicators?region=510421'), 403);
    expectStatus(await official.get('/api/v1/indicators?region=5104'), 403);
    expectStatus(await official.get('/api/v1/indicators?region=51'), 403);
    expectStatus(await sysadmin.get('/api/v1/indicators'), 403);
    expectStatus(await rehab.get('/api/v1/indicators?region=510421'), 403);
    const own = await ind(rehab, 'from=2025-01-01&to=2025-12-31');
    assert.equal(own.scope.type, 'organization');
    assert.equal(own.scope.id, miyi.id);
    assert.equal(pick(own, 'standardized_service_rate').numerator, 2);
    expectStatus(await hospital.get(`/api/v1/indicators?organization=${miyi.id}`), 403);
    const def = await ind(official, '');
    assert.equal(def.scope.code, '510421', 'default: the caller\'s region');
    assert.equal((await ind(evaluator, '')).scope.type, 'region');
    assert.equal((await ind(evaluator, '')).scope.name, '全国');
  });

  test('bad input: 400 with the field, unknown indicator 404', async () => {
    expectStatus(await official.get('/api/v1/indicators?from=2025-13-01'), 400, undefined, 'from');
    expectStatus(await official.get('/api/v1/indicators?from=2025-06-01&to=2025-01-01'), 400, undefined, 'from');
    expectStatus(await official.get('/api/v1/indicators?from=2000-01-01&to=2025-01-01'), 400, undefined, 'to');
    expectStatus(await official.get('/api/v1/indicators?from=2099-01-01&to=2099-03-31'), 400, undefined, 'from');   // not begun
    const now = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);   // this month in China
    const next = Number(now.slice(0, 4)) + 1;
    expectStatus(await official.get(`/api/v1/indicators?from=${now}-01&to=${next}-03-31`), 200);   // begun: shown as it stands
    expectStatus(await official.get('/api/v1/indicators?region=51x'), 400, undefined, 'region');
    expectStatus(await official.get('/api/v1/indicators/nope'), 404);
    expectStatus(await official.get('/api/v1/indicators/standardized_service_rate?by=street'), 400, undefined, 'by');
  });
});

describe('the 规范服务 definition', () => {
  test('a national definition without the plan: C becomes standardized after recomputation; removing it restores', async () => {
    expectStatus(await official.put('/api/v1/indicators/definition', { region: '', definition: { require_plan: false } }), 403);
    expectStatus(await sysadmin.put('/api/v1/indicators/definition', { region: '', definition: { require_plan: 'no' } }), 400, undefined, 'definition.require_plan');
    expectStatus(await sysadmin.put('/api/v1/indicators/definition', { region: '', definition: { min_services: 0 } }), 400, undefined, 'definition.min_services');
    const put = expectStatus(await sysadmin.put('/api/v1/indicators/definition', { region: '', definition: { require_plan: false } }), 200);
    assert.equal(put.params.require_plan, false);
    assert.ok(put.recomputing >= 5);
    refresh();
    const r = await ind(official, 'region=510421&from=2025-01-01&to=2025-12-31');
    assert.equal(pick(r, 'standardized_service_rate').numerator, 3);
    assert.equal(r.definition.source, 'national');
    assert.doesNotMatch(r.definition.text, /康复方案/);
    check();
    expectStatus(await sysadmin.del('/api/v1/indicators/definition'), 200);
    refresh();
    assert.equal(pick(await ind(official, 'region=510421&from=2025-01-01&to=2025-12-31'), 'standardized_service_rate').numerator, 2);
    const audit = sql("SELECT count(*) FROM audit WHERE action LIKE 'indicator_definition.%'");
    assert.equal(audit, '2');
  });
});

describe('aggregates agree with a full recomputation', () => {
  test('after random writes, updates and deletions', async () => {
    check();
    // writes through the API: more services on random days, a new client
    for (let i = 0; i < 12; i++) {
      const ks = Object.keys(clients).filter(() => Math.random() < 0.6);
      if (ks.length) await service(ks.map((k) => clients[k]), `2025-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}-0${1 + Math.floor(Math.random() * 9)}`);
    }
    await inService('F');
    check();
    // updates and deletions behind the API's back (an import, a repair): the triggers see them
    sql(`UPDATE service_attendance SET attended = 0 WHERE (client_rid, date, record_rid) IN (SELECT client_rid, date, record_rid FROM service_attendance ORDER BY random() LIMIT 5)`);
    sql(`DELETE FROM service_attendance WHERE record_rid IN (SELECT rid FROM service_record ORDER BY random() LIMIT 3)`);
    sql(`DELETE FROM service_record WHERE rid NOT IN (SELECT record_rid FROM service_attendance)`);
    sql(`UPDATE client SET residence_region = '510422001001' WHERE id = '${clients.B}'`);
    sql(`UPDATE client SET status = 'in_service', updated_at = ${ms('2025-06-21')} WHERE id = '${clients.E}'`);
    sql(`UPDATE staff SET major_field = 'psychology' WHERE rid = (SELECT min(rid) FROM staff)`);
    sql(`UPDATE referral_event SET time = time - 86400000 * 40 WHERE rid IN (SELECT rid FROM referral_event ORDER BY random() LIMIT 4)`);
    sql(`DELETE FROM referral_event WHERE rid = (SELECT max(rid) FROM referral_event WHERE action = 'register')`);
    const pending = (await ind(evaluator, '')).pending;
    assert.ok(pending > 0, 'changes made outside the server wait for the next fold');
    refresh();
    assert.equal((await ind(evaluator, '')).pending, 0);
    check();
    const b = await ind(official2, 'region=510422&from=2025-01-01&to=2025-12-31');
    assert.equal(pick(b, 'registered_clients').value, 1, 'B moved to 盐边 with its history');
  });

  test('a full rebuild from the raw records gives the same figures', async () => {
    const before = await ind(city, 'region=5104&from=2025-01-01&to=2025-12-31');
    const aggs = sql('SELECT count(*), sum(value) FROM ind_agg WHERE value <> 0');
    const r = cli(['indicators', 'rebuild', '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /已重建/);
    assert.equal(sql('SELECT count(*), sum(value) FROM ind_agg WHERE value <> 0'), aggs);
    const after = await ind(city, 'region=5104&from=2025-01-01&to=2025-12-31');
    assert.deepEqual(after.indicators, before.indicators);
    check();
  });

  test('a rebuild writes only what differs, and puts right stored rows that are wrong, stray or missing', async () => {
    const before = await ind(city, 'region=5104&from=2025-01-01&to=2025-12-31');
    const dump = () => sql('SELECT group_concat(x, \'|\') FROM (SELECT metric || level || scope || period || \'=\' || value AS x'
      + ' FROM ind_agg ORDER BY 1)') + sql('SELECT count(*), total(n), total(length(std)) FROM ind_client')
      + sql('SELECT count(*), total(length(contrib)) FROM ind_referral');
    assert.equal(cli(['indicators', 'rebuild', '--data', srv.dataDir]).status, 0);   /* the incremental path may keep zeros */
    const right = dump();
    const quiet = cli(['indicators', 'rebuild', '--data', srv.dataDir]);
    assert.equal(quiet.status, 0, quiet.stdout + quiet.stderr);
    assert.match(quiet.stderr + quiet.stdout, /0 aggregates written and 0 deleted/, 'nothing differs: nothing written');
    // wrong, stray and missing rows of every kind, behind the server's back
    sql("UPDATE ind_agg SET value = value + 7 WHERE metric = 'std' AND level = 3");
    sql("INSERT INTO ind_agg VALUES ('served', 3, '510499', 'M2025-02', 4), ('ref_wait', 2, '5104', 'M2025-03/013', 2)");
    sql("DELETE FROM ind_agg WHERE metric = 'reg' AND level = 1");
    sql('UPDATE ind_client SET n = n + 1 WHERE rid IN (SELECT rid FROM ind_client LIMIT 2)');
    sql("INSERT INTO ind_client(rid, region, reg_m, exit_m, severe, first, n) VALUES (987654321, '510421', 300, 1200, 0, 300, 0)");
    sql('DELETE FROM ind_referral WHERE rid IN (SELECT rid FROM ind_referral LIMIT 1)');
    sql("INSERT INTO ind_referral(rid, region, contrib) VALUES (987654321, '510421', x'')");
    const r = cli(['indicators', 'rebuild', '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /aggregates written and 2 deleted/, 'the two stray aggregates deleted');
    assert.equal(dump(), right, 'every stored row as a full rebuild makes it');
    assert.deepEqual((await ind(city, 'region=5104&from=2025-01-01&to=2025-12-31')).indicators, before.indicators);
    // a row no rebuild could have written (a metric not kept): everything is written again
    sql("INSERT INTO ind_agg VALUES ('no_such_metric', 3, '510421', 'M2025-01', 1)");
    const all = cli(['indicators', 'rebuild', '--data', srv.dataDir]);
    assert.equal(all.status, 0, all.stdout + all.stderr);
    assert.equal(dump(), right);
    check();
  });

  test('each assessment keeps what it counts as (the rebuild reads it from the index); a row that says otherwise is refused', () => {
    const kinds = sql(`SELECT group_concat(instrument || '=' || ind_kind, ' ') FROM (SELECT instrument, ind_kind FROM assessment a`
      + ` JOIN client c ON c.rid = a.client_rid WHERE c.id = '${clients.A}' AND instrument IN ('followup', 'satisfaction') ORDER BY date)`);
    assert.equal(kinds, 'followup=5 satisfaction=3 followup=4', 'visited on medication, satisfied, visited');
    const before = sql('SELECT count(*) FROM assessment');
    assert.throws(() => sql(`INSERT INTO assessment(id, series, version, client_rid, instrument, instrument_version, date, answers,`
      + ` author_id, author_name, created_at, ind_kind) SELECT 'x', 'x', 1, client_rid, 'followup', 1, '2025-06-01',`
      + ` '{"classification": 1, "adherence": 1}', 'a', 'a', 0, 4 FROM assessment LIMIT 1`), /ind_kind differs/);
    assert.equal(sql('SELECT count(*) FROM assessment'), before);
  });
});
