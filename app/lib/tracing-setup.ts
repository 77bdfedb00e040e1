import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type RecordedSpan, setSpanLog } from './span-log';

// The kit's tracer (src/tracing.ts): Next's own spans go to the same provider and are left out.
const KIT_SCOPE = 'next-session-kit';
// Beyond this many kept spans, new ones are dropped: /checks/spans is for the e2e suite.
const LIMIT = 1000;

// What NodeSDK, @vercel/otel and NodeTracerProvider.register() install: the
// active context follows async calls, so the kit's store-call spans find the
// load or save they belong to.
class AsyncContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

/** Hands the kit's finished spans, and only those, to the in-memory exporter. */
class KitSpans implements SpanProcessor {
  readonly #inner: SimpleSpanProcessor;
  readonly #exporter: InMemorySpanExporter;
  constructor(exporter: InMemorySpanExporter) {
    this.#exporter = exporter;
    this.#inner = new SimpleSpanProcessor(exporter);
  }
  onStart(_span: Span, _parent: Context): void {}
  onEnd(span: ReadableSpan): void {
    if (span.instrumentationScope.name !== KIT_SCOPE) return;
    if (this.#exporter.getFinishedSpans().length >= LIMIT) return;
    this.#inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}

function summary(span: ReadableSpan): RecordedSpan {
  return {
    name: span.name,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    status: span.status.code,
    attributes: { ...span.attributes },
  };
}

/**
 * Registers a global OpenTelemetry tracer provider whose spans end in the
 * SDK's InMemorySpanExporter, read through /checks/spans. The kit finds it
 * as any app's provider: through `@opentelemetry/api`'s globals.
 */
export function recordSpans(): void {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncContextManager());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new KitSpans(exporter)] }));
  setSpanLog({
    spans: () => exporter.getFinishedSpans().map(summary),
    clear: () => exporter.reset(),
  });
}
