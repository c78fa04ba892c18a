// webhooks.test.mjs: systems subscribe to referral events; each step of a referral is POSTed to
// them, signed with the shared secret, and retried with back-off when the receiver fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { startServer, expectStatus, eventually, makeIdNumber, uniqueName, UUID_RE } from './helpers.mjs';

let srv, sysadmin, hospital, worker, receiver, port;
const got = [];
let failFirst = 0;
before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(500).end('not now');
        return;
      }
      got.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  port = receiver.address().port;
  srv = await startServer({ env: { JINGKANG_WEBHOOK_BACKOFF_MS: '300' } });
  [sysadmin, hospital, worker] = await Promise.all(['sysadmin', 'hospital_worker', 'referral_worker'].map((u) => srv.login(u)));
});
after(async () => {
  await srv?.close();
  receiver?.close();
});

const verify = (secret, h, body) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h['x-jingkang-signature']);
  assert.ok(m, `signature header ${h['x-jingkang-signature']}`);
  assert.equal(m[2], createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex'));
};

describe('webhook subscriptions', () => {
  let hook;
  test('sysadmin subscribes; the secret is shown once', async () => {
    hook = expectStatus(await sysadmin.post('/api/v1/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['referral.*'] }), 201);
    assert.match(hook.id, UUID_RE);
    assert.match(hook.secret, /^[0-9a-f]{64}$/);
    const list = expectStatus(await sysadmin.get('/api/v1/webhooks'), 200);
    const mine = list.items.find((w) => w.id === hook.id);
    assert.ok(mine && !('secret' in mine), 'listed without the secret');
  });

  test('others are refused; bad input changes nothing', async () => {
    expectStatus(await worker.post('/api/v1/webhooks', { url: 'http://x', events: ['referral.*'] }), 403, 'forbidden');
    expectStatus(await sysadmin.post('/api/v1/webhooks', { url: 'ftp://x', events: ['referral.*'] }), 400, 'invalid_field', 'url');
    expectStatus(await sysadmin.post('/api/v1/webhooks', { url: 'http://x', events: [] }), 400, 'invalid_field', 'events');
    expectStatus(await sysadmin.post('/api/v1/webhooks', { url: 'http://x', events: ['referral.*'], secret: 'short' }), 400, 'invalid_field', 'secret');
  });

  test('a referral step is delivered, signed', async () => {
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const ref = expectStatus(await hospital.post('/api/v1/referrals', {
      client: { name: uniqueName(), id_number: makeIdNumber({ region: '510421' }), residence_region: '510421' },
      source: 'hospital', need: { functions: ['day_care'] }, consent: { client_agreed: true, guardian_agreed: true, signed_on: today },
    }), 201);
    expectStatus(await worker.post(`/api/v1/referrals/${ref.id}/register`, {}), 200);
    assert.ok(await eventually(() => got.some((g) => JSON.parse(g.body).event === 'referral.register'), { timeout: 10000 }), 'delivered');
    const d = got.find((g) => JSON.parse(g.body).event === 'referral.register');
    verify(hook.secret, d.headers, d.body);
    const msg = JSON.parse(d.body);
    assert.equal(msg.data.referral, ref.id);
    assert.equal(msg.data.status, 'registered');
    assert.ok(!d.body.includes(ref.client.name), 'no personal data in the payload');
    assert.ok(got.some((g) => JSON.parse(g.body).event === 'referral.created'));
  });

  test('a failing receiver gets the delivery again with back-off', async () => {
    failFirst = 1;
    const before = got.length;
    expectStatus(await sysadmin.post(`/api/v1/webhooks/${hook.id}/test`, {}), 202);
    assert.ok(await eventually(() => got.slice(before).some((g) => JSON.parse(g.body).event === 'referral.ping'), { timeout: 10000 }), 'ping delivered');
    const ds = expectStatus(await sysadmin.get(`/api/v1/webhooks/${hook.id}/deliveries`), 200);
    const ping = ds.items.find((x) => x.event === 'referral.ping');
    assert.equal(ping.state, 'done');
    assert.equal(ping.attempts, 2);
  });

  test('deactivated: nothing more is sent', async () => {
    expectStatus(await sysadmin.del(`/api/v1/webhooks/${hook.id}`), 204);
    const list = expectStatus(await sysadmin.get('/api/v1/webhooks'), 200);
    assert.equal(list.items.find((w) => w.id === hook.id).active, false);
    expectStatus(await sysadmin.del('/api/v1/webhooks/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});
