import { strict as assert } from 'node:assert';
import { isMap } from 'yaml';
import { readYaml } from '../../src/common/yaml';

describe('common/yaml: YAML with positions', () => {
  it('gives the line of each node', () => {
    const y = readYaml('name: a\nclusters:\n  - name: staging\n    nodes: 40\n');
    assert.deepEqual(y.errors, []);
    const root = y.doc.contents;
    assert.ok(isMap(root));
    const clusters = root.get('clusters', true) as unknown as { items: { get(k: string, keep: true): unknown }[] };
    assert.equal(y.lineOf(clusters.items[0].get('nodes', true)), 4);
    assert.equal(y.lineOf(undefined), 1);
  });

  it('reports a syntax error once, on its line, in one line of text', () => {
    const y = readYaml('a: 1\nb: [1, 2\nc: 3\n');
    assert.ok(y.errors.length >= 1);
    assert.ok(y.errors.every((e) => !e.message.includes('\n')));
    assert.ok(y.errors[0].line >= 2, `line ${y.errors[0].line}`);
  });

  it('duplicate keys: an error by default, kept quietly when asked', () => {
    assert.equal(readYaml('a: 1\na: 2\n').errors[0]?.line, 2);
    assert.deepEqual(readYaml('a: 1\na: 2\n', { uniqueKeys: false }).errors, []);
  });
});
