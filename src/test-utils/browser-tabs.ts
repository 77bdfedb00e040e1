// Several tabs of one browser in one test process, for the `live` client
// logic: what the browser gives a page (BroadcastChannel, localStorage and
// its `storage` event, visibility, focus), faked after the specs, with the
// network left to the test. Delivery is asynchronous, as in browsers (a
// microtask here); `settle()` waits until everything queued has run.
import type { LiveEnvironment } from '../live/environment.ts';

/** Runs every queued microtask and the promise chains they start (fetches answered at once included). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

type Fetch = LiveEnvironment['fetch'];

/**
 * One browser profile: tabs opened from it share their BroadcastChannels and
 * their localStorage, as tabs of one origin do.
 */
export class FakeBrowser {
  readonly #channels = new Map<string, Set<FakeChannel>>();
  readonly storage = new FakeStorage();
  readonly tabs: FakeTab[] = [];

  /** A new tab. `broadcast: false`: a browser without BroadcastChannel (the `storage` event carries the news). */
  openTab(fetch: Fetch, options: { broadcast?: boolean; storage?: boolean } = {}): FakeTab {
    const tab = new FakeTab(this, fetch, options.broadcast !== false, options.storage !== false);
    this.tabs.push(tab);
    return tab;
  }

  /** @internal */
  channelClass(): typeof BroadcastChannel {
    const registry = this.#channels;
    class Channel extends FakeChannel {
      constructor(name: string) {
        super(name, registry);
      }
    }
    return Channel as unknown as typeof BroadcastChannel;
  }

  /** @internal The `storage` event goes to every other tab of the profile. */
  storageChanged(from: FakeTab, key: string, oldValue: string | null, newValue: string | null): void {
    for (const tab of this.tabs) {
      if (tab === from || !tab.hasStorage) continue;
      const event = Object.assign(new Event('storage'), {
        key,
        oldValue,
        newValue,
        storageArea: this.storage,
      });
      queueMicrotask(() => tab.window.dispatchEvent(event));
    }
  }
}

/** BroadcastChannel after the HTML spec: other open instances of the same name get a clone, later. */
class FakeChannel extends EventTarget {
  readonly name: string;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  readonly #registry: Map<string, Set<FakeChannel>>;
  #closed = false;

  constructor(name: string, registry: Map<string, Set<FakeChannel>>) {
    super();
    this.name = String(name);
    this.#registry = registry;
    const open = registry.get(this.name) ?? new Set<FakeChannel>();
    open.add(this);
    registry.set(this.name, open);
  }

  postMessage(message: unknown): void {
    if (this.#closed) throw new DOMException('BroadcastChannel is closed.', 'InvalidStateError');
    const data: unknown = structuredClone(message);
    for (const other of this.#registry.get(this.name) ?? []) {
      if (other === this) continue;
      queueMicrotask(() => other.#deliver(structuredClone(data)));
    }
  }

  close(): void {
    this.#closed = true;
    this.#registry.get(this.name)?.delete(this);
  }

  #deliver(data: unknown): void {
    if (this.#closed) return;
    const event = new MessageEvent('message', { data });
    this.onmessage?.(event);
    this.dispatchEvent(event);
  }
}

/** localStorage: strings only; every change reported to the other tabs. */
class FakeStorage {
  readonly #items = new Map<string, string>();
  /** Every value ever written, in order (to check what reached the disk). */
  readonly written: string[] = [];
  writer: FakeTab | undefined;
  browser: FakeBrowser | undefined;

  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    const old = this.getItem(key);
    this.#items.set(key, String(value));
    this.written.push(String(value));
    this.#changed(key, old, String(value));
  }
  removeItem(key: string): void {
    const old = this.getItem(key);
    if (old === null) return;
    this.#items.delete(key);
    this.#changed(key, old, null);
  }
  clear(): void {
    this.#items.clear();
  }
  #changed(key: string, oldValue: string | null, newValue: string | null): void {
    if (this.writer !== undefined) this.browser?.storageChanged(this.writer, key, oldValue, newValue);
  }
}

class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
}

/** One tab: its document and window, and the {@link LiveEnvironment} the kit's client code runs on. */
export class FakeTab {
  readonly document = new FakeDocument();
  readonly window = new EventTarget();
  readonly env: LiveEnvironment;
  readonly hasStorage: boolean;
  /** Requests this tab sent, in order. */
  readonly requests: Array<{ url: string; init: RequestInit }> = [];

  constructor(browser: FakeBrowser, fetch: Fetch, broadcast: boolean, storage: boolean) {
    this.hasStorage = storage;
    const shared = browser.storage;
    shared.browser = browser;
    // Which tab writes is who the `storage` event must skip.
    const asThisTab = new Proxy(shared, {
      get: (target, property) => {
        target.writer = this;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    this.env = {
      fetch: (url, init) => {
        this.requests.push({ url, init });
        return fetch(url, init);
      },
      document: this.document,
      window: this.window,
      BroadcastChannel: broadcast ? browser.channelClass() : undefined,
      storage: () => (storage ? (asThisTab as unknown as Storage) : undefined),
    };
  }

  hide(): void {
    this.document.visibilityState = 'hidden';
    this.window.dispatchEvent(new Event('blur'));
    this.document.dispatchEvent(new Event('visibilitychange'));
  }

  show(): void {
    this.document.visibilityState = 'visible';
    this.document.dispatchEvent(new Event('visibilitychange'));
    this.window.dispatchEvent(new Event('focus'));
  }

  focus(): void {
    this.window.dispatchEvent(new Event('focus'));
  }
}
