import 'server-only';
import { createSessionKit, encryptedCookieStorage } from 'next-session-kit';

/** What the demo keeps in its session. */
export type DemoData = { user?: string; count?: number };

/**
 * Fixed key for local development only. Anyone who reads this file can forge
 * sessions sealed with it, so it is never a substitute for SESSION_SECRET.
 */
const DEV_ONLY_INSECURE_SECRET = 'dev-only-insecure-next-session-kit-demo-secret-0000';

const WARNED = Symbol.for('next-session-kit-demo.missing-secret-warned');

/**
 * Reads SESSION_SECRET: one secret, or a comma-separated list `new,old` for
 * key rotation (the first seals, all of them open).
 */
function sessionSecret(): string | string[] {
  const secrets = (process.env.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length === 1) return secrets[0] as string;
  if (secrets.length > 1) return secrets;

  // Warn once per process, even if Next loads this module in several bundles.
  // Not while `next build` collects page data: build machines rarely hold secrets.
  const flags = globalThis as { [WARNED]?: boolean };
  if (!flags[WARNED] && process.env.NEXT_PHASE !== 'phase-production-build') {
    flags[WARNED] = true;
    const production = process.env.NODE_ENV === 'production';
    console.warn(
      [
        production
          ? '!!! [next-session-kit demo] SESSION_SECRET is not set IN PRODUCTION. !!!'
          : '[next-session-kit demo] SESSION_SECRET is not set.',
        'Using a built-in development key: sessions are NOT secure (anyone can forge them).',
        'Generate a secret with `npx next-session-kit secret` and set SESSION_SECRET=<secret>',
        '(for key rotation: SESSION_SECRET=<new>,<old>).',
      ].join('\n'),
    );
  }
  return DEV_ONLY_INSECURE_SECRET;
}

export const { getSession, newSession, destroySession } = createSessionKit<DemoData>({
  storage: encryptedCookieStorage({ secret: sessionSecret() }),
  cookieName: 'session',
  maxAge: 60 * 60 * 24 * 14, // 14 days absolute lifetime
  idleTimeout: 60 * 60 * 24, // 1 day without activity
  onInvalidSession: (reason) => {
    // Only the reason: never log cookie values.
    console.info(`[next-session-kit demo] rejected session cookie: ${reason}`);
  },
});
