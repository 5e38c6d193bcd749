/**
 * Serverless Framework `${file(path):address}` variables: the file is read through a caller-given
 * reader (core does no I/O), relative to the service folder as the Framework resolves it, and
 * parsed once. YAML and JSON give document nodes (with their own file's lines); other text is a
 * string; JavaScript/TypeScript files are run by the Framework at deploy time and are not evaluated.
 */
import { child, type DocNode, parseJsonDoc, parseYamlDoc } from './docTree';
import { joinPosix } from './types';

/** Reads a workspace file by workspace-relative posix path; undefined when it is not in the workspace. */
export type ReadFile = (relPath: string) => string | undefined;

/** What a `file(...)` source gives: the node and the file it comes from, or why there is none. */
export type FileLookup = { node: DocNode; file: string } | { problem: string };

const FILE_SOURCE = /^file\(\s*(['"]?)([^)'"]+)\1\s*\)(?::(.+))?$/;

/** Loads and caches the files a serverless.yml references; `problems` holds one reason per failed lookup. */
export class ServerlessFiles {
  private docs = new Map<string, FileLookup>();
  /** The reason each unresolvable `file(...)` source (as written after inner variables) failed. */
  readonly problems = new Map<string, string>();
  /** Syntax problems of the files read (`file: line N: reason`). */
  readonly parseWarnings: string[] = [];

  constructor(private readonly serviceDir: string, private readonly readFile: ReadFile | undefined) {}

  /** True when `source` (one alternative of a variable, e.g. `file(./a.yml):b.c`) is a file source. */
  static isFileSource(source: string): boolean {
    return FILE_SOURCE.test(source.trim());
  }

  /** Resolves one `file(path):address` source; the address is dot-separated, as the Framework reads it. */
  lookup(source: string): FileLookup {
    const s = source.trim();
    const m = FILE_SOURCE.exec(s);
    if (!m) return { problem: `\`${s}\` is not a file(...) source` };
    const r = this.lookupParsed(m[2].trim(), m[3]?.trim());
    if ('problem' in r) this.problems.set(s, r.problem);
    return r;
  }

  private lookupParsed(spec: string, address: string | undefined): FileLookup {
    if (spec.includes('${')) return { problem: `its path ${spec} depends on a variable that cannot be resolved` };
    if (/^(\/|~|[A-Za-z]:)/.test(spec)) return { problem: `${spec} is outside the workspace` };
    const file = joinPosix(this.serviceDir, spec);
    const doc = this.load(file);
    if ('problem' in doc) return doc;
    let node: DocNode | undefined = doc.node;
    for (const seg of address ? address.split('.') : []) {
      node = node?.kind === 'seq' && /^\d+$/.test(seg) ? node.items[Number(seg)] : child(node, seg);
      if (!node) return { problem: `${file} has no \`${address}\`` };
    }
    return { node: node!, file };
  }

  private load(file: string): FileLookup {
    const cached = this.docs.get(file);
    if (cached) return cached;
    let r: FileLookup;
    const text = file.startsWith('../') ? undefined : this.readFile?.(file);
    if (/\.([cm]?js|ts)$/i.test(file)) r = { problem: `${file} is JavaScript that the Framework runs at deploy time; it is not evaluated here` };
    else if (text === undefined) r = { problem: `${file} is not in the workspace` };
    else {
      const { root, problems } = /\.(json|tfstate)$/i.test(file) ? parseJsonDoc(text) : /\.ya?ml$/i.test(file) ? parseYamlDoc(text) : { root: { kind: 'scalar' as const, line: 1, value: text.trim() }, problems: [] };
      r = root ? { node: root, file } : { problem: `${file} could not be read: ${problems[0] ?? 'empty'}` };
      for (const p of root ? problems : []) this.parseWarnings.push(`${file}: ${p}`);
    }
    this.docs.set(file, r);
    return r;
  }
}

/** The single variable `${...}` that makes up the whole of `s`, if it does (nested `${}` allowed inside). */
export function wholeVariable(s: string): string | undefined {
  const t = s.trim();
  if (!t.startsWith('${') || !t.endsWith('}')) return undefined;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '$' && t[i + 1] === '{') { depth++; i++; } else if (t[i] === '}' && --depth === 0 && i !== t.length - 1) return undefined;
  }
  return depth === 0 ? t.slice(2, -1) : undefined;
}

/**
 * Replaces, in place, every value of the tree that is wholly a `${file(...)}` variable whose first
 * usable source gives a map or list (`functions: ${file(./functions.yml)}`) by that file's node.
 * `resolveInner` resolves variables nested in the source (`config.${opt:stage}.yml`) and splits
 * alternatives. Nodes brought in from another file are recorded in `origin` with that file.
 */
export function expandFileNodes(root: DocNode, files: ServerlessFiles, resolveInner: (content: string) => string, origin: WeakMap<DocNode, string>, unresolved: Set<string>): DocNode {
  // `within` lists the files being expanded, so a file that includes itself stays a variable.
  const visit = (n: DocNode, within: string[]): DocNode => {
    if (n.kind === 'scalar') {
      const v = typeof n.value === 'string' ? wholeVariable(n.value) : undefined;
      if (v === undefined || !v.includes('file(')) return n;
      const content = resolveInner(v);
      const alts = splitTopLevel(content);
      for (const alt of alts) {
        if (!ServerlessFiles.isFileSource(alt)) return n;
        const r = files.lookup(alt);
        if ('problem' in r) continue;
        if (r.node.kind === 'scalar') return n;
        if (within.includes(r.file)) { files.problems.set(alt.trim(), `${r.file} includes itself`); unresolved.add(`\${${content}}`); return n; }
        mark(r.node, r.file, origin);
        return visit(r.node, [...within, r.file]);
      }
      // Every source is a file that gave nothing: no later string use can resolve it either.
      unresolved.add(`\${${content}}`);
      return n;
    }
    if (n.kind === 'seq') { n.items = n.items.map((x) => visit(x, within)); return n; }
    for (const [k, x] of n.entries) n.entries.set(k, visit(x, within));
    return n;
  };
  return visit(root, []);
}

function mark(n: DocNode, file: string, origin: WeakMap<DocNode, string>): void {
  if (n.kind === 'scalar' || origin.has(n)) return;
  origin.set(n, file);
  for (const x of n.kind === 'seq' ? n.items : n.entries.values()) mark(x, file, origin);
}

/** Splits a variable's content into its `,` alternatives, ignoring commas inside `()` and `[]`. */
export function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { parts.push(s.slice(start, i)); start = i + 1; }
  }
  parts.push(s.slice(start));
  return parts;
}
