// helpers.mjs: what every black-box API test file shares.
//
// Each test file starts its own REAL server (`jingkang serve`) on a copy of a demo data
// directory. The demo (`jingkang demo`, which loads ~620k villages) is built ONCE per binary
// into a template directory under the system temp dir, guarded by a lock directory so that
// test files running in parallel processes wait for one builder; each server then gets a
// `cp -a` copy of it. The template is keyed by the binary's path, size and mtime, so a rebuilt
// binary gets a fresh template.
//
// Environment:
//   JK_BIN        the server binary (default build/rel/jingkang, relative to the repo root)
//   JK_TEST_TMP   where templates and per-file data directories go (default: os.tmpdir())
//   JK_TEST_KEEP  when set, data directories of finished servers are kept (for debugging)
//   JK_SERVER_START_TIMEOUT_MS / JK_SERVER_STOP_TIMEOUT_MS  how long a server may take to become
//                 healthy (default 60000) and to exit after SIGTERM before SIGKILL (default
//                 15000); tests/valgrind.sh raises them (the server runs under valgrind there)
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash, createHmac, randomInt } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(ROOT, process.env.JK_BIN || 'build/rel/jingkang');
export const DEMO_PASSWORD = 'Jingkang-Demo-2026!';
// The demo administrators' TOTP secret (README; `jingkang demo` enrols sysadmin, secadmin, auditor).
export const DEMO_TOTP_SECRET = 'JINGKANGDEMOTOTPSECRETFORADMINS2';
const TMP = process.env.JK_TEST_TMP || os.tmpdir();
const START_TIMEOUT_MS = Number(process.env.JK_SERVER_START_TIMEOUT_MS) || 60_000;
const STOP_TIMEOUT_MS = Number(process.env.JK_SERVER_STOP_TIMEOUT_MS) || 15_000;

// Demo accounts (README): username → role and scope.
export const DEMO_USERS = {
  sysadmin: { role: 'sysadmin' },
  secadmin: { role: 'secadmin' },
  auditor: { role: 'auditor' },
  county_official: { role: 'official', region: '510421' },
  county_official2: { role: 'official', region: '510422' },
  city_official: { role: 'official', region: '5104' },
  referral_worker: { role: 'referral_worker', region: '5104' },
  rehab_worker: { role: 'rehab_staff' },
  hospital_worker: { role: 'hospital_staff' },
  evaluator: { role: 'evaluator' },
};

const cliEnv = () => {
  const env = { ...process.env };
  delete env.JINGKANG_DATA;
  delete env.JINGKANG_NOW;
  return env;
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the binary and the CLI

export function requireBinary() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`server binary ${BIN} not found: build it first (make bin) or set JK_BIN`);
  }
}

/** Runs the CLI synchronously: {status, stdout, stderr}. */
export function cli(args, { input, timeout = 600_000 } = {}) {
  requireBinary();
  const r = spawnSync(BIN, args, { cwd: ROOT, env: cliEnv(), input, encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------- the demo template

function templateKey() {
  const st = fs.statSync(BIN);
  return createHash('sha256').update(`${fs.realpathSync(BIN)}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 16);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function removeOldTemplates(keep) {
  const cutoff = Date.now() - 3600_000;
  for (const name of fs.readdirSync(TMP)) {
    if (!name.startsWith('jingkang-api-template-') || name.includes(keep)) continue;
    const p = path.join(TMP, name);
    try {
      if (fs.statSync(p).mtimeMs < cutoff) fs.rmSync(p, { recursive: true, force: true });
    } catch { /* another process got there first */ }
  }
}

let templatePromise = null;

/** The demo data directory to copy, built once per binary across all test processes. */
export function demoTemplate() {
  if (!templatePromise) templatePromise = buildTemplate();
  return templatePromise;
}

async function buildTemplate() {
  requireBinary();
  const key = templateKey();
  const dir = path.join(TMP, `jingkang-api-template-${key}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'ready'))) return path.join(dir, 'data');
    let mine = false;
    try {
      fs.mkdirSync(lock);
      mine = true;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    if (mine) {
      try {
        fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
        if (fs.existsSync(path.join(dir, 'ready'))) return path.join(dir, 'data');
        removeOldTemplates(key);
        const building = `${dir}.building-${process.pid}`;
        fs.rmSync(building, { recursive: true, force: true });
        fs.mkdirSync(building, { mode: 0o700 });
        const t0 = Date.now();
        const r = await runAsync(BIN, ['demo', '--data', path.join(building, 'data')]);
        if (r.status !== 0) {
          fs.rmSync(building, { recursive: true, force: true });
          throw new Error(`jingkang demo failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
        }
        fs.writeFileSync(path.join(building, 'ready'), `built in ${Date.now() - t0} ms\n`);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(building, dir);
        return path.join(dir, 'data');
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    }
    // Someone else is building it: wait, and take over a lock whose owner died.
    await sleep(500);
    try {
      const pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      if (pid && !pidAlive(pid)) fs.rmSync(lock, { recursive: true, force: true });
    } catch { /* lock gone or pid not written yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the demo template ${dir}`);
  }
}

function runAsync(cmd, args, { input } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

// ---------------------------------------------------------------- servers

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.on('exit', () => {
  for (const p of running) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/**
 * A server on a fresh copy of the demo data. `srv.base` is `http://127.0.0.1:PORT`;
 * `srv.dataDir` the data directory; `srv.stop()` ends it (SIGTERM) and resolves to
 * {code, signal}; `srv.start()` starts it again on the same data directory.
 */
export async function startServer({ env = {} } = {}) {
  const template = await demoTemplate();
  const root = fs.mkdtempSync(path.join(TMP, 'jingkang-api-'));
  const dataDir = path.join(root, 'data');
  execFileSync('cp', ['-a', template, dataDir]);
  const srv = new Server(root, dataDir, env);
  await srv.start();
  return srv;
}

export class Server {
  constructor(root, dataDir, env) {
    this.root = root;
    this.dataDir = dataDir;
    this.env = env;
    this.proc = null;
    this.log = '';
    this.base = null;
    this.exit = null;
    this.totpSecrets = {};   // username → base32 secret of accounts enrolled by these tests
    this.totpUsed = {};      // username → last TOTP step used (each code works once)
    this.sessions = {};      // username → clients logged in
  }

  async start() {
    let lastErr;
    for (let attempt = 0; attempt < 4; attempt++) {
      const port = await freePort();
      this.base = `http://127.0.0.1:${port}`;
      this.exit = null;
      const p = spawn(BIN, ['serve', '--data', this.dataDir, '--listen', `127.0.0.1:${port}`], {
        cwd: ROOT, env: { ...cliEnv(), ...this.env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.proc = p;
      running.add(p);
      const exited = new Promise((resolve) => {
        p.on('exit', (code, signal) => {
          running.delete(p);
          this.exit = { code, signal };
          resolve(this.exit);
        });
      });
      this.exited = exited;
      p.stdout.on('data', (d) => { this.log += d; });
      p.stderr.on('data', (d) => { this.log += d; });
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Date.now() < deadline && !this.exit) {
        try {
          const r = await request(this.base, 'GET', '/healthz', { timeout: 2000 });
          if (r.status === 200) return this;
        } catch { /* not listening yet */ }
        await sleep(100);
      }
      lastErr = new Error(`server did not become healthy (exit ${JSON.stringify(this.exit)}):\n${this.tail()}`);
      if (!this.exit) await this.stop();
    }
    throw lastErr;
  }

  tail(n = 4000) {
    return this.log.length > n ? this.log.slice(-n) : this.log;
  }

  /** SIGTERM, then SIGKILL after 15 s. Resolves to {code, signal}. */
  async stop() {
    if (!this.proc || this.exit) return this.exit;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => { try { this.proc.kill('SIGKILL'); } catch { /* gone */ } }, STOP_TIMEOUT_MS);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  /** Stops the server, asserts a clean exit (status 0: no sanitizer report), removes the data. */
  async close() {
    const r = await this.stop();
    if (!process.env.JK_TEST_KEEP) fs.rmSync(this.root, { recursive: true, force: true });
    if (r && (r.code !== 0 || r.signal)) {
      throw new Error(`server exited uncleanly ${JSON.stringify(r)}:\n${this.tail()}`);
    }
  }

  /** An unauthenticated client. */
  anon() {
    return new Api(this.base, this);
  }

  /**
   * Logs in (default: the demo password) and returns a client holding cookie and CSRF token.
   * Where the server asks for a TOTP code (administrators, enrolled users) the second step is
   * completed with a code computed here; an administrator not yet enrolled is enrolled on the
   * way (the secret is kept in srv.totpSecrets[username]). Each code works once, so at most
   * three logins of one account fit in a 30-second step: when none is left, a live session of
   * the same account from an earlier login is shared (a copy of the client), or — with
   * {fresh: true}, or when there is none — the helper waits for the next step.
   */
  async login(username, password = DEMO_PASSWORD, { fresh = false } = {}) {
    const api = new Api(this.base, this);
    let r = await api.post('/api/v1/session', { username, password });
    assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text}`);
    if (r.json.totp_required) {
      const challenge = r.json.challenge;
      if (r.json.enrolment_required) {
        const e = await api.post('/api/v1/session/enrolment', { challenge });
        assert.equal(e.status, 200, `enrol ${username}: ${e.status} ${e.text}`);
        this.totpSecrets[username] = e.json.secret;
      }
      const secret = this.totpSecrets[username] || DEMO_TOTP_SECRET;
      let step = this.nextTotpStep(username);
      if (step === null && !fresh) {
        const shared = await this.liveSession(username);
        if (shared) return shared;
      }
      while (step === null) {
        if (this.env.JINGKANG_NOW) throw new Error(`login ${username}: no unused TOTP step left on a server with a fixed clock`);
        await sleep(TOTP_STEP_MS - (Date.now() % TOTP_STEP_MS) + 200);
        step = this.nextTotpStep(username);
      }
      r = await api.post('/api/v1/session/second-factor', { challenge, code: totpCode(secret, step) });
      assert.equal(r.status, 200, `login ${username} (TOTP step ${step}): ${r.status} ${r.text}`);
      this.totpUsed[username] = step;
    }
    (this.sessions[username] ||= []).push(api);
    return api;
  }

  /** The server's clock (fixed by JINGKANG_NOW, else this machine's). */
  serverNow() {
    const fixed = this.env.JINGKANG_NOW;
    if (!fixed) return Date.now();
    return /^\d+$/.test(fixed) ? Number(fixed) : Date.parse(fixed);
  }

  /** The earliest TOTP step the server will still accept for this account, or null. */
  nextTotpStep(username) {
    const now = this.serverNow();
    const cur = Math.floor(now / TOTP_STEP_MS);
    const last = this.totpUsed[username] ?? -1;
    // the previous step only while well inside the current one (so the server agrees)
    const candidates = [(now % TOTP_STEP_MS) < TOTP_STEP_MS - 3000 ? cur - 1 : null, cur, cur + 1];
    return candidates.find((s) => s !== null && s > last) ?? null;
  }

  /** A copy of a client of this account whose session is still live, or null. */
  async liveSession(username) {
    for (const old of (this.sessions[username] || []).slice().reverse()) {
      const r = await old.get('/api/v1/session');
      if (r.status !== 200) continue;
      const copy = new Api(this.base, this);
      Object.assign(copy, { cookie: old.cookie, csrf: old.csrf, user: old.user });
      return copy;
    }
    return null;
  }

  /** Bearer token via `jingkang token create USERNAME --data DIR`; a client using it. */
  token(username) {
    const r = cli(['token', 'create', username, '--data', this.dataDir]);
    assert.equal(r.status, 0, `token create ${username}: ${r.stderr}`);
    const token = r.stdout.trim().split('\n').pop().trim();
    assert.ok(token.length >= 20, `token looks wrong: ${JSON.stringify(r.stdout)}`);
    return token;
  }

  async bearer(username) {
    const api = new Api(this.base, this);
    api.bearer = this.token(username);
    return api;
  }

  /** `echo PASSWORD | jingkang user add NAME --role ROLE [--region] [--org] --data DIR`. */
  addUser(username, role, { region, org, password = DEMO_PASSWORD } = {}) {
    const args = ['user', 'add', username, '--role', role];
    if (region) args.push('--region', region);
    if (org) args.push('--org', org);
    args.push('--data', this.dataDir);
    const r = cli(args, { input: `${password}\n` });
    assert.equal(r.status, 0, `user add ${username}: ${r.stdout}${r.stderr}`);
    return r;
  }
}

// ---------------------------------------------------------------- TOTP (RFC 6238)

export const TOTP_STEP_MS = 30_000;

/** Decodes RFC 4648 base32 (no padding). */
export function base32Decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, '').toUpperCase()) {
    const v = A.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${s}`);
    acc = (acc << 5 | v) & 0xfff;
    bits += 5;
    if (bits >= 8) { out.push((acc >> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The 6-digit TOTP code (SHA-1, 30 s) of a base32 secret for a step (default: now). */
export function totpCode(secretB32, step = Math.floor(Date.now() / TOTP_STEP_MS)) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secretB32)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// ---------------------------------------------------------------- HTTP

/**
 * One HTTP request over a fresh connection (node:http, so bodies and headers are exactly what
 * the test says). Resolves {status, headers, text, json}; json is undefined when the body is
 * not JSON.
 */
export function request(base, method, urlPath, { headers = {}, body, timeout = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(urlPath, base);
    const buf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h = { ...headers };
    if (buf && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['Content-Length'] = buf.length;
    let answered = false;
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false,
    }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json, raw });
      });
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    // The server may answer (413) and close before the whole body is sent.
    req.on('error', (e) => { if (!answered) reject(e); });
    if (buf) req.write(buf);
    req.end();
  });
}

/** A client: keeps the session cookie and CSRF token, or a bearer token. */
export class Api {
  constructor(base, server = null) {
    this.base = base;
    this.server = server;
    this.cookie = null;
    this.csrf = null;
    this.bearer = null;
    this.user = null;
    this.lastSetCookie = null;
  }

  /**
   * opts: body (object → JSON; string/Buffer sent as is), headers, csrf (false: leave the
   * X-CSRF-Token header out), contentType (override; null: none), auth (false: no cookie/bearer).
   */
  async req(method, urlPath, opts = {}) {
    const { body, headers = {}, csrf = true, auth = true } = opts;
    const h = {};
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const ct = 'contentType' in opts ? opts.contentType : 'application/json';
      if (ct) h['Content-Type'] = ct;
    }
    if (auth && this.cookie) h.Cookie = `jk_session=${this.cookie}`;
    if (auth && this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (csrf && this.csrf && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = this.csrf;
    Object.assign(h, headers);
    let r;
    try {
      r = await request(this.base, method, urlPath, { headers: h, body: payload });
    } catch (e) {
      // Say so plainly when the server has died (a crash earlier in the file).
      const srv = this.server;
      if (srv && !srv.exit && /ECONNREFUSED|ECONNRESET|socket hang up/.test(String(e.code || e.message))) await sleep(300);
      if (srv && srv.exit) {
        throw new Error(`${method} ${urlPath}: the server is not running (exited ${JSON.stringify(srv.exit)}); log:\n${srv.tail(3000)}`);
      }
      throw e;
    }
    const sc = r.headers['set-cookie'];
    if (sc) {
      this.lastSetCookie = sc;
      for (const c of sc) {
        const m = /^jk_session=([^;]*)/.exec(c);
        if (m) this.cookie = m[1] || null;
      }
    }
    if (r.status === 200 && r.json && typeof r.json.csrf_token === 'string' && r.json.user) {
      this.csrf = r.json.csrf_token;
      this.user = r.json.user;
    }
    return r;
  }

  get(p, o) { return this.req('GET', p, o); }
  post(p, body, o = {}) { return this.req('POST', p, { ...o, body }); }
  patch(p, body, o = {}) { return this.req('PATCH', p, { ...o, body }); }
  put(p, body, o = {}) { return this.req('PUT', p, { ...o, body }); }
  del(p, o) { return this.req('DELETE', p, o); }
}

// ---------------------------------------------------------------- assertions

/** Asserts status and, for errors, the error code (and field when given). Returns r.json. */
export function expectStatus(r, status, code, field) {
  assert.equal(r.status, status, `expected ${status}${code ? ` ${code}` : ''}, got ${r.status}: ${r.text.slice(0, 500)}`);
  if (code) {
    assert.ok(r.json && r.json.error, `expected an error object, got ${r.text.slice(0, 300)}`);
    assert.equal(r.json.error.code, code, `error code: ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.json.error.message, 'string');
    assert.ok(r.json.error.message.length > 0, 'error message empty');
  }
  if (field) assert.equal(r.json.error.field, field, `error field: ${r.text.slice(0, 300)}`);
  return r.json;
}

export function expectJson(r) {
  assert.match(String(r.headers['content-type'] || ''), /^application\/json/, 'content-type');
  assert.ok(r.json !== undefined, `body is not JSON: ${r.text.slice(0, 200)}`);
  return r.json;
}

export function expectPage(json, { pageSize = 20, page = 1 } = {}) {
  assert.ok(Array.isArray(json.items), 'items is an array');
  assert.equal(typeof json.total, 'number', 'total');
  assert.equal(json.page, page, 'page');
  assert.equal(json.page_size, pageSize, 'page_size');
  assert.ok(json.items.length <= pageSize, 'no more items than page_size');
  assert.ok(json.total >= json.items.length, 'total ≥ items');
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/;

/** Polls fn until it returns a truthy value (or the time runs out, then returns the last value). */
export async function eventually(fn, { timeout = 5000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > deadline) return v;
    await sleep(interval);
  }
}

// ---------------------------------------------------------------- test data

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 characters. */
export function checkChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i];
  return '10X98765432'[s % 11];
}

const issued = new Set();
const pad = (n, w) => String(n).padStart(w, '0');

/**
 * A valid 18-character ID number. Defaults: county 510421, birth date 1980–2000, random
 * sequence. sex 'male'|'female' fixes the parity of the 17th digit; check 'X' loops until the
 * check character is X.
 */
export function makeIdNumber({ region = '510421', birth, sex, check } = {}) {
  for (let i = 0; i < 100_000; i++) {
    const b = birth || randomBirth();
    let seq = randomInt(1, 1000);
    if (sex === 'male' && seq % 2 === 0) seq = seq === 999 ? 997 : seq + 1;
    if (sex === 'female' && seq % 2 === 1) seq -= 1;
    if (seq === 0) seq = 2;
    const first17 = `${region}${b.replaceAll('-', '')}${pad(seq, 3)}`;
    const id = first17 + checkChar(first17);
    if (check && id[17] !== check) continue;
    if (issued.has(id)) continue;
    issued.add(id);
    return id;
  }
  throw new Error('could not make an ID number');
}

export function randomBirth(from = 1980, to = 2000) {
  const y = randomInt(from, to + 1);
  const m = randomInt(1, 13);
  const d = randomInt(1, 29);
  return `${y}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** The same ID number with a wrong check character. */
export function breakCheck(id) {
  const right = id[17];
  const wrong = '0123456789X'.split('').find((c) => c !== right);
  return id.slice(0, 17) + wrong;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余杜苏';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰建国玉红文志德海云春林燕琴鹏辉宇婷晨曦睿泽';

/** A made-up Chinese name unlikely to repeat within a run. */
export function uniqueName() {
  const pick = (s) => s[randomInt(0, s.length)];
  return pick(SURNAMES) + pick(GIVEN) + pick(GIVEN) + pick(GIVEN);
}

export function mobile() {
  return `1${randomInt(3, 10)}${pad(randomInt(0, 1e9), 9)}`;
}

/** Masks the way the contract says: first 6, 8 stars, last 4. */
export function maskId(id) {
  return `${id.slice(0, 6)}********${id.slice(14)}`;
}

/** A first-level child of `parent` with children of its own (via the public regions API). */
export async function childRegions(base, parent) {
  const r = await request(base, 'GET', `/api/v1/regions?parent=${parent}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

/** A village (12 digits) and township (9 digits) of the county, from the regions API. */
export async function villageOf(base, county = '510421') {
  const towns = await childRegions(base, county);
  assert.ok(towns.length > 0, `no townships under ${county}`);
  const town = towns.find((t) => t.has_children) || towns[0];
  const villages = await childRegions(base, town.code);
  assert.ok(villages.length > 0, `no villages under ${town.code}`);
  return { town, village: villages[0] };
}

/** A full client body for POST /api/v1/clients. */
export function clientBody(over = {}) {
  return {
    name: uniqueName(),
    id_number: makeIdNumber({ region: (over.residence_region || '510421').slice(0, 6) }),
    residence_region: '510421',
    ...over,
  };
}

/** The uncompressed text of one file inside a zip (an .xlsx), read through the central directory. */
export function zipEntry(buf, name) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  let p = buf.readUInt32LE(eocd + 16);
  const n = buf.readUInt16LE(eocd + 10);
  for (let i = 0; i < n; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'zip central directory');
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const entry = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (entry === name) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
    }
    p += 46 + nameLen + extra + comment;
  }
  return null;
}
