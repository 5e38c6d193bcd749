import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Controllers are registered here by src/editor.
}

export function deactivate(): void {}
