// Runbook problems in the Problems panel, kept current as runbooks are edited.
import * as vscode from 'vscode';
import { isRunbookText, parseRunbook } from '../runbook/parse';
import type { RunbookDiagnostic } from '../runbook/model';

const SEVERITY: Record<RunbookDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostics(doc: vscode.TextDocument, diags: RunbookDiagnostic[]): vscode.Diagnostic[] {
  return diags.map((d) => {
    const line = Math.min(Math.max(d.line, 0), Math.max(doc.lineCount - 1, 0));
    const range = doc.lineAt(line).range;
    const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
    out.source = 'breakglass';
    out.code = d.code;
    return out;
  });
}

export class RunbookDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('breakglass');
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly initial: NodeJS.Timeout;

  constructor() {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    );
    // The runbooks already open are parsed just after activation, not during it: parsing loads
    // the YAML parser and markdown-it (src/lazy.ts), which activation itself does not need.
    this.initial = setTimeout(() => {
      for (const d of vscode.workspace.textDocuments) this.update(d);
    }, 0);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'markdown') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.update(doc), 250));
  }

  update(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'markdown') return;
    const text = doc.getText();
    if (!isRunbookText(text)) {
      this.collection.delete(doc.uri);
      return;
    }
    const { runbook } = parseRunbook(text, doc.uri.fsPath);
    this.collection.set(doc.uri, toVscodeDiagnostics(doc, runbook.diagnostics));
  }

  dispose(): void {
    clearTimeout(this.initial);
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
