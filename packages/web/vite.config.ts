import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is built to dist/ and served by the API server at `/`; `npm run dev` proxies the API.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
