/** Tree helpers over spans in pre-order DFS order with depth (the CompactTrace row order). */

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
