import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readHidden, type HiddenInput } from '../../src/cli/prompt';

/** A fake terminal: input with isTTY and a recording setRawMode, output that keeps what was written. */
function fakeTty(opts: { isRaw?: boolean } = {}) {
  const input = new PassThrough() as PassThrough & HiddenInput;
  const rawCalls: boolean[] = [];
  input.isTTY = true;
  input.isRaw = opts.isRaw ?? false;
  input.setRawMode = (raw: boolean) => {
    rawCalls.push(raw);
    input.isRaw = raw;
    return input;
  };
  const written: string[] = [];
  const output = new PassThrough();
  output.on('data', (d: Buffer) => written.push(d.toString('utf8')));
  const shown = async () => {
    await new Promise((r) => setImmediate(r));
    return written.join('');
  };
  return { input, output, rawCalls, shown };
}

/** Types the keys one chunk at a time, as a terminal in raw mode delivers them. */
function type(input: PassThrough, ...keys: (string | Buffer)[]): void {
  setImmediate(() => {
    for (const k of keys) input.write(k);
  });
}

describe('cli: readHidden', () => {
  it('returns the typed value without echoing it, in raw mode restored afterwards', async () => {
    const t = fakeTty();
    type(t.input, ...'s3cr3t-P@ss'.split(''), '\r');
    const v = await readHidden('DB_PASSWORD: ', t.input, t.output);
    assert.equal(v, 's3cr3t-P@ss');
    const shown = await t.shown();
    assert.ok(shown.startsWith('DB_PASSWORD: '), shown);
    for (const part of ['s3cr3t', 'P@ss', 's', '3']) assert.ok(!shown.slice('DB_PASSWORD: '.length).includes(part), `echoed ${part}: ${JSON.stringify(shown)}`);
    assert.deepEqual(t.rawCalls, [true, false], 'raw mode on while typing, then off again');
    assert.equal(t.input.isRaw, false);
    assert.equal(t.input.listenerCount('data'), 0, 'stops reading');
  });

  it('restores the mode the terminal had before', async () => {
    const t = fakeTty({ isRaw: true });
    type(t.input, 'pw\n');
    assert.equal(await readHidden('> ', t.input, t.output), 'pw');
    assert.deepEqual(t.rawCalls, [true, true]);
  });

  it('handles backspace, Ctrl-U, arrow keys and multi-byte characters split across chunks', async () => {
    const t = fakeTty();
    const euro = Buffer.from('€', 'utf8');
    type(t.input, 'abcx', '\x7f', 'd', '\x1b[D', '\x1b[C', euro.subarray(0, 1), euro.subarray(1), '\b\b', 'é', '\r');
    assert.equal(await readHidden('> ', t.input, t.output), 'abcé');
    const t2 = fakeTty();
    type(t2.input, 'wrong', '\x15', 'right\r');
    assert.equal(await readHidden('> ', t2.input, t2.output), 'right');
  });

  it('Ctrl-C cancels: undefined, nothing echoed, raw mode restored', async () => {
    const t = fakeTty();
    type(t.input, 'half-typed-secret', '\x03');
    assert.equal(await readHidden('TOKEN: ', t.input, t.output), undefined);
    assert.ok(!(await t.shown()).includes('half-typed'));
    assert.deepEqual(t.rawCalls, [true, false]);
  });

  it('Ctrl-D and the end of the input cancel too', async () => {
    const t = fakeTty();
    type(t.input, 'abc\x04');
    assert.equal(await readHidden('> ', t.input, t.output), undefined);
    assert.deepEqual(t.rawCalls, [true, false]);
    const t2 = fakeTty();
    setImmediate(() => t2.input.end('abc'));
    assert.equal(await readHidden('> ', t2.input, t2.output), undefined);
    assert.deepEqual(t2.rawCalls, [true, false]);
  });

  it('a stopped run (its signal aborted) cancels a prompt that waits, and one not yet shown', async () => {
    const t = fakeTty();
    const stop = new AbortController();
    const pending = readHidden('> ', t.input, t.output, stop.signal);
    type(t.input, 'half-typed');
    setTimeout(() => stop.abort(), 20);
    assert.equal(await pending, undefined);
    assert.deepEqual(t.rawCalls, [true, false]);
    assert.equal(await readHidden('> ', fakeTty().input, fakeTty().output, stop.signal), undefined);
  });

  it('leaves what was typed after Enter for the next reader', async () => {
    const t = fakeTty();
    type(t.input, 'first\r\nsecond line\n');
    assert.equal(await readHidden('> ', t.input, t.output), 'first');
    assert.equal(String(t.input.read()), 'second line\n');
  });
});
