// export_jobs.test.mjs: large exports as background jobs (docs/internals/exports.md).
//
// One server on the demo data with its clock fixed (JINGKANG_NOW) for the plain cases and the
// expiry (restarted 25 h later); a second with JINGKANG_EXPORT_ROW_DELAY_MS so that a job runs
// long enough to watch its progress, cancel it, and fill the per-user queue.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, expectStatus, zipEntry, eventually } from './helpers.mjs';

const T0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let srv, evaluator, official, official2, city, rehab;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dataDir, 'jingkang.db'), q], { encoding: 'utf8' }).trim();

async function finished(api, id, timeout = 20000) {
  const j = await eventually(async () => {
    const r = expectStatus(await api.get(`/api/v1/exports/${id}`), 200);
    return ['done', 'failed', 'cancelled'].includes(r.state) ? r : null;
  }, { timeout, interval: 100 });
  assert.ok(j, `job ${id} did not finish within ${timeout} ms`);
  return j;
}

const csvRows = (raw) => {
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  return raw.subarray(3).toString('utf8').trim().split('\r\n');
};

before(async () => {
  srv = await startServer({ env: { JINGKANG_NOW: iso(T0) } });
  [evaluator, official, official2, city, rehab] = await Promise.all(
    ['evaluator', 'county_official', 'county_official2', 'city_official', 'rehab_worker'].map((u) => srv.login(u)));
});
after(async () => { await srv?.close(); });

describe('export jobs', () => {
  let csvJob;
  test('the extract as a job: queued, done, the file is the synchronous extract row for row', async () => {
    const q = 'region=510421&from=2026-01-01&to=2026-06-30';
    const created = expectStatus(await evaluator.post(`/api/v1/exports?kind=indicator_extract&${q}&format=csv`), 202);
    assert.equal(created.kind, 'indicator_extract');
    assert.ok(['queued', 'running', 'done'].includes(created.state));
    assert.deepEqual([created.params.region, created.params.from, created.params.to, created.params.format, created.params.scope_name],
      ['510421', '2026-01-01', '2026-06-30', 'csv', '米易县']);
    const j = await finished(evaluator, created.id);
    assert.equal(j.state, 'done', JSON.stringify(j));
    assert.equal(j.percent, 100);
    assert.equal(j.done, j.total);
    assert.match(j.file_name, /^个案数据_米易县_2026-01-01_2026-06-30\.csv$/);
    assert.equal(Date.parse(j.expires_at) - Date.parse(j.finished_at), 24 * 3600e3, 'kept 24 hours');
    const f = await evaluator.get(j.download);
    expectStatus(f, 200);
    assert.match(String(f.headers['content-type']), /text\/csv/);
    assert.equal(f.raw.length, j.size);
    const rows = csvRows(f.raw);
    const sync = await evaluator.get(`/api/v1/indicators/extract?${q}&format=csv`);
    expectStatus(sync, 200);
    const syncRows = csvRows(sync.raw);
    assert.ok(syncRows.length > 5, `the demo county has clients (${syncRows.length - 1})`);
    assert.equal(rows.length - 1, j.total, 'total = rows in the file');
    assert.deepEqual(rows, syncRows, 'the same header and rows as the synchronous extract');
    const onDisk = fs.readdirSync(path.join(srv.dataDir, 'exports'));
    assert.equal(onDisk.length, 1);
    assert.match(onDisk[0], /^[0-9a-f]{32}\.csv$/, 'named by a random id');
    assert.equal(fs.statSync(path.join(srv.dataDir, 'exports', onDisk[0])).mode & 0o777, 0o600);
    assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'export_job.create' AND object_id = '${j.id}'`)), 1);
    assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'export' AND object_type = 'indicator_extract' AND detail LIKE 'job ${j.id}%'`)), 1,
      'the download audited like the synchronous extract');
    csvJob = j;
  });

  test('xlsx extract and the report workbook: the same sheets as the synchronous files', async () => {
    const q = 'region=510421&from=2026-01-01&to=2026-06-30';
    const x = await finished(evaluator, expectStatus(await evaluator.post(`/api/v1/exports?kind=indicator_extract&${q}`), 202).id);
    assert.equal(x.state, 'done');
    const xf = await evaluator.get(x.download);
    expectStatus(xf, 200);
    assert.match(String(xf.headers['content-type']), /spreadsheetml/);
    const sheet = zipEntry(xf.raw, 'xl/worksheets/sheet1.xml');
    assert.ok(sheet.includes('去标识化') && sheet.includes('统计范围：米易县') && sheet.includes('导出人：evaluator'), 'title and subtitle');
    assert.match(sheet, /<pane [^>]*state="frozen"/);
    // title, subtitle, header, the rows, an empty row and the note
    assert.equal((sheet.match(/<row /g) || []).length, x.total + 4);
    const rep = await finished(official, expectStatus(await official.post(`/api/v1/exports?kind=indicator_report&${q}`), 202).id);
    assert.equal(rep.state, 'done', JSON.stringify(rep));
    const rf = await official.get(rep.download);
    const names = (raw) => [...zipEntry(raw, 'xl/workbook.xml').matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    const sync = await official.get(`/api/v1/indicators/report?${q}`);
    assert.deepEqual(names(rf.raw), names(sync.raw));
    assert.deepEqual(names(rf.raw), ['汇总', '规范服务率-下级地区', '规范服务率-机构', '规范服务率-月度', '定义说明']);
    assert.match(rep.file_name, /^精康统计报告_米易县_.*\.xlsx$/);
    const list = expectStatus(await official.get('/api/v1/exports'), 200);
    assert.deepEqual(list.items.map((i) => i.id), [rep.id], 'each user lists only their own jobs');
    const mine = expectStatus(await evaluator.get('/api/v1/exports'), 200);
    assert.equal(mine.total, 2);
    assert.deepEqual(mine.items.map((i) => i.id), [x.id, csvJob.id], 'newest first');
  });

  test('another user sees nothing of a job: 404 for every route, whatever the role', async () => {
    for (const who of [official, city, official2, rehab]) {
      expectStatus(await who.get(`/api/v1/exports/${csvJob.id}`), 404, 'not_found');
      expectStatus(await who.get(`/api/v1/exports/${csvJob.id}/file`), 404, 'not_found');
      expectStatus(await who.post(`/api/v1/exports/${csvJob.id}/cancel`), 404, 'not_found');
      expectStatus(await who.del(`/api/v1/exports/${csvJob.id}`), 404, 'not_found');
    }
    expectStatus(await evaluator.get(`/api/v1/exports/${csvJob.id}`), 200, undefined);
    expectStatus(await srv.anon().get(`/api/v1/exports/${csvJob.id}`), 401);
  });

  test('bad input 400 with the field; out of scope as the synchronous extract (403)', async () => {
    expectStatus(await evaluator.post('/api/v1/exports?region=510421'), 400, 'missing_field', 'kind');
    expectStatus(await evaluator.post('/api/v1/exports?kind=everything&region=510421'), 400, 'invalid_field', 'kind');
    expectStatus(await evaluator.post('/api/v1/exports?kind=indicator_extract&region=510421&format=pdf'), 400, 'invalid_field', 'format');
    expectStatus(await evaluator.post('/api/v1/exports?kind=indicator_report&region=510421&format=csv'), 400, 'invalid_field', 'format');
    expectStatus(await evaluator.post('/api/v1/exports?kind=indicator_extract&region=510421&from=2026-13-01'), 400, 'invalid_field', 'from');
    expectStatus(await evaluator.post('/api/v1/exports?kind=indicator_extract&region=51x'), 400, 'invalid_field', 'region');
    expectStatus(await evaluator.get('/api/v1/exports/not-a-job'), 404);
    expectStatus(await evaluator.get('/api/v1/exports?page_size=1000'), 400, 'invalid_field', 'page_size');
    for (const [who, q] of [[official2, 'region=510421'], [official, 'region=5104'], [rehab, 'region=510421'], [city, 'region=51']]) {
      const sync = (await who.get(`/api/v1/indicators/extract?${q}&format=csv`)).status;
      const job = await who.post(`/api/v1/exports?kind=indicator_extract&${q}&format=csv`);
      assert.equal(job.status, sync, `${q}: ${job.text}`);
      assert.equal(job.status, 403);
    }
    expectStatus(await official2.post('/api/v1/exports?kind=indicator_report&region=510421'), 403);
    assert.equal(expectStatus(await official2.get('/api/v1/exports'), 200).total, 0, 'nothing queued by a refusal');
  });

  test('a job can be deleted: row and file gone, audited', async () => {
    const j = await finished(city, expectStatus(await city.post('/api/v1/exports?kind=indicator_report&region=5104'), 202).id);
    const file = sql(`SELECT file FROM export_job WHERE id = '${j.id}'`);
    assert.ok(fs.existsSync(path.join(srv.dataDir, 'exports', file)));
    expectStatus(await city.post(`/api/v1/exports/${j.id}/cancel`), 409, 'not_cancellable');
    expectStatus(await city.del(`/api/v1/exports/${j.id}`), 204);
    assert.ok(!fs.existsSync(path.join(srv.dataDir, 'exports', file)));
    expectStatus(await city.get(`/api/v1/exports/${j.id}`), 404);
    assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'export_job.delete' AND object_id = '${j.id}'`)), 1);
  });

  test('after 24 hours the file is deleted (restart 25 h later); files of no job go at start-up', async () => {
    const dir = path.join(srv.dataDir, 'exports');
    assert.ok(fs.readdirSync(dir).length >= 3);
    fs.writeFileSync(path.join(dir, 'f00dfeedf00dfeedf00dfeedf00dfeed.csv'), 'left by a crash');
    await srv.stop();
    srv.env = { ...srv.env, JINGKANG_NOW: iso(T0 + 23 * 3600e3) };
    await srv.start();
    assert.deepEqual(fs.readdirSync(dir).sort(), sql('SELECT file FROM export_job ORDER BY file').split('\n').sort(),
      'the orphan removed, the jobs\' files kept');
    evaluator = await srv.login('evaluator');
    expectStatus(await evaluator.get(`/api/v1/exports/${csvJob.id}/file`), 200);
    await srv.stop();
    srv.env = { ...srv.env, JINGKANG_NOW: iso(T0 + 25 * 3600e3) };
    await srv.start();
    assert.deepEqual(fs.readdirSync(dir), [], 'every file removed');
    assert.equal(Number(sql('SELECT count(*) FROM export_job')), 0);
    evaluator = await srv.login('evaluator');
    expectStatus(await evaluator.get(`/api/v1/exports/${csvJob.id}`), 404, 'not_found');
    expectStatus(await evaluator.get(`/api/v1/exports/${csvJob.id}/file`), 404, 'not_found');
    assert.equal(expectStatus(await evaluator.get('/api/v1/exports'), 200).total, 0);
  });
});

describe('a slow worker: progress, cancel, the queue limit, stop', () => {
  let slow, ev;
  before(async () => {
    slow = await startServer({ env: { JINGKANG_EXPORT_ROW_DELAY_MS: '15' } });
    ev = await slow.login('evaluator');
  });
  after(async () => { await slow?.close(); });

  test('progress rows done / total while running; cancel stops it and leaves no file', async () => {
    const j = expectStatus(await ev.post('/api/v1/exports?kind=indicator_extract&region=5104&format=csv'), 202);
    const running = await eventually(async () => {
      const r = expectStatus(await ev.get(`/api/v1/exports/${j.id}`), 200);
      return r.state === 'running' && r.done > 0 ? r : null;
    }, { timeout: 10000 });
    assert.ok(running, 'seen running with progress');
    assert.ok(running.total > running.done, JSON.stringify(running));
    assert.ok(running.percent >= 0 && running.percent < 100);
    expectStatus(await ev.get(`/api/v1/exports/${j.id}/file`), 409, 'not_ready');
    const c = expectStatus(await ev.post(`/api/v1/exports/${j.id}/cancel`), 200);
    assert.equal(c.state, 'cancelled');
    await sleep(300);
    const after1 = expectStatus(await ev.get(`/api/v1/exports/${j.id}`), 200);
    assert.equal(after1.state, 'cancelled');
    assert.ok(after1.done < after1.total, 'stopped before the end');
    await eventually(() => fs.readdirSync(path.join(slow.dataDir, 'exports')).length === 0, { timeout: 3000 });
    assert.deepEqual(fs.readdirSync(path.join(slow.dataDir, 'exports')), [], 'the partial file removed');
    expectStatus(await ev.get(`/api/v1/exports/${j.id}/file`), 409, 'not_ready');
  });

  test('at most 3 queued or running per user (429, Chinese message); a server stop re-queues the running job', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(expectStatus(await ev.post('/api/v1/exports?kind=indicator_extract&region=5104&format=csv'), 202).id);
    const r = await ev.post('/api/v1/exports?kind=indicator_extract&region=5104&format=csv');
    expectStatus(r, 429, 'too_many_jobs');
    assert.match(r.json.error.message, /导出任务/);
    const other = await slow.login('city_official');
    expectStatus(await other.post('/api/v1/exports?kind=indicator_report&region=5104'), 202);   // per user
    expectStatus(await ev.del(`/api/v1/exports/${ids[2]}`), 204);   // a queued one removed: room again
    ids[2] = expectStatus(await ev.post('/api/v1/exports?kind=indicator_extract&region=5104&format=csv'), 202).id;
    await eventually(async () => expectStatus(await ev.get(`/api/v1/exports/${ids[0]}`), 200).state === 'running', { timeout: 5000 });
    const t = Date.now();
    const exit = await slow.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'a clean stop while a job runs');
    assert.ok(Date.now() - t < 5000, 'the worker stops at once');
    assert.equal(sql2(slow, `SELECT state FROM export_job WHERE id = '${ids[0]}'`), 'queued', 'the running job back in the queue');
    assert.deepEqual(fs.readdirSync(path.join(slow.dataDir, 'exports')), [], 'its partial file removed');
    slow.env = {};   // full speed
    await slow.start();
    ev = await slow.login('evaluator');
    for (const id of ids) assert.equal((await finished(ev, id)).state, 'done');
  });
});

function sql2(s, q) {
  return execFileSync('sqlite3', [path.join(s.dataDir, 'jingkang.db'), q], { encoding: 'utf8' }).trim();
}
