/**
 * Functions declared in Serverless Framework `serverless.yml`: `functions.*.handler` with `provider`
 * defaults, and `${self:...}` / `${opt:..., default}` variables resolved where they can be.
 */
import { child, type DocNode, num, parseYamlDoc, plain, str } from './docTree';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';

/** True when the document looks like a serverless.yml (has `service` and `functions` or `provider`). */
export function isServerlessConfig(root: DocNode | undefined): boolean {
  return root?.kind === 'map' && root.entries.has('service') && (root.entries.has('functions') || root.entries.has('provider'));
}

const BUNDLERS = new Set(['serverless-esbuild', 'serverless-webpack', 'serverless-plugin-typescript', 'serverless-bundle']);

const VAR = /\$\{([^{}]+)\}/;

/**
 * Resolves Serverless variables in `s`: `self:a.b` from the file, `opt:stage`/`opt:region` from
 * `options`, and `, default` fallbacks. Unknown references stay as written and are reported.
 */
export function resolveServerlessVars(s: string, root: DocNode | undefined, options: Record<string, string>, unresolved: Set<string>): string {
  let out = s;
  for (let guard = 0; guard < 20; guard++) {
    const m = VAR.exec(out);
    if (!m) break;
    const alternatives = splitTopLevel(m[1]);
    let value: string | undefined;
    for (const alt of alternatives) {
      const a = alt.trim();
      if (/^['"].*['"]$/.test(a)) { value = a.slice(1, -1); break; }
      if (a.startsWith('self:')) {
        const v = plain(lookupPath(root, a.slice(5)));
        if (typeof v === 'string' || typeof v === 'number') { value = String(v); break; }
      } else if (a.startsWith('opt:')) {
        const v = options[a.slice(4)];
        if (v !== undefined) { value = v; break; }
      } else if (/^\d+$/.test(a)) { value = a; break; }
    }
    if (value === undefined) {
      unresolved.add(m[0]);
      // Leave it readable but stop it from matching again.
      out = out.replace(m[0], `\u0000${m[1]}\u0001`);
      continue;
    }
    out = out.replace(m[0], value);
  }
  return out.replace(/\u0000/g, '${').replace(/\u0001/g, '}');
}

function splitTopLevel(s: string): string[] {
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

function lookupPath(root: DocNode | undefined, path: string): DocNode | undefined {
  let n = root;
  for (const seg of path.split('.')) n = child(n, seg);
  return n;
}

/** Extracts functions from a serverless.yml. Stage defaults to `dev` and region to `us-east-1`, as the Framework does. */
export function extractServerless(file: string, text: string): IacFileResult {
  const { root, problems } = parseYamlDoc(text);
  const result: IacFileResult = { functions: [], warnings: problems.map((p) => `${file}: ${p}`), references: [] };
  if (!isServerlessConfig(root)) return result;
  const unresolved = new Set<string>();
  const provider = child(root, 'provider');
  const stageRaw = str(child(provider, 'stage')) ?? 'dev';
  const opts: Record<string, string> = { stage: stageRaw.includes('${') ? 'dev' : stageRaw };
  const regionRaw = str(child(provider, 'region'));
  opts.region = regionRaw && !regionRaw.includes('${') ? regionRaw : 'us-east-1';
  const R = (s: string | undefined) => (s === undefined ? undefined : resolveServerlessVars(s, root, opts, unresolved));
  const serviceNode = child(root, 'service');
  const service = R(serviceNode?.kind === 'map' ? str(child(serviceNode, 'name')) : str(serviceNode));
  const region = R(regionRaw) ?? 'us-east-1';
  const account = R(str(child(provider, 'accountId')));
  const dir = dirnamePosix(file);
  const plugins = child(root, 'plugins');
  const pluginNames = plugins?.kind === 'seq' ? plugins.items.map(str) : plain(child(plugins, 'modules')) as string[] | undefined ?? [];
  const layers = child(root, 'layers');
  if (layers?.kind === 'map') {
    for (const [key, l] of layers.entries) {
      const p = R(str(child(l, 'path')));
      // Serverless names the layer's resource `<Key>LambdaLayer`; functions use it by `Ref`.
      if (p && !p.includes('${')) (result.layers ??= []).push({ name: `${cfnName(key)}LambdaLayer`, contentDir: joinPosix(dir, p), declaredIn: { file, line: layers.keyLines.get(key) ?? l.line } });
    }
  }
  const fns = child(root, 'functions');
  if (fns?.kind !== 'map') return result;
  for (const [key, f] of fns.entries) {
    const fn: FunctionDecl = {
      name: key, aliases: [], kind: 'serverless', packageType: 'zip',
      declaredIn: { file, line: fns.keyLines.get(key) ?? f.line }, warnings: [],
    };
    const explicit = R(str(child(f, 'name')));
    if (explicit) fn.aliases.push(explicit);
    if (service) fn.aliases.push(`${service}-${opts.stage}-${key}`);
    fn.runtime = R(str(child(f, 'runtime')) ?? str(child(provider, 'runtime')));
    fn.handler = R(str(child(f, 'handler')));
    fn.memoryMb = num(child(f, 'memorySize')) ?? num(child(provider, 'memorySize'));
    fn.timeoutSec = num(child(f, 'timeout')) ?? num(child(provider, 'timeout'));
    fn.architecture = R(str(child(f, 'architecture')) ?? str(child(provider, 'architecture')));
    if (!region.includes('${')) fn.region = region;
    if (account && !account.includes('${')) fn.account = account;
    fn.codeUri = dir;
    if (child(f, 'image')) { fn.packageType = 'image'; fn.imageUri = R(str(child(f, 'image'))); }
    if (fn.runtime === 'rust' || pluginNames.includes('serverless-rust')) fn.binary = fn.handler;
    const bundler = pluginNames.find((p) => p && BUNDLERS.has(p));
    if (bundler) fn.warnings.push(`bundled by ${bundler}: the handler is looked up in its TypeScript/JavaScript source, deployed frames map through source maps`);
    const used = child(f, 'layers') ?? child(provider, 'layers');
    const refs = used?.kind === 'seq' ? used.items.map((i) => str(child(i, 'Ref'))).filter((r): r is string => !!r) : [];
    if (refs.length) fn.layers = refs;
    result.functions.push(fn);
  }
  for (const u of unresolved) result.warnings.push(`${file}: variable ${u} cannot be resolved without deploying; names using it are partial`);
  return result;
}

/** Serverless' normalisation of a key into a CloudFormation logical id part. */
function cfnName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}
