// The Content-Security-Policy every Breakglass webview page carries: nothing by default; styles,
// fonts and images only from the extension's own media; scripts only with this page's nonce (no
// inline script, no eval, no remote code).
export function webviewCsp(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `style-src ${cspSource}`, `font-src ${cspSource}`, `img-src ${cspSource} data:`, `script-src 'nonce-${nonce}'`].join('; ');
}
