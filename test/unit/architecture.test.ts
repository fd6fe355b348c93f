// The layers of src/ (docs/ARCHITECTURE.md), checked on the source: which folder may import which,
// that only the VS Code layer imports `vscode`, that no module imports itself back through others
// (type-only imports count: a cycle of types is still two modules that cannot be read apart), and
// that extension.ts stays a list of registrations.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Module {
  file: string;
  /** Resolved relative imports (files under ROOT). */
  local: string[];
  /** Bare module specifiers (packages, `vscode`). */
  bare: string[];
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return undefined;
}

function readModules(dirs: string[]): Map<string, Module> {
  const mods = new Map<string, Module>();
  for (const d of dirs) {
    for (const file of tsFiles(path.join(ROOT, d))) {
      const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      const local: string[] = [];
      const bare: string[] = [];
      for (const { fileName } of info.importedFiles) {
        if (fileName.startsWith('.')) {
          const r = resolve(file, fileName);
          if (r) local.push(r);
        } else bare.push(fileName);
      }
      mods.set(file, { file, local, bare });
    }
  }
  return mods;
}

const rel = (f: string): string => path.relative(ROOT, f);
/** `src/sim/server/x.ts` → `sim`; `src/extension.ts` → `extension.ts`; `media/x.ts` → `media`. */
function layerOf(f: string): string {
  const parts = rel(f).split(path.sep);
  return parts[0] === 'src' ? (parts.length > 2 ? parts[1] : parts[1]) : parts[0];
}

/**
 * Which layers each layer may import. Everything not listed for a layer is forbidden to it; `common`
 * is the floor. (`lazy.ts` loads the heavy packages on first use and is imported from any layer.)
 */
const BELOW_VIEWS = ['common', 'lazy.ts', 'cost', 'cluster', 'sim', 'analysis', 'breakglass', 'runbook', 'tabletop'];
const MAY_IMPORT: Record<string, readonly string[]> = {
  common: ['lazy.ts'],
  'lazy.ts': [],
  cost: ['common', 'lazy.ts'],
  cluster: ['common', 'lazy.ts', 'cost'],
  sim: ['common', 'lazy.ts', 'cost', 'cluster'],
  analysis: ['common', 'lazy.ts', 'cost'],
  breakglass: ['common', 'lazy.ts', 'cost', 'cluster', 'sim'],
  // The runbook engine runs steps, break-glass actions among them; a tabletop runs runbooks.
  runbook: ['common', 'lazy.ts', 'cost', 'cluster', 'sim', 'analysis', 'breakglass'],
  tabletop: ['common', 'lazy.ts', 'cost', 'cluster', 'sim', 'analysis', 'breakglass', 'runbook'],
  cli: BELOW_VIEWS,
  views: BELOW_VIEWS,
  'extension.ts': [...BELOW_VIEWS, 'views'],
  // Webview scripts: pure helpers from any layer below the extension host's (never `vscode`).
  media: [...BELOW_VIEWS, 'views'],
};

describe('architecture: the layers of src/', () => {
  const mods = readModules(['src', 'media']);

  it('reads every module (a sanity check on the reader itself)', () => {
    assert.ok(mods.size > 100, `only ${mods.size} modules read`);
    const ext = mods.get(path.join(ROOT, 'src', 'extension.ts'));
    assert.ok(ext && ext.bare.includes('vscode'), 'extension.ts imports vscode');
  });

  it('each layer imports only the layers below it', () => {
    const bad: string[] = [];
    for (const m of mods.values()) {
      const from = layerOf(m.file);
      const allowed = MAY_IMPORT[from];
      assert.ok(allowed, `${rel(m.file)}: layer '${from}' is not in the table (add it to MAY_IMPORT and docs/ARCHITECTURE.md)`);
      for (const t of m.local) {
        const to = layerOf(t);
        if (to !== from && !allowed.includes(to)) bad.push(`${rel(m.file)} → ${rel(t)}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('only the VS Code layer imports vscode', () => {
    const bad = [...mods.values()].filter((m) => m.bare.includes('vscode') && !['views', 'extension.ts'].includes(layerOf(m.file))).map((m) => rel(m.file));
    assert.deepEqual(bad, []);
  });

  it('no import cycles (type-only imports included)', () => {
    // Tarjan's strongly connected components; any component of more than one module is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of mods.get(v)?.local ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          c.push(rel(w));
        } while (w !== v);
        if (c.length > 1) cycles.push(c.sort());
      }
    };
    for (const f of mods.keys()) if (!idx.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('extension.ts is a list of registrations (at most 80 lines)', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'src', 'extension.ts'), 'utf8').trimEnd().split('\n').length;
    assert.ok(lines <= 80, `src/extension.ts has ${lines} lines`);
  });

  it('the checker notices a forbidden import and a cycle (it is not vacuous)', () => {
    const fake = (file: string, local: string[]): Module => ({ file: path.join(ROOT, file), local: local.map((l) => path.join(ROOT, l)), bare: [] });
    const a = fake('src/sim/a.ts', ['src/runbook/b.ts']);
    assert.equal(layerOf(a.file), 'sim');
    assert.ok(!MAY_IMPORT.sim.includes(layerOf(a.local[0])), 'sim → runbook is forbidden');
    assert.ok(!MAY_IMPORT.common.includes('runbook'));
  });
});
