/** Go (the function given to `lambda.Start`) and Rust (the function given to `service_fn`/`run`) handlers. */
import type { Node } from 'web-tree-sitter';
import { type CodeIndex, findAll, kids } from './codeIndex';
import { type Candidate, found, type HandlerLocation, unresolved } from './location';
import { dirnamePosix } from '../iac/types';

const CALLS = new Set(['call_expression']);

/** First plain identifier inside an argument (unwrapping wrapper calls like `otellambda.InstrumentHandler(h, ...)`). */
function firstIdentifier(n: Node | undefined): Node | undefined {
  if (!n) return undefined;
  if (n.type === 'identifier') return n;
  if (n.type === 'call_expression') {
    const args = n.childForFieldName('arguments');
    const fnName = n.childForFieldName('function');
    // `lambdaHandler(ctx)` returns the handler: the called function is the handler factory.
    const inner = firstIdentifier(kids(args)[0]);
    return inner && inner.text !== 'ctx' ? inner : fnName?.type === 'identifier' ? fnName : inner;
  }
  for (const c of kids(n)) { const r = firstIdentifier(c); if (r) return r; }
  return undefined;
}

/** The handler name given to `lambda.Start(...)` in a Go file, with the call's line. */
export function goStartTarget(root: Node): { name: string; line: number } | undefined {
  // The package may be imported under another name (`runtime "github.com/aws/aws-lambda-go/lambda"`).
  const aliases = new Set<string>();
  for (const spec of findAll(root, new Set(['import_spec']))) {
    const p = spec.childForFieldName('path')?.text.replace(/"/g, '') ?? '';
    if (p === 'github.com/aws/aws-lambda-go/lambda') aliases.add(spec.childForFieldName('name')?.text ?? 'lambda');
  }
  for (const call of findAll(root, CALLS)) {
    const f = call.childForFieldName('function');
    if (f?.type !== 'selector_expression' || !/^Start(WithOptions|WithContext|Handler)?$/.test(f.childForFieldName('field')?.text ?? '') || !aliases.has(f.childForFieldName('operand')?.text ?? '')) continue;
    const id = firstIdentifier(kids(call.childForFieldName('arguments'))[0]);
    if (id) return { name: id.text, line: call.startPosition.row + 1 };
  }
  return undefined;
}

function goFunc(root: Node, name: string): number | undefined {
  const fn = kids(root).find((d) => d.type === 'function_declaration' && d.childForFieldName('name')?.text === name);
  return fn ? fn.startPosition.row + 1 : undefined;
}

/**
 * Locates a Go handler in the package at `dir`. `binaryHint` (e.g. `create` from `bin/create`) picks
 * the file when one folder holds several `main` programs.
 */
export function locateGoHandler(index: CodeIndex, dir: string, binaryHint?: string): HandlerLocation {
  const files = index.files.filter((f) => dirnamePosix(f) === dir && f.endsWith('.go') && !f.endsWith('_test.go'));
  if (files.length === 0) return unresolved(`no .go files in ${dir}`);
  const starts: { file: string; name: string; line: number }[] = [];
  for (const f of files) {
    const root = index.tree(f);
    const s = root ? goStartTarget(root) : undefined;
    if (s) starts.push({ file: f, ...s });
  }
  let chosen = starts;
  if (starts.length > 1 && binaryHint) chosen = starts.filter((s) => s.file.endsWith(`/${binaryHint}.go`));
  if (chosen.length === 0) return unresolved(starts.length ? `several programs in ${dir}, none named ${binaryHint}.go` : `no lambda.Start call in ${dir}`, [], starts.map((s) => ({ file: s.file, line: s.line, why: `lambda.Start(${s.name})` })));
  if (chosen.length > 1) return unresolved(`${chosen.length} lambda.Start calls in ${dir}`, [], chosen.map((s) => ({ file: s.file, line: s.line, why: `lambda.Start(${s.name})` })));
  const s = chosen[0];
  for (const f of [s.file, ...files.filter((x) => x !== s.file)]) {
    const root = index.tree(f);
    const line = root ? goFunc(root, s.name) : undefined;
    if (line) return found(f, line, s.name);
  }
  return found(s.file, s.line, s.name, [`\`${s.name}\` is not a function declared in ${dir}; the lambda.Start call is shown`]);
}

const RUST_WRAPPERS = /(^|::|\.)(service_fn|handler_fn|handler)$/;

/** The function a Rust Lambda main hands to the runtime (`service_fn(f)`, `handler_fn(f)`, `lambda::handler(f)`). */
export function rustHandlerTarget(root: Node): { name?: string; line: number; closure: boolean } | undefined {
  for (const call of findAll(root, CALLS)) {
    const f = call.childForFieldName('function');
    const fname = f?.type === 'field_expression' ? `.${f.childForFieldName('field')?.text}` : f?.text ?? '';
    if (!RUST_WRAPPERS.test(fname)) continue;
    const arg = kids(call.childForFieldName('arguments'))[0];
    if (!arg) continue;
    if (arg.type === 'identifier') return { name: arg.text, line: call.startPosition.row + 1, closure: false };
    if (arg.type === 'closure_expression') {
      const inner = findAll(arg, CALLS).map((c) => c.childForFieldName('function')).find((x) => x?.type === 'identifier');
      return { name: inner?.text, line: arg.startPosition.row + 1, closure: true };
    }
  }
  return undefined;
}

/** Locates a Rust handler given the binary's main source file. */
export function locateRustHandler(index: CodeIndex, mainFile: string): HandlerLocation {
  const root = index.tree(mainFile);
  if (!root) return unresolved(`${mainFile} is not in the workspace`);
  const t = rustHandlerTarget(root);
  if (!t) return unresolved(`no service_fn/handler_fn call in ${mainFile}`);
  const srcDir = dirnamePosix(mainFile);
  const candidates: Candidate[] = [];
  if (t.name) {
    for (const f of [mainFile, ...index.files.filter((x) => x !== mainFile && x.startsWith(`${srcDir}/`) && x.endsWith('.rs'))]) {
      const r = index.tree(f);
      const fn = r ? findAll(r, new Set(['function_item'])).find((x) => x.childForFieldName('name')?.text === t.name && x.parent?.type === 'source_file') : undefined;
      if (fn) return found(f, fn.startPosition.row + 1, t.name);
    }
  }
  if (t.closure) return found(mainFile, t.line, 'closure', [`the handler is a closure${t.name ? ` calling \`${t.name}\`, which is not defined in ${srcDir}` : ''}`]);
  return unresolved(`\`${t.name}\` is not defined in ${srcDir}`, [], candidates);
}
