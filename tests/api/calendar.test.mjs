// calendar.test.mjs: the official holiday/调休 calendar loaded from chinese-days by init, the
// working-day arithmetic the deadlines use, and the administrator entering a year the package
// does not cover yet — after which deadlines count it at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectStatus } from './helpers.mjs';

let srv, sysadmin, official, auditor;
before(async () => {
  srv = await startServer();
  [sysadmin, official, auditor] = await Promise.all(['sysadmin', 'county_official', 'auditor'].map((u) => srv.login(u)));
});
after(async () => { await srv?.close(); });

describe('holiday calendar', () => {
  test('init loaded the official calendar, Spring Festival 2026 included', async () => {
    const years = expectStatus(await official.get('/api/v1/calendar'), 200).years.map((y) => y.year);
    assert.ok(years.includes(2025) && years.includes(2026), years.join(','));
    const y = expectStatus(await official.get('/api/v1/calendar/2026'), 200);
    assert.equal(y.source, 'chinese-days');
    assert.ok(y.days.some((d) => d.date === '2026-02-16' && d.off));
    assert.ok(y.days.some((d) => d.date === '2026-02-14' && !d.off), '调休 Saturday');
  });

  test('working days skip the holiday and count the 调休 Saturday', async () => {
    const j = expectStatus(await official.get('/api/v1/workdays?from=2026-02-12&n=5'), 200);
    assert.equal(j.date, '2026-02-26');
    assert.equal(j.covered, true);
    expectStatus(await official.get('/api/v1/workdays?from=2026-02-30'), 400, 'invalid_field', 'from');
    expectStatus(await official.get('/api/v1/workdays?from=2026-02-12&n=-1'), 400, 'invalid_field', 'n');
  });

  test('sysadmin enters a year; deadlines use it at once', async () => {
    let j = expectStatus(await official.get('/api/v1/workdays?from=2031-12-31&n=1'), 200);
    assert.equal(j.date, '2032-01-01');
    assert.equal(j.covered, false);
    const days = [{ date: '2032-01-01', off: true, name: '元旦' }, { date: '2032-01-03', off: false, name: '元旦调休' }];
    expectStatus(await official.put('/api/v1/calendar/2032', { days }), 403, 'forbidden');
    expectStatus(await sysadmin.put('/api/v1/calendar/2032', { days: [{ date: '2032-01-05', off: false }] }), 400, 'invalid_field', 'days');
    expectStatus(await sysadmin.put('/api/v1/calendar/2032', { days: [{ date: '2032-01-03', off: true }] }), 400, 'invalid_field', 'days');
    expectStatus(await sysadmin.put('/api/v1/calendar/2032', { days: [{ date: '2031-12-31', off: true }] }), 400, 'invalid_field', 'days');
    expectStatus(await sysadmin.put('/api/v1/calendar/2032', { days: [days[0], days[0]] }), 400, 'invalid_field', 'days');
    expectStatus(await official.get('/api/v1/calendar/2032'), 404, 'not_found');   // nothing was stored
    const y = expectStatus(await sysadmin.put('/api/v1/calendar/2032', { days, source: '国务院办公厅通知' }), 200);
    assert.equal(y.days.length, 2);
    j = expectStatus(await official.get('/api/v1/workdays?from=2031-12-31&n=1'), 200);
    assert.equal(j.date, '2032-01-02', 'Thu 1 Jan off, Fri 2 Jan works');
    j = expectStatus(await official.get('/api/v1/workdays?from=2032-01-02&n=1'), 200);
    assert.equal(j.date, '2032-01-03', 'Saturday 3 Jan is a 调休 working day');
    const a = expectStatus(await auditor.get('/api/v1/audit?object_type=calendar'), 200);
    assert.ok(a.items.some((e) => e.object_id === '2032'));
  });
});
