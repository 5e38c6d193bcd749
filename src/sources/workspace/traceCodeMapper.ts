/**
 * Spans -> functions -> source lines for one workspace: the front door other features use.
 * Discovery (cached, incremental) names the functions; identity picks the span's function;
 * span-to-line maps its frames and names into the workspace.
 */
import type { Span } from '../../core/model';
import { type FunctionNames, type IdentityResult, resolveFunction } from '../../core/mapping/identity';
import { locateSpan, type MappingContext, type SpanLocation, summarizeMapping, type Unmapped } from '../../core/mapping/spanLocation';
import type { DiscoveredFunction } from '../../core/iac/types';
import { dirnamePosix } from '../../core/iac/types';
import { WorkspaceDiscovery } from './discovery';
import { sourceMapLookup } from './sourceMaps';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The names a span carries for its function (resource and span attributes, X-Ray segment name). */
export function functionNamesOf(span: Span): FunctionNames {
  const a = span.attributes;
  const r = span.resource.attributes;
  const lambdaSegment = span.xray?.origin === 'AWS::Lambda::Function' || span.xray?.origin === 'AWS::Lambda';
  return {
    ...(str(r['faas.name']) ?? str(a['faas.name']) ? { faasName: str(r['faas.name']) ?? str(a['faas.name']) } : {}),
    ...(str(r['service.name']) ? { serviceName: str(r['service.name']) } : {}),
    ...(str(a['cloud.resource_id']) ?? str(a['aws.lambda.invoked_arn']) ?? str(r['cloud.resource_id']) ? { arn: str(a['cloud.resource_id']) ?? str(a['aws.lambda.invoked_arn']) ?? str(r['cloud.resource_id']) } : {}),
    ...(lambdaSegment ? { xraySegmentName: span.name } : {}),
  };
}

/** One span's function and source location. */
export interface MappedSpan {
  identity: IdentityResult;
  location: SpanLocation | Unmapped;
}

export class TraceCodeMapper {
  private readonly discovery: WorkspaceDiscovery;
  private functions: DiscoveredFunction[] = [];
  private files: string[] = [];

  /** `functionMap` is the `traceInsight.functionMap` setting (deployed name -> function). */
  constructor(readonly root: string, private readonly functionMap?: Readonly<Record<string, string>>) {
    this.discovery = new WorkspaceDiscovery(root);
  }

  /** (Re-)runs discovery; only changed files are parsed again. */
  async refresh(): Promise<DiscoveredFunction[]> {
    this.functions = (await this.discovery.run()).functions;
    this.files = this.discovery.files();
    return this.functions;
  }

  /** Maps one span. Call `refresh()` first. */
  map(span: Span): MappedSpan {
    const identity = resolveFunction(functionNamesOf(span), this.functions, this.functionMap);
    const fn = identity.function;
    const declDir = fn ? dirnamePosix(fn.declaredIn.slice(0, fn.declaredIn.lastIndexOf(':'))) : undefined;
    const ctx: MappingContext = {
      files: this.files,
      layerDirs: [...new Set(this.functions.flatMap((f) => f.layerDirs ?? []))],
      readText: (f) => this.discovery.readText(f),
      findSymbol: (f, n) => this.discovery.findSymbol(f, n),
      ...(fn?.codeDir ? {
        fn: { codeDir: fn.codeDir, handlerFile: fn.file, handlerLine: fn.line, ...(fn.layerDirs ? { layerDirs: fn.layerDirs } : {}), ...(span.xray?.workingDirectory ? { taskRoot: span.xray.workingDirectory } : {}) },
        generatedMap: sourceMapLookup(this.root, { logicalId: fn.name, codeDir: fn.codeDir, projectDir: declDir }),
      } : {}),
    };
    return { identity, location: locateSpan(span, ctx) };
  }

  /** Maps many spans and counts what could not be mapped, by reason. */
  mapAll(spans: readonly Span[]): { results: MappedSpan[]; mapped: number; unmapped: number; reasons: Record<string, number> } {
    const results = spans.map((s) => this.map(s));
    return { results, ...summarizeMapping(results.map((r) => r.location)) };
  }
}
