export { deriveCookieKey } from './codec/keys.ts';
export {
  SessionConfigError,
  SessionError,
  type SessionErrorCode,
  SessionReadOnlyError,
  SessionStoreError,
  SessionTooLargeError,
  SessionUnsupportedError,
} from './errors.ts';
export { safeNextPath } from './guard/next-param.ts';
export { type VerifyOriginOptions, verifyOrigin } from './guard/origin.ts';
export type { ProtectOption } from './guard/paths.ts';
export type { Guard, GuardOptions } from './next/guard.ts';
export { createSessionKit, type NewSessionOptions, type SessionKit } from './next/kit.ts';
export type { ProxySession } from './next/proxy-session.ts';
export type { SessionKitOptions } from './options.ts';
export type { Session } from './session.ts';
export { type EncryptedCookieStorageOptions, encryptedCookieStorage } from './storage/encrypted-cookie.ts';
export { simpleCookieStorage } from './storage/simple-cookie.ts';
export type {
  LoadResult,
  SaveInput,
  SessionBackend,
  SessionState,
  SessionStorage,
  StorageContext,
  UserSessionInfo,
} from './storage/types.ts';
export type {
  CookieJar,
  CookieOptions,
  CookieWriteOptions,
  InvalidSessionReason,
  SameSite,
  SessionData,
} from './types.ts';
