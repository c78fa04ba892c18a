// idcard.js: 公民身份号码 (GB 11643-1999) checked in the browser while the user types.
// 18 chars = 6 地址码 + 8 出生日期 + 3 顺序码 (odd = male) + 1 校验码 (ISO 7064 MOD 11-2).
// Legacy 15-digit numbers (GB 11643-1989: 6 + YYMMDD + 3) are upgraded by inserting "19"
// before the year and appending the check digit. The 地址码 is not looked up in the current
// division table (codes are retired when areas merge): only the province prefix is checked.
// The server checks the same again; this is for the person at the keyboard.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
])

export function checkDigit(first17) {
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i]
  return CHECK[s % 11]
}

export function normalizeIdNumber(raw) {
  return String(raw || '').replace(/\s+/g, '').toUpperCase()
}

function dateOk(y, m, d, today) {
  const dt = new Date(Date.UTC(y, m - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return '出生日期不是有效日期'
  if (y < 1900) return '出生日期早于1900年'
  const t = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())
  if (dt.getTime() > t) return '出生日期晚于今天'
  return ''
}

function ageOn(y, m, d, today) {
  let a = today.getFullYear() - y
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) a--
  return a
}

function pad(n) { return String(n).padStart(2, '0') }

/* Returns { state, message, ... }:
 *   state 'empty'   nothing typed
 *         'partial' typing, so far fine (message says how far)
 *         'invalid' wrong (message says why)
 *         'legacy'  a valid 15-digit number; `upgraded` holds the 18-digit form
 *         'valid'   a valid 18-digit number; `normalized` holds it (upper-case X)
 * with sex ('male'/'female'), birthDate ('YYYY-MM-DD'), age and regionCode when known. */
export function checkIdNumber(raw, today = new Date()) {
  const s = normalizeIdNumber(raw)
  if (!s) return { state: 'empty', message: '' }
  if (!/^\d*X?$/.test(s) || (s.includes('X') && s.length !== 18)) {
    return { state: 'invalid', message: '只能包含数字，最后一位可以是 X' }
  }
  if (s.length >= 2 && !PROVINCES.has(s.slice(0, 2))) {
    return { state: 'invalid', message: `前两位 ${s.slice(0, 2)} 不是有效的省级代码` }
  }
  if (s.length > 18) return { state: 'invalid', message: `位数过多（${s.length} 位），应为 18 位` }
  // 15 digits: a legacy number, or an 18-digit number still being typed
  const legacyBad = s.length === 15 ? dateOk(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)), today) : 'n/a'
  if (s.length === 15 && !legacyBad) {
    const y = 1900 + Number(s.slice(6, 8)), m = Number(s.slice(8, 10)), d = Number(s.slice(10, 12))
    const first17 = s.slice(0, 6) + '19' + s.slice(6)
    const upgraded = first17 + checkDigit(first17)
    return {
      state: 'legacy',
      message: '这是15位旧身份证号，请升级为18位后保存',
      upgraded,
      sex: Number(s[14]) % 2 ? 'male' : 'female',
      birthDate: `${y}-${pad(m)}-${pad(d)}`,
      age: ageOn(y, m, d, today),
      regionCode: s.slice(0, 6),
    }
  }
  if (s.length >= 14) {
    const y = Number(s.slice(6, 10)), m = Number(s.slice(10, 12)), d = Number(s.slice(12, 14))
    const bad = dateOk(y, m, d, today)
    if (bad) return { state: 'invalid', message: `第7–14位：${bad}` }
  }
  if (s.length < 18) return { state: 'partial', message: `已输入 ${s.length} / 18 位` }
  const want = checkDigit(s.slice(0, 17))
  if (s[17] !== want) return { state: 'invalid', message: '校验位错误，请核对号码（可能有录入错误）' }
  const y = Number(s.slice(6, 10)), m = Number(s.slice(10, 12)), d = Number(s.slice(12, 14))
  return {
    state: 'valid',
    message: '校验通过',
    normalized: s,
    sex: Number(s[16]) % 2 ? 'male' : 'female',
    birthDate: `${y}-${pad(m)}-${pad(d)}`,
    age: ageOn(y, m, d, today),
    regionCode: s.slice(0, 6),
  }
}

/* 第二代残疾人证号: 18-digit ID number + 1 类别 + 1 等级 (validated leniently). */
export function checkDisabilityCertificate(raw, idNumber) {
  const s = normalizeIdNumber(raw)
  if (!s) return { state: 'empty', message: '' }
  const x = s.indexOf('X')
  if (/[^\dX]/.test(s) || (x >= 0 && x !== 17)) return { state: 'invalid', message: '残疾人证号由身份证号（18位）加类别、等级组成，只能包含数字和第18位的 X' }
  if (s.length < 20) return { state: 'partial', message: `已输入 ${s.length} / 20 位（身份证号18位 + 类别1位 + 等级1位）` }
  if (s.length > 20) return { state: 'invalid', message: '残疾人证号应为20位' }
  const id = normalizeIdNumber(idNumber)
  if (id && id.length === 18 && s.slice(0, 18) !== id) return { state: 'invalid', message: '前18位应与身份证号一致' }
  const cat = Number(s[18]), grade = Number(s[19])
  if (cat < 1 || cat > 7) return { state: 'invalid', message: '第19位残疾类别应为1–7' }
  if (grade < 1 || grade > 4) return { state: 'invalid', message: '第20位残疾等级应为1–4' }
  return { state: 'valid', message: '格式正确', category: cat, grade }
}
