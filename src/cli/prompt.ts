// Reading a secret from the terminal without showing it.
import { StringDecoder } from 'node:string_decoder';

/** What readHidden needs from its input: a readable stream, a terminal's raw mode when it is one. */
export interface HiddenInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(raw: boolean): unknown;
}

/**
 * Escape sequences a terminal sends for keys that do not type text (arrows, Home, bracketed-paste
 * markers): CSI `ESC [ params intermediates final` and SS3 `ESC O x` (ECMA-48, 5th ed., 5.4:
 * https://ecma-international.org/publications-and-standards/standards/ecma-48/).
 */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|.)?/g;

const ENTER = new Set(['\r', '\n']);
const CANCEL = new Set(['\x03', '\x04']); // Ctrl-C, Ctrl-D
const BACKSPACE = new Set(['\x7f', '\b']);
const KILL_LINE = '\x15'; // Ctrl-U

/**
 * Writes `prompt` to `output` and reads one line from `input` without echoing it. On a terminal the
 * input is put in raw mode (so the terminal does not echo either) and the mode it had is restored
 * whatever happens. Backspace deletes a character, Ctrl-U the whole line; Enter ends the line.
 * Ctrl-C, Ctrl-D or the end of the input cancel: the result is then undefined. Text typed after
 * Enter is left on the input for the next reader. An aborted `signal` (the run was stopped) cancels
 * too.
 */
export function readHidden(prompt: string, input: HiddenInput, output: NodeJS.WritableStream, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const wasRaw = input.isRaw === true;
    const decoder = new StringDecoder('utf8');
    let value = '';
    let done = false;

    const finish = (result: string | undefined, rest = ''): void => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onEnd);
      signal?.removeEventListener('abort', onEnd);
      try {
        if (raw) input.setRawMode!(wasRaw);
      } finally {
        input.pause();
        if (rest) input.unshift(Buffer.from(rest, 'utf8'));
        output.write('\n');
        resolve(result);
      }
    };
    const onData = (data: Buffer | string): void => {
      const text = (typeof data === 'string' ? data : decoder.write(data)).replace(ESCAPE_SEQUENCE, '');
      const chars = Array.from(text);
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i]!;
        if (ENTER.has(c)) {
          // A CRLF counts as one Enter.
          const next = c === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1;
          return finish(value, chars.slice(next).join(''));
        }
        if (CANCEL.has(c)) return finish(undefined);
        if (BACKSPACE.has(c)) value = Array.from(value).slice(0, -1).join('');
        else if (c === KILL_LINE) value = '';
        else if (c >= ' ') value += c;
      }
    };
    const onEnd = (): void => finish(undefined);

    if (signal?.aborted) return finish(undefined);
    signal?.addEventListener('abort', onEnd, { once: true });
    output.write(prompt);
    try {
      if (raw) input.setRawMode!(true);
      input.on('data', onData);
      input.once('end', onEnd);
      input.once('error', onEnd);
      input.resume();
    } catch {
      finish(undefined);
    }
  });
}
