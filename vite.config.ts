import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console: web/ built into dist/web, which the API server serves (src/http/web.ts). */
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  // `npx vite` for console work: the API runs beside it (npm start) and is proxied.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
