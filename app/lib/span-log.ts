/** A finished span of the kit, as /checks/spans shows it. */
export interface RecordedSpan {
  name: string;
  spanId: string;
  /** The enclosing span's id (a store call's load or save, or Next's own span), if any. */
  parentSpanId: string | undefined;
  /** `0` unset, `1` ok, `2` error (OpenTelemetry's SpanStatusCode). */
  status: number;
  attributes: Record<string, unknown>;
}

/** What instrumentation.ts installs on globalThis when it records spans. */
export interface SpanLog {
  spans(): RecordedSpan[];
  clear(): void;
}

// instrumentation.ts and the Route Handler are separate bundles of one process.
const SPAN_LOG = Symbol.for('next-session-kit-demo.span-log');

/** The span log, or undefined when the server does not record spans (DEMO_CHECKS=1 and DEMO_TRACE=1). */
export function spanLog(): SpanLog | undefined {
  return (globalThis as { [SPAN_LOG]?: SpanLog })[SPAN_LOG];
}

/** Installs the span log (instrumentation.ts, once). */
export function setSpanLog(log: SpanLog): void {
  (globalThis as { [SPAN_LOG]?: SpanLog })[SPAN_LOG] = log;
}
