import { SessionConfigError } from '../errors.ts';
import type { DataRules, Migrate } from './data-check.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';

/**
 * When the kit warns about a session changed but never saved: `'development'`
 * (default) whenever `NODE_ENV` is not `production`, `'always'` also in
 * production, `false` never.
 *
 * @example
 * ```ts
 * createSessionKit({ storage, warnUnsaved: 'always' });
 * ```
 */
export type WarnUnsaved = 'development' | 'always' | false;

/**
 * Validates `schema`, `version` and `migrate`; throws `SessionConfigError`.
 *
 * @internal
 */
export function resolveDataRules(options: {
  schema?: unknown;
  version?: unknown;
  migrate?: unknown;
}): DataRules {
  const { schema, version = 1, migrate } = options;
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw new SessionConfigError(
      '`schema` must be a Standard Schema v1 validator (zod 4, valibot, arktype, …), e.g. ' +
        'z.object({ user: z.string().optional() }).',
    );
  }
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new SessionConfigError(
      '`version` must be a whole number, 1 or more: the version of your session data shape. ' +
        'Bump it with a `migrate(data, fromVersion)` when the shape changes.',
    );
  }
  if (migrate !== undefined && typeof migrate !== 'function') {
    throw new SessionConfigError('`migrate` must be a function (data, fromVersion) => newData.');
  }
  if (migrate !== undefined && version === 1) {
    throw new SessionConfigError(
      '`migrate` needs `version` 2 or more: sessions without a version are version 1, so there is ' +
        'nothing to migrate from yet.',
    );
  }
  return {
    schema: schema as StandardSchemaV1 | undefined,
    version,
    migrate: migrate as Migrate | undefined,
  };
}

/**
 * Resolves `warnUnsaved` against `NODE_ENV`, once.
 *
 * @internal
 */
export function resolveWarnUnsaved(value: unknown): boolean {
  if (value === undefined || value === 'development') {
    return typeof process === 'undefined' || process.env?.NODE_ENV !== 'production';
  }
  if (value === 'always') return true;
  if (value === false) return false;
  throw new SessionConfigError("`warnUnsaved` must be 'development' (default), 'always' or false.");
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}
