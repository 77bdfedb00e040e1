/** A session's data as every library under test accepts it. */
export type SessionPayload = Record<string, unknown>;

/** One payload the bench seals and opens. */
export interface Payload {
  readonly id: 'small' | 'large';
  readonly label: string;
  readonly data: SessionPayload;
  /** UTF-8 bytes of `JSON.stringify(data)`. */
  readonly jsonBytes: number;
  /** Accepted range for `jsonBytes`, so an edit cannot silently change what is compared. */
  readonly range: readonly [number, number];
}

const small: SessionPayload = {
  user: 'ada@example.com',
  count: 42,
  role: 'admin',
  theme: 'dark',
  lang: 'eng',
};

const large: SessionPayload = {
  user: {
    id: 'usr_01J9Z8Q4W6XKJ3T5M2N7P8R4VA',
    email: 'ada.lovelace@example.com',
    name: 'Ada Lovelace',
    avatar: 'https://cdn.example.com/avatars/usr_01J9Z8Q4W6XKJ3T5M2N7P8R4VA.png',
    roles: ['admin', 'billing', 'support'],
    emailVerified: true,
  },
  org: { id: 'org_7f3c2a', slug: 'analytical-engines', plan: 'team', seats: 25 },
  auth: {
    provider: 'github',
    accessTokenExpiresAt: 1767225600,
    scopes: ['read:user', 'user:email', 'repo'],
    mfa: true,
  },
  csrf: 'b3f1c9e2a7d44f0e9c1a6b8d2e5f7a90',
  cart: [
    { sku: 'BK-1843-NOTES', qty: 1, price: 2499 },
    { sku: 'PC-ENGINE-02', qty: 2, price: 129900 },
    { sku: 'ST-PUNCH-CARDS', qty: 10, price: 350 },
  ],
  preferences: {
    theme: 'dark',
    lang: 'en-GB',
    timezone: 'Europe/London',
    currency: 'GBP',
    density: 'compact',
    notifications: { email: true, push: false, digest: 'weekly' },
  },
  recentlyViewed: [
    '/products/difference-engine',
    '/products/analytical-engine',
    '/docs/notes-on-the-sketch',
    '/account/billing',
  ],
  flash: { type: 'success', message: 'Billing updated.' },
  lastLoginAt: '2025-11-03T09:41:27.512Z',
};

function payload(id: Payload['id'], data: SessionPayload, range: readonly [number, number]): Payload {
  const jsonBytes = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (jsonBytes < range[0] || jsonBytes > range[1]) {
    throw new Error(`bench payload "${id}" is ${jsonBytes} bytes of JSON; expected ${range[0]}–${range[1]}.`);
  }
  const label = id === 'small' ? `~80 B (${jsonBytes} B JSON)` : `~1 KB (${jsonBytes} B JSON)`;
  return { id, label, data, jsonBytes, range };
}

export const payloads: readonly Payload[] = [
  payload('small', small, [78, 82]),
  payload('large', large, [1000, 1024]),
];
