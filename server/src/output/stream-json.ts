// JSON written piece by piece: a report with tens of thousands of findings never exists as one string, nor
// as one array of output records (a `LazyList` makes each record when it is written, and it is garbage right
// after).
//
// The layout is JSON.stringify(value, null, 2)'s, except for the items of a lazy list (the findings of JSON
// output, the results of SARIF): each is written on a line of its own, compact, as JSON.stringify(item) gives
// it. One finding per line is what grep and diff want of a report; and the indentation of a record's every
// field was half the bytes of a big SARIF log (113 MB against 60 for 42 000 results) and half the time spent
// writing it.
//
// Only the few containers above a lazy list are walked here. A lazy list's records are written by its own
// `text` when it has one; any other value without a lazy list inside (the rules of a SARIF log) goes through
// JSON.stringify itself at the depth it is written at: a general serialiser in JavaScript was slower.

/**
 * An array whose items are made when they are written. `text`, when given, writes item `i` as
 * `JSON.stringify(item(i))` would, without making the item: for records of a fixed shape written tens of
 * thousands of times, making each as objects and stringifying it cost twice as much as writing its text.
 */
export class LazyList<T> {
  constructor(readonly length: number, readonly item: (i: number) => T, readonly text?: (i: number) => string) {}

  /** Inside a value JSON.stringify serialises (a lazy list within a lazy list's item): the whole array. */
  toJSON(): T[] {
    return Array.from({ length: this.length }, (_, i) => this.item(i));
  }
}

/**
 * `JSON.stringify` of a string, remembered for strings written again and again (paths, rule ids, fix titles,
 * the lines a fix inserts): up to `max` of them, so that a log of distinct strings does not keep them all.
 */
export function quoter(max = 4096): (s: string) => string {
  const quoted = new Map<string, string>();
  return (s) => {
    let q = quoted.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (quoted.size < max) quoted.set(s, q);
    }
    return q;
  };
}

/**
 * Written pieces are gathered up to this many characters (here and in the text outputs). Kept well under V8's large-object size (128 KB;
 * a string of two-byte characters takes two per character): strings larger than that are allocated and
 * collected one by one outside the young generation, and cost several times as much to make.
 */
export const CHUNK = 1 << 14;

/** Writes `value` as described above, in chunks of about 16 KB. */
export function writeJson(value: unknown, write: (chunk: string) => void): void {
  let buffer = '';
  const out = (s: string) => {
    buffer += s;
    if (buffer.length >= CHUNK) {
      write(buffer);
      buffer = '';
    }
  };
  const holders = lazyHolders(value);
  // JSON.stringify's text of `v` at the depth of `indent` (its lines after the first indented by it).
  const nested = (v: unknown, indent: string): string | undefined => {
    const s = JSON.stringify(v, null, 2) as string | undefined;
    return s === undefined || indent === '' ? s : s.replace(/\n/g, '\n' + indent);
  };
  // The output's shape is ours (reports a few levels deep): recursion on it is bounded, never on input.
  const emit = (v: unknown, indent: string): void => {
    const inner = indent + '  ';
    if (v instanceof LazyList) {
      const n = v.length;
      if (n === 0) { out('[]'); return; }
      out('[\n');
      for (let i = 0; i < n; i++) {
        // An item JSON cannot represent is null in an array, as JSON.stringify writes it.
        out(inner + (v.text ? v.text(i) : JSON.stringify(v.item(i)) ?? 'null'));
        out(i + 1 < n ? ',\n' : '\n');
      }
      out(indent + ']');
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) { out('[]'); return; }
      out('[\n');
      v.forEach((x: unknown, i) => {
        out(inner);
        if (holders.has(x as object) || x instanceof LazyList) emit(x, inner);
        else out(nested(x, inner) ?? 'null');
        out(i + 1 < v.length ? ',\n' : '\n');
      });
      out(indent + ']');
      return;
    }
    let first = true;
    for (const [k, x] of Object.entries(v as object)) {
      const whole = holders.has(x as object) || x instanceof LazyList;
      const text = whole ? '' : nested(x, inner);
      if (text === undefined) continue;
      out((first ? '{\n' : ',\n') + inner + JSON.stringify(k) + ': ');
      first = false;
      if (whole) emit(x, inner);
      else out(text);
    }
    out(first ? '{}' : '\n' + indent + '}');
  };
  if (value instanceof LazyList || holders.has(value as object)) emit(value, '');
  else {
    const s = JSON.stringify(value, null, 2) as string | undefined;
    if (s === undefined) return;
    out(s);
  }
  if (buffer) write(buffer);
}

/**
 * The arrays and plain objects with a lazy list somewhere inside: only those are walked by writeJson. An
 * object with a `toJSON` is left to JSON.stringify (which calls it; a lazy list in what it returns is
 * written whole, by LazyList.toJSON).
 */
function lazyHolders(value: unknown): Set<object> {
  const holders = new Set<object>();
  const visit = (v: unknown): boolean => {
    if (v instanceof LazyList) return true;
    if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    let holds = false;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (visit(x)) holds = true;
    if (holds) holders.add(v);
    return holds;
  };
  visit(value);
  return holders;
}
