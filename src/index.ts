// next-session-kit: the main entry point.
//
// Architecture (the same as docs/development.md, section "Architecture").
//
// One request, from the app's call to the store, one way down:
//
// cookies() / request.cookies          the request's cookies, as a CookieJar
//   → kit       src/next/              getSession(), newSession(), save(), guard(), proxySession()
//   → engine    src/engine.ts          loads a session from the jar, commits its change set back
//   → storage   cookie codec           the whole session sealed in the cookie (JWE, simple, Fernet)
//           or  store adapter          an opaque token in the cookie, the session in a store
//   → store     Redis, KV, Memcached, PostgreSQL, SQLite, memory, or your own StoreAdapter
//
// The options are resolved once, in `createSessionKit()`: the lifetime (every expiry and the touch interval), the
// cookie's name and attributes (`__Host-`/`__Secure-` included), and the storage bound to both. The session the
// app holds is plain data plus one change set; `save()` hands it to the engine, which either destroys it, slides its
// idle expiry, or writes it, and sets the cookie.
//
// | concern                                                  | file                                                                                                |
// | -------------------------------------------------------- | --------------------------------------------------------------------------------------------------- |
// | public entry points                                      | `src/index.ts`, `src/entries/`                                                                      |
// | options, validated once                                  | `src/options.ts`, `src/cookie/validate.ts`, `src/schema/options.ts`                                 |
// | Next.js glue: the kit, request scope, cookies()          | `src/next/kit.ts`, `src/next/context.ts`, `src/next/request-scope.ts`                               |
// | proxy: `guard()`, `proxySession()`, hand-offs            | `src/next/guard.ts`, `src/next/proxy-session.ts`, `src/next/hand-off.ts`, `src/guard/`              |
// | the engine: load, commit (destroy, touch-only, write)    | `src/engine.ts`, `src/engine/{load,commit,sign-in}.ts`                                              |
// | the session object and its change set                    | `src/session.ts`, `src/session-edits.ts`, `src/session-flash.ts`, `src/change-set.ts`               |
// | lifetime: absolute and idle expiry, touch, cookie expiry | `src/lifetime.ts`                                                                                   |
// | the session cookie: name, prefix, attributes, chunks     | `src/cookie/session-cookie.ts`, `src/cookie/prefix.ts`, `src/cookie/chunks.ts`                      |
// | the storage interface (`SessionStorage`, `BoundStorage`) | `src/storage/types.ts`                                                                              |
// | encrypted cookie: envelope, JWE, keys                    | `src/storage/encrypted-cookie.ts`, `src/storage/envelope.ts`, `src/codec/`                          |
// | the store adapter: `defineStore()`, tokens, user index   | `src/storage/store/` (`adapter.ts`: the `StoreAdapter` types; `bound-store.ts`: one bound to a kit) |
// | Redis / KV, Memcached, memory stores                     | `src/storage/redis/`, `src/storage/memcached/`, `src/storage/memory/`                               |
// | PostgreSQL and SQLite stores: DDL, sweep                 | `src/storage/postgres/`, `src/storage/sqlite/`, `src/storage/sql/`                                  |
// | aiohttp-session formats (Python)                         | `src/storage/aiohttp/`                                                                              |
// | typed, validated, versioned data                         | `src/schema/`                                                                                       |
// | migration from iron-session / Auth.js                    | `src/migrate/`                                                                                      |
// | client components: `expose`, `useSession()`, `live`      | `src/expose.ts`, `src/next/client-access.ts`, `src/entries/client.ts`, `src/live/`                  |
// | errors                                                   | `src/errors.ts`                                                                                     |
// | test helpers and `describeStoreAdapter()`                | `src/entries/testing.ts`, `src/testing/`                                                            |

export { deriveCookieKey } from './codec/keys.ts';
export type { DeviceOptions } from './devices.ts';
export {
  SessionConfigError,
  SessionError,
  type SessionErrorCode,
  SessionNotFreshError,
  SessionReadOnlyError,
  SessionStoreError,
  SessionTooLargeError,
  SessionUnsupportedError,
} from './errors.ts';
export type {
  InvalidEvent,
  LoginEvent,
  LogoutEvent,
  RevokeEvent,
  RotateEvent,
  SessionEventHandlers,
  SessionEvents,
  StoreErrorEvent,
} from './events.ts';
export type { ClientSessionData, ExposeOption } from './expose.ts';
export { safeNextPath } from './guard/next-param.ts';
export { type VerifyOriginOptions, verifyOrigin } from './guard/origin.ts';
export type { ProtectOption } from './guard/paths.ts';
export type { CookieLifetime, IdleClock, Lifetime, SessionLifetime, SessionTimes } from './lifetime.ts';
export type { LiveSessionOptions } from './live/options.ts';
export type { MigrationRead, MigrationRequest, MigrationSource } from './migrate/types.ts';
export type { ClientAccess, ExposedOf } from './next/client-access.ts';
export type { ClientSessionHandler } from './next/client-session-handler.ts';
export type { FreshOptions, Guard, GuardOptions } from './next/guard.ts';
export {
  createSessionKit,
  type DestroyUserSessionsOptions,
  type NewSessionOptions,
  type SessionKit,
} from './next/kit.ts';
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
  BoundStorage,
  FlashHandover,
  IdleSlide,
  LoadResult,
  SaveInput,
  SessionState,
  SessionStorage,
  StorageContext,
  UserSessionIndex,
  UserSessionInfo,
  UserSessionSelection,
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
