import type * as NodeBuffer from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';

// The only door to node:crypto. It is reached through
// process.getBuiltinModule (Node >= 20.16) instead of a static import so edge
// and browser bundles never see a Node built-in; the type imports above are
// erased at compile time.

/**
 * The Node built-ins the fast codec path needs.
 *
 * @internal
 */
export interface NodeRuntime {
  readonly crypto: typeof NodeCrypto;
  readonly buffer: typeof NodeBuffer;
}

interface BuiltinLoader {
  getBuiltinModule?(id: string): unknown;
}

/**
 * Loads `node:crypto` and `node:buffer` without a static import, or returns
 * `undefined` where they are unavailable (edge runtime, browsers, Node < 20.16).
 *
 * @internal
 */
export function loadNodeRuntime(): NodeRuntime | undefined {
  const loader = (globalThis as { process?: BuiltinLoader }).process;
  if (typeof loader?.getBuiltinModule !== 'function') return undefined;
  try {
    const crypto = loader.getBuiltinModule('node:crypto') as typeof NodeCrypto | undefined;
    const buffer = loader.getBuiltinModule('node:buffer') as typeof NodeBuffer | undefined;
    if (typeof crypto?.createCipheriv !== 'function' || typeof buffer?.isUtf8 !== 'function')
      return undefined;
    return { crypto, buffer };
  } catch {
    return undefined;
  }
}
