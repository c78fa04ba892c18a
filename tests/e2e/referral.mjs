// referral.mjs: browser tests of the closed-loop referral (issue 3), registered into run.mjs's
// list. Scenarios: a hospital referral carried through to service; a waiting-list placement
// past three months re-referred (time jumps with `jingkang sweep --as-of`, which needs
// JK_DATA_DIR and JK_BIN from run.sh); a relapse sent back to hospital; the public application
// on a phone. Setup steps that are not the point of a test go through the API.
import { execFileSync } from 'node:child_process'

export function referralTests(test, h) {
  const { BASE, USERS, PASSWORD, el, field, pickOption, pickRegion, snap, assert, randomIdNumber, STEP_TIMEOUT } = h

  // Logs in as another user in the same browser context (the old session cookie is dropped).
  async function login(page, username) {
    await page.context().clearCookies()
    await h.login(page, username)
  }

  // A small API client with a session (cookie + CSRF), for setup.
  async function apiAs(username) {
    const r = await fetch(`${BASE}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
    const cookie = r.headers.get('set-cookie').split(';')[0]
    const { csrf_token: csrf } = await r.json()
    const call = async (method, p, body) => {
      const res = await fetch(`${BASE}/api/v1${p}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
      const j = await res.json().catch(() => null)
      assert(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(j)}`)
      return j
    }
    return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b || {}) }
  }
  const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const personName = () => `转介${'甲乙丙丁戊己庚辛'[Math.floor(Math.random() * 8)]}${Date.now() % 10000}`
  async function referralAt(status) {   // a hospital referral taken by API to `status` at the demo 米易 institution
    const hosp = await apiAs(USERS.hospital)
    const name = personName()
    let r = await hosp.post('/referrals', { client: { name, id_number: randomIdNumber(h.COUNTY), residence_region: h.COUNTY, hukou_region: h.COUNTY, diagnosis: 'F20.0' },
      source: 'hospital', need: { functions: ['day_care'] }, consent: { client_agreed: true, guardian_agreed: true, signed_on: today() },
      assessment: { date: today(), risk_level: 1 } })
    const worker = await apiAs(USERS.referral)
    const rehab = await apiAs(USERS.rehab)
    const org = (await rehab.get('/session')).user.organization
    const steps = [[worker, 'register'], [worker, 'dispatch', { organization: org }], [rehab, 'accept'],
      [rehab, 'consent', { client_signed: true, signed_on: today(), version: '2026.1' }],
      [rehab, 'agreement', { client_signed: true, signed_on: today(), version: '2026.1', price_terms: '日间照料 30元/天' }], [rehab, 'start']]
    const upto = { dispatched: 2, in_service: 6 }[status]
    for (const [api, action, body] of steps.slice(0, upto)) r = await api.post(`/referrals/${r.id}/${action}`, body)
    return { ...r, name }
  }
  async function act(page, action, fill = async () => {}) {
    await el(page, `action-${action}`).click()
    await el(page, 'action-submit').waitFor()
    await fill()
    await el(page, 'action-submit').click()
    await page.locator('[data-test="action-dialog"]').first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT })
  }
  async function statusIs(page, text) {
    await page.waitForFunction((t) => document.querySelector('[data-test="referral-status"]')?.innerText.includes(t), text, { timeout: STEP_TIMEOUT })
  }

  test('a hospital referral is carried through to service', async ({ page }) => {
    const name = personName()
    await login(page, USERS.hospital)
    await page.goto(`${BASE}/referrals/new`)
    await field(page, 'field-name').fill(name)
    await field(page, 'field-id-number').fill(randomIdNumber(h.COUNTY))
    await pickRegion(page, 'field-residence', h.COUNTY_NAME, h.COUNTY_NAME)
    await pickRegion(page, 'field-hukou', h.COUNTY_NAME, h.COUNTY_NAME)
    await field(page, 'field-diagnosis').fill('F20.0')
    await page.locator('[data-test="field-functions"] label', { hasText: '日间照料' }).click()
    await page.locator('[data-test="field-client-agreed"]').click()
    await page.locator('[data-test="field-guardian-agreed"]').click()
    await h.selectByClick(page, 'field-risk', '1 级')
    await el(page, 'referral-submit').click()
    await statusIs(page, '待初核')
    const url = page.url()
    await snap(page, 'referral-submitted')

    await login(page, USERS.referral)
    await page.goto(`${BASE}/worklist`)
    await page.locator('[data-test="inbox-to_register"] a', { hasText: name }).first().click()
    await act(page, 'register')
    await statusIs(page, '待转介')
    await el(page, 'action-dispatch').click()
    await el(page, 'suggestion-name').waitFor()
    const first = '米易县精康家园社区康复中心'   // the demo rehab_worker's institution, among the ranked suggestions
    await page.locator('[data-test="suggestion-name"]', { hasText: first }).first().click()
    await el(page, 'action-submit').click()
    await statusIs(page, '已转介待接收')
    const org = await el(page, 'referral-org').innerText()
    assert(org.includes(first), `dispatched to ${org}, picked ${first}`)
    await snap(page, 'referral-dispatched')

    await login(page, USERS.rehab)
    await page.goto(`${BASE}/worklist`)
    await page.locator('[data-test="inbox-to_receive"] a', { hasText: name }).first().click()
    await act(page, 'accept')
    await statusIs(page, '已接收待签约')
    await act(page, 'consent', () => field(page, 'field-guardian_name').fill('王父'))
    await el(page, 'doc-consent').waitFor()
    await act(page, 'agreement')
    await el(page, 'doc-agreement').waitFor()
    await act(page, 'start')
    await statusIs(page, '服务中')
    const steps = await page.locator('[data-test="referral-timeline"] .el-timeline-item').count()
    assert(steps === 7, `timeline has ${steps} steps`)
    assert(page.url() === url, 'same referral')
  })

  test('a wait past three months comes back for re-check and is re-referred', async ({ page }) => {
    if (!process.env.JK_DATA_DIR || !process.env.JK_BIN) throw new Error('JK_DATA_DIR and JK_BIN are needed to jump ahead with jingkang sweep')
    const r = await referralAt('dispatched')
    await login(page, USERS.rehab)
    await page.goto(`${BASE}/referrals/${r.id}`)
    await act(page, 'waitlist')
    await statusIs(page, '排队等候')
    await page.goto(`${BASE}/waitlist`)
    await page.locator('[data-test="referral-table"] a', { hasText: r.name }).first().waitFor()
    const ahead = new Date(Date.now() + 100 * 86400e3).toISOString()
    execFileSync(process.env.JK_BIN, ['sweep', '--as-of', ahead, '--data', process.env.JK_DATA_DIR])
    await login(page, USERS.referral)
    await page.goto(`${BASE}/worklist`)
    await page.locator('[data-test="inbox-recheck"] a', { hasText: r.name }).first().click()
    await statusIs(page, '等候超期待复核')
    await el(page, 'action-rerefer').click()
    await el(page, 'action-submit').waitFor()
    await page.locator('[data-test="field-wishes_confirmed"]').click()
    await el(page, 'action-submit').click()
    await statusIs(page, '已转介待接收')
    const org = await el(page, 'referral-org').innerText()
    assert(!org.includes(r.organization.name), `re-referred to another institution, got ${org}`)
  })

  test('a relapse is sent back to hospital and shows in its green channel', async ({ page }) => {
    const r = await referralAt('in_service')
    await login(page, USERS.rehab)
    await page.goto(`${BASE}/referrals/${r.id}`)
    await el(page, 'action-relapse').click()
    await el(page, 'field-hospital').click()
    await page.keyboard.type('精神卫生')
    await pickOption(page, 'field-hospital', '攀枝花市精神卫生中心')
    await field(page, 'field-reason').fill('病情复发，出现幻听')
    await el(page, 'action-submit').click()
    await statusIs(page, '复发回院')
    await login(page, USERS.hospital)
    await page.goto(`${BASE}/worklist`)
    await page.locator('[data-test="inbox-green_channel"] a', { hasText: r.name }).first().waitFor()
  })

  test('anyone applies on a phone without an account and follows progress by receipt', async ({ context }) => {
    const phone = await context.browser().newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true })
    const page = await phone.newPage()
    try {
      await page.goto(`${BASE}/login`)
      await el(page, 'login-apply').click()
      await field(page, 'apply-name').fill(personName())
      await field(page, 'apply-id-number').fill(randomIdNumber(h.COUNTY))
      await field(page, 'apply-phone').fill(`139${String(Date.now()).slice(-8)}`)
      await pickRegion(page, 'apply-region', h.COUNTY_NAME, h.COUNTY_NAME)
      await page.locator('[data-test="apply-needs"] label').first().click()
      await el(page, 'apply-submit').click()
      const receipt = await el(page, 'apply-receipt').innerText()
      assert(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(receipt), `receipt ${receipt}`)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert(width <= 380, `page wider than the phone: ${width}`)
      await el(page, 'apply-status-link').click()
      await el(page, 'status-label').waitFor()
      assert((await el(page, 'status-label').innerText()).includes('待初核'), 'status shown')
      await page.screenshot({ path: `${h.OUT}/referral-public-phone.png`, fullPage: true })
    } finally {
      await phone.close()
    }
  })

  test('an official sets the county\'s referral rules and sees where they come from', async ({ page }) => {
    await login(page, USERS.official)
    await page.goto(`${BASE}/rules`)
    await el(page, 'rules-from').waitFor()
    await field(page, 'rules-age-max').fill('65')
    await el(page, 'rules-save').click()
    await page.waitForFunction(() => document.querySelector('[data-test="rules-from"]')?.innerText.includes('米易县'), null, { timeout: STEP_TIMEOUT })
    await el(page, 'rules-restore').click()
    await page.waitForFunction(() => document.querySelector('[data-test="rules-from"]')?.innerText.includes('全国默认'), null, { timeout: STEP_TIMEOUT })
  })

  test('sysadmin subscribes a system to referral events and gets the secret once', async ({ page }) => {
    await login(page, USERS.sysadmin)
    await page.goto(`${BASE}/webhooks`)
    await field(page, 'hook-url').fill('http://127.0.0.1:9/his')
    await el(page, 'hook-create').click()
    const text = await el(page, 'hook-secret').innerText()
    assert(/[0-9a-f]{64}/.test(text), `secret shown: ${text}`)
    await page.locator('[data-test="hook-table"] td', { hasText: 'http://127.0.0.1:9/his' }).first().waitFor()
  })

  test('sysadmin enters a year of holidays; the working-day calculator uses it', async ({ page }) => {
    await login(page, USERS.sysadmin)
    await page.goto(`${BASE}/calendar`)
    await page.locator('[data-test="calendar-years"] td', { hasText: '2026' }).first().waitFor()
    await field(page, 'calendar-new-year').fill('2033')
    await page.keyboard.press('Enter')
    await el(page, 'calendar-add').click()
    await page.locator('[data-test="calendar-days"] input').first().fill('2033-01-03')
    await el(page, 'calendar-save').click()
    await page.locator('[data-test="calendar-years"] td', { hasText: '2033' }).first().waitFor()
  })

  test('an official sees the referral overview of the county with overdue counts', async ({ page }) => {
    await login(page, USERS.official)
    await page.goto(`${BASE}/worklist`)
    await el(page, 'referral-overview').waitFor()
    const rows = await page.locator('[data-test="overview-table"] tbody tr').count()
    assert(rows >= 1, `overview rows: ${rows}`)
    await el(page, 'inbox-overdue').waitFor()
  })
}
