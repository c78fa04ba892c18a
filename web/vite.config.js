// Vite config for the Jingkang web UI. Root is web/ (run `npx --no-install vite build web` from
// the repository root); the build lands in web/dist, which the C server serves at / with an SPA
// fallback. During development, `vite web` proxies /api to a server given by JK_API
// (default: the mock in tests/e2e/mock-server.mjs on 127.0.0.1:18081).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': process.env.JK_API || 'http://127.0.0.1:18081' },
  },
})
