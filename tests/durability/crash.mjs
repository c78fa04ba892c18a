// crash.mjs: the crash and power-loss test (issue 5, durability).
//
// Starts `jingkang serve` on a copy of the demo data directory, runs mixed writes over HTTP
// from several concurrent clients (clients, hospital referrals and their next steps,
// assessments, service records, staff and trainings), remembers every write that was answered
// 2xx with its id and a content key, SIGKILLs the server at a random moment, restarts it and
// checks through the API that every acknowledged write is there and right; then stops it and
// runs `PRAGMA integrity_check` (sqlite3 CLI) and `jingkang audit verify` on the data
// directory. Repeats for --kills rounds; every acknowledged write of every round is checked
// again after each later crash.
//
//   node tests/durability/crash.mjs [--kills N] [--powerloss] [--sync FULL|NORMAL]
//        [--expect-loss] [--workers N] [--min-ms N] [--max-ms N] [--check-every N] [--bin PATH]
//
// --powerloss runs the fault build (default build/fault/jingkang) with JINGKANG_FAULT_POWERLOSS=1:
// everything not fsynced is thrown away by the SIGKILL. --sync NORMAL sets
// JINGKANG_SYNCHRONOUS=NORMAL. --expect-loss inverts the verdict: the run passes only when it
// saw acknowledged writes go missing (proof that the harness can see a loss).
// --check-every N runs integrity_check and audit verify after every Nth round (and the last).
// --old-sample N: besides all of its own writes, each round re-reads N of the earlier rounds'
// (default 400); the last round re-reads every acknowledged write.
// Exit status 0 when the verdict holds; the last line is a one-line summary.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const flag = (name) => argv.includes(name);
const KILLS = Number(opt('--kills', '5'));
const POWERLOSS = flag('--powerloss');
const SYNC = opt('--sync', 'FULL').toUpperCase();
const EXPECT_LOSS = flag('--expect-loss');
const WORKERS = Number(opt('--workers', '6'));
const MIN_MS = Number(opt('--min-ms', '300'));
const MAX_MS = Number(opt('--max-ms', '2500'));
const CHECK_EVERY = Number(opt('--check-every', '1'));
const OLD_SAMPLE = Number(opt('--old-sample', '400')); // earlier rounds' writes re-read each round
process.env.JK_BIN = opt('--bin', process.env.JK_BIN || (POWERLOSS ? 'build/fault/jingkang' : 'build/rel/jingkang'));
const H = await import('../api/helpers.mjs');
const { startServer, request, cli, clientBody, uniqueName, makeIdNumber, mobile, BIN } = H;

// The rate limit is off: the last round re-reads every acknowledged write as fast as it can
// (the limit itself is tested in tests/api/limits.test.mjs).
const env = { JINGKANG_SYNCHRONOUS: SYNC, JINGKANG_RATE_LIMIT: 'off' };
if (POWERLOSS) env.JINGKANG_FAULT_POWERLOSS = '1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const tag = `${POWERLOSS ? 'powerloss' : 'crash'}/${SYNC}`;
const log = (...a) => console.log(`[${tag}]`, ...a);

// ---------------------------------------------------------------- acknowledged writes

const acked = [];          // {kind, id, ...key}: every write answered 2xx, over all rounds
const referrals = new Map(); // id → acknowledged actions in order
let nextTopic = 0;
const uniq = () => `${process.pid}-${Date.now().toString(36)}-${nextTopic++}`;

class Down extends Error {}

// One worker's session: cookie + CSRF, or throws Down when the server is gone.
class Client {
  constructor(base, user) { this.base = base; this.user = user; this.cookie = null; this.csrf = null; }
  async req(method, p, body) {
    const h = {};
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (this.cookie) h.Cookie = `jk_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let r;
    try {
      r = await request(this.base, method, p, { headers: h, body: body === undefined ? undefined : JSON.stringify(body), timeout: 60_000 });
    } catch (e) {
      throw new Down(`${method} ${p}: ${e.code || e.message}`);
    }
    const sc = r.headers['set-cookie'];
    for (const c of sc || []) { const m = /^jk_session=([^;]*)/.exec(c); if (m) this.cookie = m[1]; }
    if (r.status === 200 && r.json?.csrf_token) { this.csrf = r.json.csrf_token; this.me = r.json.user; }
    return r;
  }
  async login() {
    const r = await this.req('POST', '/api/v1/session', { username: this.user, password: H.DEMO_PASSWORD });
    if (r.status !== 200) throw new Error(`login ${this.user}: ${r.status} ${r.text}`);
    return this;
  }
}

// ---------------------------------------------------------------- the load

let ctx; // per server start: clients, org ids, demo clients in service, staff
async function setup(base) {
  if (ctx) { // sessions are stored, so they outlive a crash: only the port changed (Argon2id logins are slow)
    let live = true;
    for (const c of [ctx.hospital, ctx.worker, ctx.rehab]) {
      c.base = base;
      if (live && (await c.req('GET', '/api/v1/session')).status !== 200) live = false;
    }
    if (live) { ctx.base = base; await refresh(ctx); return; }
  }
  const [hospital, worker, rehab] = await Promise.all(
    ['hospital_worker', 'referral_worker', 'rehab_worker'].map((u) => new Client(base, u).login()));
  const miyi = rehab.me.organization && { id: rehab.me.organization }; // the institution referrals go to
  if (!miyi) throw new Error('demo data not as expected (the rehab worker has no organization)');
  ctx = { base, hospital, worker, rehab, miyi: miyi.id };
  await refresh(ctx);
}

// The clients and staff the load refers to, read again after every restart: a staff member
// created before a power loss may be gone (synchronous=NORMAL), and must not be used.
async function refresh(c) {
  c.served = (await c.rehab.req('GET', '/api/v1/clients?status=in_service&page_size=50')).json.items;
  if (c.served.length < 5) throw new Error('demo data not as expected (clients in service)');
  c.staff = (await c.rehab.req('GET', '/api/v1/staff?page_size=100')).json.items.map((s) => s.id);
}

const pick = (a) => a[randomInt(0, a.length)];
const phq9 = () => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`q${i + 1}`, randomInt(0, 4)]));

// Each op does one or more writes; a write that answers 2xx is recorded at once.
const OPS = [
  async function createClient(c) {
    const b = clientBody();
    const r = await c.rehab.req('POST', '/api/v1/clients', b);
    if (r.status === 201) acked.push({ kind: 'client', id: r.json.id, name: b.name });
    else if (r.status !== 409) throw new Error(`client create: ${r.status} ${r.text.slice(0, 300)}`);
  },
  async function referral(c) {
    const b = {
      client: { name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), phone: mobile(),
        residence_region: '510421', hukou_region: '510421', diagnosis: 'F20.0' },
      source: 'hospital', need: { functions: ['day_care'], note: `出院后需要日间康复 ${uniq()}` },
      consent: { client_agreed: true, guardian_agreed: true, guardian_name: '王父', signed_on: today() },
      assessment: { date: today(), risk_level: 1, summary: '病情稳定，适合社区康复', assessor: '周医生' },
    };
    const r = await c.hospital.req('POST', '/api/v1/referrals', b);
    if (r.status !== 201) throw new Error(`referral create: ${r.status} ${r.text.slice(0, 300)}`);
    const id = r.json.id;
    const steps = ['submit'];
    referrals.set(id, steps);
    acked.push({ kind: 'referral', id });
    for (const [api, action, body] of [[c.worker, 'register', {}], [c.worker, 'dispatch', { organization: c.miyi }], [c.rehab, 'accept', {}]]) {
      if (randomInt(0, 4) === 0) break; // leave some referrals mid-way
      const s = await api.req('POST', `/api/v1/referrals/${id}/${action}`, body);
      if (s.status === 422 && s.json?.error?.code === 'no_free_place') break; // the institution is full
      if (s.status !== 200) throw new Error(`referral ${action}: ${s.status} ${s.text.slice(0, 300)}`);
      steps.push(action);
    }
  },
  async function assessment(c) {
    const cl = pick(c.served);
    const r = await c.rehab.req('POST', `/api/v1/clients/${cl.id}/assessments`, { instrument: 'phq9', date: today(), answers: phq9() });
    if (r.status !== 201) throw new Error(`assessment: ${r.status} ${r.text.slice(0, 300)}`);
    acked.push({ kind: 'assessment', id: r.json.id, score: r.json.score });
  },
  async function serviceRecord(c) {
    if (!c.staff.length) return;
    const topic = `崩溃测试 ${uniq()}`;
    const body = { type: 'recreation', date: today(), duration_minutes: randomInt(10, 240), place: 'community',
      clients: [pick(c.served).id], staff: pick(c.staff), topic };
    const r = await c.rehab.req('POST', '/api/v1/service-records', body);
    if (r.status !== 201) throw new Error(`service record: ${r.status} ${r.text.slice(0, 300)}`);
    acked.push({ kind: 'service', id: r.json.id, topic, minutes: body.duration_minutes });
  },
  async function staffAndTraining(c) {
    const name = `测试员${uniq()}`;
    const r = await c.rehab.req('POST', '/api/v1/staff', { name, profession: 'nurse' });
    if (r.status !== 201) throw new Error(`staff: ${r.status} ${r.text.slice(0, 300)}`);
    acked.push({ kind: 'staff', id: r.json.id, name });
    c.staff.push(r.json.id);
    const topic = `培训${uniq()}`;
    const t = await c.rehab.req('POST', `/api/v1/staff/${r.json.id}/trainings`, { kind: 'centralized', date: today(), hours: 2, topic });
    if (t.status !== 201) throw new Error(`training: ${t.status} ${t.text.slice(0, 300)}`);
    acked.push({ kind: 'training', id: r.json.id, topic });
  },
];

async function worker(c, stop) {
  while (!stop.done) {
    try {
      await pick(OPS)(c);
    } catch (e) {
      if (e instanceof Down) return;
      stop.errors.push(e.message);
      return;
    }
  }
}

// ---------------------------------------------------------------- verification

// Every write of this round, and up to OLD_SAMPLE of the earlier rounds' (all of them in short runs).
async function verify(c, roundStart, sample = OLD_SAMPLE) {
  const bad = [];
  const old = acked.slice(0, roundStart);
  for (let i = old.length - 1; i > 0 && old.length > sample; i--) { const j = randomInt(0, i + 1); [old[i], old[j]] = [old[j], old[i]]; }
  const q = [...old.slice(0, sample), ...acked.slice(roundStart)];
  const staffCache = new Map();
  const one = async (w) => {
    let r, ok, why = '';
    switch (w.kind) {
      case 'client':
        r = await c.rehab.req('GET', `/api/v1/clients/${w.id}`);
        ok = r.status === 200 && r.json.name === w.name;
        break;
      case 'referral': {
        r = await c.worker.req('GET', `/api/v1/referrals/${w.id}`);
        const want = referrals.get(w.id);
        const got = r.status === 200 ? r.json.events.map((e) => e.action) : [];
        ok = r.status === 200 && want.every((a, i) => got[i] === a);
        why = ` want ${want} got ${got}`;
        break;
      }
      case 'assessment':
        r = await c.rehab.req('GET', `/api/v1/assessments/${w.id}`);
        ok = r.status === 200 && r.json.score === w.score;
        break;
      case 'service':
        r = await c.rehab.req('GET', `/api/v1/service-records/${w.id}`);
        ok = r.status === 200 && r.json.topic === w.topic && r.json.duration_minutes === w.minutes;
        break;
      case 'staff':
      case 'training': {
        if (!staffCache.has(w.id)) staffCache.set(w.id, await c.rehab.req('GET', `/api/v1/staff/${w.id}`));
        r = staffCache.get(w.id);
        ok = r.status === 200 && (w.kind === 'staff' ? r.json.name === w.name : (r.json.trainings || []).some((t) => t.topic === w.topic));
        break;
      }
    }
    if (!ok) bad.push(`${w.kind} ${w.id}: ${r.status}${why} ${r.status === 200 ? '' : r.text.slice(0, 120)}`);
  };
  const lanes = Array.from({ length: 4 }, async () => { while (q.length) await one(q.shift()); });
  await Promise.all(lanes);
  return bad;
}

function checkFiles(dataDir) {
  const db = path.join(dataDir, 'jingkang.db');
  const ic = spawnSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8', timeout: 600_000 });
  const integrity = ic.status === 0 && ic.stdout.trim() === 'ok';
  const av = cli(['audit', 'verify', '--data', dataDir]);
  return { integrity, audit: av.status === 0, detail: `${ic.stdout.trim().slice(0, 200)}${ic.stderr} | ${av.stdout.trim()}${av.stderr.trim()}` };
}

// ---------------------------------------------------------------- the rounds

const t0 = Date.now();
log(`binary ${BIN}, ${KILLS} kills, ${WORKERS} workers, kill after ${MIN_MS}–${MAX_MS} ms`);
const srv = await startServer({ env });
let lostTotal = 0, failures = 0, roundsWithLoss = 0, fileChecks = 0, kills = 0;
const problems = [];
try {
  for (let round = 1; round <= KILLS; round++) {
    const tr = Date.now();
    if (srv.exit) await srv.start();
    await setup(srv.base);
    const tl = Date.now();
    const before = acked.length;
    const stop = { done: false, errors: [] };
    const workers = Array.from({ length: WORKERS }, () => worker(ctx, stop));
    await sleep(randomInt(MIN_MS, MAX_MS + 1));
    srv.proc.kill('SIGKILL');
    const ex = await srv.exited;
    kills++;
    stop.done = true;
    await Promise.all(workers);
    if (ex.signal !== 'SIGKILL') problems.push(`round ${round}: server had already exited ${JSON.stringify(ex)} before the kill:\n${srv.tail(2000)}`);
    if (stop.errors.length) problems.push(`round ${round}: unexpected answers during the load: ${stop.errors.slice(0, 3).join(' | ')}`);
    const tk = Date.now();
    await srv.start(); // recovery
    await setup(srv.base);
    const tv = Date.now();
    const bad = await verify(ctx, before, round === KILLS ? Infinity : OLD_SAMPLE);
    const tc = Date.now();
    const lostNow = bad.length;
    if (lostNow) {
      roundsWithLoss++;
      lostTotal += lostNow;
      // forget what was lost so later rounds count only new losses
      const gone = new Set(bad.map((b) => b.split(':')[0].split(' ')[1]));
      for (let i = acked.length - 1; i >= 0; i--) if (gone.has(acked[i].id)) acked.splice(i, 1);
    }
    let files = '';
    if (round % CHECK_EVERY === 0 || round === KILLS) {
      await srv.stop();
      const f = checkFiles(srv.dataDir);
      fileChecks++;
      files = ` integrity=${f.integrity ? 'ok' : 'FAIL'} audit=${f.audit ? 'ok' : 'FAIL'}`;
      if (!f.integrity || !f.audit) problems.push(`round ${round}: ${f.detail}`);
    }
    log(`round ${round}/${KILLS}: +${acked.length - before + lostNow} acknowledged (total ${acked.length}), lost ${lostNow}${files}` +
      ` [ms: start ${tl - tr}, load ${tk - tl}, restart ${tv - tk}, verify ${tc - tv}, files ${Date.now() - tc}]` +
      (lostNow ? `  e.g. ${bad[0]}` : ''));
    if (problems.length) break;
  }
} catch (e) {
  problems.push(`harness: ${e.stack || e}\n${srv.tail(2000)}`);
} finally {
  await srv.stop();
  if (!process.env.JK_TEST_KEEP) fs.rmSync(srv.root, { recursive: true, force: true });
}
for (const p of problems) console.log(`PROBLEM ${p}`);
failures = problems.length;
const verdict = EXPECT_LOSS ? failures === 0 && lostTotal > 0 : failures === 0 && lostTotal === 0;
const secs = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`[${tag}] ${verdict ? 'PASS' : 'FAIL'}: ${kills} of ${KILLS} kills, ${acked.length + lostTotal} acknowledged writes, ` +
  `${lostTotal} lost in ${roundsWithLoss} rounds (expected ${EXPECT_LOSS ? 'some' : 'none'}), ${fileChecks} integrity+audit checks, ` +
  `${failures} problems, ${secs} s`);
process.exit(verdict ? 0 : 1);
