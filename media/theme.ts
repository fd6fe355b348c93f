// The colours and font the webview pages draw their charts in, read from the current VS Code
// theme (its `--vscode-*` variables; the fallbacks are the Dark Modern colours). Both chart pages
// (Cluster Health, the facilitator panel) read them here, and again when the theme changes.
import { themeColor } from './dom';

export interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  /** The axes' font: the page's own family at 11 px. */
  font: string;
  /** The theme's chart colours in the order series take them: blue, orange, green, purple, yellow, red. */
  palette: string[];
  // What the facilitator panel's chart draws each line in.
  /** API-server load. */
  load: string;
  /** DNS success. */
  dns: string;
  /** User-visible errors. */
  errors: string;
  /** A step that succeeded (or was skipped). */
  ok: string;
  /** A step that failed. */
  bad: string;
  /** An injected event. */
  injected: string;
}

export function readTheme(): ChartTheme {
  const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const blue = themeColor('charts-blue', '#3794ff');
  const orange = themeColor('charts-orange', '#d18616');
  const green = themeColor('charts-green', '#89d185');
  const purple = themeColor('charts-purple', '#b180d7');
  const yellow = themeColor('charts-yellow', '#cca700');
  const red = themeColor('charts-red', '#f14c4c');
  return {
    fg: themeColor('foreground', '#ccc'),
    muted: themeColor('descriptionForeground', '#999'),
    grid: themeColor('editorWidget-border', themeColor('panel-border', 'rgba(128,128,128,0.35)')),
    font: `11px ${family}`,
    palette: [blue, orange, green, purple, yellow, red],
    load: orange,
    dns: blue,
    errors: red,
    ok: green,
    bad: red,
    injected: purple,
  };
}
