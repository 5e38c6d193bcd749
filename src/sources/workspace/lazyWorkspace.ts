/**
 * The workspace parsers (YAML, TOML, tree-sitter grammars, every IaC and handler locator) in one place, so
 * that the extension build can make them one lazily loaded file (dist/workspace.js, see scripts/build.mjs):
 * the editor imports this module with `await import()` on first use, never at activation.
 */
export { WorkspaceDiscovery } from './discovery';
export { loadParsers } from './grammars';
export { walkWorkspace } from './walk';
export { functionNamesOf } from './traceCodeMapper';
