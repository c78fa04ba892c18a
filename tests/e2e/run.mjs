#!/usr/bin/env node
// run.mjs: browser tests of the Jingkang web UI against a running server with demo data.
//
//   JK_BASE_URL=http://127.0.0.1:18080 node tests/e2e/run.mjs [name-filter]
//
// Plain Node + playwright-core (no test runner). Each test gets a fresh browser context; the
// tests run in order and later ones use what earlier ones made (the client created through the
// form). Prints `ok - name` / `not ok - name` per test, then exactly one line `N passed, N failed`,
// and exits non-zero when any failed. A screenshot per test goes to tests/e2e/output/.
//
// Demo logins (override with env): JK_USER_OFFICIAL (county_official, 米易县 510421),
// JK_USER_REHAB (rehab_worker), JK_USER_REFERRAL (referral_worker), JK_USER_SYSADMIN (sysadmin),
// JK_USER_AUDITOR (auditor); JK_PASSWORD (Jingkang-Demo-2026!); JK_COUNTY (510421);
// JK_CHROMIUM (/usr/bin/chromium); JK_TEST_TIMEOUT_MS (90000).
import { chromium } from 'playwright-core'
import { referralTests } from './referral.mjs'
import { careTests } from './care.mjs'
import { totpTests, totpStepLogin } from './totp.mjs'
import { serviceTests } from './services.mjs'
import { staffTests } from './staff.mjs'
import { indicatorTests } from './indicators.mjs'
import { exportTests } from './exports.mjs'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const OUT = path.join(here, 'output')
const BASE = (process.env.JK_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
const PASSWORD = process.env.JK_PASSWORD || 'Jingkang-Demo-2026!'
const USERS = {
  official: process.env.JK_USER_OFFICIAL || 'county_official',
  rehab: process.env.JK_USER_REHAB || 'rehab_worker',
  referral: process.env.JK_USER_REFERRAL || 'referral_worker',
  sysadmin: process.env.JK_USER_SYSADMIN || 'sysadmin',
  auditor: process.env.JK_USER_AUDITOR || 'auditor',
  hospital: process.env.JK_USER_HOSPITAL || 'hospital_worker',
}
const COUNTY = process.env.JK_COUNTY || '510421'
const COUNTY_NAME = process.env.JK_COUNTY_NAME || '米易县'
const TEST_TIMEOUT = Number(process.env.JK_TEST_TIMEOUT_MS || 90000)
const STEP_TIMEOUT = 15000

// ---------- test data ----------
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
function checkDigit(first17) {
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i]
  return '10X98765432'[s % 11]
}
const rand = (n) => Math.floor(Math.random() * n)
const pad = (n, w = 2) => String(n).padStart(w, '0')
// A valid 18-digit 公民身份号码 (GB 11643, MOD 11-2) from the given county.
function randomIdNumber(county) {
  const y = 1965 + rand(36), m = 1 + rand(12), d = 1 + rand(28)
  const first17 = `${county}${y}${pad(m)}${pad(d)}${pad(1 + rand(998), 3)}`
  return first17 + checkDigit(first17)
}
function wrongCheckDigit(id) {
  const c = '0123456789X'.split('').find((x) => x !== id[17])
  return id.slice(0, 17) + c
}
const GIVEN = '伟芳敏静丽强磊军洋勇艳杰涛明超秀霞平刚英华兰建国玉红文志德海云春林燕琴鹏辉宇婷'
const state = {
  idNumber: randomIdNumber(COUNTY),
  name: `欧阳${GIVEN[rand(GIVEN.length)]}${GIVEN[rand(GIVEN.length)]}`,
  guardianPhone: `139${pad(rand(1e8), 8)}`,
  clientId: null,
}

// ---------- helpers ----------
function assert(cond, msg) { if (!cond) throw new Error(msg) }
const field = (page, name) => page.locator(`input[data-test="${name}"], textarea[data-test="${name}"], [data-test="${name}"] input, [data-test="${name}"] textarea`).first()
const el = (page, name) => page.locator(`[data-test="${name}"]`).first()

async function login(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/login`)
  await field(page, 'login-username').fill(username)
  await field(page, 'login-password').fill(password)
  await el(page, 'login-submit').click()
  await totpStepLogin(page, username, { el, field, STEP_TIMEOUT })   // administrators: the 6-digit code
  await el(page, 'user-name').waitFor({ timeout: STEP_TIMEOUT })
}

// Picks an option of an Element Plus select. The dropdown is teleported to <body>; its list is
// found through the select's aria-controls, so a closing dropdown of another select is never hit.
async function pickOption(page, testId, text) {
  const input = el(page, testId).locator('input').first()
  const listId = await input.getAttribute('aria-controls').catch(() => null)
  const scope = listId ? `[id="${listId}"] ` : ''
  const opt = page.locator(`${scope}.el-select-dropdown__item:visible`, { hasText: text }).first()
  await opt.waitFor({ timeout: STEP_TIMEOUT })
  await opt.click()
}
async function selectByClick(page, testId, text) {
  await el(page, testId).click()
  await pickOption(page, testId, text)
}
// Region picker: use its name search box and pick the match whose path contains `pathText`.
async function pickRegion(page, testId, query, pathText) {
  await el(page, `${testId}-search`).click()
  await page.keyboard.type(query)
  await pickOption(page, `${testId}-search`, pathText)
}
async function menuTexts(page) {
  return (await page.locator('.el-menu-item').allInnerTexts()).map((s) => s.trim())
}
// An extra screenshot in the middle of a test (the runner takes one at the end of each).
async function snap(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0)) // sticky header and menu: shoot from the top
  await page.waitForTimeout(200)
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true })
}
function needClient() {
  assert(state.clientId, '前置测试未能创建康复对象（clientId 为空）')
}

// ---------- tests ----------
const tests = []
const test = (name, fn) => tests.push({ name, fn })

test('login shows server error message for bad credentials', async ({ page }) => {
  await page.goto(`${BASE}/login`)
  await field(page, 'login-username').fill('no_such_user_e2e')
  await field(page, 'login-password').fill('wrong-password-123456')
  await el(page, 'login-submit').click()
  const err = el(page, 'login-error')
  await err.waitFor({ timeout: STEP_TIMEOUT })
  const text = await err.innerText()
  assert(/用户名或密码错误/.test(text), `expected 用户名或密码错误, got: ${text}`)
})

test('official logs in and sees home, role and menus', async ({ page }) => {
  await login(page, USERS.official)
  const role = await el(page, 'user-role').innerText()
  assert(role.includes('主管部门'), `role label: ${role}`)
  const scope = await el(page, 'user-scope').innerText()
  assert(scope.includes(COUNTY_NAME), `scope: ${scope}`)
  const menus = await menuTexts(page)
  assert(JSON.stringify(menus) === JSON.stringify(['首页', '指标与报表', '工作台', '转介', '康复对象', '机构', '人员与培训', '转介规则']), `menus: ${menus}`)
  await el(page, 'stat-clients').waitFor({ timeout: STEP_TIMEOUT })
  const n = await el(page, 'stat-clients').innerText()
  assert(/\d/.test(n), `clients card: ${n}`)
})

test('create a client through the form', async ({ page }) => {
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients/new`)
  await field(page, 'client-name').fill(state.name)
  // live ID number checking in the browser
  await field(page, 'client-id-number').fill(wrongCheckDigit(state.idNumber))
  let hint = await el(page, 'client-id-number-hint').innerText()
  assert(hint.includes('校验位错误'), `hint for a wrong check digit: ${hint}`)
  await field(page, 'client-id-number').fill(state.idNumber.slice(0, 6) + state.idNumber.slice(8, 17))
  hint = await el(page, 'client-id-number-hint').innerText()
  assert(hint.includes('15位'), `hint for a 15-digit number: ${hint}`)
  await field(page, 'client-id-number').fill(state.idNumber)
  hint = await el(page, 'client-id-number-hint').innerText()
  const sex = Number(state.idNumber[16]) % 2 ? '男' : '女'
  const birth = `${state.idNumber.slice(6, 10)}-${state.idNumber.slice(10, 12)}-${state.idNumber.slice(12, 14)}`
  assert(hint.includes('校验通过') && hint.includes(sex) && hint.includes(birth), `hint for a valid number: ${hint}`)

  await field(page, 'client-phone').fill('13812345678')
  await field(page, 'client-address').fill('攀莲镇安宁路66号3栋2单元')
  await pickRegion(page, 'client-residence', COUNTY_NAME, COUNTY_NAME)
  await pickRegion(page, 'client-hukou', COUNTY_NAME, COUNTY_NAME)
  await field(page, 'client-diagnosis').fill('F20.0')
  await page.keyboard.press('Escape')
  await el(page, 'guardian-add').click()
  await field(page, 'guardian-name').fill('欧阳建国')
  await selectByClick(page, 'guardian-relation', '父亲')
  await field(page, 'guardian-phone').fill(state.guardianPhone)
  await field(page, 'client-notes').fill('浏览器测试登记')
  await snap(page, '03a-client-form-filled')
  await el(page, 'client-save').click()
  await page.waitForURL(/\/clients\/[0-9a-f-]{36}$/, { timeout: STEP_TIMEOUT })
  state.clientId = page.url().split('/').pop()
  await el(page, 'client-id-number').waitFor({ timeout: STEP_TIMEOUT })
  const shown = await el(page, 'client-id-number').innerText()
  assert(shown.includes('*') && !shown.includes(state.idNumber), `detail shows the ID number unmasked: ${shown}`)
})

test('duplicate ID number is refused with a link to the existing client', async ({ page }) => {
  needClient()
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients/new`)
  await field(page, 'client-name').fill(state.name)
  await field(page, 'client-id-number').fill(state.idNumber)
  await pickRegion(page, 'client-residence', COUNTY_NAME, COUNTY_NAME)
  await el(page, 'client-save').click()
  const link = el(page, 'client-duplicate-link')
  await link.waitFor({ timeout: STEP_TIMEOUT })
  const href = await link.getAttribute('href')
  assert(href && href.endsWith(state.clientId), `duplicate link: ${href}`)
})

test('a possible duplicate (same name, birth date and county) is warned about after create', async ({ page }) => {
  needClient()
  // same county and birth date, another sequence number: a different, valid ID number
  let other
  do other = state.idNumber.slice(0, 14) + pad(1 + rand(998), 3)
  while (other === state.idNumber.slice(0, 17))
  other += checkDigit(other)
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients/new`)
  await field(page, 'client-name').fill(state.name)
  await field(page, 'client-id-number').fill(other)
  await pickRegion(page, 'client-residence', COUNTY_NAME, COUNTY_NAME)
  await el(page, 'client-save').click()
  await page.waitForURL(/\/clients\/[0-9a-f-]{36}$/, { timeout: STEP_TIMEOUT })
  const w = el(page, 'client-warning')
  await w.waitFor({ timeout: STEP_TIMEOUT })
  assert((await w.innerText()).includes('核实'), `warning: ${await w.innerText()}`)
  const hrefs = await w.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert(hrefs.some((h) => h.endsWith(state.clientId)), `warning links: ${hrefs}`)
  state.duplicateId = page.url().split('/').pop()
})

test('find the client by name in the list', async ({ page }) => {
  needClient()
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients`)
  await field(page, 'client-search-q').fill(state.name)
  await el(page, 'client-search-submit').click()
  const masked = `${state.idNumber.slice(0, 6)}********${state.idNumber.slice(14)}`
  const rows = page.locator('[data-test="client-table"] .el-table__body tr', { hasText: state.name })
  await rows.first().waitFor({ timeout: STEP_TIMEOUT })
  await snap(page, '05a-client-list')
  const table = await el(page, 'client-table').innerText()
  assert(!table.includes(state.idNumber), 'the list shows a full ID number')
  const row = rows.filter({ hasText: masked }).first()
  assert(await row.count() === 1, `no row with ${state.name} and the masked ID ${masked}: ${table}`)
  await row.locator('[data-test="client-row-link"]').click()
  await page.waitForURL(new RegExp(`/clients/${state.clientId}$`), { timeout: STEP_TIMEOUT })
})

test('find the client by ID number without putting it in a URL', async ({ page }) => {
  needClient()
  const urls = []
  page.on('request', (r) => urls.push(r.url()))
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients`)
  await el(page, 'client-find-by-id').click()
  await field(page, 'find-id-number').fill(state.idNumber)
  await el(page, 'find-id-submit').click()
  await page.waitForURL(new RegExp(`/clients/${state.clientId}$`), { timeout: STEP_TIMEOUT })
  assert(!urls.some((u) => u.includes(state.idNumber)), 'the ID number appeared in a request URL')
})

test('detail shows masked values and no reveal button for an official', async ({ page }) => {
  needClient()
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients/${state.clientId}`)
  const id = el(page, 'client-id-number')
  await id.waitFor({ timeout: STEP_TIMEOUT })
  const shown = (await id.innerText()).trim()
  assert(/^\d{6}\*+\d{3}[\dX]$/.test(shown), `masked ID: ${shown}`)
  const phone = (await el(page, 'client-phone').innerText()).trim()
  assert(phone.includes('*'), `masked phone: ${phone}`)
  assert(await el(page, 'client-reveal').count() === 0, 'official should not see 查看完整信息')
})

test('official edits the client status', async ({ page }) => {
  needClient()
  const bodies = []
  page.on('request', (r) => { if (r.method() === 'PATCH') bodies.push(r.postData()) })
  await login(page, USERS.official)
  await page.goto(`${BASE}/clients/${state.clientId}/edit`)
  await field(page, 'client-name').waitFor()
  await page.waitForFunction(() => document.querySelector('input[data-test="client-name"]')?.value !== '')
  await selectByClick(page, 'client-status', '服务中')
  await el(page, 'client-save').click()
  await page.waitForURL(new RegExp(`/clients/${state.clientId}$`), { timeout: STEP_TIMEOUT })
  const tag = el(page, 'client-status-tag')
  await tag.waitFor()
  assert((await tag.innerText()).includes('服务中'), `status tag: ${await tag.innerText()}`)
  assert(bodies.length === 1 && JSON.parse(bodies[0]).status === 'in_service' && Object.keys(JSON.parse(bodies[0])).length === 1,
    `PATCH should carry only the changed field: ${bodies}`)
})

test('referral worker reveals the full ID number with a reason', async ({ page }) => {
  needClient()
  await login(page, USERS.referral)
  await page.goto(`${BASE}/clients/${state.clientId}`)
  await el(page, 'client-reveal').click()
  await selectByClick(page, 'reveal-reason', '办理转介需核对身份')
  await el(page, 'reveal-confirm').click()
  await el(page, 'client-revealed-banner').waitFor({ timeout: STEP_TIMEOUT })
  const shown = (await el(page, 'client-id-number').innerText()).trim()
  assert(shown === state.idNumber, `revealed ID: ${shown}`)
  await snap(page, '08a-client-revealed')
  const guardians = await el(page, 'client-guardians').innerText()
  assert(guardians.includes(state.guardianPhone), `revealed guardian phone missing: ${guardians}`)
  await el(page, 'client-hide').click()
  const again = (await el(page, 'client-id-number').innerText()).trim()
  assert(again.includes('*'), `hidden again: ${again}`)
})

test('rehab worker of another organization is refused', async ({ page }) => {
  needClient()
  await login(page, USERS.rehab)
  await page.goto(`${BASE}/clients/${state.clientId}`)
  const na = el(page, 'no-access')
  await na.waitFor({ timeout: STEP_TIMEOUT })
  assert((await na.innerText()).includes('无权访问或不存在'), 'refusal message')
})

test('auditor opening a client record is refused', async ({ page }) => {
  needClient()
  await login(page, USERS.auditor)
  await page.goto(`${BASE}/clients/${state.clientId}`)
  const na = el(page, 'no-access')
  await na.waitFor({ timeout: STEP_TIMEOUT })
  assert((await na.innerText()).includes('无权访问或不存在'), 'refusal message')
  assert(!(await page.content()).includes(state.name), 'the client name leaked to the auditor')
})

test('organizations list loads and opens a detail', async ({ page }) => {
  await login(page, USERS.official)
  await page.goto(`${BASE}/organizations`)
  const rows = page.locator('[data-test="org-table"] .el-table__body tr')
  await rows.first().waitFor({ timeout: STEP_TIMEOUT })
  assert(await rows.count() > 0, 'no organizations')
  await field(page, 'org-search-q').fill('康复')
  await el(page, 'org-search-submit').click()
  const link = page.locator('[data-test="org-row-link"]', { hasText: '康复' }).first()
  await link.waitFor({ timeout: STEP_TIMEOUT })
  const name = (await link.innerText()).trim()
  await link.click()
  await page.waitForURL(/\/organizations\/[^/]+$/, { timeout: STEP_TIMEOUT })
  await page.getByText('服务项目与收费').waitFor({ timeout: STEP_TIMEOUT })
  assert((await page.locator('h2').first().innerText()).includes(name), 'detail heading')
})

test('official creates an organization, prices entered in yuan are sent in fen', async ({ page }) => {
  const bodies = []
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/organizations')) bodies.push(r.postData()) })
  const name = `${COUNTY_NAME}同心康复驿站${pad(rand(100))}`
  await login(page, USERS.official)
  await page.goto(`${BASE}/organizations/new`)
  await field(page, 'org-name').fill(name)
  await selectByClick(page, 'org-kind', '社区康复机构')
  await selectByClick(page, 'org-mode', '政府购买服务')
  await page.locator('[data-test="org-functions"] .el-checkbox', { hasText: '日间照料' }).click()
  await page.locator('[data-test="org-functions"] .el-checkbox', { hasText: '职业康复' }).click()
  await field(page, 'org-capacity').fill('30')
  await pickRegion(page, 'org-region', COUNTY_NAME, COUNTY_NAME)
  await field(page, 'org-address').fill('攀莲镇康宁街8号')
  await field(page, 'org-lat').fill('26.89')
  await field(page, 'org-lng').fill('102.11')
  await el(page, 'service-add').click()
  await field(page, 'service-name').fill('日间照料')
  await field(page, 'service-price').fill('12.5')
  await field(page, 'org-phone').click() // blur the price input so it commits
  await el(page, 'org-save').click()
  await page.waitForURL(/\/organizations\/[0-9a-f-]{36}$/, { timeout: STEP_TIMEOUT })
  const table = el(page, 'org-services-table')
  await table.waitFor()
  const text = await table.innerText()
  assert(text.includes('12.50'), `services table: ${text}`)
  const sent = JSON.parse(bodies[0] || '{}')
  assert(sent.services && sent.services[0].price_fen === 1250, `price_fen sent: ${bodies[0]}`)
  assert(sent.location && sent.location.lat === 26.89 && sent.capacity === 30, `body: ${bodies[0]}`)
})

test('sysadmin sees the user administration list', async ({ page }) => {
  await login(page, USERS.sysadmin)
  const menus = await menuTexts(page)
  assert(JSON.stringify(menus) === JSON.stringify(['首页', '机构', '用户管理', '转介规则', '节假日', '事件推送']), `menus: ${menus}`)
  await page.goto(`${BASE}/users`)
  const cell = page.locator('[data-test="user-row-username"]', { hasText: USERS.official }).first()
  await cell.waitFor({ timeout: STEP_TIMEOUT })
  assert(await el(page, 'user-new').isVisible(), '新建用户 button')
})

test('sysadmin creates a rehab staff account', async ({ page }) => {
  const username = `e2e_${Date.now().toString(36)}`
  await login(page, USERS.sysadmin)
  await page.goto(`${BASE}/users`)
  await el(page, 'user-new').click()
  await field(page, 'new-user-username').fill(username)
  await field(page, 'new-user-display').fill('浏览器测试 康复师')
  await selectByClick(page, 'new-user-role', '康复机构工作人员')
  await el(page, 'new-user-org').click()
  await page.keyboard.type('精康')
  await pickOption(page, 'new-user-org', '精康')
  await field(page, 'new-user-password').fill('Kang-Fu-Test-2026!x')
  await el(page, 'new-user-submit').click()
  await field(page, 'user-search-q').fill(username)
  await page.keyboard.press('Enter')
  await page.locator('[data-test="user-row-username"]', { hasText: username }).first().waitFor({ timeout: STEP_TIMEOUT })
})

test('auditor sees audit entries for the client and verifies the chain', async ({ page }) => {
  needClient()
  await login(page, USERS.auditor)
  const menus = await menuTexts(page)
  assert(JSON.stringify(menus) === JSON.stringify(['首页', '审计']), `menus: ${menus}`)
  await page.goto(`${BASE}/audit`)
  const rows = page.locator('[data-test="audit-table"] .el-table__body tr')
  await rows.first().waitFor({ timeout: STEP_TIMEOUT })
  await field(page, 'audit-filter-id').fill(state.clientId)
  await el(page, 'audit-search').click()
  await page.locator('[data-test="audit-table"] .el-table__body tr', { hasText: '查看完整信息' }).first().waitFor({ timeout: STEP_TIMEOUT })
  const text = await el(page, 'audit-table').innerText()
  assert(text.includes(USERS.referral), `reveal by ${USERS.referral} not in the audit view`)
  await el(page, 'audit-verify').click()
  const res = el(page, 'audit-verify-result')
  await res.waitFor({ timeout: STEP_TIMEOUT })
  const r = await res.innerText()
  assert(r.includes('审计链完整'), `verify: ${r}`)
})

test('logout ends the session', async ({ page }) => {
  await login(page, USERS.official)
  await el(page, 'logout').click()
  await page.waitForURL(/\/login/, { timeout: STEP_TIMEOUT })
  await page.goto(`${BASE}/clients`)
  await page.waitForURL(/\/login/, { timeout: STEP_TIMEOUT })
  const status = await page.evaluate(async () => (await fetch('/api/v1/session', { credentials: 'same-origin' })).status)
  assert(status === 401, `GET /session after logout: ${status}`)
})

// ---------- runner ----------
const helpers = { BASE, USERS, PASSWORD, OUT, COUNTY, COUNTY_NAME, STEP_TIMEOUT, el, field, login, pickOption, selectByClick, pickRegion, snap, assert, randomIdNumber }
referralTests(test, helpers)
careTests(test, helpers)
totpTests(test, helpers)
serviceTests(test, helpers)
staffTests(test, helpers)
indicatorTests(test, helpers)
exportTests(test, helpers)

async function main() {
  fs.mkdirSync(OUT, { recursive: true })
  const filter = process.argv[2]
  if (!filter) for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f))
  const browser = await chromium.launch({
    executablePath: process.env.JK_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
  let passed = 0, failed = 0, i = 0
  for (const t of tests) {
    i++
    if (filter && !t.name.includes(filter)) continue
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|403|404|409)/.test(m.text())) pageErrors.push(m.text()) })
    let error = null
    let timer
    try {
      await Promise.race([
        t.fn({ page, context }),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${TEST_TIMEOUT} ms`)), TEST_TIMEOUT) }),
      ])
    } catch (e) {
      error = e
    } finally {
      clearTimeout(timer)
    }
    const shot = path.join(OUT, `${pad(i)}-${t.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.png`)
    await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {})
    await page.waitForTimeout(300).catch(() => {})
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
    await context.close().catch(() => {})
    if (error) {
      failed++
      console.log(`not ok - ${t.name}`)
      // the first lines of the message, without the terminal colours of Playwright's call log
      const lines = String(error.message || error).replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim())
      console.log(`  # ${lines.slice(0, 8).join('\n  # ')}`)
      if (pageErrors.length) console.log(`  # browser errors: ${pageErrors.slice(0, 5).join(' | ')}`)
    } else {
      passed++
      console.log(`ok - ${t.name}`)
    }
  }
  await browser.close()
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed ? 1 : 0
}

main().catch((e) => {
  console.error(e)
  console.log('0 passed, 1 failed')
  process.exit(1)
})
