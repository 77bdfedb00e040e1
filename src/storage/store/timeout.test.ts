import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionStoreError } from '../../errors.ts';
import { guarded } from './timeout.ts';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** Settles `promise` (either way) while the fake clock runs `ms` forward. */
async function settledAfter<T>(ms: number, promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

// On a fake clock: the deadline sweep and the simulated store answers are timers, and which fires first
// must not depend on how long a busy host stalls this process between them.
describe('guarded store calls', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(async () => {
    // Let the sweep see an empty list and stop, so no fake interval outlives its clock.
    await vi.advanceTimersByTimeAsync(1_000);
    vi.useRealTimers();
  });

  it('passes answers through, mapped in the same step', async () => {
    expect(
      await settledAfter(
        10,
        guarded('redis', 'load', 1000, () => later(5, 2)),
      ),
    ).toEqual({ value: 2 });
    expect(
      await settledAfter(
        10,
        guarded(
          'redis',
          'load',
          1000,
          () => later(5, 2),
          (n) => n * 10,
        ),
      ),
    ).toEqual({ value: 20 });
  });

  it('turns failures, synchronous throws and throwing maps into SessionStoreError with cause', async () => {
    const cause = new Error('ECONNRESET');
    for (const run of [
      () => guarded('redis', 'save', 1000, () => Promise.reject(cause)),
      () =>
        guarded('redis', 'save', 1000, () => {
          throw cause;
        }),
      () =>
        guarded(
          'redis',
          'save',
          1000,
          () => later(1, 1),
          () => {
            throw cause;
          },
        ),
    ]) {
      const { error } = await settledAfter(10, run());
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).toMatchObject({ code: 'ERR_SESSION_STORE', cause });
      expect((error as Error).message).toBe('The session store (redis) failed during save.');
    }
  });

  it('times out a call that never answers, while the calls around it finish normally', async () => {
    const started = Date.now();
    let failedAt = 0;
    const hung = guarded('kv', 'load', 60, () => new Promise<never>(() => {})).catch((e: unknown) => {
      failedAt = Date.now();
      throw e;
    });
    // Out-of-order settling: these finish before and after the hung call expires.
    const quick = guarded('kv', 'load', 1000, () => later(5, 'a'));
    const slow = guarded('kv', 'load', 1000, () => later(150, 'b'));
    const { error } = await settledAfter(200, hung);
    // Not before its deadline, and at most one sweep (20 ms) after it.
    expect(failedAt - started).toBeGreaterThanOrEqual(60);
    expect(failedAt - started).toBeLessThanOrEqual(80);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toMatch(
      /^The session store \(kv\) did not answer within 60 ms during load\./,
    );
    await expect(quick).resolves.toBe('a');
    await expect(slow).resolves.toBe('b');
  });

  it('ignores a late answer after the deadline', async () => {
    const late = guarded('redis', 'touch', 30, () => later(80, true));
    expect((await settledAfter(60, late)).error).toBeInstanceOf(SessionStoreError);
    await vi.advanceTimersByTimeAsync(100); // the late answer arrives: nothing changes, nothing throws
  });
});
