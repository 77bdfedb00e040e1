// OpenTelemetry spans, when the app has `@opentelemetry/api` installed (an
// optional peer). This is the only file that loads it, by a dynamic import
// hidden from bundlers, so an app without it builds and runs as before.
// Only the few members used are typed here: the kit's declarations never
// name a type of a package that may be absent.

interface Span {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number }): unknown;
  end(): void;
}
interface Context {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): Context;
}
interface Tracer {
  startSpan(name: string, options: { attributes: Record<string, string> }, context?: Context): Span;
}
interface TracerProvider {
  getTracer(name: string): Tracer;
  /** ProxyTracerProvider (what the API always hands out): the registered SDK's tracer, if any. */
  getDelegateTracer?(name: string): Tracer | undefined;
}
interface OtelApi {
  trace: {
    getTracerProvider(): TracerProvider;
    setSpan(context: Context, span: Span): Context;
  };
  context: {
    active(): Context;
    with<T>(context: Context, fn: () => T): T;
  };
  createContextKey(description: string): symbol;
  SpanStatusCode: { ERROR: number };
}

const MODULE = '@opentelemetry/api';
// SpanStatusCode.ERROR, should an exotic build lack the enum.
const STATUS_ERROR = 2;

const TRACER = 'next-session-kit';

let loading: Promise<OtelApi | undefined> | undefined;
let loaded: OtelApi | null | undefined;

// The tracer of the SDK the app registered; undefined when none is (the API
// alone installed): its spans would all be no-ops, so the kit makes none and
// a load or save costs what it costs without the package. Asked on every
// call, as an app may register its SDK after the kit loaded the API.
function tracerOf(otel: OtelApi): Tracer | undefined {
  const provider = otel.trace.getTracerProvider();
  return typeof provider.getDelegateTracer === 'function'
    ? provider.getDelegateTracer(TRACER)
    : provider.getTracer(TRACER);
}

/**
 * Whether the kit's spans are certainly off: `@opentelemetry/api` is
 * missing, or loaded with no SDK registered. False while the API is still
 * loading (the first loads wait for it).
 *
 * @internal
 */
export function tracingOff(): boolean {
  return loaded === null || (loaded !== undefined && tracerOf(loaded) === undefined);
}

function api(): OtelApi | Promise<OtelApi | undefined> | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loading ??= import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ MODULE).then(
    (module: { default?: OtelApi } & Partial<OtelApi>) => {
      const found = module.trace !== undefined ? (module as OtelApi) : module.default;
      loaded = found?.trace === undefined ? null : found;
      return loaded ?? undefined;
    },
    () => {
      loaded = null;
      return undefined;
    },
  );
  return loading;
}

/**
 * Starts loading `@opentelemetry/api`, once per process; nothing happens
 * when the package is not installed.
 *
 * @internal
 */
export function startTracing(): void {
  void api();
}

// Where a load or save keeps its count of store calls, in the active context.
let roundTripsKey: symbol | undefined;

/**
 * Runs a load or a save inside a `session.load`/`session.save` span with
 * `session.storage`, `session.outcome` (what `outcome` names, or `error`)
 * and `session.round_trips` (store calls made inside it). Never an id, a
 * token, a key or data.
 *
 * @internal
 */
export async function traceSpan<T>(
  name: 'load' | 'save',
  storage: string,
  fn: () => Promise<T>,
  outcome: (value: T) => string,
): Promise<T> {
  const found = api();
  const otel = found instanceof Promise ? await found : found;
  const tracer = otel === undefined ? undefined : tracerOf(otel);
  if (otel === undefined || tracer === undefined) return fn();
  roundTripsKey ??= otel.createContextKey('next-session-kit round trips');
  const current = otel.context.active();
  const started = tracer.startSpan(
    `session.${name}`,
    { attributes: { 'session.storage': storage } },
    current,
  );
  const trips = { count: 0 };
  const inner = otel.trace.setSpan(current, started).setValue(roundTripsKey, trips);
  try {
    const value = await otel.context.with(inner, fn);
    started.setAttribute('session.outcome', outcome(value));
    return value;
  } catch (error) {
    started.setAttribute('session.outcome', 'error');
    started.setStatus({ code: otel.SpanStatusCode?.ERROR ?? STATUS_ERROR });
    throw error;
  } finally {
    started.setAttribute('session.round_trips', trips.count);
    started.end();
  }
}

/**
 * Runs one store call inside a `session.store.<operation>` span, counted as
 * a round trip of the enclosing load or save.
 *
 * @internal
 */
export function traceStoreCall<T>(storage: string, operation: string, fn: () => Promise<T>): Promise<T> {
  // The hot path without the package or an SDK: no span, no extra promise.
  if (loaded === undefined || loaded === null) return fn();
  const otel = loaded;
  const tracer = tracerOf(otel);
  if (tracer === undefined) return fn();
  const active = otel.context.active();
  const trips = roundTripsKey === undefined ? undefined : active.getValue(roundTripsKey);
  if (isCounter(trips)) trips.count++;
  const attributes = { 'session.storage': storage, 'session.store.operation': operation };
  const started = tracer.startSpan(`session.store.${operation}`, { attributes }, active);
  return fn().then(
    (value) => {
      started.setAttribute('session.outcome', 'ok');
      started.end();
      return value;
    },
    (error: unknown) => {
      started.setAttribute('session.outcome', 'error');
      started.setStatus({ code: otel.SpanStatusCode?.ERROR ?? STATUS_ERROR });
      started.end();
      throw error;
    },
  );
}

function isCounter(value: unknown): value is { count: number } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { count?: unknown }).count === 'number'
  );
}
