// Offsets <-> zero-based line/character positions (UTF-16 code units, as LSP expects by default).

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * Offsets where lines start by LSP's rule: a line ends at `\n`, `\r\n` or a lone `\r` (as editors count
 * them). Use for positions sent to an editor.
 */
export function computeLineStarts(text: string): Int32Array {
  if (text.indexOf('\r') < 0) return computeNginxLineStarts(text);
  const starts = [0];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}

/**
 * Offsets where lines start by nginx's rule: only `\n` ends a line (a `\r` is blank space to nginx). Use for
 * the line numbers nginx reports (its error messages, `nginx -t`, `parse --json`).
 */
export function computeNginxLineStarts(text: string): Int32Array {
  // Counted first and filled in place, typed: a JS array of half a million numbers costs milliseconds to
  // allocate, and pushing them copies it at every doubling.
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const starts = new Int32Array(lines);
  starts[0] = 0;
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** Zero-based line containing `offset` (binary search). */
export function lineOf(lineStarts: ArrayLike<number>, offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function positionAt(lineStarts: ArrayLike<number>, offset: number): Position {
  const line = lineOf(lineStarts, offset);
  return { line, character: offset - lineStarts[line] };
}

export function offsetAt(lineStarts: ArrayLike<number>, textLength: number, pos: Position): number {
  if (pos.line < 0) return 0;
  if (pos.line >= lineStarts.length) return textLength;
  const lineEnd = pos.line + 1 < lineStarts.length ? lineStarts[pos.line + 1] : textLength;
  return Math.max(lineStarts[pos.line], Math.min(lineStarts[pos.line] + pos.character, lineEnd));
}

export function rangeOf(lineStarts: ArrayLike<number>, start: number, end: number): Range {
  const line = lineOf(lineStarts, start);
  // Most spans end on the line they start on: a second search of a million line starts, each step a cache
  // miss, is then not needed.
  const endLine = end >= start && (line + 1 >= lineStarts.length || end < lineStarts[line + 1]) ? line : lineOf(lineStarts, end);
  return { start: { line, character: start - lineStarts[line] }, end: { line: endLine, character: end - lineStarts[endLine] } };
}
