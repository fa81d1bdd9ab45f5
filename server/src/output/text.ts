// Compiler-style text (file:line:col: severity: message [rule]) and JSON with the LSP diagnostic's fields.

import * as path from 'node:path';
import { structuredPatch } from 'diff';
import type { Finding, RuleInfo } from '../engine';
import { CHUNK, LazyList, quoter } from './stream-json';

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') ? file : r;
}

const CONTROLS = /[\x00-\x1f\x7f\x9b]/g;
/** The same characters, for a test (a global regex's test would move its lastIndex). */
const CONTROL = new RegExp(CONTROLS.source);

/** Control characters (a newline, ESC) escaped: one finding is one line, and a path cannot drive the terminal. */
export function escapeControls(s: string): string {
  // Almost no message has one: a test is much cheaper than a replace with a callback.
  return CONTROL.test(s) ? s.replace(CONTROLS, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) : s;
}

/** ANSI colours of the severities (text output on a terminal). */
const COLOR: Record<Finding['severity'], string> = { error: '\x1b[1;31m', warning: '\x1b[1;33m', information: '\x1b[1;36m', hint: '\x1b[2m' };

export function formatText(findings: Finding[], cwd: string, color = false): string {
  let out = '';
  writeText(findings, cwd, color, (s) => (out += s));
  return out;
}

/** formatText's text, written in chunks of about 16 KB: tens of thousands of findings never become one string. */
export function writeText(findings: Finding[], cwd: string, color: boolean, write: (chunk: string) => void): void {
  // A path is made relative and escaped once, not once per finding on it.
  const shownPath = new Map<string, string>();
  let out = '';
  for (const f of sorted(findings)) {
    let file = shownPath.get(f.path);
    if (file === undefined) shownPath.set(f.path, (file = escapeControls(rel(f.path, cwd))));
    const where = `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}:`;
    const message = escapeControls(f.message);
    out += color
      ? `\x1b[1m${where}\x1b[0m ${COLOR[f.severity]}${f.severity}:\x1b[0m ${message} \x1b[2m[${f.ruleId}]\x1b[0m\n`
      : `${where} ${f.severity}: ${message} [${f.ruleId}]\n`;
    if (out.length >= CHUNK) {
      write(out);
      out = '';
    }
  }
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  if (findings.length) out += `${findings.length} finding(s): ${counts.error} error, ${counts.warning} warning, ${counts.information} info, ${counts.hint} hint\n`;
  if (out) write(out);
}

export function sorted(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.start - b.start || a.ruleId.localeCompare(b.ruleId)));
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  rule: string;
  message: string;
  fixes: { title: string; safe: boolean }[];
  /** The rule's classification (`security`, `external/cwe/cwe-295`, …); empty for rules without one. */
  tags?: string[];
  /** 0–10, for security rules (as SARIF's `security-severity`). */
  securitySeverity?: number;
  /** The CIS NGINX Benchmark recommendation the rule implements. */
  cis?: { benchmark: string; recommendation: string; source?: string };
}

/** The findings as JSON records; with `rules`, each carries its rule's tags, security severity and CIS item. */
export function toJson(findings: Finding[], rules?: readonly RuleInfo[]): JsonFinding[] {
  const list = toJsonLazy(findings, rules);
  return Array.from({ length: list.length }, (_, i) => list.item(i));
}

/** The same records, each made when it is written (see stream-json.ts). */
export function toJsonLazy(findings: Finding[], rules?: readonly RuleInfo[]): LazyList<JsonFinding> {
  // A rule's fields are the same on all its findings: made once per rule, not once per finding.
  const security = new Map((rules ?? []).map((r) => [r.id, securityFields(r)]));
  const unknownRule = securityFields(undefined);
  const list = sorted(findings);
  const fieldsOf = (ruleId: string) => (rules ? security.get(ruleId) ?? unknownRule : undefined);
  // Each finding's record as text, with what findings share (a path, a rule's fields) written once.
  const quote = quoter();
  // By rule: the fields a rule adds to each of its records.
  const tails = new Map<string, string>();
  const tailOf = (ruleId: string): string => {
    let tail = tails.get(ruleId);
    if (tail === undefined) {
      const fields = fieldsOf(ruleId);
      const body = fields ? JSON.stringify(fields) : '{}';
      tail = body === '{}' ? '' : ',' + body.slice(1, -1);
      tails.set(ruleId, tail);
    }
    return tail;
  };
  const text = (i: number): string => {
    const f = list[i];
    const { start, end } = f.range;
    let fixes = '';
    for (const x of f.fixes) {
      if (x.input) continue;
      fixes += (fixes ? ',' : '') + `{"title":${quote(x.title)},"safe":${x.safe ? 'true' : 'false'}}`;
    }
    return `{"file":${quote(f.path)},"line":${start.line + 1},"column":${start.character + 1},"endLine":${end.line + 1},` +
      `"endColumn":${end.character + 1},"severity":${quote(f.severity)},"rule":${quote(f.ruleId)},"message":${JSON.stringify(f.message)},` +
      `"fixes":[${fixes}]${tailOf(f.ruleId)}}`;
  };
  return new LazyList(list.length, (i) => {
    const f = list[i];
    const { start, end } = f.range;
    const record: JsonFinding = {
      file: f.path,
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      severity: f.severity,
      rule: f.ruleId,
      message: f.message,
      fixes: f.fixes.filter((x) => !x.input).map((x) => ({ title: x.title, safe: !!x.safe })),
    };
    const fields = fieldsOf(f.ruleId);
    return fields ? Object.assign(record, fields) : record;
  }, text);
}

function securityFields(r: RuleInfo | undefined): Pick<JsonFinding, 'tags' | 'securitySeverity' | 'cis'> {
  return {
    tags: r?.tags ?? [],
    ...(r?.securitySeverity !== undefined ? { securitySeverity: r.securitySeverity } : {}),
    ...(r?.cis ? { cis: r.cis } : {}),
  };
}

/**
 * A unified diff (`diff -u` layout, 3 lines of context) of a file's text before and after the fixes. The
 * hunks of changes that replace lines come from the `diff` library (jsdiff); several separate changes give
 * several hunks. `libraryOnly`: every hunk from the library (the tests compare the two).
 */
export function unifiedDiff(file: string, before: string, after: string, libraryOnly = false): string {
  let out = '';
  writeUnifiedDiff(file, before, after, (s) => (out += s), libraryOnly);
  return out;
}

/** unifiedDiff's text, written in chunks of about 16 KB (thousands of fixes in a big config: megabytes of diff). */
export function writeUnifiedDiff(file: string, before: string, after: string, write: (chunk: string) => void, libraryOnly = false): void {
  if (before === after) return;
  const a = new Lines(before), b = new Lines(after);
  let out = `--- ${escapeControls(file)}\n+++ ${escapeControls(file)}\n`;
  // The library's diff costs the product of the texts' length and the number of changes: on a large config
  // with thousands of fixes that never ends. The changed places are found here by a bounded scan; a place
  // where lines are only added or only removed is written as it is, the library diffs the others with their
  // context, and the hunks are placed back at their lines.
  for (const w of changedWindows(a, b, CONTEXT)) {
    if (!libraryOnly && plainWindow(w, a, b)) out += directHunk(w, a, b);
    else {
      const patch = structuredPatch(file, file, a.text(w.a0, w.a1), b.text(w.b0, w.b1), '', '', { context: CONTEXT });
      for (const h of patch.hunks) out += hunkHeader(h.oldStart + w.a0, h.oldLines, h.newStart + w.b0, h.newLines) + h.lines.join('\n') + '\n';
    }
    if (out.length >= CHUNK) {
      write(out);
      out = '';
    }
  }
  if (out) write(out);
}

// As diff -u prints it: an empty side starts one line before the hunk.
const hunkHeader = (oldStart: number, oldLines: number, newStart: number, newLines: number) =>
  `@@ -${oldLines === 0 ? oldStart - 1 : oldStart},${oldLines} +${newLines === 0 ? newStart - 1 : newStart},${newLines} @@\n`;

/**
 * Whether the window's changes only add lines, or only remove them (what most fixes do: insert directives):
 * then one side is the other with lines left out, no diff has fewer changed lines, and the hunk is the window
 * as it stands. Anything else goes to the library, which may align lines the scan did not (a line removed
 * here and the same line added three lines on); so does a window that reaches a last line without its
 * newline (diff -u marks it).
 */
function plainWindow(w: Window, a: Lines, b: Lines): boolean {
  if ((w.a1 === a.length && !a.endsWithNewline) || (w.b1 === b.length && !b.endsWithNewline)) return false;
  let adds = false, drops = false;
  for (const r of w.changes) {
    adds ||= r.b1 > r.b0;
    drops ||= r.a1 > r.a0;
  }
  return !(adds && drops);
}

/** A plain window's hunk: its lines in order, the same ones as context, the others removed or added. */
function directHunk(w: Window, a: Lines, b: Lines): string {
  let out = hunkHeader(w.a0 + 1, w.a1 - w.a0, w.b0 + 1, w.b1 - w.b0);
  let i = w.a0;
  for (const r of w.changes) {
    for (; i < r.a0; i++) out += ' ' + a.bare(i);
    for (; i < r.a1; i++) out += '-' + a.bare(i);
    for (let j = r.b0; j < r.b1; j++) out += '+' + b.bare(j);
  }
  for (; i < w.a1; i++) out += ' ' + a.bare(i);
  return out;
}

const CONTEXT = 3;
/** How far ahead (in lines, both texts together) a change is followed before the rest is diffed whole. */
const LOOKAHEAD = 400;

/**
 * A text's lines, their endings included, as where each starts: no string per line (half a million of them,
 * kept alive for the whole diff of a large config, cost more than the diff itself).
 */
class Lines {
  /**
   * Line i is [starts[i], starts[i + 1]); the last entry is the text's end. A typed array grown by doubling:
   * pushing the starts of a 20 MB text's lines onto a plain array cost four to eight times as much.
   */
  private readonly starts: Int32Array;

  constructor(private readonly whole: string) {
    // One slot more than the lines counted, for the text's end when it has no final newline.
    let starts = new Int32Array(1025);
    let n = 1;
    for (let nl = whole.indexOf('\n'); nl >= 0; nl = whole.indexOf('\n', nl + 1)) {
      if (n === starts.length - 1) {
        const grown = new Int32Array(n * 2 + 1);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = nl + 1;
    }
    if (starts[n - 1] !== whole.length) starts[n++] = whole.length;
    this.starts = starts.subarray(0, n);
  }

  get length(): number {
    return this.starts.length - 1;
  }

  /** Lines `from` up to `to` (not included), as they are in the text. */
  text(from: number, to: number): string {
    return this.whole.slice(this.starts[from], this.starts[to]);
  }

  /** Line `i` with a `\n` ending (the library splits on `\n` alone: a `\r` stays in the line). */
  bare(i: number): string {
    return this.whole.slice(this.starts[i], this.starts[i + 1] - 1) + '\n';
  }

  get endsWithNewline(): boolean {
    return this.whole.length === 0 || this.whole.charCodeAt(this.whole.length - 1) === 10;
  }

  /** Whether line `i` is the same as line `j` of `other`. */
  same(i: number, other: Lines, j: number): boolean {
    const s = this.starts, o = other.starts;
    return s[i + 1] - s[i] === o[j + 1] - o[j] && this.text(i, i + 1) === other.text(j, j + 1);
  }
}

interface Span {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

/** Lines around changes; `changes` are the spans inside it where the texts differ, in order. */
interface Window extends Span {
  changes: Span[];
}

/**
 * Line ranges of `a` and `b` around each change, with `context` lines either side, merged where they touch.
 * Between two windows the texts are the same lines. A change is where the lines first differ, up to the
 * nearest point (fewest lines skipped on both sides) where two lines in a row agree again.
 */
function changedWindows(a: Lines, b: Lines, context: number): Window[] {
  const regions: Span[] = [];
  const agree = (i: number, j: number) =>
    (i === a.length && j === b.length) || (i < a.length && j < b.length && a.same(i, b, j) && (i + 1 === a.length || j + 1 === b.length ? i + 1 === a.length && j + 1 === b.length : a.same(i + 1, b, j + 1)));
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a.same(i, b, j)) { i++; j++; continue; }
    let found = false;
    for (let d = 1; d <= LOOKAHEAD && !found; d++) {
      for (let x = 0; x <= d; x++) {
        const ii = i + x, jj = j + d - x;
        if (ii > a.length || jj > b.length || !agree(ii, jj)) continue;
        regions.push({ a0: i, a1: ii, b0: j, b1: jj });
        i = ii;
        j = jj;
        found = true;
        break;
      }
    }
    if (!found) {
      regions.push({ a0: i, a1: a.length, b0: j, b1: b.length });
      break;
    }
  }
  const windows: Window[] = [];
  for (const r of regions) {
    const before = Math.min(context, r.a0), after = Math.min(context, a.length - r.a1);
    const w = { a0: r.a0 - before, a1: r.a1 + after, b0: r.b0 - before, b1: r.b1 + after, changes: [r] };
    const last = windows[windows.length - 1];
    if (last && w.a0 <= last.a1) {
      last.a1 = w.a1;
      last.b1 = w.b1;
      last.changes.push(r);
    } else windows.push(w);
  }
  return windows;
}
