// labels.js: the Chinese names of every code the API uses, and who sees which menu.

export const ROLE_LABELS = {
  sysadmin: '系统管理员',
  secadmin: '安全管理员',
  auditor: '审计员',
  official: '主管部门',
  referral_worker: '转介服务人员',
  rehab_staff: '康复机构工作人员',
  hospital_staff: '医疗机构工作人员',
  evaluator: '第三方评估',
}

export const CLIENT_ROLES = ['official', 'referral_worker', 'rehab_staff', 'hospital_staff']
export const REVEAL_ROLES = ['referral_worker', 'rehab_staff', 'hospital_staff']
export const ORG_STAFF_ROLES = ['rehab_staff', 'hospital_staff']
export const REGION_ROLES = ['official', 'referral_worker']

// menu entries per role (首页 for everyone)
export const MENUS = {
  sysadmin: ['home', 'organizations', 'users', 'rules', 'calendar', 'webhooks'],
  secadmin: ['home', 'users'],
  auditor: ['home', 'audit'],
  official: ['home', 'worklist', 'referrals', 'clients', 'organizations', 'staff', 'rules'],
  referral_worker: ['home', 'worklist', 'referrals', 'clients', 'organizations', 'staff'],
  rehab_staff: ['home', 'worklist', 'referrals', 'waitlist', 'clients', 'services', 'staff', 'organizations'],
  hospital_staff: ['home', 'worklist', 'referrals', 'clients', 'services', 'staff', 'organizations'],
  evaluator: ['home'],
}

export const CLIENT_STATUS = {
  registered: '在册',
  in_service: '服务中',
  closed: '已结案',
  moved: '已迁出',
  deceased: '已故',
}
export const CLIENT_STATUS_TAG = {
  registered: 'primary',
  in_service: 'success',
  closed: 'info',
  moved: 'warning',
  deceased: 'info',
}

export const ORG_KINDS = {
  hospital: '医疗机构',
  rehab_institution: '社区康复机构',
  employer: '用人单位',
  community: '村（居）委会',
  social_org: '社会组织',
  government: '政府部门',
}
export const ORG_MODES = {
  public: '公办',
  public_private: '公建民营',
  purchased: '政府购买服务',
  private_nonprofit: '民办非营利',
}
export const ORG_FUNCTIONS = {
  residential: '集中托养',
  day_care: '日间照料',
  home_support: '居家支持',
  transitional_housing: '过渡性住宿',
  vocational: '职业康复',
  assessment_referral: '评估转介',
  training_supervision: '培训督导',
  service_demonstration: '服务示范',
}

export const SEX = { male: '男', female: '女' }

export const REGION_LEVELS = {
  province: '省级',
  prefecture: '地级',
  county: '县级',
  township: '乡级',
  village: '村级',
}
export const REGION_LEVEL_ORDER = ['province', 'prefecture', 'county', 'township', 'village']

export const DISABILITY_CATEGORY = { 1: '视力', 2: '听力', 3: '言语', 4: '肢体', 5: '智力', 6: '精神', 7: '多重' }
export const DISABILITY_GRADE = { 1: '一级', 2: '二级', 3: '三级', 4: '四级' }

export const REVEAL_FIELDS = {
  id_number: '身份证号',
  phone: '联系电话',
  address: '现住址',
  guardian_phones: '监护人电话',
  disability_certificate: '残疾人证号',
}

export const AUDIT_ACTIONS = {
  read: '查看',
  search: '查询',
  reveal: '查看完整信息',
  create: '新建',
  update: '修改',
  login: '登录',
  logout: '退出',
  denied: '拒绝访问',
  unlock: '解锁',
  verify: '校验审计链',
  totp_enrol: '开始绑定动态验证码',
  totp_enable: '启用双因素认证',
  totp_reset: '重置动态验证码',
  consent: '登记单独同意',
  consent_withdraw: '登记撤回同意',
  export: '导出个人信息',
}
export const AUDIT_OBJECTS = {
  client: '康复对象',
  organization: '机构',
  user: '用户',
  session: '会话',
  token: '令牌',
  audit: '审计',
  stats: '统计',
}
export const AUDIT_RESULTS = {
  ok: '成功',
  failed: '失败',
  denied: '拒绝',
  not_found: '不存在/越权',
  conflict: '冲突',
  pending: '待第二步验证',
}

export function label(map, code) {
  if (code === null || code === undefined || code === '') return '—'
  return map[code] || code
}

export function yuan(fen) {
  if (fen === null || fen === undefined) return '—'
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

export function formatTime(iso) {
  if (!iso) return '—'
  // "2026-11-22T10:11:12+08:00" → "2026-11-22 10:11:12" (server times are +08:00 already)
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(:\d{2})?)/.exec(iso)
  return m ? `${m[1]} ${m[2]}` : iso
}
