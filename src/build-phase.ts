import { SessionConfigError } from './errors.ts';

/**
 * True while `next build` collects page data. Next imports server modules
 * then (so `lib/session.ts` runs), often on a machine that holds no runtime
 * secrets, such as a Docker build.
 */
export function isNextBuildPhase(): boolean {
  return typeof process !== 'undefined' && process.env?.NEXT_PHASE === 'phase-production-build';
}

/**
 * Runs `create`. A `SessionConfigError` thrown during `next build` is handed
 * to `defer` instead, which returns a stand-in that throws the same error on
 * first use: a build without secrets succeeds, a server without them still
 * fails on its first session call, loudly and with the same message.
 */
export function deferConfigErrorDuringBuild<T>(create: () => T, defer: (error: SessionConfigError) => T): T {
  try {
    return create();
  } catch (error) {
    if (error instanceof SessionConfigError && isNextBuildPhase()) {
      console.warn(
        `next-session-kit: ${error.message} (deferred during \`next build\`; the server will throw it on first use)`,
      );
      return defer(error);
    }
    throw error;
  }
}
