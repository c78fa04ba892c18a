// exports.mjs: browser tests of the background export jobs (我的导出, /exports), registered into
// run.mjs's list. An evaluator starts the de-identified extract as a job from 指标与报表, lands on
// 我的导出, sees the job go to 可下载 (with its rows and the 24-hour notice), downloads the CSV
// (BOM and header checked) and deletes the job; a county official starts the 统计报告 and gets
// an xlsx. (docs/internals/exports.md)
//
// Env: JK_USER_EVALUATOR (evaluator).
export function exportTests(test, h) {
  const { BASE, USERS, COUNTY, el, login, snap, assert, STEP_TIMEOUT } = h
  const EVALUATOR = process.env.JK_USER_EVALUATOR || 'evaluator'

  async function startJob(page, item, kind) {
    await page.goto(`${BASE}/indicators?region=${COUNTY}`)
    await el(page, 'ind-cards').waitFor({ timeout: STEP_TIMEOUT })
    const reqP = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/exports' && r.method() === 'POST', { timeout: STEP_TIMEOUT })
    const respP = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/exports' && r.request().method() === 'POST', { timeout: STEP_TIMEOUT })
    respP.catch(() => {})   // reported through reqP when nothing is sent
    await el(page, 'ind-export-job-button').click()
    await page.locator('.el-dropdown-menu__item:visible', { hasText: item }).first().click()
    const u = new URL((await reqP).url())
    assert(u.searchParams.get('kind') === kind && u.searchParams.get('region') === COUNTY, `job request ${u}`)
    const resp = await respP
    assert(resp.status() === 202, `POST /exports: ${resp.status()} ${await resp.text()}`)
    const job = await resp.json()
    await page.waitForURL(/\/exports$/, { timeout: STEP_TIMEOUT })
    return job
  }

  async function waitDone(page, id) {
    const state = el(page, `export-state-${id}`)
    await state.waitFor({ timeout: STEP_TIMEOUT })
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'done',
      `[data-test="export-state-${id}"]`, { timeout: 30000 })
    return (await state.innerText()).trim()
  }

  async function download(page, id, ext) {
    const dlP = page.waitForEvent('download', { timeout: STEP_TIMEOUT })
    await el(page, `export-download-${id}`).click()
    const dl = await dlP
    assert(dl.suggestedFilename().endsWith(`.${ext}`), `file name ${dl.suggestedFilename()}`)
    const file = await dl.path()
    assert(file, 'download saved')
    const fs = await import('node:fs')
    return fs.readFileSync(file)
  }

  test('exports: an evaluator runs the extract in the background, sees it ready under 我的导出 and downloads it', async ({ page }) => {
    await login(page, EVALUATOR)
    const job = await startJob(page, '个案数据（CSV', 'indicator_extract')
    assert(/24 小时/.test(await el(page, 'exports-retention').innerText()), 'the page says the file is kept 24 hours')
    const text = await waitDone(page, job.id)
    assert(/可下载/.test(text) && /\d+ 行/.test(text), `state shown: ${text}`)
    const row = page.locator('[data-test="exports-table"] tr', { has: el(page, `export-state-${job.id}`) })
    const rowText = await row.innerText()
    assert(rowText.includes('个案数据') && rowText.includes('CSV'), `what is exported: ${rowText}`)
    await snap(page, 'exports-ready')
    const csv = await download(page, job.id, 'csv')
    assert(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, 'UTF-8 BOM')
    assert(csv.subarray(3).toString('utf8').startsWith('编号,性别,年龄段,'), 'the extract header')

    // leaving and coming back: the job is still listed; the link from the dashboard leads here
    await page.goto(`${BASE}/indicators?region=${COUNTY}`)
    await el(page, 'ind-my-exports').click()
    await page.waitForURL(/\/exports$/, { timeout: STEP_TIMEOUT })
    await el(page, `export-state-${job.id}`).waitFor({ timeout: STEP_TIMEOUT })

    // delete: confirmed, then gone from the list
    await el(page, `export-delete-${job.id}`).click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await el(page, `export-state-${job.id}`).waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
  })

  test('exports: a county official gets the 统计报告 workbook from a background job', async ({ page }) => {
    await login(page, USERS.official)
    const job = await startJob(page, '统计报告（Excel）', 'indicator_report')
    await waitDone(page, job.id)
    const xlsx = await download(page, job.id, 'xlsx')
    assert(xlsx.subarray(0, 2).toString('latin1') === 'PK', 'xlsx is a zip file')
    await snap(page, 'exports-report')
  })
}
