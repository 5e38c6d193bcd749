/**
 * A small located document tree shared by the YAML and JSON readers: every node keeps its 1-based
 * line, so a function's declaration and each warning can point at the right place. CloudFormation
 * short tags (`!Ref x`) become their long form (`{ Ref: x }`, `{ 'Fn::GetAtt': [...] }`).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type Tags } from 'yaml';
import { parseTree, type Node as JsonNode, type ParseError, printParseErrorCode } from 'jsonc-parser';

export type DocNode =
  | { kind: 'map'; line: number; entries: Map<string, DocNode>; keyLines: Map<string, number> }
  | { kind: 'seq'; line: number; items: DocNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null; block?: boolean };

/** A parse result: the root (undefined when nothing could be read) and problems as `line N: reason`. */
export interface DocParse {
  root?: DocNode;
  problems: string[];
}

const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'FindInMap', 'Base64', 'Cidr', 'ImportValue',
  'GetAZs', 'Equals', 'And', 'Or', 'Not', 'Condition', 'Transform', 'ToJsonString', 'Length'];

function longName(tag: string): string {
  const n = tag.slice(1);
  return n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`;
}

// Resolve to the node itself: the walker below reads the tag and builds the long form.
const cfnTags: Tags = INTRINSICS.flatMap((n) => [
  { tag: `!${n}`, resolve: (s: string) => s },
  { tag: `!${n}`, collection: 'seq' as const, resolve: (s: unknown) => s },
  { tag: `!${n}`, collection: 'map' as const, resolve: (s: unknown) => s },
]) as Tags;

/** Parses YAML (1.2, CloudFormation tags allowed). Never throws. */
export function parseYamlDoc(text: string): DocParse {
  const lc = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { customTags: cfnTags, lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 0);
  const problems = doc.errors.map((e) => `line ${lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  const conv = (n: unknown): DocNode => {
    const node = n as YamlNode;
    let out: DocNode;
    if (isMap(node)) {
      const entries = new Map<string, DocNode>();
      const keyLines = new Map<string, number>();
      for (const p of node.items as Pair[]) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
        keyLines.set(k, lineOf(p.key as YamlNode));
        entries.set(k, p.value == null ? { kind: 'scalar', line: lineOf(p.key as YamlNode), value: null } : conv(p.value));
      }
      out = { kind: 'map', line: lineOf(node), entries, keyLines };
    } else if (isSeq(node)) {
      out = { kind: 'seq', line: lineOf(node), items: node.items.map(conv) };
    } else if (isScalar(node)) {
      const v = node.value;
      const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      out = { kind: 'scalar', line: lineOf(node), value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v == null ? null : String(v), ...(block ? { block } : {}) };
    } else {
      out = { kind: 'scalar', line: lineOf(node), value: null };
    }
    const tag = (node as { tag?: string }).tag;
    if (tag && tag.startsWith('!') && INTRINSICS.includes(tag.slice(1))) {
      const name = longName(tag);
      return { kind: 'map', line: out.line, entries: new Map([[name, out]]), keyLines: new Map([[name, out.line]]) };
    }
    return out;
  };
  return { root: doc.contents ? conv(doc.contents) : undefined, problems };
}

/** Parses JSON, tolerating comments, trailing commas and a byte-order mark (each reported). */
export function parseJsonDoc(text: string): DocParse {
  const problems: string[] = [];
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  if (bom) problems.push('line 1: starts with a UTF-8 byte-order mark');
  const lineStarts = [0];
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (off: number) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= off) lo = mid; else hi = mid - 1; }
    return lo + 1;
  };
  const errors: ParseError[] = [];
  const tree = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false });
  for (const e of errors) problems.push(`line ${lineAt(e.offset)}: ${printParseErrorCode(e.error)}`);
  const conv = (n: JsonNode): DocNode => {
    const line = lineAt(n.offset);
    if (n.type === 'object') {
      const entries = new Map<string, DocNode>();
      const keyLines = new Map<string, number>();
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k) continue;
        keyLines.set(String(k.value), lineAt(k.offset));
        entries.set(String(k.value), v ? conv(v) : { kind: 'scalar', line: lineAt(k.offset), value: null });
      }
      return { kind: 'map', line, entries, keyLines };
    }
    if (n.type === 'array') return { kind: 'seq', line, items: (n.children ?? []).map(conv) };
    return { kind: 'scalar', line, value: n.value ?? null };
  };
  return { root: tree ? conv(tree) : undefined, problems };
}

/** Child of a map by key, or undefined. */
export function child(n: DocNode | undefined, key: string): DocNode | undefined {
  return n?.kind === 'map' ? n.entries.get(key) : undefined;
}

/** A scalar's value as string (numbers too), or undefined for maps, seqs and null. */
export function str(n: DocNode | undefined): string | undefined {
  return n?.kind === 'scalar' && n.value !== null ? String(n.value) : undefined;
}

/** A scalar's numeric value (numbers or numeric strings). */
export function num(n: DocNode | undefined): number | undefined {
  const s = str(n);
  if (s === undefined || s.trim() === '') return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** Plain JS value of a node (maps become objects), for display and intrinsic evaluation. */
export function plain(n: DocNode | undefined): unknown {
  if (!n) return undefined;
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(plain);
  return Object.fromEntries([...n.entries].map(([k, v]) => [k, plain(v)]));
}
