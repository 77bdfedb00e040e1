import { isRecord } from '../is-object.ts';
import type { SessionState } from '../storage/types.ts';
import type { SessionData } from '../types.ts';
import type { StandardSchemaV1, StandardSchemaV1Issue } from './standard-schema.ts';

/**
 * Turns data written for an older `version` into the current shape. Called
 * with the stored data and the version it was written for; return the new
 * data (it is then checked by the `schema`, if any).
 *
 * @example
 * ```ts
 * const migrate: Migrate = (data, from) => (from < 2 ? { ...data, user: { name: data.user } } : data);
 * ```
 */
export type Migrate = (data: SessionData, fromVersion: number) => SessionData | Promise<SessionData>;

/**
 * What a loaded session's data must satisfy.
 *
 * @internal
 */
export interface DataRules {
  schema: StandardSchemaV1 | undefined;
  version: number;
  migrate: Migrate | undefined;
}

/**
 * Result of {@link checkData}: the data to use, or why the session is refused.
 *
 * @internal
 */
export type DataCheck =
  | { ok: true; data: SessionData; migrated: boolean }
  | { ok: false; reason: 'schema' | 'version' | 'migration' };

/**
 * Whether a loaded state needs {@link checkData} at all. False on the hot
 * path of a kit without `schema` or `version`, which then pays nothing.
 *
 * @internal
 */
export function needsDataCheck(rules: DataRules, state: SessionState): boolean {
  return rules.schema !== undefined || (state.version ?? 1) !== rules.version;
}

/**
 * Migrates (older version) and validates (schema) a loaded session's data.
 * Never throws: a session that cannot be brought to the current shape is
 * refused, never passed on half-valid.
 *
 * @internal
 */
export async function checkData(rules: DataRules, state: SessionState): Promise<DataCheck> {
  const stored = state.version ?? 1;
  // Written by a newer deployment (a rollback): its shape is unknown here.
  if (stored > rules.version) return { ok: false, reason: 'version' };
  let data: unknown = state.data;
  const migrated = stored < rules.version;
  if (migrated) {
    if (rules.migrate === undefined) return { ok: false, reason: 'version' };
    try {
      data = await rules.migrate(state.data, stored);
    } catch (error) {
      devWarn(`migrate() threw for a session of version ${stored}; the user gets a fresh session.`, error);
      return { ok: false, reason: 'migration' };
    }
    if (!isRecord(data)) return { ok: false, reason: 'migration' };
  }
  if (rules.schema !== undefined) {
    let result: Awaited<ReturnType<StandardSchemaV1['~standard']['validate']>>;
    try {
      result = await rules.schema['~standard'].validate(data);
    } catch (error) {
      devWarn('the schema threw while validating session data; the user gets a fresh session.', error);
      return { ok: false, reason: 'schema' };
    }
    if (result.issues !== undefined) {
      devWarn(
        `session data failed the schema at ${issuePaths(result.issues)}; the user gets a fresh session.`,
      );
      return { ok: false, reason: 'schema' };
    }
    if (!isRecord(result.value)) return { ok: false, reason: 'schema' };
    data = result.value;
  }
  return { ok: true, data: data as SessionData, migrated };
}

// Paths only: issue messages of some validators quote the offending value.
function issuePaths(issues: ReadonlyArray<StandardSchemaV1Issue>): string {
  const paths = issues.slice(0, 5).map((issue) => {
    const path = (issue.path ?? []).map((part) =>
      typeof part === 'object' && part !== null ? String(part.key) : String(part),
    );
    return path.length === 0 ? '(root)' : path.join('.');
  });
  return paths.join(', ') + (issues.length > 5 ? ', …' : '');
}

function devWarn(message: string, error?: unknown): void {
  if (typeof process !== 'undefined' && process.env?.NODE_ENV === 'production') return;
  const detail = error instanceof Error ? ` (${error.name})` : '';
  console.warn(`next-session-kit: ${message}${detail}`);
}
