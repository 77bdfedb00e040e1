import { describe, expect, it } from 'vitest';
import { createdAtFromSessionId, createSessionId } from './session-id.ts';

describe('session ids', () => {
  it('are 12 base64url characters that carry the creation time', () => {
    for (const t of [0, 1, 2, 3, 1_700_000_000_123, Date.now(), 2 ** 42 - 1]) {
      const id = createSessionId(t);
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(createdAtFromSessionId(id)).toBe(t);
    }
  });

  it('differ for the same millisecond', () => {
    // 30 random bits: 2000 ids of one millisecond share a value about 0.2% of
    // the time (birthday bound), so requiring all 2000 distinct would fail
    // now and then without a defect. Ten or more repeats happen with a
    // probability below 1e-30, while a broken generator repeats nearly all.
    const t = Date.now();
    const ids = new Set(Array.from({ length: 2000 }, () => createSessionId(t)));
    expect(ids.size).toBeGreaterThan(1990);
  });

  it('reject malformed ids', () => {
    for (const bad of ['', 'short', 'AAAAAAAAAAA=', 'AAAAAAAAAAAAA', 'AAAAAAAAAA+/', 'ÄAAAAAAAAAAA']) {
      expect(createdAtFromSessionId(bad)).toBeUndefined();
    }
    expect(() => createSessionId(-1)).toThrow(RangeError);
    expect(() => createSessionId(2 ** 42)).toThrow(RangeError);
  });
});
