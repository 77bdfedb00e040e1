// OpenTelemetry spans, recorded by the SDK's in-memory exporter: one span per
// load and save, one per store call inside it, with the storage, the outcome
// and the round trips as attributes, and never an id, a token or data.
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionStoreError } from './errors.ts';
import { memoryStorage } from './storage/memory-storage.ts';
import type { SessionStorage } from './storage/types.ts';
import { TestBrowser } from './test-utils/browser.ts';
import { Clock, Harness } from './test-utils/harness.ts';
import { AsyncContextManager } from './test-utils/otel-context.ts';
import { allTargets } from './test-utils/targets.ts';
import { startTracing } from './tracing.ts';

const exporter = new InMemorySpanExporter();
const ALLOWED = new Set([
  'session.storage',
  'session.outcome',
  'session.round_trips',
  'session.store.operation',
]);

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncContextManager());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  startTracing();
  // The kit loads the API by a dynamic import; let it settle.
  await import('@opentelemetry/api');
});

afterAll(() => {
  trace.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const childrenOf = (parent: ReadableSpan) =>
  spans().filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

const targets = allTargets().filter((t) =>
  ['encrypted-cookie', 'redis', 'memory', 'memcached'].includes(t.name),
);

for (const target of targets) {
  describe(`tracing: ${target.name}`, () => {
    it('spans around load, save and each store call, with storage, outcome and round trips', async () => {
      const h = new Harness<{ user?: string }>({ storage: target.make({}).storage }, new Clock(Date.now()));
      const browser = new TestBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('user', 'ada');
        await s.save();
      });
      await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));

      const [fresh, found] = named('session.load');
      expect(fresh?.attributes).toMatchObject({ 'session.outcome': 'none', 'session.round_trips': 0 });
      expect(found?.attributes).toMatchObject({
        'session.storage': expect.any(String),
        'session.outcome': 'found',
      });
      const [save] = named('session.save');
      expect(save?.attributes).toMatchObject({ 'session.outcome': 'written' });
      for (const parent of [found, save]) {
        if (parent === undefined) throw new Error('span missing');
        const calls = childrenOf(parent);
        expect(parent.attributes['session.round_trips']).toBe(calls.length);
        if (target.kind === 'store') expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
          expect(call.name).toMatch(/^session\.store\.[a-z]+$/);
          expect(call.attributes).toMatchObject({ 'session.outcome': 'ok' });
        }
      }
    });

    it('spans never contain identifiers, tokens, cookie values or session data', async () => {
      const h = new Harness<{ secret?: string }>({ storage: target.make({}).storage }, new Clock(Date.now()));
      const browser = new TestBrowser();
      const id = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('user-ada-7');
        s.set('secret', 'data-value-never-in-spans');
        await s.save();
        return s.id;
      });
      await h.request(browser, async (s) => {
        s.set('secret', 'data-value-never-in-spans');
        await s.save();
      });
      expect(spans().length).toBeGreaterThan(2);
      const forbidden = [id, 'user-ada-7', 'data-value-never-in-spans', ...browser.cookies.values()];
      for (const span of spans()) {
        for (const key of Object.keys(span.attributes)) expect(ALLOWED.has(key)).toBe(true);
        const text = JSON.stringify([span.name, span.attributes, span.events, span.status]);
        for (const value of forbidden) expect(text).not.toContain(value);
      }
    });
  });
}

describe('tracing: failures', () => {
  it('a failing store call ends its span and the load span with outcome error', async () => {
    const base = memoryStorage();
    const flaky: SessionStorage = {
      name: 'flaky',
      create(ctx) {
        return {
          ...base.create(ctx),
          load: async () => {
            throw new SessionStoreError('The session store (flaky) failed during load.');
          },
        };
      },
    };
    const h = new Harness({ storage: flaky });
    const browser = new TestBrowser();
    browser.cookies.set('session', 'A'.repeat(43));
    await expect(h.request(browser, () => undefined)).rejects.toThrow(SessionStoreError);
    const [load] = named('session.load');
    expect(load?.attributes).toMatchObject({ 'session.storage': 'flaky', 'session.outcome': 'error' });
    expect(load?.status.code).toBe(SpanStatusCode.ERROR);
    expect(load?.status.message).toBeUndefined();
  });
});
