// totp.mjs: browser tests of two-factor login — an administrator's login asks for the 6-digit
// code after the password, a wrong code is refused with the server's message, and any user
// can enrol on the account page. Also the code computation every e2e login of an
// administrator uses (totpStepLogin): RFC 6238 with node:crypto, each step used once.
import { createHmac } from 'node:crypto'

export const DEMO_TOTP_SECRET = process.env.JK_TOTP_SECRET || 'JINGKANGDEMOTOTPSECRETFORADMINS2'
const STEP_MS = 30000
const used = {}   // username → last step used (the server accepts each code once)
const secrets = {} // username → secret of accounts enrolled by these tests

function base32(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0, acc = 0
  const out = []
  for (const ch of s.replace(/[\s=]/g, '').toUpperCase()) {
    acc = (acc << 5 | A.indexOf(ch)) & 0xfff
    bits += 5
    if (bits >= 8) { out.push((acc >> (bits - 8)) & 0xff); bits -= 8 }
  }
  return Buffer.from(out)
}

export function totpCode(secret, step = Math.floor(Date.now() / STEP_MS)) {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(step))
  const h = createHmac('sha1', base32(secret)).update(msg).digest()
  const o = h[h.length - 1] & 0xf
  return String((((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1e6).padStart(6, '0')
}

/** A code for username not used before (waits for the next step when needed). */
export async function freshCode(username) {
  for (;;) {
    const now = Date.now(), cur = Math.floor(now / STEP_MS)
    const cands = [(now % STEP_MS) < STEP_MS - 3000 ? cur - 1 : null, cur, cur + 1]
    const step = cands.find((s) => s !== null && s > (used[username] ?? -1))
    if (step !== undefined) {
      used[username] = step
      return totpCode(secrets[username] || DEMO_TOTP_SECRET, step)
    }
    await new Promise((r) => setTimeout(r, STEP_MS - (now % STEP_MS) + 200))
  }
}

/** After the password step: completes the TOTP step when the login page asks for it. */
export async function totpStepLogin(page, username, { el, field, STEP_TIMEOUT }) {
  const who = el(page, 'user-name'), totp = el(page, 'login-totp')
  await Promise.race([who.waitFor({ timeout: STEP_TIMEOUT }), totp.waitFor({ timeout: STEP_TIMEOUT })])
  if (!(await totp.isVisible().catch(() => false))) return
  await field(page, 'login-totp').fill(await freshCode(username))
  await el(page, 'login-totp-submit').click()
}

export function totpTests(test, h) {
  const { BASE, USERS, PASSWORD, el, field, login, assert, STEP_TIMEOUT } = h

  test('2FA: administrator login asks for the TOTP code; a wrong code is refused', async ({ page }) => {
    await page.goto(`${BASE}/login`)
    await field(page, 'login-username').fill(USERS.auditor)
    await field(page, 'login-password').fill(PASSWORD)
    await el(page, 'login-submit').click()
    await el(page, 'login-totp').waitFor({ timeout: STEP_TIMEOUT })
    const right = await freshCode(USERS.auditor)
    const wrong = right === '000000' ? '111111' : '000000'
    await field(page, 'login-totp').fill(wrong)
    await el(page, 'login-totp-submit').click()
    const err = el(page, 'login-error')
    await err.waitFor({ timeout: STEP_TIMEOUT })
    assert((await err.innerText()).includes('动态验证码'), `error shown: ${await err.innerText()}`)
    await field(page, 'login-totp').fill(right)
    await el(page, 'login-totp-submit').click()
    await el(page, 'user-name').waitFor({ timeout: STEP_TIMEOUT })
    // unlock the failure count is reset by the completed login; the account page says enabled
    await page.goto(`${BASE}/account`)
    await el(page, 'account-totp-on').waitFor({ timeout: STEP_TIMEOUT })
  })

  test('2FA: a user enrols on the account page and then needs the code to log in', async ({ page }) => {
    // a fresh official made through the API as sysadmin (the demo's password policy applies)
    await login(page, USERS.sysadmin)
    const username = `e2e_tf_${Date.now() % 1e6}`
    const pw = '康复服务平台2026安全E2E'
    const made = await page.evaluate(async ({ username, pw }) => {
      const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json()
      const r = await fetch('/api/v1/users', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
        body: JSON.stringify({ username, role: 'official', region: '510421', password: pw }),
      })
      return r.status
    }, { username, pw })
    assert(made === 201, `user created: ${made}`)
    await el(page, 'logout').click()
    await page.waitForURL(/\/login/, { timeout: STEP_TIMEOUT })
    await login(page, username, pw)
    await page.goto(`${BASE}/account`)
    await el(page, 'account-totp-off').waitFor({ timeout: STEP_TIMEOUT })
    await el(page, 'account-totp-start').click()
    const secretEl = el(page, 'account-totp-secret')
    await secretEl.waitFor({ timeout: STEP_TIMEOUT })
    secrets[username] = (await secretEl.innerText()).trim()
    assert(/^[A-Z2-7]{32}$/.test(secrets[username]), `secret shown: ${secrets[username]}`)
    assert((await el(page, 'account-totp-uri').innerText()).startsWith('otpauth://totp/'), 'otpauth URI shown')
    await field(page, 'account-totp-code').fill(await freshCode(username))
    await el(page, 'account-totp-confirm').click()
    await el(page, 'account-totp-on').waitFor({ timeout: STEP_TIMEOUT })
    await el(page, 'logout').click()
    await page.waitForURL(/\/login/, { timeout: STEP_TIMEOUT })
    await field(page, 'login-username').fill(username)
    await field(page, 'login-password').fill(pw)
    await el(page, 'login-submit').click()
    await el(page, 'login-totp').waitFor({ timeout: STEP_TIMEOUT })
    await field(page, 'login-totp').fill(await freshCode(username))
    await el(page, 'login-totp-submit').click()
    await el(page, 'user-name').waitFor({ timeout: STEP_TIMEOUT })
  })

  test('PIPL: client page: consent status and the export button for staff', async ({ page }) => {
    await login(page, USERS.rehab)
    await page.goto(`${BASE}/clients`)
    const link = page.locator('a[href^="/clients/"]').filter({ hasNotText: '新建' }).first()
    await link.waitFor({ timeout: STEP_TIMEOUT })
    await link.click()
    await el(page, 'consent-status').waitFor({ timeout: STEP_TIMEOUT })
    await el(page, 'client-export').waitFor({ timeout: STEP_TIMEOUT })
  })
}
