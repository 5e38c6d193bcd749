/**
 * Serverless Framework `layers` and `environment` of one function (function level over `provider`),
 * split out of serverlessFramework.ts so the layer and auto-instrumentation facts live together.
 */
import { child, type DocNode, str } from './docTree';
import type { FunctionDecl } from './types';

/**
 * Sets `fn.layers` (`Ref: <Key>LambdaLayer` of this file), `fn.externalLayers` (ARNs,
 * `cf:<stack>.<Output>` for `${cf:stack.Output}`, `import:<Export>` for `Fn::ImportValue`) and
 * `fn.environment` (values fully resolved by `resolve`; others are left out). Function-level
 * `layers` replace the provider's, as the Framework does; environment variables merge.
 */
export function readServerlessLayersAndEnv(fn: FunctionDecl, f: DocNode | undefined, provider: DocNode | undefined, resolve: (s: string) => string): void {
  const used = child(f, 'layers') ?? child(provider, 'layers');
  for (const item of used?.kind === 'seq' ? used.items : []) {
    const ref = str(child(item, 'Ref'));
    if (ref) { (fn.layers ??= []).push(ref); continue; }
    const imported = str(child(item, 'Fn::ImportValue'));
    if (imported) { (fn.externalLayers ??= []).push(`import:${resolve(imported)}`); continue; }
    const raw = str(item);
    if (!raw) continue;
    const v = resolve(raw);
    // The stack name may keep a variable resolved only at deploy time (`layers-${sls:stage}`): matched as a pattern.
    const cf = /^\$\{cf(?:\.[\w-]+)?:(.+)\}$/.exec(v);
    (fn.externalLayers ??= []).push(cf ? `cf:${cf[1]}` : v);
  }
  const env: Record<string, string> = {};
  for (const vars of [child(provider, 'environment'), child(f, 'environment')]) {
    for (const [k, n] of vars?.kind === 'map' ? vars.entries : []) {
      const raw = str(n);
      const v = raw === undefined ? undefined : resolve(raw);
      if (v !== undefined && !v.includes('${')) env[k] = v;
    }
  }
  if (Object.keys(env).length) fn.environment = env;
}

/**
 * What other stacks call a Serverless layer: `${cf:<service>-<stage>.<Key>LambdaLayerQualifiedArn}`
 * and the export `sls-<service>-<stage>-<Key>LambdaLayerQualifiedArn` the Framework creates.
 */
export function serverlessLayerExports(logicalId: string, service: string | undefined, stage: string): string[] {
  if (!service) return [];
  const output = `${logicalId}QualifiedArn`;
  return [`cf:${service}-${stage}.${output}`, `sls-${service}-${stage}-${output}`];
}
