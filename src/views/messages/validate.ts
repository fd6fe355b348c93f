// Validators for the messages between the extension and its webview pages. A webview is a web
// page: what it posts is input like any other, and the page checks what it receives before it
// touches the DOM. Each message type is the type its validator accepts (`Infer<typeof v>`), so the
// check and the type cannot drift apart. A validator rebuilds what it accepts: only the declared
// properties travel on. A refusal names the property and what was expected there
// (`message.view.state: expected one of pending, running, …, got "exploded"`).
// No vscode, no DOM, no Node: the extension and the pages' scripts both import it.

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Validator<T> {
  /** Checks `v`, found at `path` (used in the error), and rebuilds it. */
  check(v: unknown, path: string): Result<T>;
  /** What it accepts, in a few words (for errors of the enclosing union). */
  readonly what: string;
}

/** A property that may be missing (an `undefined` value counts as missing and is left out). */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
}

export type Infer<V> = V extends Validator<infer T> ? T : never;

/** Shows an intersection as one object type (in hovers and errors). */
type Flat<T> = { [K in keyof T]: T[K] } & {};

type Shape = Record<string, Validator<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalValidator<unknown> ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = Flat<{ [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }>;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** How a refused value is shown in an error: its JSON, cut short, or its type. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

function fail(path: string, what: string, v: unknown): { ok: false; error: string } {
  return { ok: false, error: `${path}: expected ${what}, got ${shown(v)}` };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A property's path: `a.b`, or `a["x y"]` when the key is not an identifier. */
function at(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A validator from its check. */
export function validator<T>(what: string, check: (v: unknown, path: string) => Result<T>): Validator<T> {
  return { what, check };
}

/** Checks a whole message: its value, or undefined when refused. */
export function parse<T>(v: Validator<T>, msg: unknown): T | undefined {
  const r = v.check(msg, 'message');
  return r.ok ? r.value : undefined;
}

/** Checks a whole message: the value, or the refusal naming the property. */
export function validate<T>(v: Validator<T>, msg: unknown): Result<T> {
  return v.check(msg, 'message');
}

// ---- scalars ------------------------------------------------------------------------------------

export interface StringOptions {
  /** Longest accepted (characters). */
  max?: number;
  /** Shortest accepted (characters). */
  min?: number;
  pattern?: RegExp;
  /** What the pattern means, for errors ("a step id"). */
  what?: string;
}

export function string(o: StringOptions = {}): Validator<string> {
  const what = o.what ?? (o.pattern ? `a string matching ${o.pattern}` : o.max !== undefined ? `a string of at most ${o.max} characters` : 'a string');
  return validator(what, (v, path) => {
    if (typeof v !== 'string') return fail(path, what, v);
    if (o.max !== undefined && v.length > o.max) return fail(path, `${what} (at most ${o.max} characters)`, `${v.length} characters`);
    if (o.min !== undefined && v.length < o.min) return fail(path, `${what} (at least ${o.min} characters)`, v);
    if (o.pattern && !o.pattern.test(v)) return fail(path, what, v);
    return ok(v);
  });
}

export interface NumberOptions {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** A finite number (NaN and the infinities are refused), optionally an integer in a range. */
export function number(o: NumberOptions = {}): Validator<number> {
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` ≥ ${o.min}` : o.max !== undefined ? ` ≤ ${o.max}` : '';
  const what = `${o.integer ? 'an integer' : 'a number'}${range}`;
  return validator(what, (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(path, what, v);
    if ((o.integer && !Number.isInteger(v)) || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) return fail(path, what, v);
    return ok(v);
  });
}

export function boolean(): Validator<boolean> {
  return validator('true or false', (v, path) => (typeof v === 'boolean' ? ok(v) : fail(path, 'true or false', v)));
}

type Primitive = string | number | boolean | null;

export function literal<const L extends Primitive>(value: L): Validator<L> {
  const what = JSON.stringify(value);
  return validator(what, (v, path) => (v === value ? ok(value) : fail(path, what, v)));
}

/** One of a list of values (`oneOf(['stdout', 'stderr'] as const)`). */
export function oneOf<const L extends readonly Primitive[]>(values: L): Validator<L[number]> {
  const set: ReadonlySet<unknown> = new Set(values);
  const what = `one of ${values.join(', ')}`;
  return validator(what, (v, path) => (set.has(v) ? ok(v as L[number]) : fail(path, what, v)));
}

// ---- structures ---------------------------------------------------------------------------------

/** A property that may be missing. */
export function optional<T>(v: Validator<T>): OptionalValidator<T> {
  return { what: v.what, optional: true, check: (x, path) => (x === undefined ? ok(undefined) : v.check(x, path)) };
}

/**
 * A property that is left out when missing or malformed: the message stays acceptable without it
 * (a reading the page can do without).
 */
export function dropInvalid<T>(v: Validator<T>): OptionalValidator<T> {
  return {
    what: v.what,
    optional: true,
    check: (x, path) => {
      if (x === undefined) return ok(undefined);
      const r = v.check(x, path);
      return r.ok ? r : ok(undefined);
    },
  };
}

export interface ObjectValidator<S extends Shape> extends Validator<ObjectOf<S>> {
  /** Its properties' validators (to make another object with more). */
  readonly shape: S;
}

/** An object with these properties, rebuilt with only them (optional ones left out when undefined). */
export function object<S extends Shape>(shape: S): ObjectValidator<S> {
  const entries = Object.entries(shape);
  const what = `an object {${entries.map(([k]) => k).join(', ')}}`;
  return { shape, what, check: (v, path) => {
    if (!isObj(v)) return fail(path, what, v);
    const out: Record<string, unknown> = {};
    for (const [k, p] of entries) {
      const r = p.check(v[k], at(path, k));
      if (!r.ok) return r;
      if (r.value !== undefined) out[k] = r.value;
    }
    return ok(out as ObjectOf<S>);
  } };
}

export interface LengthOptions {
  min?: number;
  max?: number;
}

/** An array whose every element `item` accepts, rebuilt. */
export function array<T>(item: Validator<T>, o: LengthOptions = {}): Validator<T[]> {
  const what = `a list of ${item.what}`;
  return validator(what, (v, path) => {
    if (!Array.isArray(v)) return fail(path, what, v);
    if (o.max !== undefined && v.length > o.max) return fail(path, `${what} (at most ${o.max})`, v);
    if (o.min !== undefined && v.length < o.min) return fail(path, `${what} (at least ${o.min})`, v);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = item.check(v[i], `${path}[${i}]`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return ok(out);
  });
}

/** An object used as a map: every key `key` accepts, every value `value` does; at most `max` entries. */
export function record<T>(key: Validator<string>, value: Validator<T>, o: { max?: number } = {}): Validator<Record<string, T>> {
  const what = `a map of ${key.what} to ${value.what}`;
  return validator(what, (v, path) => {
    if (!isObj(v)) return fail(path, what, v);
    const entries = Object.entries(v);
    if (o.max !== undefined && entries.length > o.max) return fail(path, `${what} (at most ${o.max} entries)`, `${entries.length} entries`);
    const out: Record<string, T> = {};
    for (const [k, x] of entries) {
      const rk = key.check(k, `${path} key ${JSON.stringify(k.slice(0, 40))}`);
      if (!rk.ok) return rk;
      const r = value.check(x, at(path, k));
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return ok(out);
  });
}

/** The first of these that accepts the value. */
export function union<V extends readonly Validator<unknown>[]>(...options: V): Validator<Infer<V[number]>> {
  const what = options.map((o) => o.what).join(' or ');
  return validator(what, (v, path) => {
    const errors: string[] = [];
    for (const o of options) {
      const r = o.check(v, path);
      if (r.ok) return r as Result<Infer<V[number]>>;
      errors.push(r.error);
    }
    return { ok: false, error: errors.length === 1 ? errors[0] : `${path}: expected ${what} (${errors.join('; ')})` };
  });
}

type Variants = Record<string, Validator<object>>;
export type TaggedOf<K extends string, M extends Variants> = { [T in keyof M & string]: Flat<{ [P in K]: T } & Infer<M[T]>> }[keyof M & string];

/**
 * Messages told apart by a tag property (`type`): `variants` maps each tag to the validator of the
 * rest of the message. The tag comes first in the rebuilt message.
 */
export function tagged<K extends string, M extends Variants>(key: K, variants: M): Validator<TaggedOf<K, M>> {
  const tags = Object.keys(variants);
  const what = `a message with ${key} ${tags.join(', ')}`;
  return validator(what, (v, path) => {
    if (!isObj(v)) return fail(path, what, v);
    const tag = v[key];
    if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(variants, tag)) return fail(at(path, key), `one of ${tags.join(', ')}`, tag);
    const r = variants[tag].check(v, path);
    return r.ok ? ok({ [key]: tag, ...r.value } as TaggedOf<K, M>) : r;
  });
}

/** A further check on what `v` accepted: `test` returns what is wrong, or undefined. */
export function refine<T>(v: Validator<T>, what: string, test: (value: T) => string | undefined): Validator<T> {
  return validator(`${v.what} (${what})`, (x, path) => {
    const r = v.check(x, path);
    if (!r.ok) return r;
    const wrong = test(r.value);
    return wrong === undefined ? r : { ok: false, error: `${path}: ${wrong}` };
  });
}

/** What `v` accepted, changed by `f` (e.g. duplicates removed). */
export function map<T, U>(v: Validator<T>, f: (value: T) => U): Validator<U> {
  return validator(v.what, (x, path) => {
    const r = v.check(x, path);
    return r.ok ? ok(f(r.value)) : r;
  });
}
