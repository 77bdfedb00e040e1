import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/chromium.mjs';

// Each spec starts its own `next start` through e2e/server.ts (tests restart
// the server with other secrets), so there is no `webServer` here.
// Run `npx next build` first.
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // Both only bound a hang: a wrong state fails the same, however long they are. On the shared 2-core
  // CI host a flow of a dozen page loads can take minutes under other engineers' test runs, and a
  // server action's answer several seconds; neither is a defect.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  use: {
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: chromiumLaunchOptions,
      },
    },
  ],
});
