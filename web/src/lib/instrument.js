// instrument.js: the live side of an assessment instrument (docs/internals/instruments.md) — which
// items apply (show_if), which required answers are missing, and the score, band and flags as the
// user answers. It mirrors src/domain/instrument.c so that the form shows what the server will
// store; only the server's score is kept (the submission carries answers, never a score).

const byId = (def) => {
  if (!def._index) def._index = Object.fromEntries(def.items.map((it) => [it.id, it]))
  return def._index
}

const given = (v) => v !== undefined && v !== null && v !== ''

export function shown(def, item, answers) {
  if (!item.show_if) return true
  const gov = byId(def)[item.show_if.item]
  if (!gov || !shown(def, gov, answers)) return false
  return item.show_if.in.some((v) => answers[gov.id] === v)
}

// The answers that apply (hidden items dropped, empty text and unset values left out).
export function cleanAnswers(def, answers) {
  const out = {}
  for (const it of def.items) {
    const v = answers[it.id]
    if (!shown(def, it, answers) || !given(v)) continue
    if (it.type === 'text' && String(v).trim() === '') continue
    out[it.id] = it.type === 'text' ? String(v).trim() : v
  }
  return out
}

// Required items that apply and are not answered yet (blank text counts as not answered).
export function missing(def, answers) {
  return def.items.filter((it) => it.required && shown(def, it, answers) &&
    (!given(answers[it.id]) || (it.type === 'text' && String(answers[it.id]).trim() === '')))
}

function compare(a, op, b) {
  switch (op) {
    case '>': return a > b
    case '>=': return a >= b
    case '<': return a < b
    case '<=': return a <= b
    case '==': return a === b
    case '!=': return a !== b
    default: return false
  }
}

function holds(def, when, answers, score) {
  if (when.score) {
    if (score === null) return false
    return when.op === 'in' ? when.value.includes(score) : compare(score, when.op, when.value)
  }
  const it = byId(def)[when.item]
  if (!it || !shown(def, it, answers)) return false
  const v = answers[when.item]
  if (!given(v)) return false
  if (Array.isArray(v)) {
    if (when.op === 'in') return v.some((x) => when.value.includes(x))
    if (when.op === '==') return v.includes(when.value)
    if (when.op === '!=') return !v.includes(when.value)
    return false
  }
  if (when.op === 'in') return when.value.includes(v)
  if (when.op === '==' || when.op === '!=') return compare(v, when.op, when.value)
  return typeof v === 'number' && compare(v, when.op, when.value)
}

// {score (or null), band {id,label} or null, flags [{id,label,alert}]}
export function evaluate(def, answers) {
  let score = null
  const s = def.score
  if (s && s.sum) {
    score = 0
    for (const id of s.sum) {
      const v = answers[id]
      const it = byId(def)[id]
      if (typeof v === 'number' && it && shown(def, it, answers) && !(s.skip || []).includes(v)) score += v
    }
  } else if (s && s.item) {
    const v = answers[s.item]
    score = typeof v === 'number' ? v : null
  }
  let band = null
  for (const b of def.bands || []) {
    const ranged = b.min !== undefined || b.max !== undefined
    if (ranged && score === null) continue
    if ((b.min !== undefined && score < b.min) || (b.max !== undefined && score > b.max)) continue
    if (b.when && !holds(def, b.when, answers, score)) continue
    band = b
    break
  }
  const flags = (def.flags || []).filter((f) => holds(def, f.when, answers, score)).map((f) => ({ id: f.id, label: f.label, alert: !!f.alert }))
  return { score, band, flags }
}

export const PROFESSION_LABELS = {
  psychiatrist: '精神科医师', nurse: '护士', therapist: '康复治疗师', social_worker: '社会工作者',
  psychologist: '心理咨询（治疗）师', doctor: '医师', other: '其他',
}
