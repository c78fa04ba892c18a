// authz.test.mjs: the authorization matrix, generated from the route table itself
// (`jingkang routes`), so that a new endpoint cannot escape it: the test fails when a non-public
// route has no entry in ROUTES below.
//
// Four sets of objects (a client with its assessment, alert, plan, care-team member, service
// record, staff member and referral, plus its organization and county):
//   A  米易 (510421), institution rehab_miyi          — home of the county official, city official,
//                                                        referral worker and rehab worker
//   H  东区 (510402), hospital hosp_city               — home of the hospital worker
//   Y  盐边 (510422), institution rehab_yanbian        — home of the second county official
//   F  成都锦江 (510104), an institution made here     — outside every demo account's scope
// For every route × every demo role:
//   outside  the request aimed at each set outside the role's scope → 403 or 404 (searches: 200
//            with nothing found), and nothing changed (every set read back before and after);
//   denied   roles not in the route's allow-set, on their home set → 403 or 404, nothing changed;
//   allowed  roles in the allow-set, on their home set → 2xx, or 400/409/422 for a state or
//            validation refusal, never 401/403/404;
//   anon     no credentials → 401; bearer tokens: the outside checks again.
// No 2xx answer to a role may contain an id or the name of anything in its outside sets.
// Mass assignment: each write route with a body, given fields the caller may not set → 400
// and nothing changed; the important ones explicitly (role escalation, an institution moving a
// client to another institution, a forced referral status).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, cli, expectStatus, makeIdNumber, uniqueName, villageOf, DEMO_USERS,
} from './helpers.mjs';

const ROLES = Object.keys(DEMO_USERS);
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const PHQ_ALERT = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`q${i}`, i === 9 ? 1 : 0]));
const PHQ_OK = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`q${i}`, 0]));
const NIL = '00000000-0000-4000-8000-000000000000';

// Each role's home set and the sets outside its scope.
const HOME = {
  sysadmin: 'A', secadmin: 'A', auditor: 'A', evaluator: 'A',
  county_official: 'A', city_official: 'A', referral_worker: 'A', rehab_worker: 'A',
  county_official2: 'Y', hospital_worker: 'H',
};
const OUTSIDE = {
  sysadmin: ['F'], secadmin: ['F'], auditor: ['F'], evaluator: ['F'],
  county_official: ['F', 'Y', 'H'], county_official2: ['F', 'A', 'H'], city_official: ['F'], referral_worker: ['F'],
  rehab_worker: ['F', 'H', 'Y'], hospital_worker: ['F', 'A', 'Y'],
};

// Allow-sets, from src/sec/policy.c (see the comments there and in docs/internals/security.md).
const ALL = ROLES;
const OFFICIALS = ['county_official', 'county_official2', 'city_official'];
const REGIONAL = [...OFFICIALS, 'referral_worker'];
const ORG_STAFF = ['rehab_worker', 'hospital_worker'];
const CLIENT_READ = [...REGIONAL, ...ORG_STAFF];       // client records, care records, referrals, staff
const CARE_WRITE = ORG_STAFF;                           // assessments, plans, team, service records
const STAFF_WRITE = [...OFFICIALS, ...ORG_STAFF];       // staff records and their training
const CLIENT_WRITE = CLIENT_READ;                       // officials may create and correct client records in their region
const ORG_WRITE = ['sysadmin', ...OFFICIALS, ...ORG_STAFF];
const INDICATOR_READ = [...REGIONAL, 'evaluator', ...ORG_STAFF];

let srv;
const as = {};          // role → logged-in client
const sets = {};        // 'A' | 'H' | 'Y' | 'F' → objects
let routes = [];
const seen = [];        // every answer: {role, key, r}
let owner = {};         // set → the API client that owns it (for fresh objects and read-back)
const admin = {};       // global objects: users, webhooks

const body = (x) => JSON.parse(JSON.stringify(x));

// Export jobs are their owner's only (every other caller: 404): a report job of the role itself,
// made on first use and waited for; `fresh` for one to delete.
const exportJobs = {};
async function exportJobOf(role, { fresh = false } = {}) {
  if (!fresh && exportJobs[role]) return exportJobs[role];
  const api = as[role];
  const r = await api.post(`/api/v1/exports?kind=indicator_report&organization=${sets[HOME[role]].org}`);
  assert.equal(r.status, 202, `${role}: export job: ${r.status} ${r.text.slice(0, 200)}`);
  for (let i = 0; i < 200; i++) {
    const g = await api.get(`/api/v1/exports/${r.json.id}`);
    if (!['queued', 'running'].includes(g.json?.state)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  if (!fresh) exportJobs[role] = r.json.id;
  return r.json.id;
}
const exportJobPath = async (role, mode, tail = '') =>
  R(`/api/v1/exports/${mode === 'allowed' ? await exportJobOf(role) : await exportJobOf('evaluator')}${tail}`);

// ---------------------------------------------------------------- fresh objects

async function freshClient(s) {
  const vil = await villageOf(srv.base, s.county);
  const j = expectStatus(await owner[s.key].post('/api/v1/clients', {
    name: uniqueName(), id_number: makeIdNumber({ region: s.county }), residence_region: vil.village.code,
    organization: s.org, status: 'in_service', phone: '13800001111',
  }), 201);
  return j;
}
async function freshAssessment(s, answers = PHQ_OK) {
  return expectStatus(await owner[s.key].post(`/api/v1/clients/${s.client}/assessments`,
    { instrument: 'phq9', date: today, answers }), 201).id;
}
async function freshAlert(s) {
  const a = await freshAssessment(s, PHQ_ALERT);
  const alert = expectStatus(await owner[s.key].get('/api/v1/alerts?page_size=100'), 200).items.find((x) => x.assessment === a);
  assert.ok(alert, 'the PHQ-9 item 9 answer raised an alert');
  return alert.id;
}
async function freshMember(s) {
  const t = expectStatus(await owner[s.key].post(`/api/v1/clients/${s.client}/team`, { role: 'grid_worker', name: `网格员${uniqueName()}` }), 201);
  return t.items[t.items.length - 1].id;
}
async function freshReferral(s) {
  const b = s.key === 'H'
    ? {
      client: s.client, source: 'hospital', need: { functions: ['day_care'] },
      consent: { client_agreed: true, guardian_agreed: true, guardian_name: '王父', signed_on: today },
      assessment: { date: today, risk_level: 1, summary: '病情稳定', assessor: '周医生' },
    }
    : { client: s.client, source: 'self', need: { functions: ['day_care'] } };
  // a client has at most one open referral: give each fresh referral a fresh client
  if (s.referral) b.client = (await freshClient(s)).id;
  return expectStatus(await owner[s.key].post('/api/v1/referrals', b), 201).id;
}
async function freshConsent(s) {
  return expectStatus(await owner[s.key].post(`/api/v1/clients/${s.client}/consents`, CONSENT), 201).id;
}
async function freshWebhook() {
  return expectStatus(await as.sysadmin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['referral.*'] }), 201).id;
}
const newStaffBody = (role, s) => (OFFICIALS.includes(role) || role === 'referral_worker'
  ? { name: uniqueName(), profession: 'social_worker', region: s.county }
  : { name: uniqueName(), profession: 'nurse', ...(s.key === HOME[role] ? {} : { organization: s.org }) });
const planBody = (s) => ({
  start_date: today, review_date: new Date(Date.parse(today) + 60 * 86400e3).toISOString().slice(0, 10),
  goals: [{ text: '能按时自行服药', target_date: today }], services: [{ type: 'medication', per_month: 2, staff: s.staff }],
});
const serviceBody = (s) => ({ type: 'recreation', date: today, duration_minutes: 60, place: 'community', clients: [s.client], staff: s.staff });
// the referral transition each role would try
const ACTION = { referral_worker: 'register', rehab_worker: 'withdraw', hospital_worker: 'withdraw' };
const REGION_OF = { county_official: '510421', county_official2: '510422', city_official: '5104' };

// ---------------------------------------------------------------- the fixture table
//
// Key: "METHOD pattern" exactly as `jingkang routes` prints it. Fields:
//   allow    roles that may call it on their home set
//   req      (set, role, mode) → {path, body}; mode is 'allowed' (may make fresh objects),
//            'denied' or 'outside' (the set's standing objects, so that a change would show)
//   scoped   false: the route names no object in a set (lists, config): no outside check
//   global   roles whose scope is everything for this route (no outside check for them)
//   hide     outside answers 200 with nothing found instead of 403/404 (searches)
//   soft     allowed calls are expected to end in 400/409 (a TOTP code nobody knows)
//   mass     extra fields to try in the body (default MASS), or null: no body
//   fresh    'session': needs its own session (logout)
const CONSENT = { scope: ['health_records', 'service_records'], signed_by: 'client', signed_on: today, version: '2026.1' };
const MASS = ['id', 'created_by', 'created_at', 'hash', 'org_id', 'zz_unknown'];
const R = (path, b) => ({ path, body: b });

const ROUTES = {
  // TOTP enrolment of one's own account (a system token may not): scoped to the caller
  'POST /api/v1/session/totp': { allow: ALL, scoped: false, mass: null, soft: true, req: () => R('/api/v1/session/totp') },
  'POST /api/v1/session/totp/confirm': { allow: ALL, scoped: false, soft: true, mass: ['zz_unknown', 'user', 'secret'], req: () => R('/api/v1/session/totp/confirm', { code: '000000' }) },
  'GET /api/v1/session': { allow: ALL, scoped: false, req: () => R('/api/v1/session') },
  'DELETE /api/v1/session': { allow: ALL, scoped: false, fresh: 'session', mass: null, req: () => R('/api/v1/session') },

  'POST /api/v1/organizations': {
    allow: ['sysadmin', ...OFFICIALS], global: ['sysadmin'],
    req: (s) => R('/api/v1/organizations', { name: `授权测试机构${uniqueName()}`, kind: 'rehab_institution', region: s.county, address: '测试路1号', location: { lat: 26.6, lng: 101.7 }, capacity: 5, operating_mode: 'public', functions: ['day_care'] }),
  },
  'GET /api/v1/organizations': { allow: ALL, scoped: false, req: () => R('/api/v1/organizations?page_size=100') },
  // the directory of organizations is readable by every user: no outside check
  'GET /api/v1/organizations/{id}': { allow: ALL, scoped: false, req: (s) => R(`/api/v1/organizations/${s.org}`) },
  'PATCH /api/v1/organizations/{id}': {
    allow: ORG_WRITE, global: ['sysadmin'], req: (s) => R(`/api/v1/organizations/${s.org}`, { contact: '授权测试' }),
  },

  'POST /api/v1/clients': {
    allow: CLIENT_WRITE,
    req: async (s) => R('/api/v1/clients', {
      name: uniqueName(), id_number: makeIdNumber({ region: s.county }), residence_region: s.village, organization: s.org,
    }),
  },
  'GET /api/v1/clients': { allow: CLIENT_READ, scoped: false, req: () => R('/api/v1/clients?page_size=100') },
  'POST /api/v1/clients/search': { allow: CLIENT_READ, hide: true, mass: ['zz_unknown', 'organization'], req: (s) => R('/api/v1/clients/search', { id_number: s.idNumber }) },
  'GET /api/v1/clients/{id}': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}`) },
  'PATCH /api/v1/clients/{id}': { allow: CLIENT_WRITE, mass: ['id', 'created_by', 'created_at', 'org_id', 'blind_index', 'zz_unknown'], req: (s) => R(`/api/v1/clients/${s.client}`, { notes: '授权测试' }) },
  'POST /api/v1/clients/{id}/reveal': { allow: ['referral_worker', ...ORG_STAFF], req: (s) => R(`/api/v1/clients/${s.client}/reveal`, { fields: ['phone'], reason: '授权测试' }) },
  'GET /api/v1/clients/{id}/export': { allow: ['referral_worker', ...ORG_STAFF], req: (s) => R(`/api/v1/clients/${s.client}/export?reason=${encodeURIComponent('本人申请查阅复制')}`) },
  'GET /api/v1/clients/{id}/consents': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/consents`) },
  'POST /api/v1/clients/{id}/consents': { allow: CLIENT_WRITE, mass: [...MASS, 'recorded_by', 'withdrawn_on'], req: (s) => R(`/api/v1/clients/${s.client}/consents`, CONSENT) },
  'POST /api/v1/clients/{id}/consents/{consent}/withdraw': {
    allow: CLIENT_WRITE, mass: [...MASS, 'withdrawn_by'],
    req: async (s, role, mode) => R(`/api/v1/clients/${s.client}/consents/${mode === 'allowed' ? await freshConsent(s) : s.consent}/withdraw`, { withdrawn_on: today, reason: '授权测试' }),
  },
  'GET /api/v1/clients/{id}/assessments': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/assessments`) },
  'POST /api/v1/clients/{id}/assessments': {
    allow: CARE_WRITE, mass: [...MASS, 'score', 'band', 'version'],
    req: (s) => R(`/api/v1/clients/${s.client}/assessments`, { instrument: 'phq9', date: today, answers: PHQ_OK }),
  },
  'GET /api/v1/instruments': { allow: ALL, scoped: false, req: () => R('/api/v1/instruments') },
  'GET /api/v1/instruments/{id}': { allow: ALL, scoped: false, req: () => R('/api/v1/instruments/phq9') },
  'GET /api/v1/assessments/{id}': { allow: CLIENT_READ, req: (s) => R(`/api/v1/assessments/${s.assessment}`) },
  'POST /api/v1/assessments/{id}/corrections': {
    allow: CARE_WRITE, mass: [...MASS, 'score', 'version', 'series'],
    req: async (s, role, mode) => R(`/api/v1/assessments/${mode === 'allowed' ? await freshAssessment(s) : s.assessment}/corrections`,
      { answers: { ...PHQ_OK, q1: 1 }, reason: '授权测试更正' }),
  },
  'GET /api/v1/alerts': { allow: CLIENT_READ, scoped: false, req: () => R('/api/v1/alerts?page_size=100') },
  'POST /api/v1/alerts/{id}/ack': {
    allow: CARE_WRITE, mass: [...MASS, 'acknowledged_by', 'acknowledged_at'],
    req: async (s, role, mode) => R(`/api/v1/alerts/${mode === 'allowed' ? await freshAlert(s) : s.alert}/ack`, { note: '已电话联系' }),
  },
  'GET /api/v1/care/due': { allow: CLIENT_READ, scoped: false, req: () => R('/api/v1/care/due?days=366') },
  'GET /api/v1/care/catalogue': { allow: ALL, scoped: false, req: () => R('/api/v1/care/catalogue') },
  'GET /api/v1/clients/{id}/plan': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/plan`) },
  'POST /api/v1/clients/{id}/plans': { allow: CARE_WRITE, mass: [...MASS, 'version', 'series'], req: (s) => R(`/api/v1/clients/${s.client}/plans`, planBody(s)) },
  'GET /api/v1/clients/{id}/team': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/team`) },
  'POST /api/v1/clients/{id}/team': { allow: CARE_WRITE, req: (s) => R(`/api/v1/clients/${s.client}/team`, { role: 'grid_worker', name: '网格员乙' }) },
  'PATCH /api/v1/clients/{id}/team/{member}': { allow: CARE_WRITE, req: (s) => R(`/api/v1/clients/${s.client}/team/${s.member}`, { unit: '授权测试' }) },
  'DELETE /api/v1/clients/{id}/team/{member}': {
    allow: CARE_WRITE, mass: null,
    req: async (s, role, mode) => R(`/api/v1/clients/${s.client}/team/${mode === 'allowed' ? await freshMember(s) : s.member}`),
  },
  'GET /api/v1/clients/{id}/services': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/services`) },
  'GET /api/v1/clients/{id}/ledger': { allow: CLIENT_READ, req: (s) => R(`/api/v1/clients/${s.client}/ledger`) },
  'POST /api/v1/service-records': { allow: CARE_WRITE, mass: [...MASS, 'organization', 'mode'], req: (s) => R('/api/v1/service-records', serviceBody(s)) },
  'GET /api/v1/service-records': { allow: CLIENT_READ, req: (s) => R(`/api/v1/service-records?organization=${s.org}`) },
  'GET /api/v1/service-records/ledger': { allow: CLIENT_READ, req: (s) => R(`/api/v1/service-records/ledger?organization=${s.org}&from=${today}&to=${today}`) },
  'GET /api/v1/service-records/{id}': { allow: CLIENT_READ, req: (s) => R(`/api/v1/service-records/${s.service}`) },
  'GET /api/v1/staff': { allow: CLIENT_READ, req: (s) => R(`/api/v1/staff?organization=${s.org}`) },
  'POST /api/v1/staff': { allow: STAFF_WRITE, mass: [...MASS, 'referral_worker'], req: (s, role) => R('/api/v1/staff', newStaffBody(role, s)) },
  'GET /api/v1/staff/{id}': { allow: CLIENT_READ, req: (s) => R(`/api/v1/staff/${s.staff}`) },
  'PATCH /api/v1/staff/{id}': { allow: STAFF_WRITE, mass: [...MASS, 'organization', 'region'], req: (s) => R(`/api/v1/staff/${s.staff}`, { degree: 'bachelor' }) },
  'POST /api/v1/staff/{id}/trainings': { allow: STAFF_WRITE, req: (s) => R(`/api/v1/staff/${s.staff}/trainings`, { kind: 'pre_service', date: today, hours: 2, topic: '授权测试' }) },

  'POST /api/v1/referrals': {
    allow: ['referral_worker', ...ORG_STAFF], mass: [...MASS, 'status', 'step', 'organization'],
    req: async (s, role, mode) => {
      const client = mode === 'allowed' ? (await freshClient(s)).id : s.client;
      return R('/api/v1/referrals', { client, source: 'self', need: { functions: ['day_care'] } });
    },
  },
  'GET /api/v1/referrals': { allow: CLIENT_READ, scoped: false, req: () => R('/api/v1/referrals?page_size=100') },
  'GET /api/v1/referrals/overview': { allow: REGIONAL, req: (s, role) => R(`/api/v1/referrals/overview?region=${s.key === HOME[role] && REGION_OF[role] ? REGION_OF[role] : s.county}`) },
  'GET /api/v1/referrals/{id}': { allow: CLIENT_READ, req: (s) => R(`/api/v1/referrals/${s.referral}`) },
  'GET /api/v1/referrals/{id}/suggestions': { allow: ['referral_worker'], req: (s) => R(`/api/v1/referrals/${s.referral}/suggestions`) },
  'POST /api/v1/referrals/{id}/{action}': {
    allow: ['referral_worker', ...ORG_STAFF], mass: ['status', 'step', 'organization_id', 'zz_unknown'],
    req: async (s, role, mode) => R(`/api/v1/referrals/${mode === 'allowed' ? await freshReferral(s) : s.referral}/${ACTION[role] || 'register'}`,
      ACTION[role] === 'withdraw' ? { reason: '授权测试撤回' } : {}),
  },
  'GET /api/v1/inbox': { allow: ALL, scoped: false, req: () => R('/api/v1/inbox') },

  'GET /api/v1/referral-rules': { allow: ALL, scoped: false, req: (s) => R(`/api/v1/referral-rules?region=${s.county}`) },
  'PUT /api/v1/referral-rules/{region}': {
    allow: ['sysadmin', ...OFFICIALS], global: ['sysadmin'], mass: ['id', 'region', 'updated_by', 'zz_unknown'],
    req: (s, role) => R(`/api/v1/referral-rules/${s.key === HOME[role] && REGION_OF[role] ? REGION_OF[role] : s.county}`, { age_max: 65 }),
  },
  'DELETE /api/v1/referral-rules/{region}': {
    allow: ['sysadmin', ...OFFICIALS], global: ['sysadmin'], mass: null,
    req: (s, role) => R(`/api/v1/referral-rules/${s.key === HOME[role] && REGION_OF[role] ? REGION_OF[role] : s.county}`),
  },
  'GET /api/v1/calendar': { allow: ALL, scoped: false, req: () => R('/api/v1/calendar') },
  'GET /api/v1/workdays': { allow: ALL, scoped: false, req: () => R('/api/v1/workdays?from=2026-02-12&n=5') },
  'GET /api/v1/calendar/{year}': { allow: ALL, scoped: false, req: () => R('/api/v1/calendar/2026') },
  'PUT /api/v1/calendar/{year}': { allow: ['sysadmin'], scoped: false, mass: ['zz_unknown', 'year'], req: () => R('/api/v1/calendar/2098', { days: [{ date: '2098-01-01', off: true, name: '元旦' }] }) },

  'POST /api/v1/webhooks': { allow: ['sysadmin'], scoped: false, mass: [...MASS, 'secret'], req: () => R('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['referral.*'] }) },
  'GET /api/v1/webhooks': { allow: ['sysadmin'], scoped: false, req: () => R('/api/v1/webhooks') },
  'DELETE /api/v1/webhooks/{id}': { allow: ['sysadmin'], scoped: false, mass: null, req: async (s, role, mode) => R(`/api/v1/webhooks/${mode === 'allowed' ? await freshWebhook() : admin.webhook}`) },
  'GET /api/v1/webhooks/{id}/deliveries': { allow: ['sysadmin'], scoped: false, req: () => R(`/api/v1/webhooks/${admin.webhook}/deliveries`) },
  'POST /api/v1/webhooks/{id}/test': { allow: ['sysadmin'], scoped: false, mass: null, req: () => R(`/api/v1/webhooks/${admin.webhook}/test`) },

  'GET /api/v1/users': { allow: ['sysadmin', 'secadmin'], scoped: false, req: () => R('/api/v1/users?page_size=100') },
  'POST /api/v1/users': {
    allow: ['sysadmin'], scoped: false, mass: [...MASS, 'failed_count', 'locked_until', 'disabled'],
    req: () => R('/api/v1/users', { username: `az_${Math.random().toString(36).slice(2, 10)}`, role: 'evaluator', password: '康复服务平台2026安全' }),
  },
  'PATCH /api/v1/users/{id}': { allow: ['sysadmin'], scoped: false, mass: [...MASS, 'role', 'region', 'organization', 'username', 'password_hash'], req: () => R(`/api/v1/users/${admin.user}`, { display_name: '授权测试' }) },
  'POST /api/v1/users/{id}/unlock': { allow: ['secadmin'], scoped: false, mass: null, req: () => R(`/api/v1/users/${admin.user}/unlock`) },
  'DELETE /api/v1/users/{id}/totp': { allow: ['secadmin'], scoped: false, mass: null, req: () => R(`/api/v1/users/${admin.user}/totp`) },
  'POST /api/v1/tokens': { allow: ['sysadmin'], scoped: false, mass: [...MASS, 'role', 'expires_at'], req: () => R('/api/v1/tokens', { username: admin.username, name: '授权测试' }) },
  'GET /api/v1/audit': { allow: ['auditor'], scoped: false, req: () => R('/api/v1/audit?page_size=10') },
  'GET /api/v1/audit/verify': { allow: ['auditor'], scoped: false, req: () => R('/api/v1/audit/verify') },
  'GET /api/v1/stats/overview': { allow: ALL, scoped: false, req: () => R('/api/v1/stats/overview') },
  // indicators: an organization's figures are read by its own staff and by the region's roles;
  // the demo evaluator has no region (the whole country)
  'GET /api/v1/indicators': { allow: INDICATOR_READ, global: ['evaluator'], req: (s) => R(`/api/v1/indicators?organization=${s.org}`) },
  'GET /api/v1/indicators/{id}': {
    allow: INDICATOR_READ, global: ['evaluator'],
    req: (s) => R(`/api/v1/indicators/standardized_service_rate?organization=${s.org}&by=month`),
  },
  'GET /api/v1/indicators/export': { allow: INDICATOR_READ, global: ['evaluator'], req: (s) => R(`/api/v1/indicators/export?organization=${s.org}&format=csv`) },
  'GET /api/v1/indicators/extract': {
    allow: [...OFFICIALS, 'evaluator'], global: ['evaluator'], req: (s) => R(`/api/v1/indicators/extract?region=${s.county}&format=csv`),
  },
  'GET /api/v1/indicators/report': { allow: INDICATOR_READ, global: ['evaluator'], req: (s) => R(`/api/v1/indicators/report?organization=${s.org}`) },
  'GET /api/v1/indicators/{id}/export': {
    allow: INDICATOR_READ, global: ['evaluator'], req: (s) => R(`/api/v1/indicators/registered_clients/export?organization=${s.org}`),
  },
  // export jobs: made by those who may read the indicators; a job is seen by its owner only
  // (another user's job, or none: 404)
  'POST /api/v1/exports': {
    allow: INDICATOR_READ, global: ['evaluator'], mass: null,
    req: (s) => R(`/api/v1/exports?kind=indicator_report&organization=${s.org}`),
  },
  'GET /api/v1/exports': { allow: ALL, scoped: false, req: () => R('/api/v1/exports') },
  'GET /api/v1/exports/{id}': { allow: INDICATOR_READ, scoped: false, req: (s, role, mode) => exportJobPath(role, mode) },
  'GET /api/v1/exports/{id}/file': { allow: INDICATOR_READ, scoped: false, req: (s, role, mode) => exportJobPath(role, mode, '/file') },
  // the role's own job has ended: 409 not_cancellable
  'POST /api/v1/exports/{id}/cancel': {
    allow: INDICATOR_READ, scoped: false, soft: true, mass: null, req: (s, role, mode) => exportJobPath(role, mode, '/cancel'),
  },
  'DELETE /api/v1/exports/{id}': {
    allow: INDICATOR_READ, scoped: false, mass: null,
    req: async (s, role, mode) => (mode === 'allowed' ? R(`/api/v1/exports/${await exportJobOf(role, { fresh: true })}`) : exportJobPath(role, mode)),
  },
  'GET /api/v1/indicators/definition': { allow: ALL, scoped: false, req: () => R('/api/v1/indicators/definition') },
  'PUT /api/v1/indicators/definition': {
    allow: ['sysadmin'], scoped: false, mass: ['zz_unknown', 'updated_by'],
    req: () => R('/api/v1/indicators/definition', { region: '', definition: { min_services: 1 } }),
  },
  'DELETE /api/v1/indicators/definition': { allow: ['sysadmin'], scoped: false, mass: null, req: () => R('/api/v1/indicators/definition') },
};

// ---------------------------------------------------------------- running one check

const keyOf = (rt) => `${rt.method} ${rt.pattern}`;
const methodOf = (key) => key.split(' ')[0];

async function send(api, key, rq) {
  const m = methodOf(key);
  return api.req(m, rq.path, rq.body === undefined ? {} : { body: rq.body });
}

/** Ids and names of everything in the sets outside role's scope: none of them may appear in a 2xx answer. */
function secretsFor(role) {
  const out = [];
  for (const k of OUTSIDE[role]) {
    const s = sets[k];
    out.push(s.client, s.clientName, s.assessment, s.alert, s.member, s.service, s.staff, s.staffName, s.referral, s.idNumber, s.consent);
  }
  return out.filter(Boolean);
}

function noLeak(role, key, r) {
  if (r.status < 200 || r.status > 299 || !r.text) return;
  for (const x of secretsFor(role)) {
    assert.ok(!r.text.includes(x), `${role} ${key}: the answer shows ${x}, which is outside the role's scope`);
  }
}

const REFUSED = (st) => st === 403 || st === 404;

/** A snapshot of everything each set holds, read by its owner (and the global objects by their admins). */
async function snapshot() {
  const snap = {};
  for (const k of Object.keys(sets)) {
    const s = sets[k];
    const o = owner[k];
    const get = async (p) => {
      const r = await o.get(p);
      return `${r.status} ${r.headers['content-type']?.includes('json') ? r.text : r.raw.length}`;
    };
    snap[k] = {
      client: await get(`/api/v1/clients/${s.client}`),
      clients: await get('/api/v1/clients?page_size=1'),
      assessments: await get(`/api/v1/clients/${s.client}/assessments`),
      assessment: await get(`/api/v1/assessments/${s.assessment}`),
      alerts: await get('/api/v1/alerts?page_size=100'),
      plan: await get(`/api/v1/clients/${s.client}/plan`),
      team: await get(`/api/v1/clients/${s.client}/team`),
      services: await get(`/api/v1/service-records?organization=${s.org}&page_size=1`),
      staff: await get(`/api/v1/staff?organization=${s.org}`),
      referral: await get(`/api/v1/referrals/${s.referral}`),
      referrals: await get('/api/v1/referrals?page_size=1'),
      org: await get(`/api/v1/organizations/${s.org}`),
      rules: await get(`/api/v1/referral-rules?region=${s.county}`),
      consents: s.consent ? await get(`/api/v1/clients/${s.client}/consents`) : '',
    };
  }
  const sa = as.sysadmin;
  snap.global = {
    users: (await sa.get('/api/v1/users?page_size=100')).text.replace(/"last_login_at":"[^"]*"/g, ''),
    webhooks: (await sa.get('/api/v1/webhooks')).text,
    calendar: (await sa.get('/api/v1/calendar')).text,
    orgs: (await sa.get('/api/v1/organizations?page_size=100')).json.total,
    rules: (await sa.get('/api/v1/referral-rules')).text,
  };
  return snap;
}

function sameSnapshot(before, after, what) {
  for (const k of Object.keys(before)) {
    for (const f of Object.keys(before[k])) {
      assert.equal(after[k][f], before[k][f], `${what}: set ${k}, ${f} changed`);
    }
  }
}

// ---------------------------------------------------------------- setup

before(async () => {
  const out = cli(['routes']);
  assert.equal(out.status, 0, `jingkang routes: ${out.stderr}`);
  routes = JSON.parse(out.stdout);
  srv = await startServer();
  for (const u of ROLES) as[u] = await srv.login(u);
  const orgs = expectStatus(await as.sysadmin.get('/api/v1/organizations?page_size=100'), 200).items;
  const orgNamed = (name) => orgs.find((o) => o.name === name).id;
  // set F: an institution in Chengdu with its own staff account; set Y: an account at 盐边
  const fOrg = expectStatus(await as.sysadmin.post('/api/v1/organizations', {
    name: '成都市锦江区授权测试康复中心', kind: 'rehab_institution', region: '510104', address: '锦江区测试路1号', location: { lat: 30.65, lng: 104.08 }, capacity: 10,
    operating_mode: 'public', functions: ['day_care'],
  }), 201).id;
  const yOrg = orgNamed('盐边县心灵驿站康复站');
  srv.addUser('az_outside', 'rehab_staff', { org: fOrg });
  srv.addUser('az_yanbian', 'rehab_staff', { org: yOrg });
  srv.addUser('az_target', 'evaluator');
  owner = {
    A: as.rehab_worker, H: as.hospital_worker, Y: await srv.login('az_yanbian'), F: await srv.login('az_outside'),
  };
  const def = {
    A: { county: '510421', org: as.rehab_worker.user.organization },
    H: { county: '510402', org: as.hospital_worker.user.organization },
    Y: { county: '510422', org: yOrg },
    F: { county: '510104', org: fOrg },
  };
  if (typeof def.A.org === 'object') for (const k of ['A', 'H']) def[k].org = def[k].org.id;
  for (const k of ['A', 'H', 'Y', 'F']) {
    const s = { key: k, ...def[k] };
    sets[k] = s;
    s.village = (await villageOf(srv.base, s.county)).village.code;
    const c = await freshClient(s);
    s.client = c.id;
    s.clientName = c.name;
    const rev = expectStatus(await owner[k].post(`/api/v1/clients/${c.id}/reveal`, { fields: ['id_number'], reason: '授权测试准备' }), 200);
    s.idNumber = rev.id_number;
    const st = expectStatus(await owner[k].post('/api/v1/staff', { name: uniqueName(), profession: 'nurse' }), 201);
    s.staff = st.id;
    s.staffName = st.name;
    s.assessment = await freshAssessment(s);
    s.alert = await freshAlert(s);
    expectStatus(await owner[k].post(`/api/v1/clients/${s.client}/plans`, planBody(s)), 201);
    s.member = await freshMember(s);
    s.service = expectStatus(await owner[k].post('/api/v1/service-records', serviceBody(s)), 201).id;
    s.referral = await freshReferral(s);
    if (routes.some((rt) => rt.pattern === '/api/v1/clients/{id}/consents')) s.consent = await freshConsent(s);
  }
  admin.webhook = await freshWebhook();
  admin.username = 'az_target';
  admin.user = expectStatus(await as.sysadmin.get('/api/v1/users?q=az_target'), 200).items[0].id;
});
after(async () => { await srv?.close(); });

// ---------------------------------------------------------------- the tests

describe('authorization matrix', () => {
  test('`jingkang routes` lists the route table, and every non-public route has a fixture', () => {
    assert.ok(routes.length >= 60, `only ${routes.length} routes`);
    for (const rt of routes) {
      assert.equal(typeof rt.method, 'string');
      assert.match(rt.pattern, /^\/api\/v1\//);
      assert.equal(typeof rt.public, 'boolean');
    }
    const missing = routes.filter((rt) => !rt.public && !ROUTES[keyOf(rt)]).map(keyOf);
    assert.deepEqual(missing, [], 'routes with no entry in the authorization matrix (add them to ROUTES in tests/api/authz.test.mjs)');
    const stale = Object.keys(ROUTES).filter((k) => !routes.some((rt) => keyOf(rt) === k));
    assert.deepEqual(stale, [], 'fixtures for routes that no longer exist');
    // a new public route must be added here on purpose (the _fault routes exist only in JK_FAULT test builds)
    const known = ['GET /api/v1/public/applications/{receipt}', 'GET /api/v1/regions', 'GET /api/v1/regions/{code}',
      'POST /api/v1/public/applications', 'POST /api/v1/session', 'POST /api/v1/session/second-factor', 'POST /api/v1/session/enrolment'];
    const pub = routes.filter((rt) => rt.public && !rt.pattern.startsWith('/api/v1/_fault')).map(keyOf);
    assert.deepEqual(pub.filter((k) => !known.includes(k)), [], 'public routes nobody reviewed');
    for (const [k, f] of Object.entries(ROUTES)) for (const u of f.allow) assert.ok(ROLES.includes(u), `${k}: unknown role ${u}`);
  });

  test('without credentials every non-public route answers 401', async () => {
    const anon = srv.anon();
    for (const rt of routes.filter((x) => !x.public)) {
      const k = keyOf(rt);
      const rq = await ROUTES[k].req(sets.A, 'rehab_worker', 'denied');
      const r = await send(anon, k, rq);
      assert.equal(r.status, 401, `${k} without credentials: ${r.status} ${r.text.slice(0, 200)}`);
      const bad = await send(Object.assign(srv.anon(), { bearer: 'jk_not_a_real_token_0123456789abcdef' }), k, rq);
      assert.equal(bad.status, 401, `${k} with a made-up bearer token: ${bad.status}`);
    }
  });

  /** Every role × every scoped route × each set outside the role's scope. */
  async function outsideChecks(clients, label) {
    const before = await snapshot();
    let n = 0;
    for (const rt of routes.filter((x) => !x.public)) {
      const k = keyOf(rt);
      const f = ROUTES[k];
      if (f.scoped === false || f.fresh) continue;
      for (const role of ROLES) {
        if (f.global?.includes(role)) continue;
        for (const sk of OUTSIDE[role]) {
          const rq = await f.req(sets[sk], role, 'outside');
          const r = await send(clients[role], k, rq);
          seen.push({ role, key: k, r });
          n++;
          if (f.hide && r.status === 200) {
            assert.equal(r.json.items.length, 0, `${label} ${role} ${k} on set ${sk}: found something outside the scope`);
          } else {
            assert.ok(REFUSED(r.status), `${label} ${role} ${k} on set ${sk} (outside its scope): expected 403/404, got ${r.status} ${r.text.slice(0, 300)}`);
          }
          noLeak(role, k, r);
        }
      }
    }
    sameSnapshot(before, await snapshot(), `${label} requests outside the scope`);
    return n;
  }

  test('outside the scope: every role, every route, every set outside its scope → 403/404, nothing changed', async () => {
    const n = await outsideChecks(as, 'session');
    assert.ok(n > 300, `only ${n} checks`);
  });

  test('roles the policy does not allow → 403/404 on their home set, nothing changed', async () => {
    const before = await snapshot();
    for (const rt of routes.filter((x) => !x.public)) {
      const k = keyOf(rt);
      const f = ROUTES[k];
      for (const role of ROLES.filter((u) => !f.allow.includes(u))) {
        const rq = await f.req(sets[HOME[role]], role, 'denied');
        const r = await send(as[role], k, rq);
        seen.push({ role, key: k, r });
        assert.ok(REFUSED(r.status), `${role} ${k} (not allowed): expected 403/404, got ${r.status} ${r.text.slice(0, 300)}`);
      }
    }
    sameSnapshot(before, await snapshot(), 'requests by roles not allowed');
  });

  test('mass assignment: a field the caller may not set → 400, nothing changed', async () => {
    const before = await snapshot();
    for (const rt of routes.filter((x) => !x.public && x.method !== 'GET')) {
      const k = keyOf(rt);
      const f = ROUTES[k];
      if (f.mass === null || f.fresh) continue;
      const role = f.allow[0];
      const s = sets[HOME[role]];
      for (const field of f.mass || MASS) {
        const rq = await f.req(s, role, 'denied');
        assert.ok(rq.body && typeof rq.body === 'object', `${k}: mass-assignment check needs a JSON body`);
        const b = { ...body(rq.body), [field]: field === 'org_id' ? sets.F.org : field.endsWith('_at') ? '2000-01-01T00:00:00+08:00' : field === 'role' ? 'sysadmin' : field === 'status' ? 'closed' : 'x' };
        const r = await send(as[role], k, { path: rq.path, body: b });
        assert.equal(r.status, 400, `${role} ${k} with "${field}": expected 400, got ${r.status} ${r.text.slice(0, 300)}`);
      }
    }
    sameSnapshot(before, await snapshot(), 'mass assignment');
  });

  test('roles the policy allows → not refused on their home set', async () => {
    for (const rt of routes.filter((x) => !x.public)) {
      const k = keyOf(rt);
      const f = ROUTES[k];
      for (const role of f.allow) {
        const api = f.fresh === 'session' ? await srv.login(role) : as[role];
        const rq = await f.req(sets[HOME[role]], role, 'allowed');
        const r = await send(api, k, rq);
        seen.push({ role, key: k, r });
        const ok = (r.status >= 200 && r.status < 300) || [400, 409, 422].includes(r.status);
        assert.ok(ok, `${role} ${k} (allowed, home set ${HOME[role]}): got ${r.status} ${r.text.slice(0, 300)}`);
        noLeak(role, k, r);
      }
    }
    // how many allowed calls were refused for validation rather than done: keep this small
    const soft = seen.filter((x) => [400, 409, 422].includes(x.r.status) && ROUTES[x.key].allow.includes(x.role) && !ROUTES[x.key].soft);
    assert.ok(soft.length <= 12, `too many allowed calls refused on validation: ${soft.map((x) => `${x.role} ${x.key} ${x.r.status} ${x.r.text.slice(0, 80)}`).join('\n')}`);
  });

  test('bearer tokens: the same outside checks', async () => {
    const bearers = {};
    for (const role of ROLES) bearers[role] = await srv.bearer(role);
    const n = await outsideChecks(bearers, 'bearer');
    assert.ok(n > 300);
  });

  test('no answer to any role shows anything outside its scope', (t) => {
    for (const { role, key, r } of seen) noLeak(role, key, r);
    const by = {};
    for (const { r } of seen) by[r.status] = (by[r.status] || 0) + 1;
    t.diagnostic(`${routes.length} routes, ${seen.length} matrix requests; answers by status: ${JSON.stringify(by)}`);
  });
});

describe('mass assignment, explicitly', () => {
  test('no role escalation: PATCH /users/{id} with role, and POST /users by anyone but sysadmin', async () => {
    const before = expectStatus(await as.sysadmin.get('/api/v1/users?q=az_target'), 200).items[0];
    expectStatus(await as.sysadmin.patch(`/api/v1/users/${admin.user}`, { role: 'sysadmin' }), 400, 'unknown_field');
    expectStatus(await as.sysadmin.patch(`/api/v1/users/${admin.user}`, { display_name: 'x', role: 'auditor' }), 400, 'unknown_field');
    expectStatus(await as.secadmin.patch(`/api/v1/users/${admin.user}`, { role: 'sysadmin' }), 403);
    expectStatus(await as.secadmin.post('/api/v1/users', { username: 'az_escalate', role: 'sysadmin', password: '康复服务平台2026安全' }), 403);
    const after = expectStatus(await as.sysadmin.get('/api/v1/users?q=az_target'), 200).items[0];
    assert.equal(after.role, before.role);
    assert.equal(after.display_name, before.display_name);
    assert.equal(expectStatus(await as.sysadmin.get('/api/v1/users?q=az_escalate'), 200).items.length, 0);
  });

  test('an institution cannot move its client to another institution or outside its scope', async () => {
    const s = sets.A;
    const before = expectStatus(await as.rehab_worker.get(`/api/v1/clients/${s.client}`), 200);
    expectStatus(await as.rehab_worker.patch(`/api/v1/clients/${s.client}`, { organization: sets.H.org }), 403);
    expectStatus(await as.rehab_worker.patch(`/api/v1/clients/${s.client}`, { organization: sets.F.org, residence_region: sets.F.village }), 403);
    expectStatus(await as.rehab_worker.patch(`/api/v1/clients/${s.client}`, { org_rid: 1 }), 400, 'unknown_field');
    // an official may not move a client out of the region either
    expectStatus(await as.county_official.patch(`/api/v1/clients/${s.client}`, { residence_region: sets.Y.village }), 403);
    const after = expectStatus(await as.rehab_worker.get(`/api/v1/clients/${s.client}`), 200);
    assert.deepEqual(after, before);
    // creating a client for another institution is refused too
    expectStatus(await as.rehab_worker.post('/api/v1/clients', {
      name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), residence_region: s.village, organization: sets.H.org,
    }), 403);
  });

  test('a referral status cannot be forced, and an institution cannot refer in another’s name', async () => {
    const s = sets.A;
    const before = expectStatus(await as.referral_worker.get(`/api/v1/referrals/${s.referral}`), 200);
    expectStatus(await as.referral_worker.post(`/api/v1/referrals/${s.referral}/register`, { status: 'closed' }), 400, 'unknown_field');
    expectStatus(await as.rehab_worker.post(`/api/v1/referrals/${s.referral}/withdraw`, { status: 'in_service' }), 400, 'unknown_field');
    expectStatus(await as.referral_worker.post(`/api/v1/referrals/${s.referral}/close`, {}), 403);
    const after = expectStatus(await as.referral_worker.get(`/api/v1/referrals/${s.referral}`), 200);
    assert.equal(after.status, before.status);
    assert.equal(after.events.length, before.events.length);
    const fresh = await freshClient(s);
    expectStatus(await as.rehab_worker.post('/api/v1/referrals', { client: fresh.id, source: 'self', need: { functions: ['day_care'] }, from_organization: sets.H.org }), 403);
    expectStatus(await as.rehab_worker.post('/api/v1/referrals', { client: fresh.id, source: 'self', need: { functions: ['day_care'] }, status: 'in_service' }), 400, 'unknown_field');
  });

  test('assessments: a score or a signer sent by the client is refused', async () => {
    const s = sets.A;
    const n = expectStatus(await as.rehab_worker.get(`/api/v1/clients/${s.client}/assessments`), 200).items.length;
    expectStatus(await as.rehab_worker.post(`/api/v1/clients/${s.client}/assessments`, { instrument: 'phq9', date: today, answers: PHQ_OK, score: 0, created_by: 'x' }), 400, 'unknown_field');
    assert.equal(expectStatus(await as.rehab_worker.get(`/api/v1/clients/${s.client}/assessments`), 200).items.length, n);
  });
});
