import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // As tsconfig.json's paths: the package name and its subpaths, from src/.
    alias: [
      { find: /^next-session-kit$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      {
        find: /^next-session-kit\/(.+)$/,
        replacement: `${fileURLToPath(new URL('./src/entries/', import.meta.url))}$1.ts`,
      },
      // Tests run as Next's server layer does, where `server-only` is empty.
      {
        find: 'server-only',
        replacement: fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts', 'bin/**/*.test.ts'],
    // Real redis-server, Redis Cluster, memcached and an Upstash-REST bridge; see test/servers/.
    globalSetup: ['test/servers/global-setup.ts'],
    environment: 'node',
    testTimeout: 20_000,
    env: { UPSTASH_DISABLE_TELEMETRY: '1' },
  },
});
