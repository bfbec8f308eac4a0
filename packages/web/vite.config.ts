// Builds the web app to dist/, which `flowbridge start` serves at / (packages/server/src/http/web.ts).
// Everything the app needs ships in dist: no CDN, no inline script (the server's CSP forbids both).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Small images become data: URLs (the CSP allows data: images); fonts are never inlined.
    assetsInlineLimit: 2048,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
});
