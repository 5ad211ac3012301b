/**
 * Vite configuration of the control center. `npm run build:ui` builds into ui/dist, which the hub serves;
 * `npm run dev:ui` starts Vite's dev server on http://127.0.0.1:5173 with hot reload, proxying `/api`, `/ws`
 * and `/metrics` to a running hub (`CZ_HUB_URL`, default http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const hub = process.env.CZ_HUB_URL ?? 'http://127.0.0.1:3000';
// changeOrigin rewrites Host to the hub's own address, which its DNS-rebinding guard requires.
const proxy: Record<string, ProxyOptions> = {
  '/api': { target: hub, changeOrigin: true },
  '/metrics': { target: hub, changeOrigin: true },
  '/ws': { target: hub.replace(/^http/, 'ws'), changeOrigin: true, ws: true },
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // recharts and @xyflow/react are loaded with the pages that use them, not up front.
    chunkSizeWarningLimit: 700,
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
