/** Type-checks instrumented JS/TS next to the originals in one TypeScript program (shared by the instrument tests). */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const repo = path.resolve(__dirname, '../..');

/** One file before and after an edit. */
export interface TscPair { label: string; fileName: string; original: string; text: string }

/**
 * Diagnostics the edited files have and their originals do not (as `label: TSnnnn message`), plus the
 * diagnostics of `control` (a text that must fail, proving the real @opentelemetry/api types were used).
 */
export function newDiagnostics(tmp: string, pairs: TscPair[], control: { fileName: string; text: string }): { worse: string[]; control: string[] } {
  const roots: string[] = [];
  const files = pairs.map((p, i) => {
    const orig = path.join(tmp, 'orig', String(i), p.fileName), out = path.join(tmp, 'out', String(i), p.fileName);
    for (const [f, t] of [[orig, p.original], [out, p.text]] as const) { fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, t); roots.push(f); }
    return { orig, out, label: p.label };
  });
  const controlFile = path.join(tmp, 'control', control.fileName);
  fs.mkdirSync(path.dirname(controlFile), { recursive: true });
  fs.writeFileSync(controlFile, control.text);
  const stubs = path.join(tmp, 'stubs.d.ts');
  // Powertools is not installed here: a declaration of the members the edits use. Other unresolved packages are `any`.
  fs.writeFileSync(stubs, `declare module '@aws-lambda-powertools/tracer' {
  interface Segment { addNewSubsegment(name: string): Segment; close(): void; addError(e: Error): void }
  export class Tracer { constructor(o?: { serviceName?: string }); getSegment(): Segment | undefined; setSegment(s: Segment): void;
    annotateColdStart(): void; addServiceNameAnnotation(): void; addErrorAsMetadata(e: Error): void }
}
declare module '*';
`);
  const program = ts.createProgram([...roots, controlFile, stubs], {
    noEmit: true, allowJs: true, checkJs: true, strict: false, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, moduleDetection: ts.ModuleDetectionKind.Force,
    baseUrl: repo, paths: { '@opentelemetry/api': ['node_modules/@opentelemetry/api'], 'aws-xray-sdk-core': ['node_modules/aws-xray-sdk-core'] },
    types: ['node'], typeRoots: [path.join(repo, 'node_modules/@types')], esModuleInterop: true, noImplicitAny: false,
  });
  const diag = (f: string) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  const worse: string[] = [];
  for (const p of files) {
    const before = new Set(diag(p.orig));
    for (const d of diag(p.out)) if (!before.has(d)) worse.push(`${p.label}: ${d}`);
  }
  return { worse, control: diag(controlFile) };
}
