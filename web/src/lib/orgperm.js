// Who may change an organization (mirrors the server's policy; the server decides).
import { session } from './session.js'

export function canCreateOrg() {
  const r = session.user?.role
  return r === 'sysadmin' || r === 'official'
}

export function canEditOrg(org) {
  const u = session.user
  if (!u || !org) return false
  if (u.role === 'sysadmin') return true
  if (u.role === 'official') return !!u.region && String(org.region || '').startsWith(u.region)
  if (u.role === 'rehab_staff' || u.role === 'hospital_staff') return u.organization === org.id
  return false
}
