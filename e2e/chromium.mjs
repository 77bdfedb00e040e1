// Debian's Chromium, launched the way that works offline on these machines:
// no sandbox (root), and every host but loopback unresolvable so Chromium's
// background lookups fail fast instead of waiting on the closed network.
// `*.localhost` stays loopback (Chromium resolves it itself): the cookie
// tossing test needs a site and a sibling subdomain of it.
// Shared by playwright.config.ts and scripts/pack-smoke.mjs.
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE *.localhost',
  ],
};
