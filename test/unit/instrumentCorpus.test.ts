import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { type CodeLanguage, languageOf } from '../../src/core/code/codeIndex';
import { findHandlers } from '../../src/core/instrument/handlers';
import { planAddTracing, planForSite, stylesFor } from '../../src/core/instrument/instrument';
import { applyEdits } from '../../src/core/instrument/text';
import type { HandlerSite, InstrumentStyle, SourceDoc } from '../../src/core/instrument/types';
import { type GrammarName, loadParsers } from '../../src/sources/workspace/grammars';
import { WorkspaceDiscovery } from '../../src/sources/workspace/discovery';
import { rustcCheck } from './instrumentRustc';
import { newDiagnostics } from './instrumentTsc';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');
const LANGS: CodeLanguage[] = ['javascript', 'typescript', 'tsx', 'python', 'java', 'go', 'csharp', 'rust'];

/** True when `cmd` runs here (compilers are checked where they are installed). */
const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

interface Output { file: string; lang: CodeLanguage; style: InstrumentStyle; handler: string; original: string; text: string; doc2: SourceDoc }

function firstError(parser: Parser, text: string): string | undefined {
  const root = parser.parse(text)!.rootNode;
  if (!root.hasError) return undefined;
  const bad = [...root.descendantsOfType('ERROR'), ...root.descendantsOfType('MISSING')].find((n) => n) ?? root;
  return `line ${bad.startPosition.row + 1}: ${bad.type} ${bad.text.slice(0, 60)}`;
}

describe('instrument: every handler of corpus/iac in every style', function () {
  this.timeout(120_000);
  const outputs: Output[] = [];
  const skipped: string[] = [];
  let parsers: Map<GrammarName, Parser>;
  let tmp: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-instrument-'));
    parsers = (await loadParsers(LANGS)).parsers;
    const found = await new WorkspaceDiscovery(iac).run();
    const lines = new Map<string, Set<number>>();
    for (const f of found.functions) {
      const lang = f.file ? languageOf(f.file) : undefined;
      if (!f.file || !f.line || !lang || !LANGS.includes(lang)) continue;
      lines.set(f.file, (lines.get(f.file) ?? new Set()).add(f.line));
    }
    for (const [file, want] of lines) {
      const lang = languageOf(file)!;
      const text = fs.readFileSync(path.join(iac, file), 'utf8');
      const parser = parsers.get(lang)!;
      if (firstError(parser, text)) { skipped.push(`${file} (does not parse as it is: cookiecutter template)`); continue; }
      const doc: SourceDoc = { text, root: parser.parse(text)!.rootNode, lang, fileName: path.basename(file) };
      const sites = findHandlers(doc).filter((s) => [...want].some((l) => s.fn.startPosition.row + 1 <= l && l <= s.fn.endPosition.row + 1));
      if (!sites.length) { skipped.push(`${file} (no handler function at the discovered line: inline code of a stack)`); continue; }
      for (const site of sites.filter((s: HandlerSite) => !s.tracedBy)) {
        for (const style of stylesFor(lang)) {
          const out = applyEdits(text, planForSite(doc, site, style).edits);
          const doc2: SourceDoc = { text: out, root: parser.parse(out)!.rootNode, lang, fileName: doc.fileName };
          outputs.push({ file, lang, style, handler: site.name, original: text, text: out, doc2 });
        }
      }
    }
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('instruments handlers in all six languages, in each style the language has', () => {
    const byLang = new Map<string, Set<string>>();
    for (const o of outputs) byLang.set(path.extname(o.file), (byLang.get(path.extname(o.file)) ?? new Set()).add(o.style));
    assert.deepEqual(Object.fromEntries([...byLang].map(([k, v]) => [k, [...v].sort()]).sort()), {
      '.cs': ['otel', 'powertools'], '.go': ['otel'], '.java': ['otel', 'powertools'], '.js': ['otel', 'powertools', 'xray'],
      '.mjs': ['otel', 'powertools', 'xray'], '.py': ['otel', 'powertools', 'xray'], '.rs': ['otel'], '.ts': ['otel', 'powertools', 'xray'],
    });
    assert.ok(outputs.length >= 150, `${outputs.length} instrumented results`);
    assert.deepEqual(skipped.map((s) => s.split(' ')[0]).sort(), [
      'cdk/aws-cdk-examples/csharp-lambda-cron/src/LambdaCron/LambdaCronStack.cs',
      'cdk/aws-cdk-examples/java-lambda-cron/src/main/java/software/amazon/awscdk/examples/LambdaCronStack.java',
      'sam/sam-app-templates/nodejs22.x-hello-ts-pt/project/hello-world/app.ts',
    ]);
  });

  it('every result parses without ERROR or MISSING nodes (tree-sitter)', () => {
    const bad = outputs.map((o) => ({ o, e: firstError(parsers.get(o.lang)!, o.text) })).filter((x) => x.e).map((x) => `${x.o.style} ${x.o.file}: ${x.e}`);
    assert.deepEqual(bad, []);
  });

  it('applying twice changes nothing: the instrumented handler is seen as traced and gets no edits', () => {
    for (const o of outputs) {
      const plan = planAddTracing(o.doc2, o.style, o.handler);
      assert.deepEqual(plan.edits, [], `${o.style} ${o.file}`);
      assert.match(plan.notes[0], /already traced/);
    }
  });

  it('TypeScript and JavaScript results type-check with tsc as well as the originals did (one program)', () => {
    const js = outputs.filter((o) => ['javascript', 'typescript', 'tsx'].includes(o.lang));
    const pairs = js.map((o) => ({ label: `${o.style} ${o.file}`, fileName: path.basename(o.file), original: o.original, text: o.text }));
    // A control that must fail: a misspelled OTel API call in one TypeScript result.
    const control = js.find((o) => o.style === 'otel' && o.lang === 'typescript')!;
    const r = newDiagnostics(tmp, pairs, { fileName: path.basename(control.file), text: control.text.replace('span.setAttribute(', 'span.setAttributes(') });
    assert.deepEqual(r.worse, []);
    assert.match(r.control.join('\n'), /TS2559|TS2345|TS2554/, 'the real @opentelemetry/api types were not used');
    assert.ok(pairs.length >= 60, `${pairs.length} JS/TS results checked`);
  });

  it('Python results compile (python3 -m py_compile)', function () {
    if (!has('python3')) this.skip();
    const files = outputs.filter((o) => o.lang === 'python').map((o, i) => {
      const f = path.join(tmp, 'py', `m${i}.py`);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, o.text);
      return f;
    });
    assert.ok(files.length >= 90, `${files.length}`);
    execFileSync('python3', ['-c', 'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)', ...files], { stdio: 'pipe' });
  });

  it('Java results pass javac\'s parser (one javac run)', function () {
    if (!has('javac', '-version')) this.skip();
    const files = outputs.filter((o) => o.lang === 'java').map((o, i) => {
      const f = path.join(tmp, 'java', String(i), path.basename(o.file));
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, o.text);
      return f;
    });
    assert.ok(files.length >= 10, `${files.length}`);
    // The corpus handlers need the AWS SDK and Lambda event jars, which are not here: stop after parsing.
    execFileSync('javac', ['-XDshould-stop.ifNoError=PARSE', '-d', path.join(tmp, 'classes'), ...files], { stdio: 'pipe' });
  });

  it('Rust results pass rustc\'s own parser; those whose crates the stubs cover also type-check (no cargo offline)', function () {
    if (!has('rustc')) this.skip();
    const rust = outputs.filter((o) => o.lang === 'rust');
    assert.ok(rust.length >= 3, `${rust.length}`);
    rust.forEach((o, i) => {
      const f = path.join(tmp, 'rs', `m${i}.rs`);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, o.text);
      // RUSTC_BOOTSTRAP lets the stable compiler run its parser alone (-Zparse-crate-root-only).
      execFileSync('rustc', ['--edition', '2021', '-Zparse-crate-root-only', f], { stdio: 'pipe', env: { ...process.env, RUSTC_BOOTSTRAP: '1' } });
    });
    // A file is type-checked when its original type-checks against the stubs (so they cover every crate it uses).
    const checked = rustcCheck(path.join(tmp, 'rsc'), rust.flatMap((o, i) => [{ name: `orig${i}`, text: o.original }, { name: `out${i}`, text: o.text }]));
    const covered = rust.filter((_o, i) => checked[2 * i].errors === '');
    assert.deepEqual(covered.map((o) => o.file), ['sam/sam-app-templates/al2023-rust-hello/project/rust_app/src/main.rs']);
    assert.deepEqual(rust.flatMap((o, i) => (checked[2 * i].errors === '' && checked[2 * i + 1].errors !== '' ? [`${o.file}: ${checked[2 * i + 1].errors}`] : [])), []);
  });
});

