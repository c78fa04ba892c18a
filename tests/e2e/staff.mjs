// staff.mjs: browser tests of 人员与培训 (/staff), registered into run.mjs's list. An institution
// adds a worker and records training up to the 20-hour target; an official sees the staff of the
// whole county (the demo institution's people and the region's referral worker) and the targets.
export function staffTests(test, h) {
  const { BASE, USERS, el, field, login, selectByClick, snap, assert, STEP_TIMEOUT } = h

  const rowOf = (page, name) => page.locator('[data-test="staff-table"] .el-table__body-wrapper tr', { hasText: name }).first()
  const dialog = (page, name) => page.locator(`.el-dialog[data-test="${name}"]`).first()

  async function openStaff(page) {
    await page.goto(`${BASE}/staff`)
    await el(page, 'summary-qualified-pct').waitFor({ timeout: STEP_TIMEOUT })
  }

  async function recordTraining(page, name, hours, topic) {
    await rowOf(page, name).locator('[data-test="staff-train"]').click()
    const dlg = dialog(page, 'training-dialog')
    await dlg.waitFor({ timeout: STEP_TIMEOUT })
    await selectByClick(page, 'training-kind', '集中培训')
    await field(page, 'training-hours').fill(String(hours))
    await page.keyboard.press('Tab')
    await field(page, 'training-topic').fill(topic)
    await el(page, 'training-save').click()
    await dlg.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT })
  }

  async function hoursOf(page, name) {
    return (await rowOf(page, name).locator('[data-test="staff-hours-value"]').innerText()).trim()
  }

  test('staff: an institution adds a worker and records 20 hours of training', async ({ page }) => {
    const name = `测试${Date.now() % 10000}`
    await login(page, USERS.rehab)
    await openStaff(page)
    const pct = await el(page, 'summary-qualified').innerText()
    assert(/\d+(\.\d)?\s*%/.test(pct) && /达标/.test(pct), `summary shows a share with the target mark: ${pct}`)
    assert(/在职人员/.test(await el(page, 'staff-summary').innerText()), 'summary shows 在职人员')

    await el(page, 'staff-add').click()
    await dialog(page, 'staff-dialog').waitFor({ timeout: STEP_TIMEOUT })
    await field(page, 'staff-name').fill(name)
    await selectByClick(page, 'staff-profession', '社会工作者')
    await selectByClick(page, 'staff-major-field', '社会工作')
    await el(page, 'staff-save').click()
    await dialog(page, 'staff-dialog').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT })
    const row = rowOf(page, name)
    await row.waitFor({ timeout: STEP_TIMEOUT })
    const rowText = await row.innerText()
    assert(rowText.includes('社会工作者') && rowText.includes('相关专业') && rowText.includes('在职'), `new row: ${rowText}`)
    assert((await hoursOf(page, name)) === '0', `new worker starts at 0 hours, got ${await hoursOf(page, name)}`)

    await recordTraining(page, name, 12, '精神障碍社区康复服务规范')
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-test="staff-table"] tr')]
      .some((tr) => tr.innerText.includes(n) && tr.querySelector('[data-test="staff-hours-value"]')?.innerText.trim() === '12'), name, { timeout: STEP_TIMEOUT })
    let met = await row.locator('[data-test="staff-hours"]').getAttribute('data-met')
    assert(met === 'false', `12 hours is not yet the target (data-met=${met})`)

    await recordTraining(page, name, 8, '个案管理与危机干预')
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-test="staff-table"] tr')]
      .some((tr) => tr.innerText.includes(n) && tr.querySelector('[data-test="staff-hours-value"]')?.innerText.trim() === '20'), name, { timeout: STEP_TIMEOUT })
    assert((await hoursOf(page, name)) === '20', `row shows 20 hours, got ${await hoursOf(page, name)}`)
    met = await row.locator('[data-test="staff-hours"]').getAttribute('data-met')
    assert(met === 'true', `20 hours meets the target (data-met=${met})`)
    await row.locator('[data-test="staff-hours-met"]').waitFor({ timeout: STEP_TIMEOUT })

    // the person's record lists both trainings
    await row.locator('[data-test="staff-row-name"]').click()
    await dialog(page, 'staff-dialog').waitFor({ timeout: STEP_TIMEOUT })
    await page.waitForFunction(() => document.querySelectorAll('[data-test="staff-trainings"] .el-table__body-wrapper tr').length === 2, null, { timeout: STEP_TIMEOUT })
    await page.keyboard.press('Escape')
    await dialog(page, 'staff-dialog').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT })
    await snap(page, 'staff-training')
  })

  test('staff: an official sees the region\'s staff and the targets', async ({ page }) => {
    await login(page, USERS.official)
    await openStaff(page)
    const table = el(page, 'staff-table')
    for (const name of ['张社工', '何医生', '罗护士', '邓治疗师', '钱转介员']) await rowOf(page, name).waitFor({ timeout: STEP_TIMEOUT })
    const orgRow = await rowOf(page, '张社工').innerText()
    assert(orgRow.includes('米易县精康家园社区康复中心'), `张社工's row names the institution: ${orgRow}`)
    const workerRow = await rowOf(page, '钱转介员').innerText()
    assert(workerRow.includes('转介服务人员') && workerRow.includes('已培训'), `the referral worker's row: ${workerRow}`)
    const summary = await el(page, 'staff-summary').innerText()
    assert(/\d+(\.\d)?\s*%/.test(summary) && summary.includes('30%'), `summary shows the share against 30%: ${summary}`)
    const referral = await el(page, 'summary-referral').innerText()
    assert(referral.includes('需求评估') && /\d+\s*\/\s*\d+/.test(referral), `referral-worker summary line: ${referral}`)
    assert((await table.innerText()).includes('需求评估培训'), 'the table has the needs-assessment column')
    await snap(page, 'staff-official')
  })
}
