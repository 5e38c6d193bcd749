/** What infrastructure files declare about one function, before its handler is located in code. */

/** Which kind of file declared the function. */
export type DeclarationKind = 'sam' | 'cloudformation' | 'cdk-synth' | 'cdk' | 'serverless' | 'terraform' | 'azure' | 'gcp';

/** `zip`: code from a folder or archive; `image`: a container image (no source); `inline`: code in the template. */
export type PackageType = 'zip' | 'image' | 'inline';

/** A file position: workspace-relative posix path and 1-based line. */
export interface FileLine {
  file: string;
  line: number;
}

/** One function as declared; paths are workspace-relative posix paths. */
export interface FunctionDecl {
  /** Logical id (CFN/SAM/CDK), function key (Serverless), resource or module name (Terraform). */
  name: string;
  /** Other names the deployed function may carry: explicit FunctionName, `service-stage-fn`, etc. */
  aliases: string[];
  kind: DeclarationKind;
  runtime?: string;
  /** The handler string exactly as declared (after resolving variables where possible). */
  handler?: string;
  packageType: PackageType;
  /** Folder (or archive) the code comes from, workspace-relative; undefined when not declared. */
  codeUri?: string;
  /** Bundler entry points relative to codeUri (SAM esbuild EntryPoints, NodejsFunction entry). */
  entryPoints?: string[];
  /** Cargo binary name (cargo-lambda `Binary`, serverless-rust handler). */
  binary?: string;
  /** Inline source and the 1-based line of its first line in the declaring file. */
  inlineCode?: { text: string; firstLine: number };
  /** The one file holding the handler when the handler's module name does not name it (CDK inline code read from a file). */
  sourceFile?: string;
  /** Set when the declaration itself pins the handler (functions-framework registrations). */
  location?: FileLine;
  /** Container image reference for image functions. */
  imageUri?: string;
  memoryMb?: number;
  timeoutSec?: number;
  architecture?: string;
  region?: string;
  account?: string;
  declaredIn: FileLine;
  /** Logical ids of the layers declared in the same file that the function uses (`Layers: [!Ref X]`). */
  layers?: string[];
  /**
   * Layers the function uses that are declared elsewhere (another template, stack or account): the
   * entry as written once resolved where possible, ARN strings (`arn:aws:lambda:...:layer:NAME:N`)
   * or `import:<ExportName>` / `cf:<stack>.<Output>` for cross-stack references.
   */
  externalLayers?: string[];
  /** Environment variables with a statically known value (function level over provider/Globals level). */
  environment?: Record<string, string>;
  warnings: string[];
}

/** One Lambda layer declared with its content in the workspace. */
export interface LayerDecl {
  /** Logical id (CFN/SAM). */
  name: string;
  /** Workspace-relative folder (or archive) holding the layer's content, i.e. what `/opt` holds. */
  contentDir: string;
  declaredIn: FileLine;
  /** The deployed layer name (`LayerName`, Serverless layer name, Terraform `layer_name`), when static. */
  layerName?: string;
  /** Names other stacks reach it by: CloudFormation export names and output keys whose value is the layer, `cf:<stack>.<Output>`. */
  exports?: string[];
}

/** What one infrastructure file yields. */
export interface IacFileResult {
  functions: FunctionDecl[];
  /** File-level problems (invalid as written, unresolved variables...), each with file and line. */
  warnings: string[];
  /** Other templates this one references (nested stacks), workspace-relative. */
  references: string[];
  /** Layers whose content is in the workspace; absent when the file declares none. */
  layers?: LayerDecl[];
}

/** Joins a posix directory and a relative path, normalising `.`/`..` segments. */
export function joinPosix(dir: string, rel: string): string {
  const parts = (rel.startsWith('/') ? rel : `${dir}/${rel}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else out.push('..'); continue; }
    out.push(p);
  }
  return out.join('/') || '.';
}

/** The directory part of a posix path ('.' for a bare name). */
export function dirnamePosix(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i) || '.';
}

/** A declared function with its handler located (or the reason it could not be). */
export interface DiscoveredFunction {
  name: string;
  aliases: string[];
  kind: DeclarationKind;
  runtime: string | null;
  handler: string | null;
  packageType: PackageType;
  /** Workspace-relative file of the handler's definition, or null when unresolved. */
  file: string | null;
  /** 1-based line of the handler's definition, or null when unresolved. */
  line: number | null;
  /** `file:line` of the declaration in the infrastructure file. */
  declaredIn: string;
  /** Workspace folder deployed as the function's code (what `/var/task` holds), when known. */
  codeDir?: string;
  /** Workspace content folders of the layers the function uses (what its `/opt` holds), when declared. */
  layerDirs?: string[];
  /**
   * Set when the declaration shows the function is traced without code changes (an OpenTelemetry
   * layer, an `/opt/otel*` exec wrapper, a Datadog/New Relic wrapper handler): a one-line reason,
   * e.g. `AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler`. X-Ray active tracing alone does not count.
   */
  autoInstrumentation?: string;
  memoryMb: number | null;
  timeoutSec: number | null;
  architecture: string | null;
  region?: string;
  account?: string;
  unresolvedReason?: string;
  candidates?: { file: string; line: number; why: string }[];
  warnings: string[];
}
