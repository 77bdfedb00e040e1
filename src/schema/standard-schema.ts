// The Standard Schema v1 interface (https://standardschema.dev), declared
// here rather than imported: zod 4, valibot and arktype schemas all carry a
// `~standard` property of this shape, so the kit accepts any of them with no
// runtime dependency.

/**
 * Any validator that implements Standard Schema v1: zod 4, valibot, arktype, …
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const schema: StandardSchemaV1<unknown, { user?: string }> = z.object({ user: z.string().optional() });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1Props<Input, Output>;
}

/**
 * The `~standard` property of a Standard Schema.
 *
 * @example
 * ```ts
 * const result = await schema['~standard'].validate(value);
 * ```
 */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (
    value: unknown,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/**
 * What `validate()` returns: the (possibly transformed) value, or the issues.
 *
 * @example
 * ```ts
 * const result: StandardSchemaV1Result<Data> = { value: { user: 'ada' } };
 * ```
 */
export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaV1Issue> };

/**
 * One validation problem.
 *
 * @example
 * ```ts
 * const issue: StandardSchemaV1Issue = { message: 'Expected string', path: ['user'] };
 * ```
 */
export interface StandardSchemaV1Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * The data type a schema produces (its output type).
 *
 * @example
 * ```ts
 * type Data = InferSchemaOutput<typeof schema>;
 * ```
 */
export type InferSchemaOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
