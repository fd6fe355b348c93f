// Parse + render time of a generated 500-step runbook (goal: ≤ 100 ms).
import { parseRunbook } from '../src/runbook/parse';
import { renderRunbookHtml } from '../src/runbook/render';

export function generateRunbook(steps: number): string {
  const parts = ['---', 'runbook: true', 'title: Generated', 'severity: sev2', 'params:', '  NS: monitoring', '---', '', '# Generated runbook', ''];
  for (let i = 0; i < steps; i++) {
    if (i % 10 === 0) parts.push(`## Section ${i / 10 + 1}`, '', 'Some *prose* with `code`, a [link](https://kubernetes.io) and a list:', '', '- one', '- two', '');
    const kind = i % 25 === 24 ? 'check' : 'bash';
    if (kind === 'check') parts.push(`\`\`\`check {name=check-${i} timeout=30s}`, 'run: kubectl get --raw /readyz', 'expect: {output: "^ok"}', 'until: true', '```', '');
    else parts.push(`\`\`\`bash {name=step-${i} timeout=20s${i % 7 === 0 ? ' confirm=true' : ''}}`, `kubectl -n "$NS" get pods -o wide | head -${i % 50 + 1}`, `echo "step ${i} done"`, '```', '');
  }
  return parts.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function bench(iterations = 30): { steps: number; bytes: number; firstMs: number; medianMs: number; minMs: number; maxMs: number } {
  const text = generateRunbook(500);
  const times: number[] = [];
  let first = 0;
  for (let i = 0; i < iterations + 1; i++) {
    const t0 = performance.now();
    const parsed = parseRunbook(text, 'generated.md');
    const html = renderRunbookHtml(parsed);
    const dt = performance.now() - t0;
    if (parsed.runbook.steps.length !== 500 || html.length < 1000) throw new Error('generated runbook did not parse as expected');
    if (i === 0) first = dt;
    else times.push(dt);
  }
  return { steps: 500, bytes: text.length, firstMs: first, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

if (require.main === module) console.log(JSON.stringify(bench()));
