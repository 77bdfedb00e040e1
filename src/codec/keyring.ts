/**
 * One usable key: its id, the exact header segment sealed with it, whether it
 * is the current (sealing) key, and backend-specific key material.
 *
 * @internal
 */
export interface KeySlot<K> {
  readonly kid: string;
  readonly header: string;
  readonly current: boolean;
  readonly material: K;
}

/**
 * The keys of one codec, indexed for the open path.
 *
 * @internal
 */
export interface Keyring<K> {
  /** The sealing key (from `secrets[0]`). */
  readonly current: KeySlot<K>;
  /** Every key, current first, for tokens without a `kid`. */
  readonly all: readonly KeySlot<K>[];
  /** Keys by the exact header segment this codec writes for them. */
  readonly byHeader: ReadonlyMap<string, readonly KeySlot<K>[]>;
  /** Keys by `kid`; an id may (rarely) be shared, so each entry lists candidates. */
  readonly byKid: ReadonlyMap<string, readonly KeySlot<K>[]>;
}

/**
 * Indexes slots (current first, in secret order) into a {@link Keyring}.
 *
 * @internal
 */
export function createKeyring<K>(slots: readonly KeySlot<K>[]): Keyring<K> {
  const [current] = slots;
  if (current === undefined) throw new TypeError('A keyring needs at least one key.');
  const byHeader = new Map<string, KeySlot<K>[]>();
  const byKid = new Map<string, KeySlot<K>[]>();
  for (const slot of slots) {
    append(byHeader, slot.header, slot);
    append(byKid, slot.kid, slot);
  }
  return { current, all: slots, byHeader, byKid };
}

function append<K>(map: Map<string, KeySlot<K>[]>, key: string, slot: KeySlot<K>): void {
  const list = map.get(key);
  if (list) list.push(slot);
  else map.set(key, [slot]);
}

/**
 * What a backend does with a keyring: AES-256-GCM over already-validated
 * compact JWE segments. `ring` is set once keys are derived; until then
 * callers await `ready`.
 *
 * @internal
 */
export interface CipherBackend<K> {
  readonly ring: Keyring<K> | undefined;
  readonly ready: Promise<Keyring<K>>;
  /** Seals UTF-8 `plaintext` with `slot`, returning the full compact JWE. */
  seal(slot: KeySlot<K>, plaintext: string): string | Promise<string>;
  /**
   * Tries `candidates` in order on canonical base64url segments (IV 16 chars,
   * tag 22 chars); `aad` is the header segment as received. Resolves to the
   * opening slot and UTF-8 plaintext, or `undefined` if none authenticates or
   * the plaintext is not valid UTF-8. Never throws for bad ciphertext.
   */
  open(
    candidates: readonly KeySlot<K>[],
    aad: string,
    iv: string,
    ciphertext: string,
    tag: string,
  ): Opened<K> | undefined | Promise<Opened<K> | undefined>;
}

/**
 * A successful {@link CipherBackend.open}.
 *
 * @internal
 */
export interface Opened<K> {
  readonly slot: KeySlot<K>;
  readonly plaintext: string;
}
