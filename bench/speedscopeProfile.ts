// A CompactTrace as a speedscope file (its own "evented" format), so speedscope can load the same
// spans as the waterfall in bench/waterfall.bench.ts. Evented profiles must nest strictly, so a
// span that overlaps its previous sibling is moved to start when that sibling ends and clipped to
// its parent: every span is there, some shorter. That is fine for a loading-cost baseline.
import type { CompactTrace } from '../src/shared/protocol';

/** speedscope file JSON text; frames are the distinct span names. */
export function toSpeedscope(t: CompactTrace): string {
  const frameOf = new Map<number, number>();
  const frames: { name: string }[] = [];
  const events: { type: 'O' | 'C'; frame: number; at: number }[] = [];
  const stack: { frame: number; close: number }[] = [];
  let last = 0;
  const closeTop = (): void => {
    const e = stack.pop()!;
    last = Math.max(e.close, last);
    events.push({ type: 'C', frame: e.frame, at: last });
  };
  for (let i = 0; i < t.count; i++) {
    while (stack.length > t.depth[i]) closeTop();
    let f = frameOf.get(t.nameStr[i]);
    if (f === undefined) { f = frames.length; frames.push({ name: t.strings[t.nameStr[i]] }); frameOf.set(t.nameStr[i], f); }
    const parentClose = stack.length > 0 ? stack[stack.length - 1].close : Infinity;
    const open = Math.max(t.startUs[i], last);
    const close = Math.max(open, Math.min(t.startUs[i] + t.durUs[i], parentClose));
    events.push({ type: 'O', frame: f, at: open });
    last = open;
    stack.push({ frame: f, close });
  }
  while (stack.length > 0) closeTop();
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles: [{ type: 'evented', name: `trace ${t.traceId.slice(0, 8)}`, unit: 'microseconds', startValue: 0, endValue: Math.max(last, t.durationUs), events }],
    name: `trace ${t.traceId.slice(0, 8)}`,
    exporter: 'serverless-trace-insight bench',
  });
}
