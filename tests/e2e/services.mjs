// services.mjs: browser tests of the service records (服务记录), registered into run.mjs's list.
// Scenario: a rehab worker enters a day's group session for a whole group of clients in one go
// (one absent), the session appears in the institution's ledger with its attendance, the record
// shows who was absent, and the ledger exports as .xlsx.
export function serviceTests(test, h) {
  const { BASE, USERS, el, field, login, selectByClick, snap, assert, STEP_TIMEOUT } = h

  test('services: a group session for several clients is entered in one go and appears in the ledger', async ({ page }) => {
    const topic = `小组${Date.now() % 100000}`
    await login(page, USERS.rehab)

    const started = Date.now()
    await page.goto(`${BASE}/services/new`)
    await el(page, 'service-client').waitFor({ timeout: STEP_TIMEOUT })
    await selectByClick(page, 'service-type', '社交技能训练')
    // the signed-in 张社工 is preselected once the staff list is in; add a second staff member
    await page.locator('[data-test="service-staff"] .el-tag', { hasText: '张社工' }).first().waitFor({ timeout: STEP_TIMEOUT })
    await selectByClick(page, 'service-staff', '何医生')
    await page.keyboard.press('Escape')
    await field(page, 'service-topic').fill(topic)
    await field(page, 'service-content').fill('情绪识别与表达练习，分组角色扮演。')

    // all clients in service, at most 20 (the API takes up to 100)
    await el(page, 'service-select-all').click()
    const boxes = page.locator('[data-test="service-client"]')
    const shown = await boxes.count()
    assert(shown >= 3, `clients in service shown: ${shown}`)
    const checked = page.locator('[data-test="service-client"].is-checked')
    assert(await checked.count() === shown, `全选 checked ${await checked.count()} of ${shown}`)
    for (let i = shown - 1; i >= 20; i--) await boxes.nth(i).click()
    const n = await checked.count()
    assert(n === Math.min(shown, 20), `selected ${n}`)
    const count = await el(page, 'service-count').innerText()
    assert(count.includes(`已选 ${n} 人`), `count: ${count}`)

    // one is absent: the third selected client
    const absentTile = page.locator('.client', { has: page.locator('[data-test="service-client"].is-checked') }).nth(2)
    const absentName = (await absentTile.locator('.name').innerText()).trim()
    await absentTile.locator('[data-test="service-attended"]').click()
    assert((await el(page, 'service-count').innerText()).includes(`出席 ${n - 1} 人`), 'attendance count after marking one absent')

    await snap(page, 'service-group-entry')
    await el(page, 'service-submit').click()
    const msg = page.locator('.el-message--success', { hasText: `已登记：${n} 人` })
    await msg.first().waitFor({ timeout: STEP_TIMEOUT })
    const elapsed = Date.now() - started
    assert(elapsed < 60000, `entering the group session took ${elapsed} ms`)

    // the ledger
    await page.waitForURL(/\/services(\?|$)/, { timeout: STEP_TIMEOUT })
    const row = page.locator('[data-test="service-table"] .el-table__body tr', { hasText: topic }).first()
    await row.waitFor({ timeout: STEP_TIMEOUT })
    const att = (await row.locator('[data-test="service-row-attendance"]').innerText()).trim()
    assert(att === `${n - 1}/${n}`, `出席/人数 shown: ${att}, expected ${n - 1}/${n}`)
    const rowText = await row.innerText()
    assert(rowText.includes('社交技能训练') && rowText.includes('小组') && rowText.includes('张社工') && rowText.includes('何医生'), `row: ${rowText}`)
    await snap(page, 'service-ledger')

    // the record shows the absent client, linked to the client's file
    await row.click()
    const absent = page.locator('[data-test="service-detail-absent"]')
    await absent.first().waitFor({ timeout: STEP_TIMEOUT })
    assert(await absent.count() === 1, `absent in the record: ${await absent.count()}`)
    assert((await absent.first().innerText()).includes(absentName), `absent shown: ${await absent.first().innerText()}, expected ${absentName}`)
    assert(await page.locator('[data-test="service-detail-present"]').count() === n - 1, 'present clients in the record')
    const href = await absent.first().locator('a').getAttribute('href')
    assert(/^\/clients\/[0-9a-f-]{36}$/.test(href || ''), `client link: ${href}`)
    await snap(page, 'service-record')
    await page.keyboard.press('Escape')

    // the export link downloads the ledger as .xlsx with the session cookie
    const exportHref = await el(page, 'service-export').getAttribute('href')
    assert(exportHref && exportHref.includes('/api/v1/service-records/ledger'), `export href: ${exportHref}`)
    assert(/from=\d{4}-\d{2}-\d{2}/.test(exportHref) && /to=\d{4}-\d{2}-\d{2}/.test(exportHref), `export period: ${exportHref}`)
    const res = await page.request.get(new URL(exportHref, BASE).toString())
    assert(res.status() === 200, `ledger download: ${res.status()}`)
    const type = res.headers()['content-type'] || ''
    assert(type.includes('spreadsheetml'), `ledger content-type: ${type}`)
    const body = await res.body()
    assert(body.length > 100 && body[0] === 0x50 && body[1] === 0x4b, 'the ledger is a zip (.xlsx) file')
  })
}
