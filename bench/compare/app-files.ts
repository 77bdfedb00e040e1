// The plain Next 16 app of `npm run bench:compare`: what a user writes, from
// each library's README, and nothing from this repository but the packed kit.
// Each library gets the same ~1 KB session (bench/payloads.ts, "large") through
// a login route of its own, so each cookie is one the library itself wrote.

/** The app's files, path → content. `data` is the session both libraries store. */
export function appFiles(data: Record<string, unknown>): Record<string, string> {
  const json = JSON.stringify(data, null, 2);
  return {
    'next.config.mjs': 'export default {};\n',
    'app/layout.tsx':
      'export default function RootLayout({ children }: { children: React.ReactNode }) {\n' +
      '  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
    // The session data both libraries are given at login.
    'lib/data.ts': `export const DATA = ${json} as Record<string, unknown>;\n`,

    // next-session-kit, as its README's quickstart: one lib/session.ts.
    'lib/session.ts': [
      "import { createSessionKit, encryptedCookieStorage, sessionSecret } from 'next-session-kit';",
      '',
      'type Data = Record<string, unknown> & { count?: number };',
      '',
      'export const { getSession, newSession, destroySession, guard } = createSessionKit<Data>({',
      '  storage: encryptedCookieStorage({ secret: sessionSecret() }),',
      '  maxAge: 60 * 60 * 24 * 14, // absolute lifetime: 14 days',
      '  idleTimeout: 60 * 60 * 24, // ends after a day without activity',
      '});',
      '',
    ].join('\n'),
    'app/kit/login/route.ts': [
      "import { DATA } from '../../../lib/data';",
      "import { newSession } from '../../../lib/session';",
      '',
      'export async function POST() {',
      "  const session = await newSession({ userId: 'ada' });",
      '  for (const [key, value] of Object.entries(DATA)) session.set(key, value);',
      '  await session.save();',
      '  return Response.json({ ok: true });',
      '}',
      '',
    ].join('\n'),
    'app/kit/read/route.ts': [
      "import { getSession } from '../../../lib/session';",
      '',
      'export async function GET() {',
      '  const session = await getSession();',
      '  return Response.json(session.data);',
      '}',
      '',
    ].join('\n'),
    'app/kit/write/route.ts': [
      "import { getSession } from '../../../lib/session';",
      '',
      'export async function POST() {',
      '  const session = await getSession();',
      "  session.set('count', (session.get('count') ?? 0) + 1);",
      '  await session.save();',
      '  return Response.json(session.data);',
      '}',
      '',
    ].join('\n'),

    // iron-session 8, as its README's "Next.js Route Handlers (App Router)"
    // (Next 16's cookies() is async, hence the await).
    'app/iron/login/route.ts': [
      "import { cookies } from 'next/headers';",
      "import { getIronSession } from 'iron-session';",
      "import { DATA } from '../../../lib/data';",
      '',
      'export async function POST() {',
      '  const session = await getIronSession<Record<string, unknown>>(await cookies(), {',
      '    password: process.env.IRON_PASSWORD as string,',
      "    cookieName: 'iron-session',",
      '  });',
      '  Object.assign(session, DATA);',
      '  await session.save();',
      '  return Response.json({ ok: true });',
      '}',
      '',
    ].join('\n'),
    'app/iron/read/route.ts': [
      "import { cookies } from 'next/headers';",
      "import { getIronSession } from 'iron-session';",
      '',
      'export async function GET() {',
      '  const session = await getIronSession<Record<string, unknown>>(await cookies(), {',
      '    password: process.env.IRON_PASSWORD as string,',
      "    cookieName: 'iron-session',",
      '  });',
      '  return Response.json(session);',
      '}',
      '',
    ].join('\n'),
    'app/iron/write/route.ts': [
      "import { cookies } from 'next/headers';",
      "import { getIronSession } from 'iron-session';",
      '',
      'export async function POST() {',
      '  const session = await getIronSession<{ count?: number }>(await cookies(), {',
      '    password: process.env.IRON_PASSWORD as string,',
      "    cookieName: 'iron-session',",
      '  });',
      '  session.count = (session.count ?? 0) + 1;',
      '  await session.save();',
      '  return Response.json(session);',
      '}',
      '',
    ].join('\n'),

    // No library: the floor both are measured above. The same JSON from the
    // same request (it carries one library's cookie), read via cookies().
    'app/plain/read/route.ts': [
      "import { cookies } from 'next/headers';",
      "import { DATA } from '../../../lib/data';",
      '',
      'export async function GET() {',
      '  await cookies();',
      '  return Response.json(DATA);',
      '}',
      '',
    ].join('\n'),
  };
}
