/** Where a named function or method is declared in a syntax tree, for any of the grammars. */
import type { Node } from 'web-tree-sitter';

const DECLS = ['function_declaration', 'generator_function_declaration', 'method_definition', 'function_definition',
  'method_declaration', 'function_item', 'method', 'local_function_statement', 'constructor_declaration'];

/**
 * 1-based line of the first declaration named `name` (the line holding the name, after decorators and
 * annotations), or of `const name = (...) =>` / `name = function`. Undefined when absent or when the
 * name is declared more than once in different places (ambiguous).
 */
export function findSymbolLine(root: Node, name: string): number | undefined {
  const lines = new Set<number>();
  for (const n of root.descendantsOfType(DECLS)) {
    const id = n?.childForFieldName('name');
    if (id?.text === name) lines.add(id.startPosition.row + 1);
  }
  if (lines.size === 0) {
    for (const n of root.descendantsOfType(['variable_declarator'])) {
      const v = n?.childForFieldName('value');
      if (n?.childForFieldName('name')?.text === name && v && /function|arrow_function/.test(v.type)) lines.add(n.startPosition.row + 1);
    }
  }
  return lines.size === 1 ? [...lines][0] : undefined;
}
