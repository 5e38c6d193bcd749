import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../..');
interface TableModule {
  START: string;
  END: string;
  settingsTable(pkg: unknown, nls?: Record<string, string>): string;
  replaceTable(readme: string, table: string): string;
}
// an ES module script (it also runs as `node scripts/docs/settingsTable.mjs`): loaded by URL, untyped
const load = (): Promise<TableModule> => import(pathToFileURL(path.join(root, 'scripts/docs/settingsTable.mjs')).href) as Promise<TableModule>;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, unknown> } };
};

const nlsFile = path.join(root, 'package.nls.json');
const nls = fs.existsSync(nlsFile) ? (JSON.parse(fs.readFileSync(nlsFile, 'utf8')) as Record<string, string>) : {};

describe('README settings and commands table', () => {
  it('is the table package.json contributes (run `node scripts/docs/settingsTable.mjs --write` after changing them)', async () => {
    const m = await load();
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const i = readme.indexOf(m.START);
    const j = readme.indexOf(m.END);
    assert.ok(i >= 0 && j > i, 'README.md has the table markers');
    assert.equal(readme.slice(i + m.START.length, j).trim(), m.settingsTable(pkg, nls).trim(),
      'README.md is out of date with package.json: run node scripts/docs/settingsTable.mjs --write');
  });

  it('has one row per contributed command and setting, with type, default and scope', async () => {
    const table = (await load()).settingsTable(pkg, nls);
    const rows = table.split('\n').filter((l) => l.startsWith('| `traceInsight.'));
    assert.equal(rows.length, pkg.contributes.commands.length + Object.keys(pkg.contributes.configuration.properties).length);
    assert.ok(rows.includes('| `traceInsight.importTraces` | Trace Insight: Import Traces... | yes |'));
    assert.ok(rows.includes('| `traceInsight.openTrace` | Trace Insight: Open Trace | no (from views and links) |'));
    const store = rows.find((r) => r.startsWith('| `traceInsight.storePath` |'));
    assert.match(store ?? '', /^\| `traceInsight\.storePath` \| string \| `""` \| machine-overridable \| Folder of the local trace store/);
  });

  it('escapes pipes and line breaks so a description stays in its cell', async () => {
    const table = (await load()).settingsTable({
      contributes: { configuration: { properties: { 'x.y': { type: 'string', default: 'a|b', description: 'one | two\nthree' } } } },
    });
    assert.equal(table.split('\n').at(-1), '| `x.y` | string | `"a|b"` | window | one \\| two three |');
  });

  it('resolves %keys% of a localized manifest through package.nls.json', async () => {
    const table = (await load()).settingsTable({
      contributes: { commands: [{ command: 'a.b', title: '%t%', category: '%c%' }], configuration: { properties: { 'x.y': { type: 'string', markdownDescription: '%d%' } } } },
    }, { t: 'Do It', c: 'Cat', d: 'A setting.' });
    assert.ok(table.includes('| `a.b` | Cat: Do It | yes |'));
    assert.ok(table.includes('| `x.y` | string |  | window | A setting. |'));
  });
});
