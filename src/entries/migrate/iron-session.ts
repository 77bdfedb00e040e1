// `next-session-kit/migrate/iron-session`: its own entry, so that only an app
// that migrates loads iron-session (an optional peer dependency).
export { type IronSessionOptions, ironSession } from '../../migrate/iron-session.ts';
