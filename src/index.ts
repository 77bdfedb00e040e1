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
export type { ClientSessionData, ExposeOption } from './expose.ts';
export { safeNextPath } from './guard/next-param.ts';
export { type VerifyOriginOptions, verifyOrigin } from './guard/origin.ts';
export type { ProtectOption } from './guard/paths.ts';
export type { MigrationRead, MigrationRequest, MigrationSource } from './migrate/types.ts';
export type { ClientAccess, ExposedOf } from './next/client-access.ts';
export type { Guard, GuardOptions } from './next/guard.ts';
export { createSessionKit, type NewSessionOptions, type SessionKit } from './next/kit.ts';
export type { PagesSession } from './next/pages.ts';
export type { ProxySession } from './next/proxy-session.ts';
export { type SessionSecretOptions, sessionSecret } from './next/secret.ts';
export type { SessionProviderProps } from './next/session-provider.ts';
export type { SessionKitOptions } from './options.ts';
export type { Migrate } from './schema/data-check.ts';
export type { WarnUnsaved } from './schema/options.ts';
export type {
  InferSchemaOutput,
  StandardSchemaV1,
  StandardSchemaV1Issue,
  StandardSchemaV1Props,
  StandardSchemaV1Result,
} from './schema/standard-schema.ts';
export type { Session } from './session.ts';
export { type FernetCookieStorageOptions, fernetCookieStorage } from './storage/aiohttp/fernet-cookie.ts';
export { type EncryptedCookieStorageOptions, encryptedCookieStorage } from './storage/encrypted-cookie.ts';
export { type MemoryStorageOptions, memoryStorage } from './storage/memory-storage.ts';
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
  InvalidSessionDetail,
  InvalidSessionReason,
  SameSite,
  SessionData,
} from './types.ts';
