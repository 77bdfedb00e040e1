import { describe, expect, it } from 'vitest';
import { SessionStoreError } from '../../errors.ts';
import { guarded } from './timeout.ts';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('guarded store calls', () => {
  it('passes answers through, mapped in the same step', async () => {
    await expect(guarded('redis', 'load', 1000, () => later(5, 2))).resolves.toBe(2);
    await expect(
      guarded(
        'redis',
        'load',
        1000,
        () => later(5, 2),
        (n) => n * 10,
      ),
    ).resolves.toBe(20);
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
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).toMatchObject({ code: 'ERR_SESSION_STORE', cause });
      expect((error as Error).message).toBe('The session store (redis) failed during save.');
    }
  });

  it('times out a call that never answers, while the calls around it finish normally', async () => {
    const hung = guarded('kv', 'load', 60, () => new Promise<never>(() => {}));
    // Out-of-order settling: these finish before and after the hung call expires.
    const quick = guarded('kv', 'load', 1000, () => later(5, 'a'));
    const slow = guarded('kv', 'load', 1000, () => later(150, 'b'));
    const started = Date.now();
    const error = await hung.catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toMatch(
      /^The session store \(kv\) did not answer within 60 ms during load\./,
    );
    await expect(quick).resolves.toBe('a');
    await expect(slow).resolves.toBe('b');
  });

  it('ignores a late answer after the deadline', async () => {
    const late = guarded('redis', 'touch', 30, () => later(80, true));
    await expect(late).rejects.toBeInstanceOf(SessionStoreError);
    await later(100, undefined); // the late answer arrives: nothing changes, nothing throws
  });
});
