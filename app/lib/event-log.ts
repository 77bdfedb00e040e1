// No `import 'server-only'`: app/lib/session.ts imports this, and the Pages
// Router shares that file (see there).
import type { SessionEventHandlers, SessionEvents } from 'next-session-kit';

/** One event, exactly as the kit handed it to the demo's handler. */
export type RecordedEvent = SessionEvents[keyof SessionEvents];

// Oldest events go first beyond this: the log is for the e2e suite, not an audit trail.
const LIMIT = 200;
// proxy.ts, the App Router and the Pages Router each bundle their own copy of
// this module in one process: the log lives on globalThis so all see one.
const LOG = Symbol.for('next-session-kit-demo.event-log');

function log(): RecordedEvent[] {
  const g = globalThis as { [LOG]?: RecordedEvent[] };
  g[LOG] ??= [];
  return g[LOG];
}

function record(event: RecordedEvent): void {
  const events = log();
  // A copy of every field the kit gave, and nothing added: the e2e suite
  // checks that no event carries a cookie value, a token or session data.
  events.push({ ...event });
  if (events.length > LIMIT) events.splice(0, events.length - LIMIT);
}

/** The events recorded so far in this process, oldest first (at most the last 200). */
export function recordedEvents(): readonly RecordedEvent[] {
  return [...log()];
}

/** Forgets every recorded event. */
export function clearRecordedEvents(): void {
  log().length = 0;
}

/**
 * The demo kit's `events`, with DEMO_CHECKS=1 only (the e2e suite reads them
 * through /checks/events): every event is recorded in this process.
 */
export const demoEventHandlers: SessionEventHandlers | undefined =
  process.env.DEMO_CHECKS === '1'
    ? {
        login: record,
        logout: record,
        rotate: record,
        revoke: record,
        invalid: record,
        storeError: record,
      }
    : undefined;
