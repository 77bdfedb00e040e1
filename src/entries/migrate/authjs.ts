// `next-session-kit/migrate/authjs`: its own entry, so that jose is loaded
// only by an app that migrates from Auth.js.
export { type AuthjsSessionOptions, type AuthjsToken, authjsSession } from '../../migrate/authjs.ts';
