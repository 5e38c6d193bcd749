// Lint: mostly the import direction of ../shared/STYLE.md (editor -> sources -> core).
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: "Only src/editor (and src/extension.ts) may import 'vscode'." }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.test-output/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...noVscode,
        patterns: [
          { group: ['**/sources/**', '**/editor/**', '**/cli/**'], message: 'src/core is pure: it imports only src/core.' },
          { group: ['fs', 'node:*', 'http', 'net', 'dgram', 'child_process', 'os'], message: 'src/core does no I/O.' },
        ],
      }],
    },
  },
  {
    files: ['src/sources/**/*.ts', 'src/cli/**/*.ts', 'src/shared/**/*.ts', 'webview-ui/**/*.ts', 'test/unit/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...noVscode,
        patterns: [{ group: ['**/editor/**', '**/extension'], message: 'Nothing imports src/editor.' }],
      }],
    },
  },
);
