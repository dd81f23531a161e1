import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// The visitor widget is one self-contained script dropped into customers' sites, so it is a
// library build (IIFE) written next to the app, and it must never empty the app's output.
export default defineConfig({
  root: webRoot,
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    reportCompressedSize: true,
    lib: {
      entry: 'widget/main.ts',
      name: 'TikTicketsWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
