import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from './errors.ts';
import { createSessionKit } from './next/kit.ts';
import { encryptedCookieStorage } from './storage/encrypted-cookie.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('configuration errors during `next build`', () => {
  it('throw at creation outside the build', () => {
    expect(() => encryptedCookieStorage({ secret: '' })).toThrow(SessionConfigError);
  });

  it('are deferred to first use while Next collects page data', async () => {
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = createSessionKit({ storage: encryptedCookieStorage({ secret: '' }) });
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/deferred during `next build`/);
    await expect(kit.getSession()).rejects.toBeInstanceOf(SessionConfigError);
    await expect(kit.newSession()).rejects.toMatchObject({ code: 'ERR_SESSION_CONFIG' });
    const proxy = kit.guard({ protect: ['/'], loginPath: '/login' });
    await expect(proxy({} as never)).rejects.toBeInstanceOf(SessionConfigError);
    // The Pages Router's helpers too: the same actionable error, on first use.
    const pages = kit.pages({} as never, {} as never);
    await expect(pages.getSession()).rejects.toBeInstanceOf(SessionConfigError);
    await expect(pages.destroySession()).rejects.toMatchObject({ code: 'ERR_SESSION_CONFIG' });
  });
});
