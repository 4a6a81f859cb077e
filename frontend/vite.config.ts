/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// contract.json lives with the Lambda package, outside this folder; the dev server must be allowed to read it.
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  plugins: [react()],
  // amazon-cognito-identity-js brings the `buffer` package, which reads Node's `global` when it loads
  // (`global.TYPED_ARRAY_SUPPORT`): in a browser that is `globalThis`.
  define: { global: 'globalThis' },
  server: { fs: { allow: [repositoryRoot] } },
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    environment: 'happy-dom',
    setupFiles: ['test/setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
