// Shows a change to an existing file: every line, marked "+ " when added,
// "- " when removed. Files init changes are small (proxy.ts).

const MAX_CELLS = 4_000_000;

/**
 * @param {string} before
 * @param {string} after
 * @returns {string}
 */
export function lineDiff(before, after) {
  const a = before.replace(/\r?\n$/, '').split(/\r?\n/);
  const b = after.replace(/\r?\n$/, '').split(/\r?\n/);
  if (a.length * b.length > MAX_CELLS) return b.map((line) => `  ${line}`).join('\n');
  // Longest common subsequence, from the end, so the walk below goes forwards.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
      out.push(`+ ${b[j++]}`);
    } else {
      out.push(`- ${a[i++]}`);
    }
  }
  return out.join('\n');
}
