/**
 * Layers a function uses that another file declares (ARNs, `ImportValue`, `${cf:stack.Output}`),
 * and what a declaration says about tracing without code changes (OpenTelemetry layers, exec
 * wrappers, Datadog/New Relic wrapper handlers). Pure: works on declarations already extracted.
 */
import type { FunctionDecl, LayerDecl } from './types';

/** The layer name in `arn:<partition>:lambda:<region>:<account>:layer:<name>[:<version>]`, or undefined. */
export function layerNameOfArn(arn: string): string | undefined {
  const m = /:layer:([A-Za-z0-9_-]+)(?::(?:\d+|\$\{[^}]*\}))?$/.exec(arn);
  return m ? m[1] : undefined;
}

/** True when `pattern` (a name that may hold unresolved `${...}` parts) can name `name` (which may too). */
function namesMatch(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const hasVar = (s: string) => s.includes('${');
  if (!hasVar(pattern) && !hasVar(name)) return false;
  if (hasVar(pattern) && hasVar(name)) {
    // Both depend on deploy-time values (stack names): only their fixed tails can be compared.
    const tail = (s: string) => s.slice(s.lastIndexOf('}') + 1);
    return tail(pattern).length >= 3 && tail(pattern) === tail(name);
  }
  const [p, n] = hasVar(pattern) ? [pattern, name] : [name, pattern];
  const re = new RegExp(`^${p.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('.+')}$`);
  return re.test(n);
}

/** One layer of the workspace with the file that declares it. */
export type WorkspaceLayer = LayerDecl & { file: string };

/**
 * Content folders of the layers `fn.externalLayers` name, looked up among every layer the
 * workspace declares: an ARN by its layer name, `import:<Export>` by export name, `cf:<stack>.<Output>`
 * by stack output. Entries that name no workspace layer come back as warnings naming them.
 */
export function resolveExternalLayers(fn: FunctionDecl, layers: readonly WorkspaceLayer[]): { dirs: string[]; warnings: string[] } {
  const dirs: string[] = [];
  const warnings: string[] = [];
  for (const ref of fn.externalLayers ?? []) {
    let hits: WorkspaceLayer[] = [];
    if (ref.startsWith('import:')) {
      const name = ref.slice(7);
      hits = layers.filter((l) => (l.exports ?? []).some((e) => !e.startsWith('cf:') && namesMatch(e, name)));
    } else if (ref.startsWith('cf:')) {
      const [stack, output] = splitStackOutput(ref.slice(3));
      hits = layers.filter((l) => (l.exports ?? []).includes(`cf:${stack}.${output}`));
      if (!hits.length) hits = layers.filter((l) => (l.exports ?? []).some((e) => e.startsWith('cf:') && e.endsWith(`.${output}`) && namesMatch(e.slice(3, -output.length - 1), stack)));
    } else {
      const name = layerNameOfArn(ref);
      if (name) hits = layers.filter((l) => l.layerName !== undefined && namesMatch(l.layerName, name));
    }
    for (const h of hits) if (!dirs.includes(h.contentDir)) dirs.push(h.contentDir);
    if (!hits.length) warnings.push(`layer ${ref.startsWith('import:') ? `!ImportValue ${ref.slice(7)}` : ref.startsWith('cf:') ? `\${${ref}}` : ref} is not declared in the workspace: its /opt frames stay unmapped`);
  }
  return { dirs, warnings };
}

function splitStackOutput(s: string): [string, string] {
  const i = s.lastIndexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** Layer names of the OpenTelemetry Lambda layers (upstream, ADOT, Application Signals) that instrument the handler. */
const OTEL_LAYER = /opentelemetry|aws-otel|AWSOpenTelemetryDistro/i;

/** Wrapper handlers that load the real handler from an environment variable. */
const WRAPPERS: { test: RegExp; env: string; vendor: string }[] = [
  { test: /(^|\/)datadog[-_]lambda(-js)?[/.]handler\.handler$|^datadog_lambda\.handler\.handler$/, env: 'DD_LAMBDA_HANDLER', vendor: 'Datadog' },
  { test: /(^|\/)newrelic[-_]lambda[-_]wrapper(\/index)?\.handler$/, env: 'NEW_RELIC_LAMBDA_HANDLER', vendor: 'New Relic' },
];

/** What the declaration says about tracing without code changes. */
export interface AutoInstrumentation {
  /** One-line reason; undefined when the declaration shows no auto-instrumentation. */
  reason?: string;
  /** The real handler when the declared one is a vendor wrapper (its value of DD_LAMBDA_HANDLER/NEW_RELIC_LAMBDA_HANDLER). */
  handler?: string;
  /** Set when a wrapper handler is declared without the variable naming the real one. */
  warning?: string;
}

/**
 * Reads auto-instrumentation from a declaration: `AWS_LAMBDA_EXEC_WRAPPER=/opt/otel*` (also the
 * runtime-folder form `/opt/python/otel-handler`), a vendor wrapper handler, or an OpenTelemetry
 * layer among `layerNames` (ARNs or deployed names of the layers it uses). Collector-only layers
 * (`opentelemetry-collector-*`) run the collector, not the SDK, and do not count; neither does
 * X-Ray active tracing, which traces the Lambda service but not the handler's calls.
 */
export function autoInstrumentationOf(fn: FunctionDecl, layerNames: readonly string[] = []): AutoInstrumentation {
  const env = fn.environment ?? {};
  const out: AutoInstrumentation = {};
  const wrapper = fn.handler ? WRAPPERS.find((w) => w.test.test(fn.handler!)) : undefined;
  if (wrapper) {
    const real = env[wrapper.env];
    if (real) out.handler = real;
    else out.warning = `handler ${fn.handler} is the ${wrapper.vendor} wrapper but ${wrapper.env} (the real handler) is not set statically`;
  }
  const exec = env.AWS_LAMBDA_EXEC_WRAPPER;
  if (exec && /^\/opt\/([\w-]+\/)?otel[^/]*$/.test(exec)) out.reason = `AWS_LAMBDA_EXEC_WRAPPER=${exec}`;
  else if (exec && /^\/opt\/datadog_wrapper$/.test(exec)) out.reason = `AWS_LAMBDA_EXEC_WRAPPER=${exec} (Datadog)`;
  else if (wrapper) out.reason = `${wrapper.vendor} wrapper handler ${fn.handler}${out.handler ? ` runs ${wrapper.env}=${out.handler}` : ''}`;
  else {
    const otel = layerNames.find((l) => OTEL_LAYER.test(layerNameOfArn(l) ?? l) && !/collector/i.test(layerNameOfArn(l) ?? l));
    if (otel) out.reason = `OpenTelemetry layer ${otel}`;
  }
  return out;
}
