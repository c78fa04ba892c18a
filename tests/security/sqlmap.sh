#!/usr/bin/env bash
# sqlmap.sh: Debian's sqlmap against every endpoint of the API that takes parameters — the
# query strings of the list and search endpoints, a few path parameters, and the JSON bodies of
# the write endpoints — on a server it starts itself (random port, a copy of the demo data,
# tests/api/helpers.mjs), logged in through helpers.mjs as a role allowed to call each one, with
# the session cookie and CSRF header in sqlmap request files (-r). Fails when sqlmap reports
# any parameter injectable (or a heuristic SQL error), or when an endpoint could not be tested
# (its baseline request not answered 2xx, or the session lost during the run). Prints one line
# per endpoint and ends with `N passed, N failed`.
#
# Environment: JK_BIN (default build/rel/jingkang), SQLMAP_JOBS (sqlmap processes at once,
# default 2), SQLMAP_ONLY (a regular expression: run the endpoints whose name matches),
# SQLMAP_TECHNIQUE (default BEUS; add T for time-based, much slower), SQLMAP_LEVEL (default 1),
# SQLMAP_KEEP (keep the work directory).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export JK_BIN="${JK_BIN:-build/rel/jingkang}"
command -v sqlmap >/dev/null || { echo "sqlmap not installed (apt-get install sqlmap)"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$JK_BIN" ] || { echo "no server binary $JK_BIN (make bin, or set JK_BIN)"; echo "0 passed, 1 failed"; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jingkang-sqlmap-XXXXXX")"
export SQLMAP_WORK="$WORK" ROOT
trap '[ -n "${SQLMAP_KEEP:-}" ] || rm -rf "$WORK"' EXIT

exec node --input-type=module - <<'JS'
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
const { ROOT, SQLMAP_WORK: WORK } = process.env;
const h = await import(path.join(ROOT, 'tests/api/helpers.mjs'));
const jobs = Number(process.env.SQLMAP_JOBS || 2);
const only = process.env.SQLMAP_ONLY ? new RegExp(process.env.SQLMAP_ONLY) : null;
const technique = process.env.SQLMAP_TECHNIQUE || 'BEUS';
const level = process.env.SQLMAP_LEVEL || '1';
const t0 = Date.now();

// No per-client rate limit: sqlmap sends thousands of requests from one session.
const srv = await h.startServer({ env: { JINGKANG_RATE_LIMIT: '0' } });
const port = new URL(srv.base).port;
let failed = 0, passed = 0;
try {
  const as = {};
  for (const u of ['sysadmin', 'secadmin', 'auditor', 'county_official', 'referral_worker', 'rehab_worker']) as[u] = await srv.login(u);
  const rw = as.rehab_worker;
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const org = rw.user.organization?.id || rw.user.organization;
  const { village } = await h.villageOf(srv.base, '510421');
  const client = h.expectStatus(await rw.post('/api/v1/clients', { name: h.uniqueName(), id_number: h.makeIdNumber(), residence_region: village.code, status: 'in_service', organization: org }), 201);
  const staff = h.expectStatus(await rw.post('/api/v1/staff', { name: h.uniqueName(), profession: 'nurse' }), 201);
  const in60 = new Date(Date.parse(today) + 60 * 86400e3).toISOString().slice(0, 10);
  const phq = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`q${i}`, 0]));
  const assessment = h.expectStatus(await rw.post(`/api/v1/clients/${client.id}/assessments`, { instrument: 'phq9', date: today, answers: phq }), 201);
  const ref = h.expectStatus(await as.referral_worker.post('/api/v1/referrals', { client: { name: h.uniqueName(), id_number: h.makeIdNumber(), residence_region: '510421' }, source: 'community', need: { functions: ['day_care'] }, reporter: { name: '李主任', kind: 'community' } }), 201);
  srv.addUser('sqlmap_target', 'evaluator');
  const target = (await as.sysadmin.get('/api/v1/users?q=sqlmap_target')).json.items[0].id;
  const pub = h.expectStatus(await srv.anon().post('/api/v1/public/applications', { name: h.uniqueName(), id_number: h.makeIdNumber(), phone: '13800000000', residence_region: '510421', need: { note: '需要帮助' } }), 201);

  // [name, role (or null: no session), method, path ('*' marks a path parameter to test), body, baseline status if not 2xx]
  const T = [
    ['login', null, 'POST', '/api/v1/session', { username: 'sqlmap_nobody', password: 'Not-The-Password-1!' }, 401],
    ['regions', null, 'GET', '/api/v1/regions?parent=5104&q=%E7%B1%B3&within=51', null],
    ['region-code', null, 'GET', '/api/v1/regions/510421*', null],
    ['public-apply', null, 'POST', '/api/v1/public/applications', { name: h.uniqueName(), id_number: h.makeIdNumber(), phone: '13800000000', residence_region: '510421', need: { note: '需要帮助' } }],
    ['public-status', null, 'GET', `/api/v1/public/applications/${pub.receipt}*`, null],
    ['orgs-list', 'sysadmin', 'GET', '/api/v1/organizations?kind=rehab_institution&q=%E7%B1%B3&region=5104&page=1&page_size=20', null],
    ['orgs-create', 'sysadmin', 'POST', '/api/v1/organizations', { name: 'sqlmap测试机构', kind: 'rehab_institution', region: '510421', address: '米易县测试路', location: { lat: 26.9, lng: 102.1 }, capacity: 5, operating_mode: 'public', functions: ['day_care'], contact: '李主任', phone: '0812-8123456' }],
    ['org-patch', 'sysadmin', 'PATCH', `/api/v1/organizations/${org}`, { contact: '王主任', phone: '0812-8000000', address: '米易县安宁路66号' }],
    ['clients-list', 'rehab_worker', 'GET', '/api/v1/clients?q=%E7%8E%8B&status=in_service&region=510421&severe=true&organization=' + org, null],
    ['clients-id-number', 'rehab_worker', 'GET', `/api/v1/clients?id_number=${h.makeIdNumber()}`, null],
    ['client-get', 'rehab_worker', 'GET', `/api/v1/clients/${client.id}*`, null],
    ['clients-search', 'rehab_worker', 'POST', '/api/v1/clients/search', { id_number: h.makeIdNumber() }],
    ['clients-create', 'rehab_worker', 'POST', '/api/v1/clients', { name: h.uniqueName(), id_number: h.makeIdNumber(), phone: '13812345678', address: '米易县攀莲镇1号', residence_region: village.code, hukou_region: '510421', diagnosis: 'F20.0', notes: '测试', organization: org, status: 'registered' }],
    ['client-patch', 'rehab_worker', 'PATCH', `/api/v1/clients/${client.id}`, { notes: '更新', phone: '13812345679', address: '米易县攀莲镇2号' }],
    ['client-reveal', 'rehab_worker', 'POST', `/api/v1/clients/${client.id}/reveal`, { fields: ['phone'], reason: '核对' }],
    ['assessments-list', 'rehab_worker', 'GET', `/api/v1/clients/${client.id}/assessments?instrument=phq9`, null],
    ['assessments-create', 'rehab_worker', 'POST', `/api/v1/clients/${client.id}/assessments`, { instrument: 'phq9', date: today, answers: phq }],
    ['assessment-correct', 'rehab_worker', 'POST', `/api/v1/assessments/${assessment.id}/corrections`, { answers: { ...phq, q1: 1 }, reason: '更正' }],
    ['instrument-get', 'rehab_worker', 'GET', '/api/v1/instruments/phq9?version=1', null],
    ['care-due', 'rehab_worker', 'GET', '/api/v1/care/due?days=30', null],
    ['team-add', 'rehab_worker', 'POST', `/api/v1/clients/${client.id}/team`, { role: 'grid_worker', name: '网格员', phone: '13800000000', unit: '社区', next_step: '随访', next_step_due: today }],
    ['plans-create', 'rehab_worker', 'POST', `/api/v1/clients/${client.id}/plans`, { start_date: today, review_date: in60, goals: [{ text: '目标', target_date: today }], services: [{ type: 'medication', per_month: 2, staff: staff.id }] }],
    ['services-create', 'rehab_worker', 'POST', '/api/v1/service-records', { type: 'recreation', date: today, duration_minutes: 60, place: 'community', topic: '小组', content: '内容', clients: [client.id], staff: staff.id }],
    ['services-list', 'rehab_worker', 'GET', `/api/v1/service-records?organization=${org}&from=2026-01-01&to=${today}`, null],
    ['services-ledger', 'rehab_worker', 'GET', `/api/v1/service-records/ledger?organization=${org}&from=${today}&to=${today}`, null],
    ['staff-list', 'county_official', 'GET', `/api/v1/staff?organization=${org}&year=2026&include_inactive=true`, null],
    ['staff-create', 'rehab_worker', 'POST', '/api/v1/staff', { name: h.uniqueName(), profession: 'nurse', major_field: 'other', degree: 'bachelor' }],
    ['staff-patch', 'rehab_worker', 'PATCH', `/api/v1/staff/${staff.id}`, { degree: 'bachelor', name: '王护士' }],
    ['training-create', 'rehab_worker', 'POST', `/api/v1/staff/${staff.id}/trainings`, { kind: 'pre_service', date: today, hours: 2, topic: '岗前' }],
    ['referrals-create', 'referral_worker', 'POST', '/api/v1/referrals', { client: { name: h.uniqueName(), id_number: h.makeIdNumber(), residence_region: '510421' }, source: 'community', need: { functions: ['day_care'], note: '需要' }, reporter: { name: '李主任', kind: 'community' } }],
    ['referrals-list', 'referral_worker', 'GET', `/api/v1/referrals?status=submitted&source=community&region=5104&overdue=true&client=${ref.client?.id || client.id}&organization=${org}`, null],
    ['referrals-overview', 'county_official', 'GET', '/api/v1/referrals/overview?region=510421', null],
    ['referral-suggest', 'referral_worker', 'GET', `/api/v1/referrals/${ref.id}/suggestions?include=full`, null],
    ['referral-action', 'referral_worker', 'POST', `/api/v1/referrals/${ref.id}/reject`, { reason: '不符合条件' }],
    ['inbox', 'county_official', 'GET', '/api/v1/inbox?region=510421', null],
    ['rules-get', 'county_official', 'GET', '/api/v1/referral-rules?region=510421', null],
    ['rules-put', 'county_official', 'PUT', '/api/v1/referral-rules/510421*', { age_max: 65 }],
    ['workdays', 'rehab_worker', 'GET', '/api/v1/workdays?from=2026-02-12&n=5', null],
    ['calendar-put', 'sysadmin', 'PUT', '/api/v1/calendar/2099*', { days: [{ date: '2099-01-01', off: true, name: '元旦' }] }],
    ['webhooks-create', 'sysadmin', 'POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['referral.dispatch'] }],
    ['users-list', 'sysadmin', 'GET', '/api/v1/users?q=sqlmap&role=evaluator', null],
    ['users-create', 'sysadmin', 'POST', '/api/v1/users', { username: 'sqlmap_new', display_name: '测试', role: 'evaluator', password: '康复服务平台2026安全' }],
    ['user-patch', 'sysadmin', 'PATCH', `/api/v1/users/${target}`, { display_name: '测试' }],
    ['tokens-create', 'sysadmin', 'POST', '/api/v1/tokens', { username: 'sqlmap_target', name: '测试' }],
    ['audit-list', 'auditor', 'GET', `/api/v1/audit?object_type=client&object_id=${client.id}&user=rehab_worker&action=read`, null],
  ].filter(([name]) => !only || only.test(name));
  // a literal '*' in a body would be taken for an injection marker: only path markers are meant
  for (const t of T) assert(!t[4] || !JSON.stringify(t[4]).includes('*'), `${t[0]}: '*' in the body`);

  // Every endpoint's request must work as written, so that sqlmap's payloads reach the handler.
  const run = [];
  for (const [name, role, method, p, body, expect] of T) {
    const api = role ? as[role] : srv.anon();
    const plain = p.replace('*', '');
    const r = await api.req(method, plain, body ? { body } : {});
    if (expect ? r.status !== expect : r.status < 200 || r.status > 299) {
      console.log(`FAIL ${name}: the baseline ${method} ${plain} answered ${r.status} ${r.text.slice(0, 200)}`);
      failed++;
      continue;
    }
    const headers = [`${method} ${p} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Accept: application/json', 'User-Agent: jingkang-sqlmap'];
    if (api.cookie) headers.push(`Cookie: jk_session=${api.cookie}`);
    if (api.csrf && method !== 'GET') headers.push(`X-CSRF-Token: ${api.csrf}`);
    const text = body ? JSON.stringify(body) : '';
    if (body) headers.push('Content-Type: application/json');
    const file = path.join(WORK, `${name}.req`);
    fs.writeFileSync(file, `${headers.join('\r\n')}\r\n\r\n${text}`);
    run.push({ name, role, file, method, extra: expect ? [`--ignore-code=${expect}`] : [] });
  }

  const sqlmap = (t) => new Promise((resolve) => {
    const args = ['-r', t.file, '--batch', '--dbms=SQLite', `--level=${level}`, '--risk=1', `--technique=${technique}`, '--time-sec=1',
      '--threads=4', '--timeout=15', '--retries=1', '--drop-set-cookie', '--ignore-stdin', '--flush-session', '--disable-coloring',
      '--output-dir', path.join(WORK, 'out', t.name), '-v', '1', ...t.extra];
    const t1 = Date.now();
    const p = spawn('sqlmap', args, { env: { ...process.env, HOME: WORK }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ ...t, code, out, ms: Date.now() - t1 }));
  });
  const queue = [...run];
  const results = [];
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (queue.length) results.push(await sqlmap(queue.shift()));
  }));
  for (const r of results.sort((a, b) => a.name.localeCompare(b.name))) {
    fs.writeFileSync(path.join(WORK, `${r.name}.log`), r.out);
    // sqlmap's verdict: an injection point it confirmed, or a heuristic that saw a DBMS error. A
    // line "appears to be ... injectable" followed by "does not seem to be injectable" is a
    // candidate its own false-positive checks rejected (write answers differ every time).
    const injectable = /identified the following injection point|is vulnerable|might be injectable/i.test(r.out) ||
      !/all tested parameters do not appear to be injectable/i.test(r.out) && /appears to be '[^']*' injectable/i.test(r.out);
    const tested = /all tested parameters do not appear to be injectable/i.test(r.out);
    const alive = r.role ? (await as[r.role].get('/api/v1/session')).status === 200 : true;
    const params = [...new Set([...r.out.matchAll(/testing if (?:\(custom\) )?\S+ parameter '([^']+)' is dynamic|(?:GET|POST|URI|JSON|\(custom\) POST|\(custom\) PUT|\(custom\) PATCH) parameter '([^']+)'/g)].map((m) => (m[1] || m[2]).replace(/^JSON /, '')))];
    const ok = !injectable && tested && alive && r.code === 0;
    ok ? passed++ : failed++;
    const why = injectable ? 'INJECTABLE' : !tested ? 'not tested' : !alive ? 'session lost' : r.code !== 0 ? `sqlmap exit ${r.code}` : 'ok';
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(20)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${why}  params: ${params.join(' ') || '-'}`);
    if (!ok) console.log(r.out.split('\n').filter((l) => /injectable|vulnerable|CRITICAL|ERROR|Parameter:|Type:|Payload:/i.test(l)).slice(0, 20).map((l) => `      ${l}`).join('\n'));
  }
  if (!srv.exit) {
    const health = await h.request(srv.base, 'GET', '/healthz');
    if (health.status !== 200) { console.log(`FAIL the server is unhealthy after the run: ${health.status}`); failed++; }
  }
} catch (e) {
  console.log(`FAIL setup: ${e.stack || e}`);
  failed++;
} finally {
  try { await srv.close(); } catch (e) { console.log(`FAIL the server exited uncleanly: ${String(e.message).slice(0, 500)}`); failed++; }
}
console.log(`sqlmap: ${((Date.now() - t0) / 1000).toFixed(0)} s in all (technique ${technique}, level ${level}, ${jobs} at once); logs kept only with SQLMAP_KEEP=1 in ${WORK}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
JS
