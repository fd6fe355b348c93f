// The run journal: append-only JSONL, one event per line, that survives a crash of the process
// writing it. Every line is written with a single synchronous write, so a killed process loses at
// most the line it was writing; transition events are also fsync'ed so they survive a power loss.
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from './events';
import type { RunMode, StepState } from './model';

export const JOURNAL_EXTENSION = '.jsonl';
/** Replayed output kept per step: the tail, at most this many characters. */
export const REPLAY_OUTPUT_CAP = 256 * 1024;
export const INTERRUPTED_REASON = 'interrupted: the run ended while this step was running';

/**
 * Why a step whose process group was recorded, and which never finished, is not called
 * cancelled: nothing stopped its group (the runner was killed, say with SIGKILL, and the group,
 * detached into a session of its own, lives on). `running`: the group was seen alive when the
 * journal was replayed (on the host it ran on).
 */
export function orphanReason(pgid: number, running: boolean, host?: string): string {
  const where = host && host !== hostname() ? ` on ${host}` : '';
  return `the run ended while this step was running; its process group ${pgid}${where} ${running ? 'is still running' : 'may still be running'} (Breakglass did not stop it)`;
}

/**
 * Whether process group `pgid` has a live member of this user's. kill(-pgid, 0) checks without
 * sending anything (kill(2): "If sig is 0, then no signal is sent, but existence and permission
 * checks are still performed"); EPERM (another user's group, so a reused id) counts as not
 * running. A zombie still passes that check until its parent reaps it, and an orphan's new parent
 * (init) may take its time, so on Linux the group's members are looked up in /proc: fields 3
 * (state) and 5 (pgrp) of /proc/<pid>/stat (proc(5)); a group whose members are all zombies (Z)
 * or dead (X) is not running.
 */
export function processGroupRunning(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return true; // no /proc: kill -0 is all there is
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'tabletop-started',
  'sim-event',
  'sim-sample',
  'sim-step',
  'sim-clock',
  'sim-activity',
  'tabletop-finished',
  'run-started',
  'run-resumed',
  'step-started',
  'step-process',
  'output',
  'step-finished',
  'decision',
  'env-changed',
  'run-finished',
  'preflight',
]);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `20250102T030405Z` (UTC). */
export function journalTimestamp(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
  );
}

/** `<runbook basename without .md>-<YYYYMMDDTHHMMSSZ>.jsonl`, safe on any filesystem. */
export function journalFileName(runbookPath: string, start: Date): string {
  let base = path.basename(runbookPath.replace(/\\/g, '/')).replace(/\.md$/i, '');
  base = base
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '') // no hidden files, no leading dash
    .slice(0, 100)
    .replace(/[._]+$/, '');
  if (!base) base = 'runbook';
  return `${base}-${journalTimestamp(start)}${JOURNAL_EXTENSION}`;
}

/**
 * The file operations a journal uses to write. The real `node:fs` ones by default; a test can pass
 * operations that fail the way a full disk, a read-only mount or a broken device does.
 */
export interface JournalFs {
  openSync(file: string, flags: number, mode?: number): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  mkdirSync(dir: string, mode: number): void;
  lstatSync(file: string): fs.Stats;
  statSync(file: string): fs.Stats;
}

export const NODE_JOURNAL_FS: JournalFs = {
  openSync: (file, flags, mode) => fs.openSync(file, flags, mode),
  writeSync: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fstatSync: (fd) => fs.fstatSync(fd),
  readSync: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  closeSync: (fd) => fs.closeSync(fd),
  mkdirSync: (dir, mode) => fs.mkdirSync(dir, { mode }),
  lstatSync: (file) => fs.lstatSync(file),
  statSync: (file) => fs.statSync(file),
};

// O_NOFOLLOW: opening a journal that is a symbolic link fails (ELOOP) instead of writing wherever
// the link points (open(2)). Node has no such constant on Windows, where it is left out.
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | NOFOLLOW;

/** An error about the journal itself (its directory or file), never about a step. */
export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Creates the journal directory (mode 0700) and its missing parents one level at a time, and
 * refuses a directory that is a symbolic link. Not `mkdirSync(dir, { recursive: true })`: on Linux
 * that never returns for a path under /proc, where mkdir(2) answers ENOENT for a child of a
 * directory that exists, and Node's recursive walk then retries the parent and the child forever at
 * 100% CPU (nodejs `MKDirpSync`; the same loop is described in
 * https://github.com/Kewton/CommandMate/issues/1774 and https://github.com/oven-sh/bun/pull/36162).
 * Here every mkdir is tried once, so any failure is reported.
 */
export function ensureJournalDir(dir: string, io: JournalFs = NODE_JOURNAL_FS): string {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  for (let p = abs; ; p = path.dirname(p)) {
    let st: fs.Stats | undefined;
    try {
      st = p === abs ? io.lstatSync(p) : io.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new JournalError(`cannot use ${abs} as the journal directory: ${errText(e)}`);
    }
    if (st) {
      if (p === abs && st.isSymbolicLink()) throw new JournalError(`the journal directory ${abs} is a symbolic link: refusing to follow it (use a real directory)`);
      if (!st.isDirectory()) throw new JournalError(`cannot use ${abs} as the journal directory: ${p} is not a directory`);
      break;
    }
    if (path.dirname(p) === p) throw new JournalError(`cannot use ${abs} as the journal directory: ${p} does not exist`);
    missing.push(p);
  }
  for (const p of missing.reverse()) {
    try {
      io.mkdirSync(p, 0o700);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalError(`cannot create the journal directory ${p}: ${errText(e)}`);
    }
  }
  // Created just now, or by someone else in between: it must be a directory, not a link to one.
  let st: fs.Stats;
  try {
    st = io.lstatSync(abs);
  } catch (e) {
    throw new JournalError(`cannot use ${abs} as the journal directory: ${errText(e)}`);
  }
  if (st.isSymbolicLink()) throw new JournalError(`the journal directory ${abs} is a symbolic link: refusing to follow it (use a real directory)`);
  if (!st.isDirectory()) throw new JournalError(`cannot use ${abs} as the journal directory: it is not a directory`);
  return abs;
}

export class Journal {
  private fd: number | undefined;
  /**
   * The size of the file up to the end of its last whole line. A failed or short write is cut back
   * to it, so the next line never starts glued to a torn one.
   */
  private goodSize: number;
  /** Why nothing more may be appended (a torn line could not be cut off), or undefined. */
  private brokenReason: string | undefined;

  private constructor(
    readonly file: string,
    fd: number,
    size: number,
    private readonly io: JournalFs,
  ) {
    this.fd = fd;
    this.goodSize = size;
  }

  /**
   * Creates a new journal in `dir` (created 0700 if missing; refused if it is a symbolic link) for
   * a run of `runbookPath` started at `start`. The file is created exclusively with mode 0600 and
   * never through a symbolic link; if the name is taken, `-2`, `-3`, … is added before the
   * extension. Failures are JournalErrors naming the directory or file.
   */
  static create(dir: string, runbookPath: string, start: Date = new Date(), io: JournalFs = NODE_JOURNAL_FS): Journal {
    const abs = ensureJournalDir(dir, io);
    const name = journalFileName(runbookPath, start);
    const stem = name.slice(0, -JOURNAL_EXTENSION.length);
    for (let n = 1; n < 10000; n++) {
      const file = path.join(abs, n === 1 ? name : `${stem}-${n}${JOURNAL_EXTENSION}`);
      try {
        const fd = io.openSync(file, APPEND_FLAGS | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
        return new Journal(file, fd, 0, io);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalError(`cannot create a journal in ${abs}: ${errText(e)}`);
      }
    }
    throw new JournalError(`cannot create a journal in ${abs}: too many journals named ${name}`);
  }

  /**
   * Opens an existing journal to continue it (resume); never through a symbolic link. If the file
   * ends in a torn line (the writer died mid-write), a newline is added first so the next event
   * starts on a line of its own.
   */
  static openForAppend(file: string, io: JournalFs = NODE_JOURNAL_FS): Journal {
    const abs = path.resolve(file);
    let fd: number;
    try {
      fd = io.openSync(abs, APPEND_FLAGS);
    } catch (e) {
      throw new JournalError(`cannot open the journal ${abs}: ${errText(e)}`);
    }
    try {
      const size = io.fstatSync(fd).size;
      const j = new Journal(abs, fd, size, io);
      if (size > 0) {
        const last = Buffer.alloc(1);
        const rfd = io.openSync(abs, fs.constants.O_RDONLY | NOFOLLOW);
        try {
          io.readSync(rfd, last, 0, 1, size - 1);
        } finally {
          io.closeSync(rfd);
        }
        if (last[0] !== 0x0a) j.write(Buffer.from('\n'), true);
      }
      return j;
    } catch (e) {
      io.closeSync(fd);
      throw e instanceof JournalError ? e : new JournalError(`cannot open the journal ${abs}: ${errText(e)}`);
    }
  }

  /**
   * Appends one event as one line with a single synchronous write, so a killed process cannot lose
   * it. Everything except `output` is also fsync'ed. The event must already be masked. Throws a
   * JournalError when the line is not (durably) written; the file then still ends with a whole
   * line, or the journal is marked broken and refuses every later append.
   */
  append(event: JournalEvent): void {
    this.write(Buffer.from(JSON.stringify(event) + '\n', 'utf8'), event.type !== 'output');
  }

  /** Why this journal refuses appends (a torn line could not be removed), or undefined. */
  get broken(): string | undefined {
    return this.brokenReason;
  }

  private write(buf: Buffer, sync: boolean): void {
    if (this.fd === undefined) throw new JournalError(`journal is closed: ${this.file}`);
    if (this.brokenReason) throw new JournalError(this.brokenReason);
    const fd = this.fd;
    try {
      writeAll(this.io, fd, buf);
      // A line whose fsync failed may not be on disk: it counts as not written.
      if (sync) this.io.fsyncSync(fd);
    } catch (e) {
      const why = `the journal ${this.file} could not be written: ${errText(e)}`;
      // Cut off whatever part of the line reached the file, so that the file stays one event per
      // line. If even that fails, nothing may follow the torn part: the journal is broken.
      try {
        this.io.ftruncateSync(fd, this.goodSize);
      } catch (te) {
        this.brokenReason = `${why}; a partly written line could not be removed (${errText(te)}): nothing more is appended to it`;
        throw new JournalError(this.brokenReason);
      }
      throw new JournalError(why);
    }
    this.goodSize += buf.length;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  /** Flushes and closes the file. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      this.io.fsyncSync(fd);
    } finally {
      this.io.closeSync(fd);
    }
  }
}

/** Writes all of `buf`. A write that makes no progress is an error, never a retry loop. */
function writeAll(io: JournalFs, fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = io.writeSync(fd, buf, off, buf.length - off);
    if (!(n > 0)) throw new Error(`short write: ${off} of ${buf.length} bytes written, then none`);
    off += n;
  }
}

export interface JournalRead {
  events: JournalEvent[];
  /** Lines that could not be read (1-based), e.g. a torn last line after a crash. */
  errors: { line: number; message: string }[];
}

function parseEvent(text: string): JournalEvent {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
  const type = (v as { type?: unknown }).type;
  if (typeof type !== 'string') throw new Error('event has no type');
  if (!EVENT_TYPES.has(type)) throw new Error(`unknown event type: ${type}`);
  return v as JournalEvent;
}

/**
 * Reads a whole journal. Lines that do not parse (a torn last line after a crash, a line cut by
 * a crash before a resume) are reported in `errors`; they are never thrown. Throws only when the
 * file itself cannot be read.
 */
export function readJournal(file: string): JournalRead {
  const text = fs.readFileSync(file, 'utf8');
  const events: JournalEvent[] = [];
  const errors: JournalRead['errors'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    try {
      events.push(parseEvent(line));
    } catch (e) {
      const torn = i === lines.length - 1 ? ' (incomplete last line)' : '';
      errors.push({ line: i + 1, message: `${e instanceof Error ? e.message : String(e)}${torn}` });
    }
  }
  return { events, errors };
}

/** The first line of a file, read without loading the rest. */
function readFirstLine(file: string, limit = 1024 * 1024): string {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(16 * 1024);
    while (total < limit) {
      const n = fs.readSync(fd, buf, 0, buf.length, total);
      if (n === 0) break;
      const nl = buf.subarray(0, n).indexOf(0x0a);
      if (nl >= 0) {
        chunks.push(Buffer.from(buf.subarray(0, nl)));
        break;
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function samePath(a: string, b: string): boolean {
  const na = path.resolve(a);
  const nb = path.resolve(b);
  return process.platform === 'win32' || process.platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

export interface JournalListing {
  /** Absolute path of the journal file. */
  file: string;
  /** Absolute path of the runbook, as recorded in `run-started`. */
  runbook: string;
  /** `t` of `run-started`. */
  startedAt: string;
  title: string;
}

/**
 * Journals in `dir` (only those for `runbookPath`, when given), newest first. Reads only each
 * file's first line; files that do not start with a `run-started` event are left out. A missing
 * directory gives an empty list.
 */
export function listJournals(dir: string, runbookPath?: string): JournalListing[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
  const out: JournalListing[] = [];
  for (const name of names) {
    if (!name.endsWith(JOURNAL_EXTENSION)) continue;
    const file = path.resolve(dir, name);
    let first: JournalEvent;
    try {
      if (!fs.statSync(file).isFile()) continue;
      first = parseEvent(readFirstLine(file));
    } catch {
      continue;
    }
    if (first.type !== 'run-started' || typeof first.runbook !== 'string') continue;
    if (runbookPath !== undefined && !samePath(first.runbook, runbookPath)) continue;
    out.push({ file, runbook: first.runbook, startedAt: String(first.t), title: String(first.title ?? '') });
  }
  const time = (s: string): number => {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? 0 : ms;
  };
  out.sort((a, b) => time(b.startedAt) - time(a.startedAt) || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
  return out;
}

/** The last REPLAY_OUTPUT_CAP characters, never starting in the middle of a surrogate pair. */
function tail(text: string): string {
  let t = text.slice(-REPLAY_OUTPUT_CAP);
  const c = t.charCodeAt(0);
  if (c >= 0xdc00 && c <= 0xdfff) t = t.slice(1);
  return t;
}

export interface ReplayedStep {
  state: StepState;
  exitCode: number | null;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Concatenated output events of the latest attempt; only the last 256 Ki characters. */
  output: string;
  reason?: string;
  /** The process group of the latest attempt's shell (from `step-process`), if it started one. */
  processGroup?: number;
  /** The host that process group ran on. */
  processHost?: string;
  /**
   * The step never finished but its process group had started: nothing stopped it, so it may
   * still be running (state `failed`, reason from orphanReason()).
   */
  mayStillRun?: true;
}

export interface ReplayOptions {
  /**
   * Whether a recorded process group is running now. Default: on the host that recorded it,
   * processGroupRunning(pgid); elsewhere false (a pgid means nothing on another host).
   */
  isRunning?: (pgid: number, host: string | undefined) => boolean;
}

/** The session environment a journal leaves: what resume starts the next step from. */
export interface ReplayedEnv {
  /** Variables steps changed: null when unset; `masked` when the journal holds only a mask. */
  vars: Record<string, { value: string | null; masked: boolean }>;
  /** The working directory the steps left. */
  cwd?: { value: string; masked: boolean };
}

export interface Replayed {
  runId?: string;
  /** Changes from `env-changed` events of steps that then succeeded; absent when there were none. */
  env?: ReplayedEnv;
  steps: Record<string, ReplayedStep>;
  /** A `run-finished` event was seen (and no `run-resumed` after it). */
  finished: boolean;
  mode?: RunMode;
  target?: string;
}

/**
 * Rebuilds the state of a run from its events. A step re-run later in the journal shows its latest
 * attempt. A step that started but never finished (the process died mid-step, or the run was
 * resumed after a crash) comes back `cancelled` with reason INTERRUPTED_REASON — unless its
 * process group had started (`step-process`): nothing stopped that group, so the step comes back
 * `failed` with `mayStillRun`, its `processGroup`, and orphanReason() (is/may still be running,
 * as `opts.isRunning` finds it now).
 */
export function replay(events: JournalEvent[], opts: ReplayOptions = {}): Replayed {
  const isRunning = opts.isRunning ?? ((pgid: number, host: string | undefined) => (host === undefined || host === hostname()) && processGroupRunning(pgid));
  const steps = new Map<string, ReplayedStep>();
  let runId: string | undefined;
  let mode: RunMode | undefined;
  let target: string | undefined;
  let finished = false;
  const envVars = new Map<string, { value: string | null; masked: boolean }>();
  let envCwd: { value: string; masked: boolean } | undefined;
  /** A step's `env-changed`, applied when the step's `step-finished` says it succeeded. */
  const pendingEnv = new Map<string, Extract<JournalEvent, { type: 'env-changed' }>>();

  const step = (id: string): ReplayedStep => {
    let s = steps.get(id);
    if (!s) {
      s = { state: 'pending', exitCode: null, output: '' };
      steps.set(id, s);
    }
    return s;
  };
  const interruptRunning = (): void => {
    for (const s of steps.values()) {
      if (s.state !== 'running') continue;
      if (s.processGroup !== undefined) {
        s.state = 'failed';
        s.mayStillRun = true;
        s.reason = orphanReason(s.processGroup, isRunning(s.processGroup, s.processHost), s.processHost);
      } else {
        s.state = 'cancelled';
        s.reason = INTERRUPTED_REASON;
      }
    }
  };

  for (const e of events) {
    switch (e.type) {
      case 'run-started':
        runId = e.runId;
        mode = e.mode;
        target = e.target;
        break;
      case 'run-resumed':
        // Whatever was running before the resume died with the previous process.
        interruptRunning();
        runId ??= e.runId;
        mode = e.mode;
        target = e.target;
        finished = false;
        break;
      case 'step-started': {
        pendingEnv.delete(e.stepId);
        const s = step(e.stepId);
        s.state = 'running';
        s.exitCode = null;
        s.startedAt = e.t;
        s.output = '';
        delete s.finishedAt;
        delete s.durationMs;
        delete s.reason;
        delete s.processGroup;
        delete s.processHost;
        delete s.mayStillRun;
        break;
      }
      case 'step-process': {
        const s = step(e.stepId);
        // Only an attempt in progress: a stray event must not make a finished step an orphan.
        if (s.state === 'running' && Number.isInteger(e.pgid)) {
          s.processGroup = e.pgid;
          if (typeof e.host === 'string') s.processHost = e.host;
          else delete s.processHost;
        }
        break;
      }
      case 'output': {
        const s = step(e.stepId);
        s.output += e.text;
        if (s.output.length > 2 * REPLAY_OUTPUT_CAP) s.output = tail(s.output);
        break;
      }
      case 'step-finished': {
        const change = pendingEnv.get(e.stepId);
        pendingEnv.delete(e.stepId);
        if (change && e.state === 'succeeded') {
          const masked = new Set(Array.isArray(change.masked) ? change.masked : []);
          for (const [k, v] of Object.entries(change.set ?? {})) if (typeof v === 'string') envVars.set(k, { value: v, masked: masked.has(k) });
          for (const k of Array.isArray(change.unset) ? change.unset : []) if (typeof k === 'string') envVars.set(k, { value: null, masked: false });
          if (typeof change.cwd === 'string') envCwd = { value: change.cwd, masked: change.cwdMasked === true };
        }
        const s = step(e.stepId);
        s.state = e.state;
        s.exitCode = e.exitCode;
        s.finishedAt = e.t;
        s.durationMs = e.durationMs;
        if (e.reason !== undefined) s.reason = e.reason;
        else delete s.reason;
        break;
      }
      case 'run-finished':
        finished = true;
        break;
      case 'env-changed':
        if (e.source === 'step' && typeof e.stepId === 'string') pendingEnv.set(e.stepId, e);
        break;
      case 'decision':
        break;
    }
  }
  interruptRunning();

  // Step ids are author-chosen: define properties so an id like `__proto__` stays an ordinary key.
  const out: Record<string, ReplayedStep> = {};
  for (const [id, s] of steps) {
    if (s.output.length > REPLAY_OUTPUT_CAP) s.output = tail(s.output);
    Object.defineProperty(out, id, { value: s, enumerable: true, writable: true, configurable: true });
  }
  const result: Replayed = { steps: out, finished };
  if (envVars.size || envCwd) {
    const vars: ReplayedEnv['vars'] = {};
    for (const [k, v] of envVars) Object.defineProperty(vars, k, { value: v, enumerable: true, writable: true, configurable: true });
    result.env = { vars, ...(envCwd ? { cwd: envCwd } : {}) };
  }
  if (runId !== undefined) result.runId = runId;
  if (mode !== undefined) result.mode = mode;
  if (target !== undefined) result.target = target;
  return result;
}
