// api.js: the one way the UI talks to the server (docs/api.md).
// - fetch with credentials 'same-origin' (the session is the HttpOnly cookie jk_session);
// - the CSRF token from POST/GET /api/v1/session goes into X-CSRF-Token on every non-GET;
// - errors become ApiError with the server's code, message, field and existing_id;
// - a 401 on anything but the session endpoints sends the user to the login page.

const BASE = '/api/v1'
let csrfToken = ''
let onUnauthorized = () => {}

export function setCsrfToken(t) { csrfToken = t || '' }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    super(e.message || defaultMessage(status))
    this.status = status
    this.code = e.code || (status ? `http_${status}` : 'network')
    this.field = e.field || null
    this.existingId = e.existing_id || null
    this.requestId = e.request_id || null
    this.body = body
    // a server fault: give the request id so that support can find it in the log
    if (status >= 500 && this.requestId) this.message = `${this.message}（请求编号 ${this.requestId}）`
  }
}

function defaultMessage(status) {
  if (!status) return '无法连接服务器，请检查网络后重试'
  if (status === 401) return '请先登录'
  if (status === 403) return '没有权限执行此操作'
  if (status === 404) return '无权访问或不存在'
  if (status === 413) return '提交的内容过大'
  if (status === 429) return '请求过于频繁，请稍后再试'
  if (status >= 500) return '服务器暂时无法处理，请稍后再试'
  return `请求失败（${status}）`
}

function queryString(query) {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    p.append(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export async function request(method, path, { body, query } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  try {
    res = await fetch(BASE + path + queryString(query), {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
  } catch {
    throw new ApiError(0, null)
  }
  if (res.status === 204) return null
  const text = await res.text()
  let data = null
  if (text) {
    try { data = JSON.parse(text) } catch { data = null }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (res.status === 401 && !path.startsWith('/session')) onUnauthorized(err)
    throw err
  }
  return data
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  del: (path) => request('DELETE', path),
}

// Regions are public and static: cache the answers for the life of the page.
const regionCache = new Map()
export function regionChildren(parent) {
  const key = `c:${parent || ''}`
  if (!regionCache.has(key)) {
    const p = api.get('/regions', parent ? { parent } : undefined).then((r) => r.items || [])
    p.catch(() => regionCache.delete(key))
    regionCache.set(key, p)
  }
  return regionCache.get(key)
}
export function regionGet(code) {
  const key = `g:${code}`
  if (!regionCache.has(key)) {
    const p = api.get(`/regions/${encodeURIComponent(code)}`)
    p.catch(() => regionCache.delete(key))
    regionCache.set(key, p)
  }
  return regionCache.get(key)
}
export function regionSearch(q, within) {
  return api.get('/regions', { q, within }).then((r) => r.items || [])
}
