import type { RatioStats } from '../measure.ts';
import type { PostgresScaleRow } from '../postgres.ts';
import type { VariantRow } from './report.ts';
import { sizeRows } from './report.ts';
import type { KeyScaleRow } from './scale.ts';

// Hand-written SVG: no chart library, readable on GitHub in light and dark
// mode (its own white background), numbers printed on every bar.

const FONT = 'font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';
const INK = '#1f2328';
const MUTED = '#656d76';
const GRID = '#d0d7de';
const OURS = '#1a7f37';
const OURS_LIGHT = '#7cc98f';
const OTHER = '#8c959f';

const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*\*|`/g, '');

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

function svg(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12" fill="${INK}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

interface Bar {
  label: string;
  value: number;
  note: string;
  ours: boolean;
}

/** Horizontal bars of throughput relative to each route's baseline, with the 1.0 line. */
export function httpChart(rows: readonly VariantRow[], title: string): string {
  // [id, compared with, label, ours]
  const specs: Array<[string, string, string, boolean]> = [
    ['nsk', 'baseline', 'next-session-kit, cookie: read', true],
    ['redis', 'baseline-redis', 'next-session-kit, Redis: read', true],
    ['authjs', 'baseline', 'Auth.js JWT decode: read', false],
    ['iron', 'baseline', 'iron-session 8: read', false],
    ['nsk-write', 'baseline', 'next-session-kit, cookie: read + write', true],
    ['redis-write', 'baseline-redis', 'next-session-kit, Redis: read + write', true],
    ['iron-write', 'baseline', 'iron-session 8: read + write', false],
    ['baseline-write', 'baseline', 'no library, cookie written back', false],
    ['nsk-write', 'baseline-write', 'kit read + write vs no-library write', true],
    ['iron-write', 'baseline-write', 'iron read + write vs no-library write', false],
    ['proxy-noop', 'guard-off', 'no-op proxy.ts vs no proxy', false],
    ['guard', 'guard-off', 'proxy.ts guard vs no proxy', true],
    ['guard', 'proxy-noop', 'proxy.ts guard vs no-op proxy', true],
    ['guard-refresh', 'proxy-noop', 'guard + cookie refresh vs no-op proxy', true],
    ['guard-session', 'floor-session', 'guard + route read, cookie, vs no-op', true],
    ['guard-session@redis', 'floor-session@redis', 'guard + route read, Redis, vs no-op', true],
    ['guard-session@kv', 'floor-session@kv', 'guard + route read, KV, vs no-op', true],
  ];
  const bars: Bar[] = [];
  for (const [id, ref, label, ours] of specs) {
    const row = rows.find((r) => r.id === id);
    const ratio = row?.vs[ref];
    if (row === undefined || ratio === undefined) continue;
    bars.push({
      label,
      value: ratio.median,
      note: `${ratio.median.toFixed(2)}×  ·  ${Math.round(row.requestsPerSec).toLocaleString('en-US')} req/s  ·  p99 ${row.p99.toFixed(1)} ms`,
      ours,
    });
  }
  const left = 290;
  const plot = 520;
  const rowH = 30;
  const top = 56;
  const height = top + bars.length * rowH + 40;
  const width = left + plot + 30;
  const max = 1.1;
  const x = (v: number): number => left + (Math.min(v, max) / max) * plot;
  const body: string[] = [
    text(16, 24, title, 'font-size="15" font-weight="600"'),
    text(
      16,
      42,
      'req/s ÷ req/s of the request it is compared with, run right beside it (no session unless named); 1.00× = no cost; medians of rounds',
      `font-size="11" fill="${MUTED}"`,
    ),
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const tx = x(tick);
    body.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${top + bars.length * rowH}" stroke="${tick === 1 ? INK : GRID}" stroke-width="1"${tick === 1 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    body.push(
      text(
        tx,
        top + bars.length * rowH + 16,
        `${tick.toFixed(2)}×`,
        `text-anchor="middle" fill="${MUTED}" font-size="11"`,
      ),
    );
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowH;
    body.push(text(left - 10, y + 18, bar.label, 'text-anchor="end"'));
    const w = Math.max(1, x(bar.value) - left);
    body.push(
      `<rect x="${left}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" rx="2" fill="${bar.ours ? OURS : OTHER}"/>`,
    );
    const inside = w > 330;
    body.push(
      text(
        inside ? left + 8 : left + w + 6,
        y + 18,
        bar.note,
        `font-size="11" fill="${inside ? '#ffffff' : INK}"`,
      ),
    );
  });
  return svg(width, height, title, body);
}

/** Two panels: cost against session size (cookie), and Redis memory and latency against live sessions. */
export function scaleChart(rows: readonly VariantRow[], keys: readonly KeyScaleRow[]): string {
  const width = 860;
  const height = 330;
  const body: string[] = [text(16, 24, 'How the cost grows', 'font-size="15" font-weight="600"')];

  // Left: grouped bars, read and read+write vs baseline per size.
  const sizes = sizeRows(rows);
  const panelTop = 70;
  const panelH = 190;
  const lx = 60;
  const lw = 340;
  body.push(
    text(
      16,
      48,
      'Encrypted cookie: req/s vs no-session baseline, by session size',
      `font-size="12" font-weight="600"`,
    ),
  );
  const y = (v: number): number => panelTop + panelH - (Math.min(v, 1.1) / 1.1) * panelH;
  for (const tick of [0, 0.5, 1]) {
    body.push(
      `<line x1="${lx}" y1="${y(tick)}" x2="${lx + lw}" y2="${y(tick)}" stroke="${tick === 1 ? INK : GRID}"${tick === 1 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    body.push(
      text(lx - 6, y(tick) + 4, `${tick.toFixed(1)}×`, `text-anchor="end" font-size="11" fill="${MUTED}"`),
    );
  }
  const group = sizes.length === 0 ? lw : lw / sizes.length;
  sizes.forEach((s, i) => {
    const gx = lx + i * group;
    const bw = Math.min(34, group / 3);
    const pairs: Array<[RatioStats | undefined, string]> = [
      [s.readVs, OURS],
      [s.writeVs, OURS_LIGHT],
    ];
    pairs.forEach(([ratio, color], j) => {
      const v = ratio?.median ?? 0;
      const bx = gx + group / 2 - bw + j * bw;
      body.push(
        `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${color}"/>`,
      );
      body.push(text(bx + bw / 2 - 1, y(v) - 4, v.toFixed(2), 'text-anchor="middle" font-size="10"'));
    });
    const label = s.size.replace('B', ' B').replace('K B', ' KB');
    body.push(
      text(
        gx + group / 2,
        y(0) + 16,
        label + (s.cookie.cookieCount > 1 ? ` (${s.cookie.cookieCount} chunks)` : ''),
        'text-anchor="middle" font-size="11"',
      ),
    );
  });
  body.push(`<rect x="${lx}" y="${height - 36}" width="12" height="12" fill="${OURS}"/>`);
  body.push(text(lx + 16, height - 26, 'read', 'font-size="11"'));
  body.push(`<rect x="${lx + 60}" y="${height - 36}" width="12" height="12" fill="${OURS_LIGHT}"/>`);
  body.push(text(lx + 76, height - 26, 'read + write (Set-Cookie)', 'font-size="11"'));

  // Right: memory per session (bars) with load latency printed, per number of live sessions.
  const rx = 500;
  const rw = 320;
  body.push(
    text(
      460,
      48,
      'Redis: memory per ~1 KB session and kit load() latency',
      `font-size="12" font-weight="600"`,
    ),
  );
  if (keys.length > 0) {
    const maxBytes = Math.max(...keys.map((k) => k.bytesPerSession)) * 1.25;
    const ry = (v: number): number => panelTop + panelH - (v / maxBytes) * panelH;
    body.push(`<line x1="${rx}" y1="${ry(0)}" x2="${rx + rw}" y2="${ry(0)}" stroke="${GRID}"/>`);
    const slot = rw / keys.length;
    keys.forEach((k, i) => {
      const bx = rx + i * slot + slot / 2 - 22;
      body.push(
        `<rect x="${bx.toFixed(1)}" y="${ry(k.bytesPerSession).toFixed(1)}" width="44" height="${(ry(0) - ry(k.bytesPerSession)).toFixed(1)}" fill="${OURS}"/>`,
      );
      body.push(
        text(
          bx + 22,
          ry(k.bytesPerSession) - 20,
          `${Math.round(k.bytesPerSession).toLocaleString('en-US')} B`,
          'text-anchor="middle" font-size="11"',
        ),
      );
      body.push(
        text(
          bx + 22,
          ry(k.bytesPerSession) - 6,
          `load ${Math.round(k.loadP50Micros)}/${Math.round(k.loadP99Micros)} µs`,
          `text-anchor="middle" font-size="10" fill="${MUTED}"`,
        ),
      );
      body.push(
        text(
          bx + 22,
          ry(0) + 16,
          `${k.sessions.toLocaleString('en-US')} sessions`,
          'text-anchor="middle" font-size="11"',
        ),
      );
      body.push(
        text(
          bx + 22,
          ry(0) + 30,
          `${Math.round(k.http.requestsPerSec).toLocaleString('en-US')} req/s`,
          `text-anchor="middle" font-size="10" fill="${MUTED}"`,
        ),
      );
    });
    body.push(
      text(
        460,
        height - 26,
        'load p50/p99 = the kit’s load() from the driver; req/s = read route, random session',
        `font-size="10" fill="${MUTED}"`,
      ),
    );
  } else {
    body.push(text(rx, panelTop + 40, 'not measured in this run', `fill="${MUTED}"`));
  }
  return svg(width, height, 'How the cost grows with session size and live sessions', body);
}

// 1,000,000 → 1M, for labels under narrow bars.
const short = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1_000 && n % 1_000 === 0
      ? `${n / 1_000}k`
      : n.toLocaleString('en-US');

/**
 * PostgreSQL as the table grows: the kit's request rate against raw `pg`
 * (median, with the range of the rounds) per number of live rows, and with
 * as many expired rows beside the largest (bench/postgres.ts `scale`).
 */
export function postgresScaleChart(rows: readonly PostgresScaleRow[], version: string): string {
  const width = 760;
  const height = 320;
  const body: string[] = [
    text(
      16,
      24,
      `PostgreSQL ${version}: the kit’s request as the table grows`,
      'font-size="15" font-weight="600"',
    ),
    text(
      16,
      44,
      'req/s of postgresStorage (load, set 1 key, save) vs raw pg (SELECT, then UPDATE): median, thin line = range of the rounds',
      `font-size="11" fill="${MUTED}"`,
    ),
  ];
  const top = 70;
  const panelH = 180;
  const lx = 60;
  const lw = width - lx - 30;
  const most = Math.min(2.5, Math.max(1.1, ...rows.map((r) => r.vsRaw.max)));
  const y = (v: number): number => top + panelH - (Math.min(v, most) / most) * panelH;
  const ticks = most > 2 ? [0, 0.5, 1, 1.5, 2] : [0, 0.5, 1];
  for (const tick of ticks) {
    body.push(
      `<line x1="${lx}" y1="${y(tick)}" x2="${lx + lw}" y2="${y(tick)}" stroke="${tick === 1 ? INK : GRID}"${tick === 1 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    body.push(
      text(lx - 6, y(tick) + 4, `${tick.toFixed(1)}×`, `text-anchor="end" font-size="11" fill="${MUTED}"`),
    );
  }
  if (rows.length === 0) body.push(text(lx + 20, top + 40, 'not measured in this run', `fill="${MUTED}"`));
  const slot = rows.length === 0 ? lw : lw / rows.length;
  rows.forEach((row, i) => {
    const cx = lx + i * slot + slot / 2;
    const bw = Math.min(56, slot / 2);
    const v = row.vsRaw.median;
    const color = row.expired === undefined ? OURS : OURS_LIGHT;
    body.push(
      `<rect x="${(cx - bw / 2).toFixed(1)}" y="${y(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${color}"/>`,
    );
    body.push(
      `<line x1="${cx.toFixed(1)}" y1="${y(row.vsRaw.min).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(row.vsRaw.max).toFixed(1)}" stroke="${INK}"/>`,
    );
    body.push(text(cx + bw / 2 + 4, y(v) + 4, `${v.toFixed(2)}×`, 'font-size="11" font-weight="600"'));
    const label =
      row.expired === undefined
        ? `${short(row.rows)} live`
        : `${short(row.rows)} live + ${short(row.expired)} expired`;
    body.push(text(cx, y(0) + 16, label, 'text-anchor="middle" font-size="11"'));
    body.push(
      text(
        cx,
        y(0) + 30,
        `${Math.round(row.requestsPerSec).toLocaleString('en-US')} req/s`,
        `text-anchor="middle" font-size="10" fill="${MUTED}"`,
      ),
    );
  });
  body.push(
    text(
      16,
      height - 14,
      '1.0× = as fast as raw pg on the same table; one PostgreSQL on loopback (fsync=off), shared host: read the medians',
      `font-size="10" fill="${MUTED}"`,
    ),
  );
  return svg(width, height, 'PostgreSQL: the kit’s request against raw pg as the table grows', body);
}
