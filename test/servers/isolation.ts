import { randomBytes } from 'node:crypto';

let counter = 0;

/**
 * A key prefix no other test (file, worker or run) uses. The servers from `global-setup.ts` are shared
 * by every test file running in parallel, so every key a test touches must start with one of these.
 * It contains no `{...}` hash tag, so keys spread over all cluster slots; wrap a part in braces yourself
 * when a multi-key cluster command needs them in one slot.
 */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `t:${name}:${process.pid.toString(36)}${randomBytes(3).toString('hex')}${counter.toString(36)}:`;
}

/**
 * A PostgreSQL/SQLite table name no other test uses (the shared PostgreSQL is used by every test file
 * at once): lowercase, at most 48 characters, so the kit's index names derived from it fit in 63.
 */
export function uniqueTable(name: string): string {
  counter += 1;
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `t_${base}_${process.pid.toString(36)}${randomBytes(3).toString('hex')}${counter.toString(36)}`;
}
