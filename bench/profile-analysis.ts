import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// Reads a V8 CPU profile (Node's --cpu-prof, or the inspector's
// Profiler.stop) and says where the time went: self time by origin (the kit,
// the app, Next.js, Node.js internals, other packages), and the kit's
// inclusive time, i.e. every sample with a frame of the kit on its stack
// (what it called on its own behalf counts for it: node:crypto, JSON.parse,
// Next's cookie API, the schema library it was given). Frames of a bundle
// (the `next build` output) are traced to their sources through the bundle's
// source maps, so the kit's functions are named by file and line even when
// Next's bundler inlined and minified them.

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

export interface CpuProfile {
  readonly nodes: ProfileNode[];
  /** µs on the monotonic clock, as process.hrtime. */
  readonly startTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export const KIT = 'next-session-kit (src/)';
export const IDLE = 'idle (waiting for I/O)';
export const GC = 'garbage collection';
export const NATIVE = 'V8 and native code outside any JS caller';

/** Where a frame's code comes from. */
interface Origin {
  readonly category: string;
  /** `src/engine.ts:120 load` for the kit's frames, the file for the others. */
  readonly where: string;
}

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapOf(path: string): SourceMap | null {
  let map = sourceMaps.get(path);
  if (map === undefined) {
    map = null;
    const file = `${path}.map`;
    if (existsSync(file)) {
      try {
        map = new SourceMap(
          JSON.parse(readFileSync(file, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
        );
      } catch {
        map = null; // an index map Node cannot read: the frame keeps its bundle file
      }
    }
    sourceMaps.set(path, map);
  }
  return map;
}

/** Repository-relative source path from a source map's entry ("../../../src/engine.ts" → "src/engine.ts"). */
function normalizeSource(source: string): string {
  let path = decodeURIComponent(source).replace(/^turbopack:\/\/\/(\[project\]\/)?/, '');
  path = path.replace(/^(\.\.\/)+/, '').replace(/^\.\//, '');
  const modules = path.lastIndexOf('node_modules/');
  return modules >= 0 ? path.slice(modules) : path;
}

/** The category of a repository-relative path or node_modules path. */
function categoryOfPath(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (pkg !== undefined) return pkg === 'next' ? 'Next.js (node_modules/next)' : `node_modules/${pkg}`;
  if (/^src\//.test(path) || path.includes('.tmp/bench-kit/')) return KIT;
  if (path.includes('[turbopack]')) return 'Next.js (node_modules/next)';
  if (/^(app\/|proxy\.ts|bench\/)/.test(path)) return 'the app: route, proxy.ts, demo and bench config';
  return `other: ${path}`;
}

/** Where `root` is the repository: paths are shown relative to it. */
export function classifier(root: string): (frame: CallFrame) => Origin {
  const cache = new Map<string, Origin>();
  return (frame) => {
    const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${frame.functionName}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const origin = classify(frame, root);
    cache.set(key, origin);
    return origin;
  };
}

function classify(frame: CallFrame, root: string): Origin {
  const { url, functionName: name } = frame;
  if (name === '(garbage collector)') return { category: GC, where: name };
  if (name === '(idle)') return { category: IDLE, where: name };
  if (url === '') return { category: NATIVE, where: name || '(native)' };
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto')
    return { category: 'node:crypto', where: url };
  if (url.includes('undici'))
    return { category: 'Node.js fetch types (undici: Request, Response, Headers)', where: url };
  if (url.startsWith('node:'))
    return { category: 'Node.js internals (http, net, streams, async hooks)', where: url };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const relative = path.startsWith(root) ? path.slice(root.length) : path;
  const packagePath = relative.replace(/^.*?(node_modules\/)/, '$1');
  const inPackage = packagePath.startsWith('node_modules/');
  const map = sourceMapOf(path);
  if (map !== null) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      name?: string;
    };
    if (entry.originalSource !== undefined) {
      const source = normalizeSource(entry.originalSource);
      // A package's own bundle (Next's compiled runtime) stays that package, whatever its sources say.
      const category = inPackage ? categoryOfPath(packagePath) : categoryOfPath(source);
      const shown = inPackage && !source.startsWith('node_modules/') ? `${packagePath} ← ${source}` : source;
      const line = (entry.originalLine ?? 0) + 1;
      const fn = entry.name ?? (name && name.length > 2 ? name : '');
      return { category, where: `${shown}:${line}${fn ? ` ${fn}` : ''}` };
    }
  }
  const category = categoryOfPath(inPackage ? packagePath : relative);
  const where =
    category === KIT
      ? `${relative.replace(/^.*\.tmp\/bench-kit\//, 'src/').replace(/\.js$/, '.ts')}:${frame.lineNumber + 1} ${name || '(anonymous)'}`
      : `${inPackage ? packagePath : relative}${name ? ` ${name}` : ''}`;
  return { category, where };
}

/** Where one stretch of a profile went. */
export interface Analysis {
  /** All sampled time in the window, µs. */
  readonly totalMicros: number;
  /** Sampled time that was not idle, µs. */
  readonly busyMicros: number;
  /** Self time by category (native frames counted for their nearest JavaScript caller), µs. */
  readonly selfByCategory: Map<string, number>;
  /** Samples with a frame of the kit anywhere on the stack, µs. */
  readonly kitInclusiveMicros: number;
  /**
   * The same samples by who did the work at the top of the stack (its self
   * category): what the kit's inclusive time is made of, its own code against
   * the Next.js request APIs, node:crypto and Node internals it calls into, µs.
   */
  readonly kitInclusiveByCategory: Map<string, number>;
  /** The kit's frames by self time, and by inclusive time (each at most once per sample), µs. */
  readonly kitSelf: Array<[string, number]>;
  readonly kitInclusive: Array<[string, number]>;
  /** Every frame by self time, µs. */
  readonly topSelf: Array<[string, number]>;
}

const sorted = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]);

/**
 * Sums the samples between `from` and `to` (µs on the profile's clock; all
 * of them when omitted).
 */
export function analyze(
  profile: CpuProfile,
  classify: (frame: CallFrame) => Origin,
  window?: { from: number; to: number },
): Analysis {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const originOf = new Map<number, Origin>();
  const origin = (id: number): Origin => {
    let found = originOf.get(id);
    if (found === undefined) {
      const node = byId.get(id);
      found = node === undefined ? { category: NATIVE, where: 'unknown' } : classify(node.callFrame);
      originOf.set(id, found);
    }
    return found;
  };
  // Native code (JSON.parse, a cipher's update, a socket write) counts for its first caller with a URL.
  const selfCategory = (id: number): string => {
    const own = origin(id);
    if (own.category !== NATIVE || byId.get(id)?.callFrame.functionName.startsWith('(')) return own.category;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const caller = origin(up);
      if (caller.category !== NATIVE) return caller.category;
    }
    return NATIVE;
  };
  const selfFrame = (id: number): string => {
    const own = origin(id);
    if (own.category !== NATIVE) return own.where;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const caller = origin(up);
      if (caller.category !== NATIVE) return `${own.where} ← ${caller.where}`;
    }
    return own.where;
  };

  const selfMicros = new Map<number, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window !== undefined && (at < window.from || at > window.to)) return;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
    total += delta;
  });

  const selfByCategory = new Map<string, number>();
  const topSelf = new Map<string, number>();
  const kitSelf = new Map<string, number>();
  const kitInclusive = new Map<string, number>();
  const kitInclusiveByCategory = new Map<string, number>();
  let kitTotal = 0;
  for (const [id, micros] of selfMicros) {
    const category = selfCategory(id);
    selfByCategory.set(category, (selfByCategory.get(category) ?? 0) + micros);
    if (category === IDLE) continue;
    const frame = selfFrame(id);
    topSelf.set(frame, (topSelf.get(frame) ?? 0) + micros);
    if (category === KIT) kitSelf.set(frame, (kitSelf.get(frame) ?? 0) + micros);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const o = origin(up);
      if (o.category === KIT) seen.add(o.where);
    }
    if (seen.size > 0) {
      kitTotal += micros;
      kitInclusiveByCategory.set(category, (kitInclusiveByCategory.get(category) ?? 0) + micros);
    }
    for (const where of seen) kitInclusive.set(where, (kitInclusive.get(where) ?? 0) + micros);
  }
  return {
    totalMicros: total,
    busyMicros: total - (selfByCategory.get(IDLE) ?? 0),
    selfByCategory,
    kitInclusiveMicros: kitTotal,
    kitInclusiveByCategory,
    kitSelf: sorted(kitSelf),
    kitInclusive: sorted(kitInclusive),
    topSelf: sorted(topSelf),
  };
}

/** Lines for a terminal: categories, then the top frames, each with its share of busy time and µs per unit. */
export function analysisText(analysis: Analysis, units: number, unit: string, top = 25): string[] {
  const busy = analysis.busyMicros;
  const pct = (micros: number): string => `${((micros / busy) * 100).toFixed(1)}%`.padStart(6);
  const per = (micros: number): string => `${(micros / units).toFixed(1)} µs/${unit}`.padStart(16);
  const line = ([name, micros]: [string, number]): string => `  ${pct(micros)} ${per(micros)}  ${name}`;
  return [
    'Self time by origin (share of busy time):',
    ...sorted(analysis.selfByCategory)
      .filter(([name]) => name !== IDLE)
      .map(line),
    `The kit, inclusive (samples with a kit frame on the stack): ${pct(analysis.kitInclusiveMicros).trim()}, ${per(analysis.kitInclusiveMicros).trim()}`,
    'The kit, inclusive, by who did the work (self time under a kit frame):',
    ...sorted(analysis.kitInclusiveByCategory).map(line),
    'Top kit frames by inclusive time:',
    ...analysis.kitInclusive.slice(0, 12).map(line),
    'Top kit frames by self time:',
    ...analysis.kitSelf.slice(0, 12).map(line),
    'Top frames by self time:',
    ...analysis.topSelf.slice(0, top).map(line),
  ];
}

/**
 * What one profile spent per unit more than another, frame by frame (µs per
 * unit, largest growth first): where a path's added cost goes.
 */
export function analysisDiff(
  ours: Analysis,
  ourUnits: number,
  theirs: Analysis,
  theirUnits: number,
  top = 20,
): { categories: Array<[string, number]>; frames: Array<[string, number]> } {
  const perUnit = (entries: Iterable<[string, number]>, units: number): Map<string, number> =>
    new Map([...entries].map(([key, micros]) => [key, micros / units]));
  const growth = (a: Map<string, number>, b: Map<string, number>): Array<[string, number]> => {
    const keys = new Set([...a.keys(), ...b.keys()]);
    return [...keys]
      .map((key): [string, number] => [key, (a.get(key) ?? 0) - (b.get(key) ?? 0)])
      .sort((x, y) => y[1] - x[1]);
  };
  const categories = growth(
    perUnit(ours.selfByCategory, ourUnits),
    perUnit(theirs.selfByCategory, theirUnits),
  ).filter(([name]) => name !== IDLE);
  categories.push([
    'the kit, inclusive',
    ours.kitInclusiveMicros / ourUnits - theirs.kitInclusiveMicros / theirUnits,
  ]);
  const frames = growth(perUnit(ours.topSelf, ourUnits), perUnit(theirs.topSelf, theirUnits)).slice(0, top);
  return { categories, frames };
}
