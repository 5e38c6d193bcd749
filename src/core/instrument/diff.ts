/** A unified diff of two texts (what `instrument --dry-run` prints); `patch` and `git apply` accept it. */

const NO_EOL = '\u0000';

/** Lines without their `\n`; the last line of a text without a final newline is marked so it differs from the same line with one. */
function linesOf(t: string): string[] {
  const l = t.split('\n');
  if (l[l.length - 1] === '') l.pop();
  else l[l.length - 1] += NO_EOL;
  return l;
}

interface Op { t: ' ' | '-' | '+'; s: string }

function render(o: Op): string[] {
  return o.s.endsWith(NO_EOL) ? [`${o.t}${o.s.slice(0, -1)}`, '\\ No newline at end of file'] : [`${o.t}${o.s}`];
}

/** Unified diff (3 lines of context) of `before` -> `after`, headed `--- a/name` / `+++ b/name`; '' when equal. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  const a = linesOf(before), b = linesOf(after);
  // Common prefix and suffix first so the quadratic LCS only sees the changed middle.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf), bm = b.slice(pre, b.length - suf);
  const lcs: number[][] = Array.from({ length: am.length + 1 }, () => new Array<number>(bm.length + 1).fill(0));
  for (let i = am.length - 1; i >= 0; i--) for (let j = bm.length - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = a.slice(0, pre).map((s) => ({ t: ' ', s }));
  let i = 0, j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) { ops.push({ t: ' ', s: am[i] }); i++; j++; }
    else if (i < am.length && (j >= bm.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ t: '-', s: am[i++] });
    else ops.push({ t: '+', s: bm[j++] });
  }
  for (const s of a.slice(a.length - suf)) ops.push({ t: ' ', s });
  const out = [`--- a/${name}`, `+++ b/${name}`];
  const CONTEXT = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k].t === ' ') { k++; continue; }
    const start = Math.max(0, k - CONTEXT);
    // The hunk runs until a stretch of more than 2 x CONTEXT unchanged lines (or the end).
    let end = k, lastChange = k;
    while (end < ops.length && end - lastChange <= 2 * CONTEXT) { if (ops[end].t !== ' ') lastChange = end; end++; }
    end = Math.min(ops.length, lastChange + 1 + CONTEXT);
    const hunk = ops.slice(start, end);
    const aStart = ops.slice(0, start).filter((o) => o.t !== '+').length + 1, bStart = ops.slice(0, start).filter((o) => o.t !== '-').length + 1;
    const aLen = hunk.filter((o) => o.t !== '+').length, bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@`);
    for (const o of hunk) out.push(...render(o));
    k = end;
  }
  return `${out.join('\n')}\n`;
}
