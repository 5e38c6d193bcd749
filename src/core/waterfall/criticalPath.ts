/**
 * A simple critical path over a CompactTrace: the chain of spans that decided when the trace ended.
 * From the root that ends last, walk back from its end: the child that ends last among those
 * starting before the cursor is critical, the cursor moves to its start, and so on; then the same
 * inside every critical child. Whole spans are marked (SpanFlag.Critical). O(n log n), no recursion.
 */
import { SpanFlag, type CompactTrace } from '../../shared/protocol';

/** Index one past the last descendant of each span; assumes pre-order DFS order with depth. */
export function subtreeEnds(depth: ArrayLike<number>): Int32Array {
  const n = depth.length;
  const end = new Int32Array(n);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    while (stack.length > 0 && depth[stack[stack.length - 1]] >= depth[i]) end[stack.pop()!] = i;
    stack.push(i);
  }
  while (stack.length > 0) end[stack.pop()!] = n;
  return end;
}

/** Sets SpanFlag.Critical on the critical spans of `t` (in place) and returns how many there are. */
export function markCriticalPath(t: CompactTrace): number {
  const n = t.count;
  if (n === 0) return 0;
  const ends = t.subtreeEnd.length === n ? t.subtreeEnd : subtreeEnds(t.depth);
  const endUs = (i: number): number => t.startUs[i] + t.durUs[i];
  let root = -1;
  for (let i = 0; i < n; i = ends[i]) if (root < 0 || endUs(i) > endUs(root)) root = i;
  let marked = 0;
  const work = [root];
  while (work.length > 0) {
    const s = work.pop()!;
    t.flags[s] |= SpanFlag.Critical;
    marked++;
    const kids: number[] = [];
    for (let c = s + 1; c < ends[s]; c = ends[c]) kids.push(c);
    if (kids.length === 0) continue;
    kids.sort((a, b) => endUs(b) - endUs(a) || a - b);
    let cursor = endUs(s);
    for (const c of kids) {
      if (t.startUs[c] >= cursor) continue;
      work.push(c);
      cursor = t.startUs[c];
    }
  }
  return marked;
}
