/**
 * The workspace parsers (YAML, TOML, tree-sitter grammars, every IaC and handler locator) and the
 * instrumentation planners (which work on those parsers' trees) in one place, so that the extension
 * build can make them one lazily loaded file (dist/workspace.js, see scripts/build.mjs): the editor
 * imports this module with `await import()` on first use, never at activation. Classes checked with
 * `instanceof` (InstrumentError) must be taken from here too: the main bundle has its own copy.
 */
export { sharedDiscovery, WorkspaceDiscovery } from './discovery';
export { loadParsers } from './grammars';
export { walkWorkspace } from './walk';
export { functionNamesOf } from './traceCodeMapper';
export { autoInstrumentedSites } from '../../core/instrument/autoInstrumented';
export { findHandlers } from '../../core/instrument/handlers';
export { planForSite, STYLE_LABEL, stylesFor } from '../../core/instrument/instrument';
export { manifestEdits } from '../../core/instrument/manifest';
export { planPropagation, propagationSites } from '../../core/instrument/propagate';
export { InstrumentError } from '../../core/instrument/types';
export { planWrap, wrapCandidates } from '../../core/instrument/wrap';
