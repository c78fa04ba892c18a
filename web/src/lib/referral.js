// referral.js: the words of the closed-loop referral in the UI — statuses, steps, actions and
// the fields each action asks for (docs/api.md "Referrals"). One place, so the work list, the
// list, the detail page and the public status page say the same thing.
export const STATUS = {
  submitted: '待初核', registered: '待转介', rejected: '不予登记', withdrawn: '已撤回', dispatched: '已转介待接收',
  declined: '机构未接收待重新转介', waitlisted: '排队等候', recheck: '等候超期待复核', accepted: '已接收待签约',
  in_service: '服务中', hospitalized: '复发回院', closed: '已结案', moved: '已迁出',
}
export const STATUS_TAG = {
  submitted: 'warning', registered: 'warning', rejected: 'info', withdrawn: 'info', dispatched: 'primary',
  declined: 'danger', waitlisted: 'warning', recheck: 'danger', accepted: 'primary', in_service: 'success',
  hospitalized: 'danger', closed: 'info', moved: 'info',
}
export const STEPS = ['提出申请', '初核登记', '康复转介', '综合评估', '服务提供', '阶段性评估', '结案与回访']
export const SOURCE = { hospital: '医院转介', self: '本人/监护人申请', community: '其他主体协助' }
export const REPORTER_KINDS = { community: '村（居）委会', employer: '用人单位', social_org: '社会组织', individual: '个人' }
export const DOC_VERSION = '2026.1'

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date())

// Each action: its label, button type, and the fields of its dialog. Field types: text, textarea,
// date, bool, select (options), org (kinds), region, suggest (an institution from the ranked suggestions).
export const ACTIONS = {
  register: { label: '初核登记', type: 'primary', fields: [{ key: 'note', label: '核实情况', type: 'textarea' }] },
  reject: { label: '不予登记', type: 'danger', fields: [{ key: 'reason', label: '原因', type: 'textarea', required: true }] },
  withdraw: { label: '撤回申请', type: 'default', fields: [{ key: 'reason', label: '原因', type: 'textarea', required: true }] },
  dispatch: { label: '转介至机构', type: 'primary', fields: [{ key: 'organization', label: '承接机构', type: 'suggest', required: true }, { key: 'note', label: '备注', type: 'textarea' }] },
  accept: { label: '接收', type: 'primary', fields: [{ key: 'note', label: '备注', type: 'textarea' }] },
  decline: { label: '不予接收', type: 'danger', fields: [{ key: 'reason', label: '原因', type: 'textarea', required: true }] },
  waitlist: { label: '列入等候名单', type: 'warning', fields: [{ key: 'note', label: '备注', type: 'textarea' }] },
  rerefer: { label: '复核意愿并重新转介', type: 'primary', fields: [
    { key: 'wishes_confirmed', label: '已与申请人确认仍希望接受服务', type: 'bool', required: true },
    { key: 'organization', label: '承接机构（不选则自动选择最近的有空位机构）', type: 'suggest' },
    { key: 'note', label: '复核情况', type: 'textarea' }] },
  consent: { label: '签署知情同意书', type: 'primary', doc: 'consent', fields: [
    { key: 'client_signed', label: '本人已签署', type: 'bool', required: true, value: true },
    { key: 'guardian_signed', label: '监护人已签署', type: 'bool', value: true },
    { key: 'guardian_name', label: '监护人姓名', type: 'text' },
    { key: 'signed_on', label: '签署日期', type: 'date', required: true, value: today }] },
  agreement: { label: '签订服务协议', type: 'primary', doc: 'agreement', fields: [
    { key: 'client_signed', label: '本人已签署', type: 'bool', required: true, value: true },
    { key: 'guardian_signed', label: '监护人已签署', type: 'bool', value: true },
    { key: 'guardian_name', label: '监护人姓名', type: 'text' },
    { key: 'signed_on', label: '签署日期', type: 'date', required: true, value: today },
    { key: 'price_terms', label: '收费条款', type: 'textarea', required: true }] },
  assess: { label: '记录综合评估', type: 'default', fields: [{ key: 'date', label: '评估日期', type: 'date', required: true, value: today }, { key: 'summary', label: '评估意见', type: 'textarea', required: true }] },
  start: { label: '开始服务', type: 'success', fields: [] },
  review: { label: '阶段性评估', type: 'default', fields: [
    { key: 'date', label: '评估日期', type: 'date', required: true, value: today },
    { key: 'summary', label: '评估结果（生活自理、社交、工作技能、就业意愿）', type: 'textarea', required: true },
    { key: 'recommendation', label: '建议', type: 'select', required: true, options: { continue: '继续康复', employment: '就业', transfer: '转其他机构', home: '居家康复', hospital: '回医院' } }] },
  refer_out: { label: '转出（就业/居家）', type: 'default', fields: [
    { key: 'type', label: '去向', type: 'select', required: true, options: { employment_recommended: '推荐就业', employment_sheltered: '庇护性就业', employment_assisted: '辅助性就业', home: '居家康复（移交社区）' } },
    { key: 'organization', label: '接收单位', type: 'org', kinds: ['employer', 'social_org', 'community', 'hospital'], required: true },
    { key: 'visit_plan', label: '随访计划（居家康复必填）', type: 'textarea' },
    { key: 'note', label: '备注', type: 'textarea' }] },
  transfer: { label: '转至其他机构', type: 'default', fields: [{ key: 'organization', label: '机构', type: 'org', kinds: ['rehab_institution'], required: true }, { key: 'reason', label: '原因', type: 'textarea', required: true }] },
  move: { label: '迁居', type: 'default', fields: [
    { key: 'residence_region', label: '新居住地', type: 'region', required: true },
    { key: 'organization', label: '新居住地的康复机构（可不选，由当地转介）', type: 'org', kinds: ['rehab_institution'] },
    { key: 'reason', label: '原因', type: 'textarea', required: true }] },
  relapse: { label: '复发转回医院', type: 'danger', fields: [{ key: 'hospital', label: '医院', type: 'org', kinds: ['hospital'], required: true }, { key: 'reason', label: '病情', type: 'textarea', required: true }] },
  discharge: { label: '出院返回机构', type: 'primary', fields: [{ key: 'note', label: '出院情况', type: 'textarea' }] },
  close: { label: '结案', type: 'default', fields: [
    { key: 'outcome', label: '结案原因', type: 'select', required: true, options: { completed: '康复目标达成', refused: '本人拒绝继续', died: '死亡', other: '其他' } },
    { key: 'note', label: '说明', type: 'textarea' }] },
  followup: { label: '记录回访', type: 'primary', fields: [{ key: 'date', label: '回访日期', type: 'date', required: true, value: today }, { key: 'note', label: '回访情况', type: 'textarea', required: true }] },
}

export const fmtTime = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—')
