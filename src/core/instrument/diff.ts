/** A unified diff of two texts (what `instrument --dry-run` prints). */

/** Unified diff (3 lines of context) of `before` -> `after`, headed `--- a/name` / `+++ b/name`; '' when equal. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  const a = before.split('\n'), b = after.split('\n');
  // Common prefix and suffix first so the quadratic LCS only sees the changed middle.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf), bm = b.slice(pre, b.length - suf);
  const lcs: number[][] = Array.from({ length: am.length + 1 }, () => new Array<number>(bm.length + 1).fill(0));
  for (let i = am.length - 1; i >= 0; i--) for (let j = bm.length - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { t: ' ' | '-' | '+'; s: string }[] = a.slice(0, pre).map((s) => ({ t: ' ' as const, s }));
  let i = 0, j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) { ops.push({ t: ' ', s: am[i] }); i++; j++; }
    else if (j < bm.length && (i >= am.length || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ t: '+', s: bm[j++] });
    else ops.push({ t: '-', s: am[i++] });
  }
  for (const s of a.slice(a.length - suf)) ops.push({ t: ' ', s });
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].t === ' ') { k++; continue; }
    let start = Math.max(0, k - 3), end = k;
    // extend the hunk while changes are within 6 lines of each other
    for (let gap = 0; end < ops.length && gap <= 6; end++) gap = ops[end].t === ' ' ? gap + 1 : 0;
    end = Math.min(ops.length, end);
    while (end > k && ops[end - 1].t === ' ' && ops.slice(k, end).filter((o) => o.t === ' ').length > 0 && trailingContext(ops, end) > 3) end--;
    const hunk = ops.slice(start, end);
    const aStart = ops.slice(0, start).filter((o) => o.t !== '+').length + 1, bStart = ops.slice(0, start).filter((o) => o.t !== '-').length + 1;
    out.push(`@@ -${aStart},${hunk.filter((o) => o.t !== '+').length} +${bStart},${hunk.filter((o) => o.t !== '-').length} @@`);
    for (const o of hunk) out.push(`${o.t}${o.s.replace(/\r$/, '')}`);
    k = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

function trailingContext(ops: { t: string }[], end: number): number {
  let n = 0;
  for (let x = end - 1; x >= 0 && ops[x].t === ' '; x--) n++;
  return n;
}
