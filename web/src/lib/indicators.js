// indicators.js: what the indicators dashboard (IndicatorsView) and its printable report
// (IndicatorReport) share: the period in the URL, number formats, and file downloads from the
// export endpoints (GET /api/v1/indicators/export, /indicators/{id}/export, /indicators/report).

// Who sees the 指标与报表 screen, and who of them may follow a number down to the clients.
export const INDICATOR_ROLES = ['official', 'referral_worker', 'evaluator', 'rehab_staff', 'hospital_staff']
export const CLIENT_LINK_ROLES = ['official', 'referral_worker', 'rehab_staff']

export const LEVEL_LABELS = { country: '全国', province: '省', prefecture: '市', county: '县', township: '乡镇', village: '村（社区）' }
export const DEFINITION_SOURCES = { default: '精康默认口径', national: '全国统一口径', province: '本省口径' }
export const PERIOD_KINDS = { month: '月度', quarter: '季度', year_to_date: '年初至今', year: '年度', range: '自定义期间' }

const pad = (n) => String(n).padStart(2, '0')

// Today in China, whatever the browser's time zone: { y, m, d }.
export function chinaToday() {
  const s = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Shanghai' }).format(new Date())
  const [y, m, d] = s.split('-').map(Number)
  return { y, m, d }
}
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate()

// The period picker's state from the route query: { kind: year|quarter|month|range, year, quarter,
// month ('YYYY-MM'), from, to }. Missing or bad values fall back to this year (to date).
export function periodFromQuery(q) {
  const t = chinaToday()
  const kind = ['year', 'quarter', 'month', 'range'].includes(q.period) ? q.period : 'year'
  const year = /^\d{4}$/.test(q.year || '') ? Number(q.year) : t.y
  const quarter = /^[1-4]$/.test(q.quarter || '') ? Number(q.quarter) : Math.max(1, Math.floor((t.m - 1) / 3))
  const lastMonth = t.m === 1 ? `${t.y - 1}-12` : `${t.y}-${pad(t.m - 1)}`
  const month = /^\d{4}-\d{2}$/.test(q.month || '') ? q.month : lastMonth
  const okDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s)
  const from = okDate(q.from) ? q.from : ''
  const to = okDate(q.to) ? q.to : ''
  return { kind: kind === 'range' && !(from && to) ? 'year' : kind, year, quarter, month, from, to }
}

// The route query for a period (only the keys its kind uses).
export function periodToQuery(p) {
  if (p.kind === 'quarter') return { period: 'quarter', year: String(p.year), quarter: String(p.quarter) }
  if (p.kind === 'month') return { period: 'month', month: p.month }
  if (p.kind === 'range') return { period: 'range', from: p.from, to: p.to }
  return p.year === chinaToday().y ? {} : { period: 'year', year: String(p.year) }
}

// from/to for the API; {} = the server's default (this year up to the end of last month).
export function periodRange(p) {
  if (p.kind === 'quarter') {
    const m1 = p.quarter * 3 - 2, m3 = p.quarter * 3
    return { from: `${p.year}-${pad(m1)}-01`, to: `${p.year}-${pad(m3)}-${lastDay(p.year, m3)}` }
  }
  if (p.kind === 'month') {
    const [y, m] = p.month.split('-').map(Number)
    return { from: `${p.month}-01`, to: `${p.month}-${lastDay(y, m)}` }
  }
  if (p.kind === 'range') return { from: p.from, to: p.to }
  if (p.year === chinaToday().y) return {}
  return { from: `${p.year}-01-01`, to: `${p.year}-12-31` }
}

// The scope part of the route query: { region } or { organization } (none = the caller's own scope).
export function scopeFromQuery(q) {
  if (typeof q.organization === 'string' && q.organization) return { organization: q.organization }
  if (typeof q.region === 'string' && /^\d{2,12}$/.test(q.region)) return { region: q.region }
  return {}
}

// ---------- numbers ----------
export function fmtCount(n) { return typeof n === 'number' ? n.toLocaleString('zh-CN') : '—' }
export function fmtValue(v, unit) {
  if (v === null || v === undefined) return '—'
  if (unit === 'days') return `${fmtCount(v)} 天`
  return unit === 'percent' ? `${Number(v).toFixed(1)}%` : fmtCount(v)
}
export function fmtTarget(ind) {
  if (ind.target === null || ind.target === undefined) return '无目标'
  return ind.unit === 'percent' ? `≥${ind.target}%` : `≥${fmtCount(ind.target)}`
}
// met | behind | none (no target, or nothing to measure)
export function statusOf(x) {
  if (x.met === true) return 'met'
  if (x.met === false) return 'behind'
  return 'none'
}
export const STATUS_LABELS = { met: '达标', behind: '未达标', none: '无目标' }
export const STATUS_COLORS = { met: '#2f8f4e', behind: '#d03050', none: '#a0a8ae' }
export function statusLabel(x) {
  const s = statusOf(x)
  if (s === 'none' && x.target !== null && x.target !== undefined) return '无数据'
  return STATUS_LABELS[s]
}
export function fmtDateTime(s) {
  if (!s) return '—'
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(d)
}

// ---------- exports ----------
export function apiUrl(path, query) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') p.append(k, String(v))
  const s = p.toString()
  return `/api/v1${path}${s ? `?${s}` : ''}`
}

function filenameOf(res, fallback) {
  const cd = res.headers.get('Content-Disposition') || ''
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(cd)
  if (star) { try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')) } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(cd)
  return plain ? plain[1].trim() : fallback
}

// Fetches a file from an export URL and hands it to the browser as a download. Errors are thrown
// with the server's Chinese message (a 403 or a 404 must not end up as a downloaded JSON file).
export async function downloadFile(url, fallbackName) {
  let res
  try {
    res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new Error('无法连接服务器，请检查网络后重试')
  }
  if (!res.ok) {
    let msg = `导出失败（${res.status}）`
    try { const b = await res.json(); if (b?.error?.message) msg = b.error.message } catch { /* not JSON */ }
    if (res.status === 404 && msg === `导出失败（404）`) msg = '导出功能暂不可用'
    throw new Error(msg)
  }
  const blob = await res.blob()
  const name = filenameOf(res, fallbackName)
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 30000)
  return name
}
