/**
 * Function identity: which discovered function a trace's names refer to. Traces carry deployed
 * names (`faas.name`, X-Ray segment names, ARNs, `service.name`); infrastructure files carry logical
 * ids, explicit names and naming patterns. When more than one function fits equally well, no
 * function is picked and every candidate is returned with why it fits.
 */
import type { DiscoveredFunction } from '../iac/types';

/** Names a span or segment may carry for its function. */
export interface FunctionNames {
  faasName?: string;
  serviceName?: string;
  /** `cloud.resource_id`, `aws.lambda.invoked_arn` or an X-Ray `aws.function_arn`. */
  arn?: string;
  xraySegmentName?: string;
}

/** `override` (user functionMap) > `exact` (declared name) > `pattern` (naming rule) > `logical-id` (bare id) > `none`. */
export type IdentityConfidence = 'override' | 'exact' | 'pattern' | 'logical-id' | 'ambiguous' | 'none';

export interface IdentityCandidate {
  function: DiscoveredFunction;
  why: string;
}

export interface IdentityResult {
  /** The function, or undefined when none or several fit. */
  function?: DiscoveredFunction;
  confidence: IdentityConfidence;
  candidates: IdentityCandidate[];
}

/** Parts of a Lambda function ARN (`arn:aws:lambda:region:account:function:name[:qualifier]`). */
export function parseLambdaArn(arn: string): { region: string; account: string; name: string; qualifier?: string } | undefined {
  const p = arn.split(':');
  if (p.length < 7 || p[0] !== 'arn' || p[2] !== 'lambda' || p[5] !== 'function') return undefined;
  return { region: p[3], account: p[4], name: p[6], ...(p[7] ? { qualifier: p[7] } : {}) };
}

function deployedNames(names: FunctionNames): string[] {
  const out = new Set<string>();
  const add = (n?: string) => {
    if (!n) return;
    const bare = n.replace(/:(\$LATEST|\d+|[A-Za-z0-9_-]+)$/, (m) => (n.startsWith('arn:') ? m : ''));
    out.add(n);
    out.add(bare);
    // Lambda@Edge replicas are named `<region>.<name>`.
    const edge = /^[a-z]{2}-[a-z]+-\d\.(.+)$/.exec(n);
    if (edge) out.add(edge[1]);
  };
  add(names.faasName);
  add(names.xraySegmentName);
  const arn = names.arn ? parseLambdaArn(names.arn) : undefined;
  if (arn) add(arn.name);
  add(names.serviceName);
  return [...out].filter((n) => !n.startsWith('arn:'));
}

function patternRegex(alias: string): RegExp {
  const parts = alias.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('[A-Za-z0-9_.-]+')}$`);
}

/**
 * True when `deployed` is a CloudFormation-generated physical name for `logicalId`:
 * `<stack>-<logicalId, possibly truncated>-<random alphanumerics>` (12-13 from CloudFormation; shorter ones are accepted).
 */
export function isCfnPhysicalName(deployed: string, logicalId: string): boolean {
  const m = /^(.+)-([A-Za-z0-9]{4,13})$/.exec(deployed);
  if (!m) return false;
  const head = m[1];
  for (let i = head.indexOf('-'); i >= 0; i = head.indexOf('-', i + 1)) {
    const idPart = head.slice(i + 1);
    if (idPart.length >= 4 && (idPart === logicalId || (logicalId.startsWith(idPart) && deployed.length >= 60))) return true;
  }
  return false;
}

/**
 * Resolves trace names to a discovered function. `functionMap` (the `traceInsight.functionMap`
 * setting) maps a deployed name to a function's name, alias or `declaredIn`, and wins over rules.
 */
export function resolveFunction(names: FunctionNames, functions: readonly DiscoveredFunction[], functionMap?: Readonly<Record<string, string>>): IdentityResult {
  const deployed = deployedNames(names);
  const arn = names.arn ? parseLambdaArn(names.arn) : undefined;
  const fits = (f: DiscoveredFunction) => !arn || ((!f.region || f.region === arn.region) && (!f.account || f.account === arn.account));
  if (functionMap) {
    for (const d of deployed) {
      const target = functionMap[d];
      if (target === undefined) continue;
      const hits = functions.filter((f) => f.declaredIn === target || f.name === target || f.aliases.includes(target));
      if (hits.length === 1) return { function: hits[0], confidence: 'override', candidates: [{ function: hits[0], why: `traceInsight.functionMap maps ${d} to ${target}` }] };
      return { confidence: hits.length ? 'ambiguous' : 'none', candidates: hits.map((f) => ({ function: f, why: `traceInsight.functionMap maps ${d} to ${target}` })) };
    }
  }
  const tiers: [IdentityConfidence, (f: DiscoveredFunction, d: string) => string | undefined][] = [
    ['exact', (f, d) => (f.aliases.includes(d) ? `declared name ${d}` : undefined)],
    ['pattern', (f, d) => {
      const a = f.aliases.find((x) => x.includes('${') && patternRegex(x).test(d));
      if (a) return `${d} fits the declared name pattern ${a}`;
      return (f.kind === 'sam' || f.kind === 'cloudformation' || f.kind === 'cdk-synth') && isCfnPhysicalName(d, f.name) ? `${d} is a CloudFormation physical name for ${f.name}` : undefined;
    }],
    ['logical-id', (f, d) => (f.name === d ? `logical id / function key ${d}` : undefined)],
  ];
  for (const [confidence, test] of tiers) {
    const candidates: IdentityCandidate[] = [];
    for (const f of functions) {
      if (!fits(f)) continue;
      const why = deployed.map((d) => test(f, d)).find((w) => w !== undefined);
      if (why) candidates.push({ function: f, why: `${why} (${f.declaredIn})` });
    }
    if (candidates.length === 1) return { function: candidates[0].function, confidence, candidates };
    if (candidates.length > 1) return { confidence: 'ambiguous', candidates };
  }
  return { confidence: 'none', candidates: [] };
}
