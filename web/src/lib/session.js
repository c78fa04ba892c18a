// session.js: the signed-in user, shared by every view.
import { reactive } from 'vue'
import { api, setCsrfToken } from './api.js'

export const session = reactive({ user: null, checked: false })

export async function loadSession() {
  try {
    const r = await api.get('/session')
    session.user = r.user
    setCsrfToken(r.csrf_token)
  } catch {
    session.user = null
    setCsrfToken('')
  }
  session.checked = true
  return session.user
}

// Password step. Returns the user, or — when the account needs a TOTP code (administrators,
// enrolled users) — {totp_required, enrolment_required, challenge} for the second step.
export async function login(username, password) {
  const r = await api.post('/session', { username, password })
  if (r.totp_required) return r
  return signedIn(r)
}

// Second step: the 6-digit code with the challenge of the password step.
export async function loginSecondFactor(challenge, code) {
  return signedIn(await api.post('/session/second-factor', { challenge, code }))
}

// An administrator not yet enrolled: a new secret and its otpauth:// URI for the authenticator.
export function startLoginEnrolment(challenge) {
  return api.post('/session/enrolment', { challenge })
}

function signedIn(r) {
  session.user = r.user
  session.checked = true
  setCsrfToken(r.csrf_token)
  return r.user
}

export async function logout() {
  try { await api.del('/session') } catch { /* the session may be gone already */ }
  clearSession()
}

export function clearSession() {
  session.user = null
  setCsrfToken('')
  // list filters kept for the tab (they may hold a client's name)
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith('jk.')) sessionStorage.removeItem(k)
  } catch { /* storage unavailable */ }
}

export function hasRole(...roles) {
  return !!session.user && roles.includes(session.user.role)
}
