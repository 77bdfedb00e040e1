// `@opentelemetry/api` installed but no SDK registered (the API alone, as
// many dependency trees bring it): every span would be a no-op, so the kit
// makes none and leaves the active context alone. An SDK registered later
// (instrumentation that starts after the kit) still gets every span.
import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from './storage/memory-storage.ts';
import { TestBrowser } from './test-utils/browser.ts';
import { Clock, Harness } from './test-utils/harness.ts';
import { AsyncContextManager } from './test-utils/otel-context.ts';
import { startTracing } from './tracing.ts';

// Counts the context switches made through the API.
const manager = new AsyncContextManager();

beforeAll(async () => {
  context.setGlobalContextManager(manager);
  startTracing();
  await import('@opentelemetry/api');
});

afterAll(() => {
  trace.disable();
  context.disable();
});

async function loadAndSave(h: Harness<{ n?: number }>, browser: TestBrowser): Promise<void> {
  await h.request(browser, async (s) => {
    s.set('n', (s.get('n') ?? 0) + 1);
    await s.save();
  });
}

describe('tracing without an SDK', () => {
  it('opens no span and switches no context; an SDK registered afterwards gets its spans', async () => {
    const h = new Harness<{ n?: number }>({ storage: memoryStorage() }, new Clock(Date.now()));
    const browser = new TestBrowser();
    // The first request may still wait for the API to load; from then on it is loaded.
    await loadAndSave(h, browser);
    manager.switches = 0;
    await loadAndSave(h, browser);
    await loadAndSave(h, browser);
    expect(manager.switches).toBe(0);

    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await loadAndSave(h, browser);
    const names = exporter.getFinishedSpans().map((span) => span.name);
    expect(names).toContain('session.load');
    expect(names).toContain('session.save');
    expect(names.filter((name) => name.startsWith('session.store.')).length).toBeGreaterThan(0);
    expect(manager.switches).toBeGreaterThan(0);
  });
});
