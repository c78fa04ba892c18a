// A paged, filtered list backed by one GET endpoint: the state and the reload/reset every list
// screen needs. `query(filters)` turns the filters into query parameters. With `storageKey`, the
// filters and page survive navigation to a detail page and back (for the browser tab's life).
import { reactive, ref } from 'vue'
import { api } from './api.js'

export function usePagedList(path, emptyFilters, { storageKey = '', pageSize = 20, query = (f) => ({ ...f }) } = {}) {
  const saved = storageKey ? JSON.parse(sessionStorage.getItem(storageKey) || 'null') : null
  const list = {
    filters: reactive(saved?.filters || { ...emptyFilters }),
    page: ref(saved?.page || 1),
    pageSize: ref(saved?.pageSize || pageSize),
    total: ref(0),
    rows: ref([]),
    loading: ref(false),
    error: ref(''),
  }
  list.reload = async (p) => {
    if (p) list.page.value = p
    list.loading.value = true
    list.error.value = ''
    if (storageKey) {
      sessionStorage.setItem(storageKey, JSON.stringify({ filters: list.filters, page: list.page.value, pageSize: list.pageSize.value }))
    }
    try {
      const r = await api.get(path, { ...query(list.filters), page: list.page.value, page_size: list.pageSize.value })
      list.rows.value = r.items || []
      list.total.value = r.total || 0
    } catch (e) {
      list.rows.value = []
      list.total.value = 0
      list.error.value = `查询失败：${e.message}`
    } finally {
      list.loading.value = false
    }
  }
  list.reset = () => {
    Object.assign(list.filters, emptyFilters)
    list.reload(1)
  }
  return list
}
