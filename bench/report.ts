import { type KitSource, kitNote } from './kit.ts';
import { median, pairedRatio, type RatioStats, type Schedule, spread } from './measure.ts';
import type { Payload } from './payloads.ts';
import type { Codec, CodecId } from './tasks.ts';

export type Op = 'seal' | 'open';

export interface OpStats {
  /** Median ops/s over the rounds. */
  readonly opsPerSec: number;
  readonly perRound: readonly number[];
  /** (max − min) / median over the rounds. */
  readonly spread: number;
  /** Per-round ratio to raw node:crypto. */
  readonly vsRaw: RatioStats;
  /** Per-round ratio to iron-session. */
  readonly vsIron: RatioStats;
}

export interface Row {
  readonly codec: CodecId;
  readonly label: string;
  /** `.length` of the token (the cookie value). */
  readonly cookieLength: number;
  readonly seal: OpStats;
  readonly open: OpStats;
}

export interface PayloadReport {
  readonly id: Payload['id'];
  readonly label: string;
  readonly jsonBytes: number;
  readonly rows: readonly Row[];
}

export interface Check {
  readonly name: string;
  readonly actual: number;
  readonly comparison: '>=' | '<=' | '=';
  readonly limit: number;
  readonly unit: '×' | 'chars' | 'round trips';
  /**
   * Ratios: lowest and highest per-round value (how close to the line the
   * noise came). Round trips: fewest and most in any one counted request.
   */
  readonly range?: readonly [number, number];
  readonly pass: boolean;
}

export interface Report {
  readonly generatedAt: string;
  readonly environment: { node: string; platform: string; cpu: string; cores: number; cpuShare: number };
  readonly quick: boolean;
  /** Compiled like the package, or the sources through tsx. */
  readonly kit: KitSource;
  readonly schedule: Schedule;
  readonly durationSeconds: number;
  readonly payloads: readonly PayloadReport[];
  readonly checks: readonly Check[];
}

export function taskKey(payload: Payload['id'], codec: CodecId, op: Op): string {
  return `${payload}:${codec}:${op}`;
}

export function payloadReport(
  payload: Payload,
  codecs: readonly Codec[],
  cookieLengths: ReadonlyMap<CodecId, number>,
  rates: ReadonlyMap<string, number[]>,
): PayloadReport {
  const ratesOf = (codec: CodecId, op: Op): number[] => {
    const values = rates.get(taskKey(payload.id, codec, op));
    if (values === undefined || values.length === 0) throw new Error(`no samples for ${codec} ${op}`);
    return values;
  };
  const stats = (codec: CodecId, op: Op): OpStats => {
    const perRound = ratesOf(codec, op);
    return {
      opsPerSec: median(perRound),
      perRound,
      spread: spread(perRound),
      vsRaw: pairedRatio(perRound, ratesOf('raw', op)),
      vsIron: pairedRatio(perRound, ratesOf('iron', op)),
    };
  };
  return {
    id: payload.id,
    label: payload.label,
    jsonBytes: payload.jsonBytes,
    rows: codecs.map((codec) => ({
      codec: codec.id,
      label: codec.label,
      cookieLength: cookieLengths.get(codec.id) ?? Number.NaN,
      seal: stats(codec.id, 'seal'),
      open: stats(codec.id, 'open'),
    })),
  };
}

const MIN_VS_IRON = 20;
const MIN_VS_RAW = 0.4;
const MAX_SMALL_COOKIE = 230;

function ratioCheck(name: string, stats: RatioStats, limit: number): Check {
  const { median: actual, min, max } = stats;
  return { name, actual, comparison: '>=', limit, unit: '×', range: [min, max], pass: actual >= limit };
}

function lengthCheck(name: string, actual: number, limit: number): Check {
  return { name, actual, comparison: '<=', limit, unit: 'chars', pass: actual <= limit };
}

export function targetChecks(reports: readonly PayloadReport[]): Check[] {
  const checks: Check[] = [];
  for (const report of reports) {
    const ours = report.rows.find((row) => row.codec === 'nsk-node');
    if (ours === undefined) throw new Error('next-session-kit (node) row missing');
    for (const op of ['seal', 'open'] as const) {
      checks.push(ratioCheck(`${report.label} ${op} vs iron-session`, ours[op].vsIron, MIN_VS_IRON));
      checks.push(ratioCheck(`${report.label} ${op} vs raw node:crypto`, ours[op].vsRaw, MIN_VS_RAW));
    }
    if (report.id === 'small') {
      checks.push(lengthCheck(`${report.label} cookie length`, ours.cookieLength, MAX_SMALL_COOKIE));
    }
  }
  return checks;
}

export const ops = (value: number): string => Math.round(value).toLocaleString('en-US');
export const ratio = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)}×`;
export const percent = (value: number): string => `${(value * 100).toFixed(0)}%`;
/** Whole numbers as they are, averages to two decimals. */
export const count = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

function tableFor(report: PayloadReport): string {
  const lines = [
    `**${report.label}**`,
    '',
    '| Library | seal ops/s | open ops/s | cookie chars | seal vs raw | open vs raw | seal vs iron | open vs iron |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const row of report.rows) {
    const label = row.codec === 'nsk-node' ? `**${row.label}**` : row.label;
    const cells = [
      label,
      ops(row.seal.opsPerSec),
      ops(row.open.opsPerSec),
      String(row.cookieLength),
      ratio(row.seal.vsRaw.median),
      ratio(row.open.vsRaw.median),
      ratio(row.seal.vsIron.median),
      ratio(row.open.vsIron.median),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function noisiest(report: Report): string {
  let worst = { spread: 0, name: '' };
  for (const payload of report.payloads) {
    for (const row of payload.rows) {
      for (const op of ['seal', 'open'] as const) {
        if (row[op].spread > worst.spread)
          worst = { spread: row[op].spread, name: `${row.label} ${op}, ${payload.id}` };
      }
    }
  }
  return `${percent(worst.spread)} (${worst.name})`;
}

/** The README-ready tables plus a footnote on how they were measured. */
export function markdownTables(report: Report): string {
  const { schedule, environment } = report;
  const footnote =
    `Median of ${schedule.rounds} rounds, each giving every operation ~${schedule.msPerRound} ms in ` +
    `${schedule.slicesPerRound} interleaved slices, all in one process, ${kitNote(report.kit)}; ` +
    'ratios are medians of per-round ratios ' +
    '(higher is faster). Cookie chars = `.length` of the sealed value. ' +
    `Node ${environment.node}, ${environment.cpu} (${environment.cores} cores), ${report.generatedAt.slice(0, 10)}; ` +
    `process CPU time / wall time ${percent(environment.cpuShare)}. Largest round-to-round spread: ${noisiest(report)}.`;
  return [...report.payloads.map(tableFor), `_${footnote}_`].join('\n\n');
}

function rangeText(item: Check): string {
  if (item.range === undefined) return '';
  const [low, high] = item.range;
  return item.unit === '×'
    ? `; rounds ${ratio(low)}–${ratio(high)}`
    : `; per request ${count(low)}–${count(high)}`;
}

function withUnit(value: number, unit: Check['unit']): string {
  if (unit === '×') return ratio(value);
  return `${count(value)} ${value === 1 && unit === 'round trips' ? 'round trip' : unit}`;
}

function checkLine(item: Check): string {
  const actual = withUnit(item.actual, item.unit);
  const limit = item.unit === '×' ? `${item.limit}×` : withUnit(item.limit, item.unit);
  return `${item.pass ? 'PASS' : 'FAIL'}  ${item.name}: ${actual} (target ${item.comparison} ${limit}${rangeText(item)})`;
}

export function checksSummary(checks: readonly Check[]): string {
  const failed = checks.filter((item) => !item.pass).length;
  return failed === 0
    ? `ALL ${checks.length} TARGETS PASSED`
    : `!!! ${failed} OF ${checks.length} TARGETS FAILED !!!`;
}

export function checksText(
  checks: readonly Check[],
  title = 'Targets (next-session-kit, node:crypto backend):',
): string {
  return [title, ...checks.map((item) => `  ${checkLine(item)}`), checksSummary(checks)].join('\n');
}

/** A Markdown list of checks followed by their bold summary line. */
export function markdownChecks(checks: readonly Check[]): string {
  return `${checks.map((item) => `- ${checkLine(item)}`).join('\n')}\n\n**${checksSummary(checks)}**`;
}

export function markdownReport(report: Report): string {
  return `# Codec benchmark\n\n${markdownTables(report)}\n\n## Targets\n\n${markdownChecks(report.checks)}\n`;
}
