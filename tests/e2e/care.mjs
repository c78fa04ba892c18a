// care.mjs: browser tests of assessments and plans (issue 4), registered into run.mjs's list.
// Scenarios: the multidisciplinary intake assessment filled in the form drawn from its definition,
// each section signed by its author, then a rehab plan drawn up for the client; a PHQ-9 whose
// item 9 is above 0 raising the suicide-risk alert on the form, on the result and in the
// institution's work list, where it is acknowledged. Setup goes through the API.
export function careTests(test, h) {
  const { BASE, USERS, PASSWORD, el, field, login, pickOption, snap, assert, STEP_TIMEOUT } = h

  async function apiAs(username) {
    const r = await fetch(`${BASE}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
    const cookie = r.headers.get('set-cookie').split(';')[0]
    const { csrf_token: csrf } = await r.json()
    return async (method, p, body) => {
      const res = await fetch(`${BASE}/api/v1${p}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
      const j = await res.json().catch(() => null)
      assert(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(j)}`)
      return j
    }
  }
  // A client in service at the demo institution with an empty file (no assessment, no plan: the
  // demo keeps its newest clients in service so), different for each test (by index).
  async function clientInService(i) {
    const call = await apiAs(USERS.rehab)
    const list = await call('GET', '/clients?status=in_service&page_size=50')
    const fresh = []
    for (const c of list.items.slice().reverse()) {
      const [plan, done] = await Promise.all([call('GET', `/clients/${c.id}/plan`), call('GET', `/clients/${c.id}/assessments`)])
      if (!plan.current && done.items.length === 0) fresh.push(c)
      if (fresh.length > i) return fresh[i]
    }
    assert(false, `no client in service with an empty file (${fresh.length} found, wanted ${i + 1})`)
  }
  // Answers every required item that applies by clicking its first option (or typing).
  async function answerAll(page, def, over = {}) {
    const answers = {}
    for (const it of def.items) {
      if (it.show_if && !it.show_if.in.some((v) => answers[it.show_if.item] === v)) continue
      if (!it.required && !(it.id in over)) continue
      const v = it.id in over ? over[it.id] : it.options ? it.options[0].value : it.type === 'number' ? it.min : '评估良好，能配合'
      answers[it.id] = it.type === 'multi' ? [v] : v
      if (it.type === 'choice' || it.type === 'multi') await el(page, `item-${it.id}-${v}`).click()
      else if (it.type === 'number') await el(page, `item-${it.id}`).locator('input').fill(String(v))
      else if (it.type === 'text') await el(page, `item-${it.id}`).locator('input, textarea').first().fill(String(v))
    }
    return answers
  }
  async function select(page, testId, text) {
    await el(page, testId).click()
    await pickOption(page, testId, text)
  }

  test('care: an intake assessment signed by the team, then a rehab plan', async ({ page }) => {
    const c = await clientInService(0)
    const call = await apiAs(USERS.rehab)
    const def = await call('GET', '/instruments/intake')
    await login(page, USERS.rehab)
    await page.goto(`${BASE}/clients/${c.id}/assess/intake`)
    await el(page, 'section-psychiatrist').waitFor({ timeout: STEP_TIMEOUT })
    await answerAll(page, def, { rehab_opinion: '适合参加日间康复，重点服药训练与社交技能训练' })
    const signers = { psychiatrist: '何医生', nurse: '罗护士', therapist: '邓治疗师', social_worker: '张社工' }
    for (const s of def.sections.filter((x) => x.signer)) await select(page, `sign-${s.id}`, signers[s.signer])
    await page.waitForFunction(() => document.querySelector('[data-test="live-missing"]')?.innerText.includes('已全部作答'), null, { timeout: STEP_TIMEOUT })
    await snap(page, 'care-intake-form')
    await el(page, 'assess-submit').click()
    await el(page, 'assess-result').waitFor({ timeout: STEP_TIMEOUT })
    const saved = await call('GET', `/clients/${c.id}/assessments?instrument=intake`)
    assert(saved.items.length >= 1, 'the intake is stored')
    const full = await call('GET', `/assessments/${saved.items[0].id}`)
    assert(full.signatures.psychiatrist?.name === '何医生', `signed: ${JSON.stringify(full.signatures)}`)

    await el(page, 'result-back').click()
    await el(page, 'client-care').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('.el-tabs__item', { hasText: '康复方案' }).click()
    await el(page, 'plan-edit').click()
    await el(page, 'plan-dialog').waitFor()
    await field(page, 'plan-goal-0').fill('三个月内能按时自行服药')
    await select(page, 'plan-service-0', '服药训练')
    await select(page, 'plan-staff-0', '罗护士')
    await el(page, 'plan-save').click()
    await page.locator('[data-test="plan-goals"]', { hasText: '三个月内能按时自行服药' }).waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-test="plan-services"]', { hasText: '服药训练' }).waitFor({ timeout: STEP_TIMEOUT })
    const plan = await call('GET', `/clients/${c.id}/plan`)
    assert(plan.current && plan.current.services[0].staff.name === '罗护士', `plan: ${JSON.stringify(plan.current)}`)
    await page.locator('.el-tabs__item', { hasText: '评估' }).first().click()
    await page.locator('[data-test="care-assessments"]', { hasText: '综合评估' }).waitFor({ timeout: STEP_TIMEOUT })
  })

  test('care: a PHQ-9 with item 9 above 0 raises the suicide-risk alert', async ({ page }) => {
    const c = await clientInService(1)
    await login(page, USERS.rehab)
    await page.goto(`${BASE}/clients/${c.id}/assess/phq9`)
    await el(page, 'item-q1').waitFor({ timeout: STEP_TIMEOUT })
    for (let i = 1; i <= 8; i++) await el(page, `item-q${i}-0`).click()
    await el(page, 'item-q9-1').click()
    await el(page, 'live-flag-suicide_risk').waitFor({ timeout: STEP_TIMEOUT })
    const live = await el(page, 'live-score-value').innerText()
    assert(live.trim() === '1', `live score: ${live}`)
    await el(page, 'assess-submit').click()
    await el(page, 'assess-alert').waitFor({ timeout: STEP_TIMEOUT })
    assert((await el(page, 'result-score').innerText()).trim() === '1', 'server score')
    await snap(page, 'care-phq9-alert')
    await page.goto(`${BASE}/worklist`)
    const rows = page.locator('[data-test="alerts-table"] tr', { hasText: c.name })
    await rows.first().waitFor({ timeout: STEP_TIMEOUT })
    const before = await rows.count()
    await rows.first().locator('[data-test="alert-ack"]').click()
    await field(page, 'ack-note').fill('已电话联系监护人，安排次日门诊评估')
    await el(page, 'ack-save').click()
    await page.waitForFunction(([name, n]) => [...document.querySelectorAll('[data-test="alerts-table"] tr')]
      .filter((tr) => tr.innerText.includes(name)).length === n - 1, [c.name, before], { timeout: STEP_TIMEOUT })
  })
}
