import { SessionConfigError } from '../errors.ts';

/**
 * One step of a compiled `protect` pattern: a literal segment, exactly one
 * segment of any text (`:name`), or any number of segments, none included
 * (`:name*`, the tail of `:name+`, and the sub-paths a plain path covers).
 */
export type PatternToken = { kind: 'literal'; text: string } | { kind: 'one' } | { kind: 'any' };

/**
 * Counts the steps of {@link matchSegments} (one per live pattern position
 * per segment), so tests can prove its cost is linear in the path length.
 */
export interface StepMeter {
  steps: number;
}

const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*([*+]?)$/;

/**
 * Parses one `protect` pattern (Next's matcher syntax) into tokens; throws a
 * `SessionConfigError` for a malformed one. A pattern without `*` or `+`
 * also covers every path below it.
 */
export function parsePattern(pattern: unknown): PatternToken[] {
  if (typeof pattern !== 'string' || !pattern.startsWith('/') || /[\s?#\\]/.test(pattern)) {
    throw new SessionConfigError(
      'Each `protect` pattern must be a path starting with "/", e.g. "/dashboard/:path*".',
    );
  }
  const tokens: PatternToken[] = [];
  let open = true;
  for (const segment of pattern.split('/')) {
    if (segment === '') continue;
    const param = PARAM.exec(segment);
    if (param === null) {
      if (segment.includes(':') || segment.includes('*')) {
        throw new SessionConfigError(
          `Unsupported pattern segment in "${pattern}": use ":name", ":name*" or ":name+".`,
        );
      }
      tokens.push({ kind: 'literal', text: segment });
    } else if (param[1] === '*') {
      tokens.push({ kind: 'any' });
      open = false;
    } else if (param[1] === '+') {
      tokens.push({ kind: 'one' }, { kind: 'any' });
      open = false;
    } else {
      tokens.push({ kind: 'one' });
    }
  }
  if (open) tokens.push({ kind: 'any' });
  return tokens;
}

/**
 * Whether the segments of a normalized path (non-empty, already decoded)
 * match the tokens. Simulates the pattern as a small automaton over
 * segments, every live position at once, so the cost is at most
 * 2 × tokens × (segments + 1) steps whatever the pattern: no backtracking,
 * and a segment's text is compared, never scanned by a regex, so any
 * character (line terminators, controls, any code point) is just text.
 */
export function matchSegments(
  tokens: readonly PatternToken[],
  segments: readonly string[],
  meter?: StepMeter,
): boolean {
  const size = tokens.length + 1;
  let live = new Uint8Array(size);
  let next = new Uint8Array(size);
  live[0] = 1;
  skipEmpty(tokens, live, meter);
  for (const segment of segments) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < tokens.length; i++) {
      if (live[i] !== 1) continue;
      if (meter !== undefined) meter.steps++;
      const token = tokens[i] as PatternToken;
      if (token.kind === 'any') next[i] = 1;
      else if (token.kind === 'one' || token.text === segment) next[i + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    [live, next] = [next, live];
    skipEmpty(tokens, live, meter);
  }
  return live[tokens.length] === 1;
}

// An `any` token may match no segment: whoever stands before it also stands
// after it. Positions only move forward, so one pass in order is enough.
function skipEmpty(tokens: readonly PatternToken[], live: Uint8Array, meter: StepMeter | undefined): void {
  for (let i = 0; i < tokens.length; i++) {
    if (meter !== undefined) meter.steps++;
    if (live[i] === 1 && tokens[i]?.kind === 'any') live[i + 1] = 1;
  }
}
