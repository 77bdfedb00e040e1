/**
 * Next calls register() once per server, before the first request. With
 * DEMO_CHECKS=1 and DEMO_TRACE=1 (the e2e suite only), the demo records the
 * kit's OpenTelemetry spans in memory for /checks/spans; otherwise nothing
 * is loaded. The kit itself needs no setup: it uses whatever global tracer
 * provider the app registers, here or with @vercel/otel or NodeSDK.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.DEMO_CHECKS !== '1' || process.env.DEMO_TRACE !== '1') return;
  const { recordSpans } = await import('./app/lib/tracing-setup');
  recordSpans();
}
