// JSON written piece by piece, byte for byte what `JSON.stringify(value, null, 2)` gives: a report with tens
// of thousands of findings never exists as one string, nor as one array of output records (a `LazyList`
// makes each record when it is written, and it is garbage right after).

/** An array whose items are made when they are written. */
export class LazyList<T> {
  constructor(readonly length: number, readonly item: (i: number) => T) {}
}

const CHUNK = 1 << 16;

/** Writes `value` as `JSON.stringify(value, null, 2)` would, in chunks of about 64 KB. */
export function writeJson(value: unknown, write: (chunk: string) => void): void {
  let buffer = '';
  const out = (s: string) => {
    buffer += s;
    if (buffer.length >= CHUNK) {
      write(buffer);
      buffer = '';
    }
  };
  // The output's shape is ours (reports a few levels deep): recursion on it is bounded, never on input.
  const emit = (v: unknown, indent: string): boolean => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(): unknown }).toJSON();
    if (v instanceof LazyList || Array.isArray(v)) {
      const n = v.length;
      if (n === 0) { out('[]'); return true; }
      const inner = indent + '  ';
      out('[\n');
      for (let i = 0; i < n; i++) {
        out(inner);
        const item = v instanceof LazyList ? v.item(i) : v[i];
        if (!emit(item, inner)) out('null');
        out(i + 1 < n ? ',\n' : '\n');
      }
      out(indent + ']');
      return true;
    }
    if (v !== null && typeof v === 'object') {
      const inner = indent + '  ';
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        out(first ? '{\n' : ',\n');
        first = false;
        out(inner + JSON.stringify(k) + ': ');
        emit(x, inner);
      }
      out(first ? '{}' : '\n' + indent + '}');
      return true;
    }
    const s = JSON.stringify(v);
    if (s === undefined) return false;
    out(s);
    return true;
  };
  if (!emit(value, '')) return;
  write(buffer);
}
