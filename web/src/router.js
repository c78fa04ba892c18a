// router.js: the screens. Routes under the layout need a session; meta.roles limits a screen
// to some roles (others see the 无权访问 page in place, the URL unchanged).
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession, clearSession } from './lib/session.js'
import { setUnauthorizedHandler } from './lib/api.js'
import { CLIENT_ROLES } from './lib/labels.js'
import LoginView from './views/LoginView.vue'
import LayoutView from './views/LayoutView.vue'
import { INDICATOR_ROLES } from './lib/indicators.js'

const ALL_STAFF = CLIENT_ROLES
const ORG_VIEWERS = ['sysadmin', ...CLIENT_ROLES]
const REFERRAL_ROLES = CLIENT_ROLES

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: '登录' } },
  { path: '/apply', name: 'apply', component: () => import('./views/PublicApply.vue'), meta: { public: true, title: '申请社区康复服务' } },
  { path: '/apply/status', name: 'apply-status', component: () => import('./views/PublicStatus.vue'), meta: { public: true, title: '申请进度' } },
  { path: '/indicators/report', name: 'indicator-report', component: () => import('./views/IndicatorReport.vue'), meta: { title: '指标统计表' } },
  { path: '/referrals/:id/print/:doc(consent|agreement)', name: 'referral-print', component: () => import('./views/PrintDocument.vue'), meta: { title: '打印文书' } },
  {
    path: '/',
    component: LayoutView,
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: '首页' } },
      { path: 'clients', name: 'clients', component: () => import('./views/ClientList.vue'), meta: { title: '康复对象', roles: ALL_STAFF, menu: 'clients' } },
      { path: 'clients/new', name: 'client-new', component: () => import('./views/ClientForm.vue'), meta: { title: '新建康复对象', roles: ALL_STAFF, menu: 'clients' } },
      { path: 'clients/:id', name: 'client', component: () => import('./views/ClientDetail.vue'), meta: { title: '康复对象详情', roles: ALL_STAFF, menu: 'clients' } },
      { path: 'clients/:id/edit', name: 'client-edit', component: () => import('./views/ClientForm.vue'), meta: { title: '编辑康复对象', roles: ALL_STAFF, menu: 'clients' } },
      { path: 'clients/:id/assess/:instrument?', name: 'assessment-new', component: () => import('./views/AssessmentForm.vue'), meta: { title: '评估', roles: ['rehab_staff', 'hospital_staff'], menu: 'clients' } },
      { path: 'assessments/:id', name: 'assessment', component: () => import('./views/AssessmentView.vue'), meta: { title: '评估记录', roles: ALL_STAFF, menu: 'clients' } },
      { path: 'services', name: 'services', component: () => import('./views/ServiceList.vue'), meta: { title: '服务记录', roles: ['rehab_staff', 'hospital_staff', 'official', 'referral_worker'], menu: 'services' } },
      { path: 'services/new', name: 'service-new', component: () => import('./views/ServiceEntry.vue'), meta: { title: '登记服务', roles: ['rehab_staff', 'hospital_staff'], menu: 'services' } },
      { path: 'staff', name: 'staff', component: () => import('./views/StaffList.vue'), meta: { title: '人员与培训', roles: ['rehab_staff', 'hospital_staff', 'official', 'referral_worker'], menu: 'staff' } },
      { path: 'organizations', name: 'organizations', component: () => import('./views/OrgList.vue'), meta: { title: '机构', roles: ORG_VIEWERS, menu: 'organizations' } },
      { path: 'organizations/new', name: 'org-new', component: () => import('./views/OrgForm.vue'), meta: { title: '新建机构', roles: ['sysadmin', 'official'], menu: 'organizations' } },
      { path: 'organizations/:id', name: 'organization', component: () => import('./views/OrgDetail.vue'), meta: { title: '机构详情', roles: ORG_VIEWERS, menu: 'organizations' } },
      { path: 'organizations/:id/edit', name: 'org-edit', component: () => import('./views/OrgForm.vue'), meta: { title: '编辑机构', roles: ORG_VIEWERS, menu: 'organizations' } },
      { path: 'worklist', name: 'worklist', component: () => import('./views/WorkList.vue'), meta: { title: '工作台', roles: REFERRAL_ROLES, menu: 'worklist' } },
      { path: 'referrals', name: 'referrals', component: () => import('./views/ReferralList.vue'), meta: { title: '转介', roles: REFERRAL_ROLES, menu: 'referrals' } },
      { path: 'referrals/new', name: 'referral-new', component: () => import('./views/ReferralNew.vue'), meta: { title: '新建转介', roles: ['referral_worker', 'rehab_staff', 'hospital_staff'], menu: 'referrals' } },
      { path: 'referrals/:id', name: 'referral', component: () => import('./views/ReferralDetail.vue'), meta: { title: '转介详情', roles: REFERRAL_ROLES, menu: 'referrals' } },
      { path: 'waitlist', name: 'waitlist', component: () => import('./views/ReferralList.vue'), meta: { title: '等候名单', roles: ['rehab_staff'], menu: 'waitlist', waitlist: true } },
      { path: 'rules', name: 'rules', component: () => import('./views/RulesEdit.vue'), meta: { title: '转介规则', roles: ['official', 'sysadmin'], menu: 'rules' } },
      { path: 'calendar', name: 'calendar', component: () => import('./views/CalendarAdmin.vue'), meta: { title: '节假日与调休', roles: ['sysadmin', ...CLIENT_ROLES], menu: 'calendar' } },
      { path: 'webhooks', name: 'webhooks', component: () => import('./views/WebhookAdmin.vue'), meta: { title: '事件推送', roles: ['sysadmin'], menu: 'webhooks' } },
      { path: 'users', name: 'users', component: () => import('./views/UserAdmin.vue'), meta: { title: '用户管理', roles: ['sysadmin', 'secadmin'], menu: 'users' } },
      { path: 'indicators', name: 'indicators', component: () => import('./views/IndicatorsView.vue'), meta: { title: '指标与报表', roles: INDICATOR_ROLES, menu: 'indicators' } },
      { path: 'exports', name: 'exports', component: () => import('./views/ExportsView.vue'), meta: { title: '我的导出', roles: INDICATOR_ROLES, menu: 'indicators' } },
      { path: 'account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: '我的账户' } },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: '审计', roles: ['auditor'], menu: 'audit' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession()
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: typeof to.query.redirect === 'string' ? to.query.redirect : '/' }
    return true
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  return true
})

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' - ' : ''}精康 · 精神障碍社区康复服务信息系统`
})

// Any 401 from the API (session expired, ended elsewhere): back to the login page.
let redirecting = false
setUnauthorizedHandler(() => {
  if (redirecting) return
  const cur = router.currentRoute.value
  clearSession()
  if (cur.name === 'login') return
  redirecting = true
  router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } }).finally(() => { redirecting = false })
})

export default router
