import { createJweCodec } from '../codec/jwe.ts';
import { encodeEnvelope } from '../storage/envelope.ts';
import { createSessionId } from '../storage/session-id.ts';
import type { SessionState } from '../storage/types.ts';
import type { SessionData } from '../types.ts';

/** What an attacker who holds a secret chooses for the cookie they mint. */
export interface ForgedSession {
  createdAt: number;
  /** Defaults to `createdAt`. */
  lastActiveAt?: number;
  userId?: string;
  data?: SessionData;
  flash?: SessionData;
}

/**
 * An encrypted-cookie value sealed with `secret`, as the kit would seal it,
 * for whatever times and user the caller picks: what anyone holding the
 * secret (a leaked one, or an old one still in a rotation list) can make.
 */
export async function forgeCookie(
  secret: string,
  session: ForgedSession,
  cookieName = 'session',
): Promise<string> {
  const { createdAt, lastActiveAt = createdAt, userId, data = {}, flash } = session;
  const state: SessionState = { id: createSessionId(createdAt), data, createdAt, lastActiveAt };
  if (userId !== undefined) state.userId = userId;
  if (flash !== undefined) state.flash = flash;
  const codec = createJweCodec({ secrets: [secret], salt: cookieName });
  return codec.seal(encodeEnvelope(state, true));
}
