// Runs inside the real VS Code extension host (trusted workspace). Links in the Runbook view: the
// page the extension gives VS Code has no anchor to anything but http(s) and in-page fragments,
// command URIs stay off, and an openLink message opens only http(s) URLs.
//
// Clicks inside the webview cannot be driven from the extension host: the page's own guard
// (media/dom.ts guardLinks) is not exercised here; what the extension receives from it is.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, folder, waiter, WEBVIEW_LOAD_MS } from './helpers';

const until = waiter(15_000);

const HOSTILE = [
  'vscode://ms-vscode.foo/bar',
  'vscode-insiders://ms-vscode.foo/bar',
  'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D',
  'mailto:a@b.example',
  'file:///etc/passwd',
  'javascript:alert(1)',
];

const RUNBOOK = `---
runbook: true
title: Links
---
# Links

${HOSTILE.map((h, i) => `- [hostile ${i}](${h})`).join('\n')}
- <vscode://ms-vscode.foo/auto> and <mailto:ops@example.com> and ops@example.com
- [docs](https://kubernetes.io/docs/) and [the step](#step-hello)

\`\`\`sh {name=hello}
echo hello
\`\`\`
`;

describe('Links in the Runbook view', () => {
  const file = () => join(folder(), 'links.md');
  before(() => writeFileSync(file(), RUNBOOK));
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(file(), { force: true });
  });

  it('renders only http(s) and fragment links, keeps command URIs off, and opens only http(s) URLs', async () => {
    const a = await api();
    const uri = vscode.Uri.file(file());
    await vscode.commands.executeCommand('breakglass.openRunbook', uri, { resume: 'never' });
    const panel = await until('the panel', () => a.panelFor(uri));
    await until('the webview to say ready', () => panel.isReady, WEBVIEW_LOAD_MS);

    const webview = panel.webviewPanel.webview;
    assert.ok(!webview.options.enableCommandUris, 'command URIs are off');
    const hrefs = [...webview.html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(hrefs, ['https://kubernetes.io/docs/', '#step-hello']);
    assert.match(webview.html, /\[hostile 0\]\(vscode:\/\/ms-vscode\.foo\/bar\)/, 'the hostile link is shown as text');

    // The test host leaves `vscode.env` writable (VS Code freezes it only outside extension tests).
    const env = vscode.env as { openExternal: (target: vscode.Uri) => Thenable<boolean> };
    const real = env.openExternal;
    const opened: string[] = [];
    env.openExternal = async (target: vscode.Uri) => {
      opened.push(target.toString(true));
      return true;
    };
    try {
      const receive = (panel as unknown as { onMessage(m: unknown): Promise<void> }).onMessage.bind(panel);
      for (const href of [...HOSTILE, '#step-hello', 'https:evil', '//evil.example/x']) await receive({ type: 'openLink', href });
      assert.deepEqual(opened, [], 'nothing was opened');
      await receive({ type: 'openLink', href: 'https://kubernetes.io/docs/' });
      assert.deepEqual(opened, ['https://kubernetes.io/docs/']);
    } finally {
      env.openExternal = real;
    }
  });
});
