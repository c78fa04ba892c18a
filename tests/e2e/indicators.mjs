// indicators.mjs: browser tests of 指标与报表 (/indicators), registered into run.mjs's list.
// A city official sees the indicator cards and both charts, drills down from 攀枝花市 to 米易县 and
// to an institution (breadcrumb and URL follow; back and reload keep the place); an institution's
// worker sees only the institution; a county official asking for the city gets 无权访问; the
// exports and the printable report. No test asserts a figure: the demo data changes.
//
// Env: JK_USER_CITY (city_official, 攀枝花市 5104), JK_CITY (5104), JK_CITY_NAME (攀枝花市).
export function indicatorTests(test, h) {
  const { BASE, USERS, COUNTY, COUNTY_NAME, el, login, snap, assert, STEP_TIMEOUT } = h
  const CITY_USER = process.env.JK_USER_CITY || 'city_official'
  const CITY = process.env.JK_CITY || '5104'
  const CITY_NAME = process.env.JK_CITY_NAME || '攀枝花市'

  const crumbText = async (page) => (await el(page, 'ind-breadcrumb').innerText()).replace(/\s+/g, ' ').trim()
  const query = (page) => new URL(page.url()).searchParams

  async function openDashboard(page) {
    await page.goto(`${BASE}/indicators`)
    await el(page, 'ind-cards').waitFor({ timeout: STEP_TIMEOUT })
    await el(page, 'ind-card-standardized_service_rate').waitFor({ timeout: STEP_TIMEOUT })
  }
  // The breadcrumb shows `name` as its last, current element.
  async function waitCurrentCrumb(page, name) {
    await page.waitForFunction((n) => document.querySelector('[data-test="ind-breadcrumb"] [aria-current="page"]')?.textContent.trim() === n,
      name, { timeout: STEP_TIMEOUT })
  }

  test('indicators: a city official sees the cards and charts and drills down to the county and an institution', async ({ page }) => {
    await login(page, CITY_USER)
    const menus = (await page.locator('.el-menu-item').allInnerTexts()).map((s) => s.trim())
    assert(menus[1] === '指标与报表', `menu 指标与报表 after 首页: ${menus}`)
    await el(page, 'menu-indicators').click()
    await page.waitForURL(/\/indicators$/, { timeout: STEP_TIMEOUT })
    await el(page, 'ind-card-county_coverage').waitFor({ timeout: STEP_TIMEOUT })

    // the cards: every one has a value, a target line and a status colour
    const cards = page.locator('[data-test^="ind-card-"][data-status]')
    const n = await cards.count()
    assert(n >= 2, `indicator cards: ${n}`)
    for (let i = 0; i < n; i++) {
      const c = cards.nth(i)
      const status = await c.getAttribute('data-status')
      assert(['met', 'behind', 'none'].includes(status), `card status ${status}`)
      const text = await c.innerText()
      assert(/目标/.test(text), `card without target line: ${text}`)
      assert((await c.locator('[data-test="ind-card-value"]').innerText()).trim() !== '', 'card value')
    }
    // grouped under their headings; the referral waits in days, the severe and outcome cards have figures
    for (const g of ['服务覆盖', '严重精神障碍', '转介', '结局', '人员', '能力'])
      assert(await el(page, `ind-group-${g}`).count() === 1, `group ${g}`)
    const wait = (await el(page, 'ind-card-referral_wait_median').locator('[data-test="ind-card-value"]').innerText()).trim()
    assert(/^\d+ 天$/.test(wait), `median wait in days: ${wait}`)
    for (const id of ['referral_registered_on_time', 'severe_treatment_rate', 'satisfaction_rate']) {
      const v = (await el(page, `ind-card-${id}`).locator('[data-test="ind-card-value"]').innerText()).trim()
      assert(/%$/.test(v), `${id} has a figure from the demo's history: ${v}`)
    }
    const active = page.locator('[data-test="ind-card-standardized_service_rate"][aria-pressed="true"]')
    assert(await active.count() === 1, '规范服务率 is the selected indicator by default')
    const def = (await el(page, 'ind-definition-text').innerText()).trim()
    assert(def.length > 10, `规范服务 definition shown: ${def}`)
    assert(/数据截至/.test(await el(page, 'ind-as-of').innerText()), 'data date shown')

    // the charts render (canvas), the breadcrumb starts at the official's city
    await page.locator('[data-test="ind-trend-chart"] canvas').first().waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-test="ind-rank-chart"] canvas').first().waitFor({ timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, CITY_NAME)
    assert(!(await crumbText(page)).includes('全国'), `a city official's breadcrumb starts at the city: ${await crumbText(page)}`)
    await snap(page, 'indicators-city')

    // another indicator: its card becomes the selected one, the URL remembers it
    await el(page, 'ind-card-staff_training_20h').click()
    await page.waitForURL(/indicator=staff_training_20h/, { timeout: STEP_TIMEOUT })
    await page.waitForFunction(() => document.querySelector('[data-test="ind-selected-name"]')?.textContent.includes('培训'), null, { timeout: STEP_TIMEOUT })

    // drill down to 米易县 from the ranked sub-regions
    await el(page, `ind-child-${COUNTY}`).click()
    await page.waitForURL((u) => new URL(u).searchParams.get('region') === COUNTY, { timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, COUNTY_NAME)
    const crumbs = await crumbText(page)
    assert(crumbs.indexOf(CITY_NAME) >= 0 && crumbs.indexOf(CITY_NAME) < crumbs.indexOf(COUNTY_NAME), `breadcrumb ${crumbs}`)
    assert(query(page).get('indicator') === 'staff_training_20h', 'the selected indicator survives the drill-down')
    assert((await el(page, 'ind-scope-name').innerText()).includes(COUNTY_NAME), 'title names the county')
    // at county level: the institutions' table
    await el(page, 'ind-org-table').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-test="ind-trend-chart"] canvas').first().waitFor({ timeout: STEP_TIMEOUT })
    await snap(page, 'indicators-county')

    // reload keeps the place
    await page.reload()
    await waitCurrentCrumb(page, COUNTY_NAME)

    // an institution of the county: its own figures, and the way to its clients
    const orgLinks = page.locator('[data-test="ind-org-table"] [data-test^="ind-org-"]:not([data-test="ind-org-clients"])')
    await orgLinks.first().waitFor({ timeout: STEP_TIMEOUT })
    const orgName = (await orgLinks.first().innerText()).trim()
    await orgLinks.first().click()
    await page.waitForURL((u) => !!new URL(u).searchParams.get('organization'), { timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, orgName)
    await el(page, 'ind-card-standardized_service_rate').waitFor({ timeout: STEP_TIMEOUT })
    assert(await el(page, 'ind-children').count() === 0, 'no sub-region ranking for an institution')
    await el(page, 'ind-scope-clients').waitFor({ timeout: STEP_TIMEOUT })

    // back: the county again; the breadcrumb's city link: the top
    await page.goBack()
    await page.waitForURL((u) => new URL(u).searchParams.get('region') === COUNTY, { timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, COUNTY_NAME)
    await el(page, `ind-crumb-${CITY}`).click()
    await page.waitForURL((u) => !new URL(u).searchParams.get('region'), { timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, CITY_NAME)

    // 查看康复对象 from the institutions' table opens the client list filtered by it
    await el(page, `ind-child-${COUNTY}`).click()
    await el(page, 'ind-org-clients').click()
    await page.waitForURL(/\/clients\?organization=/, { timeout: STEP_TIMEOUT })
    await page.waitForFunction((name) => document.querySelector('[data-test="client-filter-org"]')?.innerText.includes(name)
      || [...document.querySelectorAll('[data-test="client-filter-org"] input')].some((i) => i.value.includes(name) || i.placeholder.includes(name)),
    orgName, { timeout: STEP_TIMEOUT })
  })

  test('indicators: the period picker puts the period in the URL', async ({ page }) => {
    await login(page, CITY_USER)
    await openDashboard(page)
    await el(page, 'ind-period-quarter-tab').click()
    await page.waitForURL((u) => new URL(u).searchParams.get('period') === 'quarter', { timeout: STEP_TIMEOUT })
    await page.waitForFunction(() => /季度/.test(document.querySelector('[data-test="ind-period-text"]')?.textContent || ''), null, { timeout: STEP_TIMEOUT })
    const q = query(page)
    const from = (await el(page, 'ind-period-text').innerText()).match(/(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})/)
    assert(from && from[1].endsWith('-01') && from[1].slice(0, 4) === q.get('year'), `quarter period: ${from} ${q}`)
    await el(page, 'ind-period-month-tab').click()
    await page.waitForURL((u) => new URL(u).searchParams.get('period') === 'month', { timeout: STEP_TIMEOUT })
    await page.waitForFunction(() => /月度/.test(document.querySelector('[data-test="ind-period-text"]')?.textContent || ''), null, { timeout: STEP_TIMEOUT })
    await page.goBack()
    await page.waitForFunction(() => /季度/.test(document.querySelector('[data-test="ind-period-text"]')?.textContent || ''), null, { timeout: STEP_TIMEOUT })
  })

  test('indicators: an institution\'s worker sees the institution only', async ({ page }) => {
    await login(page, USERS.rehab)
    const orgName = (await el(page, 'user-scope').innerText()).trim()
    await el(page, 'menu-indicators').click()
    await el(page, 'ind-card-standardized_service_rate').waitFor({ timeout: STEP_TIMEOUT })
    await waitCurrentCrumb(page, orgName)
    const crumbs = page.locator('[data-test="ind-breadcrumb"] .crumb')
    assert(await crumbs.count() === 1, `one breadcrumb element for an institution: ${await crumbText(page)}`)
    assert((await el(page, 'ind-scope-name').innerText()).includes(orgName), 'title names the institution')
    await page.locator('[data-test="ind-trend-chart"] canvas').first().waitFor({ timeout: STEP_TIMEOUT })
    assert(await el(page, 'ind-children').count() === 0, 'no sub-region ranking')
    assert(await el(page, 'ind-org-table').count() === 0, 'no institutions table')
    await el(page, 'ind-scope-clients').waitFor({ timeout: STEP_TIMEOUT })
    await snap(page, 'indicators-institution')
  })

  test('indicators: a county official asking for the city is refused', async ({ page }) => {
    await login(page, USERS.official)
    await page.goto(`${BASE}/indicators?region=${CITY}`)
    await el(page, 'no-access').waitFor({ timeout: STEP_TIMEOUT })
    await page.goto(`${BASE}/indicators`)
    await waitCurrentCrumb(page, COUNTY_NAME)
    assert(await page.locator('[data-test="ind-breadcrumb"] .crumb').count() === 1, 'a county official\'s breadcrumb starts at the county')
  })

  test('indicators: export to Excel and CSV, the statistical report and the printable page', async ({ page, context }) => {
    await login(page, USERS.official)
    await openDashboard(page)
    const period = (await el(page, 'ind-period-text').innerText()).match(/(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})/)
    assert(period, 'period shown')

    // Each export: the request goes to the right URL; when the server has the endpoint the browser
    // gets a file. (Until GET /indicators/export exists, /indicators/{id} answers 404 指标不存在.)
    async function exportOne(button, pathname, params, ext) {
      const reqP = page.waitForRequest((r) => new URL(r.url()).pathname === pathname, { timeout: STEP_TIMEOUT })
      const respP = page.waitForResponse((r) => new URL(r.url()).pathname === pathname, { timeout: STEP_TIMEOUT })
      const dlP = page.waitForEvent('download', { timeout: STEP_TIMEOUT }).catch((e) => e)
      await el(page, button).click()
      const req = await reqP
      const u = new URL(req.url())
      for (const [k, v] of Object.entries(params)) assert(u.searchParams.get(k) === v, `${pathname}: ${k}=${u.searchParams.get(k)}, expected ${v} (${req.url()})`)
      const resp = await respP
      if (resp.status() === 404) {
        const body = await resp.json().catch(() => ({}))
        assert(body?.error?.code === 'not_found', `${pathname}: 404 ${JSON.stringify(body)}`)
        console.log(`  # ${pathname}: the export endpoint is not there yet (404); checked the request only`)
        await page.locator('.el-message--error').first().waitFor({ timeout: STEP_TIMEOUT })
        return null
      }
      assert(resp.status() === 200, `${pathname}: HTTP ${resp.status()}`)
      const dl = await dlP
      assert(!(dl instanceof Error), `${pathname}: no download (${dl})`)
      assert(dl.suggestedFilename().endsWith(`.${ext}`), `${pathname}: file name ${dl.suggestedFilename()}`)
      const file = await dl.path()
      assert(file, 'download saved')
      return file
    }
    const scope = { region: COUNTY, from: period[1], to: period[2] }
    const xlsx = await exportOne('ind-export-xlsx', '/api/v1/indicators/export', { ...scope, format: 'xlsx' }, 'xlsx')
    if (xlsx) {
      const fs = await import('node:fs')
      const head = fs.readFileSync(xlsx).subarray(0, 2).toString('latin1')
      assert(head === 'PK', `xlsx is a zip file: ${JSON.stringify(head)}`)
    }
    const csv = await exportOne('ind-export-csv', '/api/v1/indicators/export', { ...scope, format: 'csv' }, 'csv')
    if (csv) {
      const fs = await import('node:fs')
      const buf = fs.readFileSync(csv)
      assert(buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf, 'CSV starts with the UTF-8 BOM')
    }
    await exportOne('ind-export-report', '/api/v1/indicators/report', scope, 'xlsx')

    // 打印: a new tab with the table, the definitions and the data date
    const popupP = context.waitForEvent('page', { timeout: STEP_TIMEOUT })
    await el(page, 'ind-print').click()
    const report = await popupP
    await report.waitForLoadState()
    const u = new URL(report.url())
    assert(u.pathname === '/indicators/report' && u.searchParams.get('region') === COUNTY && u.searchParams.get('from') === period[1], `report URL ${report.url()}`)
    await report.locator('[data-test="ind-report-table"]').waitFor({ timeout: STEP_TIMEOUT })
    const rows = await report.locator('[data-test="ind-report-table"] tbody tr').count()
    assert(rows >= 2, `report rows: ${rows}`)
    assert((await report.locator('[data-test="ind-report-definition"]').innerText()).trim().length > 10, 'definition on the report')
    assert(/数据截至/.test(await report.locator('[data-test="ind-report-as-of"]').innerText()), 'data date on the report')
    assert((await report.locator('[data-test="ind-report-title"]').innerText()).includes(COUNTY_NAME), 'report title')
    await report.emulateMedia({ media: 'print' })
    assert(!(await report.locator('[data-test="ind-report-print"]').isVisible()), 'the print button is hidden in print')
    await report.screenshot({ path: `${h.OUT}/indicators-report.png`, fullPage: true })
    await report.close()
  })
}
