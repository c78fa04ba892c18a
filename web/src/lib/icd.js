// icd.js: common ICD-10 chapter V (F00–F99) codes for the diagnosis field's suggestions.
// The server is the authority (it returns diagnosis_name and severe_disorder); this list only
// helps typing. Six severe disorders (六类严重精神障碍): 精神分裂症 F20, 分裂情感性障碍 F25,
// 持久的妄想性障碍 F22, 双相（情感）障碍 F31, 癫痫所致精神障碍 F06 (+G40),
// 精神发育迟滞伴发精神障碍 F70–F79.

export const ICD_F = [
  ['F20.0', '偏执型精神分裂症'], ['F20.1', '青春型精神分裂症'], ['F20.2', '紧张型精神分裂症'],
  ['F20.3', '未分化型精神分裂症'], ['F20.5', '残留型精神分裂症'], ['F20.6', '单纯型精神分裂症'],
  ['F20.9', '精神分裂症，未特定'],
  ['F22.0', '妄想性障碍'], ['F22.9', '持久的妄想性障碍，未特定'],
  ['F25.0', '分裂情感性障碍，躁狂型'], ['F25.1', '分裂情感性障碍，抑郁型'], ['F25.9', '分裂情感性障碍，未特定'],
  ['F31.0', '双相情感障碍，目前为轻躁狂发作'], ['F31.1', '双相情感障碍，目前为不伴精神病性症状的躁狂发作'],
  ['F31.2', '双相情感障碍，目前为伴精神病性症状的躁狂发作'], ['F31.3', '双相情感障碍，目前为轻度或中度抑郁发作'],
  ['F31.6', '双相情感障碍，目前为混合性发作'], ['F31.9', '双相情感障碍，未特定'],
  ['F06.2', '器质性妄想性［精神分裂症样］障碍（含癫痫所致）'], ['F06.8', '其他特指的脑损害和功能紊乱所致精神障碍'],
  ['F70', '轻度精神发育迟滞'], ['F71', '中度精神发育迟滞'], ['F72', '重度精神发育迟滞'], ['F73', '极重度精神发育迟滞'],
  ['F32.1', '中度抑郁发作'], ['F32.2', '不伴精神病性症状的重度抑郁发作'], ['F32.3', '伴精神病性症状的重度抑郁发作'],
  ['F33.1', '复发性抑郁障碍，目前为中度发作'], ['F41.0', '惊恐障碍'], ['F41.1', '广泛性焦虑障碍'],
  ['F42', '强迫性障碍'], ['F43.1', '创伤后应激障碍'], ['F10.2', '酒精所致依赖综合征'],
  ['F84.0', '儿童孤独症'], ['F90.0', '注意缺陷多动障碍'], ['F03', '未特定的痴呆'],
]

const SEVERE = [/^F20/, /^F25/, /^F22/, /^F31/, /^F06/, /^F7\d/]

export function normalizeIcd(raw) {
  return String(raw || '').trim().toUpperCase().replace(/[。．]/g, '.')
}

export function icdLookup(raw) {
  const c = normalizeIcd(raw)
  if (!c) return null
  const exact = ICD_F.find(([code]) => code === c)
  const wellFormed = /^F\d{2}(\.\d{1,2})?$/.test(c)
  return {
    code: c,
    name: exact ? exact[1] : '',
    wellFormed,
    severe: wellFormed && SEVERE.some((re) => re.test(c)),
  }
}
