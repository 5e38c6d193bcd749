/**
 * Functions declared in Serverless Framework `serverless.yml`: `functions.*.handler` with `provider`
 * defaults, and `${self:...}` / `${opt:..., default}` variables resolved where they can be.
 */
import { child, type DocNode, num, parseYamlDoc, plain, str } from './docTree';
import { expandFileNodes, type ReadFile, ServerlessFiles, splitTopLevel } from './serverlessFileVars';
import { dirnamePosix, type FunctionDecl, type IacFileResult, joinPosix } from './types';
import { readServerlessLayersAndEnv, serverlessLayerExports } from './serverlessLayers';

/** True when the document looks like a serverless.yml (has `service` and `functions` or `provider`). */
export function isServerlessConfig(root: DocNode | undefined): boolean {
  return root?.kind === 'map' && root.entries.has('service') && (root.entries.has('functions') || root.entries.has('provider'));
}

const BUNDLERS = new Set(['serverless-esbuild', 'serverless-webpack', 'serverless-plugin-typescript', 'serverless-bundle']);

const VAR = /\$\{([^{}]+)\}/;

/**
 * Resolves Serverless variables in `s`: `self:a.b` from the file, `opt:stage`/`opt:region` from
 * `options`, `file(path):address` scalars through `files`, and `, default` fallbacks. Unknown
 * references stay as written and are reported.
 */
export function resolveServerlessVars(s: string, root: DocNode | undefined, options: Record<string, string>, unresolved: Set<string>, files?: ServerlessFiles): string {
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
      } else if (files && ServerlessFiles.isFileSource(a)) {
        const r = files.lookup(a);
        if ('node' in r && r.node.kind === 'scalar' && r.node.value !== null) { value = String(r.node.value); break; }
        if ('node' in r && r.node.kind !== 'scalar') files.problems.set(a, `${r.file}: \`${a}\` is a map or list, used inside a string`);
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

function lookupPath(root: DocNode | undefined, path: string): DocNode | undefined {
  let n = root;
  for (const seg of path.split('.')) n = child(n, seg);
  return n;
}

/**
 * Extracts functions from a serverless.yml. Stage defaults to `dev` and region to `us-east-1`, as the
 * Framework does. `readFile` reads the files `${file(...)}` variables name (relative to the service
 * folder); functions brought in from another file are declared in that file.
 */
export function extractServerless(file: string, text: string, readFile?: ReadFile): IacFileResult {
  const { root, problems } = parseYamlDoc(text);
  const result: IacFileResult = { functions: [], warnings: problems.map((p) => `${file}: ${p}`), references: [] };
  if (!isServerlessConfig(root)) return result;
  const unresolved = new Set<string>();
  const dir = dirnamePosix(file);
  const files = new ServerlessFiles(dir, readFile);
  const origin = new WeakMap<DocNode, string>();
  const stageOf = (p: DocNode | undefined) => { const s = str(child(p, 'stage')) ?? 'dev'; return s.includes('${') ? 'dev' : s; };
  expandFileNodes(root!, files, (c) => resolveServerlessVars(c, root, { stage: stageOf(child(root, 'provider')) }, unresolved, files), origin, unresolved);
  const provider = child(root, 'provider');
  const opts: Record<string, string> = { stage: stageOf(provider) };
  const regionRaw = str(child(provider, 'region'));
  opts.region = regionRaw && !regionRaw.includes('${') ? regionRaw : 'us-east-1';
  const R = (s: string | undefined) => (s === undefined ? undefined : resolveServerlessVars(s, root, opts, unresolved, files));
  const N = (n: DocNode | undefined) => num(n) ?? num({ kind: 'scalar', line: 0, value: R(str(n)) ?? null });
  const serviceNode = child(root, 'service');
  const service = R(serviceNode?.kind === 'map' ? str(child(serviceNode, 'name')) : str(serviceNode));
  const region = R(regionRaw) ?? 'us-east-1';
  const account = R(str(child(provider, 'accountId')));
  const plugins = child(root, 'plugins');
  const pluginNames = plugins?.kind === 'seq' ? plugins.items.map(str) : plain(child(plugins, 'modules')) as string[] | undefined ?? [];
  const layers = child(root, 'layers');
  if (layers?.kind === 'map') {
    for (const [key, l] of layers.entries) {
      const p = R(str(child(l, 'path')));
      // Serverless names the layer's resource `<Key>LambdaLayer`; functions use it by `Ref`.
      const name = `${cfnName(key)}LambdaLayer`;
      const layerName = R(str(child(l, 'name'))) ?? key;
      if (p && !p.includes('${')) (result.layers ??= []).push({ name, contentDir: joinPosix(dir, p), declaredIn: { file, line: layers.keyLines.get(key) ?? l.line }, layerName, exports: serverlessLayerExports(name, service, opts.stage) });
    }
  }
  const fnsNode = child(root, 'functions');
  // `functions` may be a list of maps (often one `${file(...)}` each), merged by the Framework.
  const blocks = fnsNode?.kind === 'seq' ? fnsNode.items.filter((x) => x.kind === 'map') : fnsNode?.kind === 'map' ? [fnsNode] : [];
  if (fnsNode && !blocks.length && str(fnsNode)?.includes('${')) R(str(fnsNode));
  for (const fns of blocks) for (const [key, f] of fns.kind === 'map' ? fns.entries : []) {
    const fn: FunctionDecl = {
      name: key, aliases: [], kind: 'serverless', packageType: 'zip',
      declaredIn: { file: origin.get(fns) ?? file, line: (fns.kind === 'map' ? fns.keyLines.get(key) : undefined) ?? f.line }, warnings: [],
    };
    const explicit = R(str(child(f, 'name')));
    if (explicit && !explicit.includes('${')) fn.aliases.push(explicit);
    if (service) fn.aliases.push(`${service}-${opts.stage}-${key}`);
    fn.runtime = R(str(child(f, 'runtime')) ?? str(child(provider, 'runtime')));
    fn.handler = R(str(child(f, 'handler')));
    fn.memoryMb = N(child(f, 'memorySize')) ?? N(child(provider, 'memorySize'));
    fn.timeoutSec = N(child(f, 'timeout')) ?? N(child(provider, 'timeout'));
    fn.architecture = R(str(child(f, 'architecture')) ?? str(child(provider, 'architecture')));
    if (!region.includes('${')) fn.region = region;
    if (account && !account.includes('${')) fn.account = account;
    fn.codeUri = dir;
    if (child(f, 'image')) { fn.packageType = 'image'; fn.imageUri = R(str(child(f, 'image'))); }
    if (fn.runtime === 'rust' || pluginNames.includes('serverless-rust')) fn.binary = fn.handler;
    const bundler = pluginNames.find((p) => p && BUNDLERS.has(p));
    if (bundler) fn.warnings.push(`bundled by ${bundler}: the handler is looked up in its TypeScript/JavaScript source, deployed frames map through source maps`);
    // A private set: a `${cf:...}` layer is resolved against the workspace, not reported as unknown.
    readServerlessLayersAndEnv(fn, f, provider, (x) => resolveServerlessVars(x, root, opts, new Set()));
    result.functions.push(fn);
  }
  result.warnings.push(...files.parseWarnings);
  for (const u of unresolved) result.warnings.push(`${file}: variable ${u} ${unresolvedWhy(u, files)}; values using it are partial`);
  return result;
}

const AWS_SOURCES = new Set(['ssm', 'cf', 's3', 'aws', 'param', 'sls', 'secretsmanager']);

function unresolvedWhy(u: string, files: ServerlessFiles): string {
  const alts = splitTopLevel(u.slice(2, -1)).map((a) => a.trim());
  for (const a of alts) { const p = files.problems.get(a); if (p) return `cannot be resolved: ${p}`; }
  const source = /^(\w+):/.exec(alts[0] ?? '')?.[1] ?? '';
  if (source === 'env') return 'is read from the environment at deploy time and has no default';
  if (AWS_SOURCES.has(source)) return `is read from AWS (${source}:) at deploy time and has no default`;
  return 'cannot be resolved without deploying';
}

/** Serverless' normalisation of a key into a CloudFormation logical id part. */
function cfnName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}
