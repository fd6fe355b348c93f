import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // wired in the next commit
}

export function deactivate(): void {}
