// After an edit that stays inside one server block (typing in the editor, mostly): the rules whose findings
// rest only on what is around a directive run on that server alone, their findings elsewhere are kept (moved
// by the edit's length); the rules that compare across the config keep theirs when the edit changed no
// directive they read, and run whole otherwise. Anything the plan cannot prove unchanged (a new line, an
// include, a variable defined or removed, a brace that moves the block's end) makes it decline, and the
// caller runs every rule.

import { ConfigFile, ConfigModel, LDir } from './model/model';
import { namedCaptures } from './knowledge/variables';
import { definedName } from './model/variables';
import { RULES } from './rules';
import { EditSite, Rule } from './rules/rule';
import { runRules } from './run-rules';
import { Range, rangeOf } from './syntax/positions';
import { changedSpan } from './syntax/reparse';
import { EngineSettings, Finding, Fix, RelatedLocation } from './types';
import type { CertificateFiles } from './certificates/files';
import { DeferredFinding } from './deferred-finding';
import type { CompactTree } from './syntax/tree';

interface Before {
  model: ConfigModel;
  findings: Finding[];
  clockAt: number;
}

/** How old the findings of a rule that reads the clock may be and still be kept. */
const CLOCK_SLACK_MS = 60_000;

/** One server block of one file, and where it sits in a model's store (`from` to `to`). */
interface Unit {
  ld: LDir;
  dirs: LDir[];
  from: number;
  to: number;
}

const LOCAL: readonly Rule[] = RULES.filter((r) => r.locality === 'server');
const LOCAL_IDS = new Set(LOCAL.map((r) => r.id));
const WHOLE: readonly Rule[] = RULES.filter((r) => r.locality !== 'server');

/** The findings of `now`, from `before`'s where they cannot have changed; undefined when that is not provable. */
export function reanalyzeEdit(before: Before, now: ConfigModel, settings: EngineSettings, certificates: CertificateFiles | undefined, clock: number, adopted?: Edit): { findings: Finding[]; kept: number; keptRules: string[]; clockAt: number } | undefined {
  // An adopted model (`model/after-edit.ts`) is `before`'s, spent: its directives read the new text, and the
  // edit stayed inside one argument or comment (same directives, same blocks, same variables defined).
  const edit = plainEdit(before.model, now, adopted ?? singleEdit(before.model, now));
  if (!edit) return undefined;
  const { oldFile, newFile, start, oldEnd, delta } = edit;
  (newFile.tree as CompactTree).shiftLineStartsFrom(oldFile.tree as CompactTree, start, delta);
  const newUnit = serverAround(now, newFile, start, start + (oldEnd - start) + delta);
  if (!newUnit) return undefined;
  const n = newUnit.ld.d;
  let oldUnit: Unit, o: { start: number; end: number };
  if (adopted) {
    oldUnit = newUnit;
    o = { start: n.start, end: n.end - delta };
  } else {
    const found = serverAround(before.model, oldFile, start, oldEnd);
    if (!found) return undefined;
    oldUnit = found;
    o = found.ld.d;
    if (o.start !== n.start || o.end + delta !== n.end || found.ld.d.block!.close + delta !== n.block!.close) return undefined;
    if (before.model.size - oldUnit.dirs.length !== now.size - newUnit.dirs.length) return undefined;
    if (signature(oldUnit, oldFile) !== signature(newUnit, newFile)) return undefined;
  }

  // Findings that straddle the server's edge would be half old, half new.
  const fList = before.findings;
  for (let fIndex = 0; fIndex < fList.length; fIndex++) {
    const f = fList[fIndex];
    if (LOCAL_IDS.has(f.ruleId) && f.path === oldFile.path && f.start < o.start && f.end > o.start) return undefined;
  }

  // Cross-config rules that read none of the directives the edit changed keep their findings too.
  const changed = adopted ? editedDirective(newUnit.dirs, start) : changedDirectives(oldUnit.dirs, newUnit.dirs, start, oldEnd, delta);
  const keptWhole = changed ? keepable(before.findings, changed, { model: now, server: newUnit.ld }, oldFile, start, oldEnd, clock - before.clockAt < CLOCK_SLACK_MS) : new Set<string>();
  const clockKept = WHOLE.some((r) => r.clock && keptWhole.has(r.id));

  const inNew = (file: ConfigFile, at: number) => file === newFile && at >= n.start && at < n.end;
  const fresh = runRules(now.scoped(newUnit.from, newUnit.to), settings, LOCAL, certificates, (f) => inNew(f.file, f.start));
  const whole = runRules(now, settings, WHOLE.filter((r) => !keptWhole.has(r.id)), certificates);

  const refix = fixesAgain(now, settings, certificates);
  const byRule = new Map<string, Finding[]>();
  const add = (f: Finding) => {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  };
  const insertAt = new Map<string, number>();
  let kept = 0;
  for (let fIndex = 0; fIndex < fList.length; fIndex++) {
    const f = fList[fIndex];
    const local = LOCAL_IDS.has(f.ruleId);
    if (!local && !keptWhole.has(f.ruleId)) continue;
    if (local && f.path === oldFile.path && f.start >= o.start && f.start < o.end) continue;
    const inFile = f.path === oldFile.path;
    // Fresh findings go where the old ones of the server were: before the first one after it.
    if (local && inFile && f.start >= o.end && !insertAt.has(f.ruleId)) insertAt.set(f.ruleId, byRule.get(f.ruleId)?.length ?? 0);
    const file = inFile ? newFile : now.files.get(f.path);
    if (!file) return undefined;
    add(new MovedFinding(f, inFile && f.start >= oldEnd ? delta : 0, file, inFile ? { oldFile, from: oldEnd, delta } : null, refix));
    kept++;
  }
  for (const f of fresh) {
    const list = byRule.get(f.ruleId) ?? [];
    if (!byRule.has(f.ruleId)) byRule.set(f.ruleId, list);
    const at = insertAt.get(f.ruleId);
    if (at === undefined) list.push(f);
    else {
      list.splice(at, 0, f);
      insertAt.set(f.ruleId, at + 1);
    }
  }
  for (const f of whole) add(f);
  const out: Finding[] = [];
  for (const r of RULES) {
    const list = byRule.get(r.id);
    if (list) out.push(...list);
    byRule.delete(r.id);
  }
  for (const list of byRule.values()) out.push(...list);
  return { findings: out, kept, keptRules: [...keptWhole], clockAt: clockKept ? before.clockAt : clock };
}

/**
 * The cross-config rules whose findings an edit cannot have changed: they read none of the changed names,
 * and none of their findings (nor what those point to) lies on the edited span. A plain function, not a
 * closure of `reanalyzeEdit`: what closures there capture lives as long as the findings' fix makers.
 */
function keepable(findings: Finding[], changed: string[], site: EditSite, oldFile: ConfigFile, start: number, oldEnd: number, clockFresh: boolean): Set<string> {
  const out = new Set<string>();
  for (const r of WHOLE) if (r.reads && (clockFresh || !r.clock) && !changed.some((name) => r.reads!(name, site))) out.add(r.id);
  const off = (path: string, s: number, e: number) => path !== oldFile.path || e < start || s > oldEnd;
  for (let fIndex = 0; fIndex < findings.length; fIndex++) {
    const f = findings[fIndex];
    if (!out.has(f.ruleId)) continue;
    if (!off(f.path, f.start, f.end) || f.related.some((x) => !off(x.path, rangeStart(oldFile, x.range), rangeEnd(oldFile, x.range)))) out.delete(f.ruleId);
  }
  return out;
}

const rangeStart = (file: ConfigFile, r: Range) => file.tree.lineStarts[r.start.line] + r.start.character;
const rangeEnd = (file: ConfigFile, r: Range) => file.tree.lineStarts[r.end.line] + r.end.character;

/**
 * The names of the directives of one server that an edit of [start, oldEnd) changed, added or removed: those
 * left over when the ones wholly before the edit and the ones after it (moved by `delta`) are matched
 * between the two parses. undefined when one of them has a block (what is inside which block changed).
 */
function changedDirectives(old: LDir[], now: LDir[], start: number, oldEnd: number, delta: number): string[] | undefined {
  const same = (a: LDir, b: LDir, shift: number) =>
    a.name === b.name && a.d.start + shift === b.d.start && a.d.terminator + shift === b.d.terminator && !a.child === !b.child;
  let i = 0;
  // Before the edit: the directive's text up to its `;` or `{` is untouched.
  while (i < old.length && i < now.length && old[i].d.terminator >= 0 && old[i].d.terminator < start && same(old[i], now[i], 0)) i++;
  let j = 0;
  while (j < old.length - i && j < now.length - i) {
    const a = old[old.length - 1 - j], b = now[now.length - 1 - j];
    if (a.d.start < oldEnd || !same(a, b, delta)) break;
    j++;
  }
  const names: string[] = [];
  for (const list of [old.slice(i, old.length - j), now.slice(i, now.length - j)]) {
    for (const ld of list) {
      if (ld.child || ld.d.lua) return undefined;
      names.push(ld.name);
    }
  }
  return names;
}

/**
 * The directive of the unit holding the edited argument (`[]` for an edit in a comment: no directive
 * changed); undefined when it has a block (what is inside which block may read its arguments).
 */
function editedDirective(dirs: LDir[], start: number): string[] | undefined {
  for (let i = dirs.length - 1; i >= 0; i--) {
    const ld = dirs[i];
    if (ld.nameStart > start) continue;
    if (start > ld.lastArgEnd) return [];
    return ld.child || ld.d.lua ? undefined : [ld.name];
  }
  return [];
}

/** `edit`, unless plain bookkeeping cannot move the findings around it. */
function plainEdit(old: ConfigModel, now: ConfigModel, edit: Edit | undefined): Edit | undefined {
  // A file included from two places has two sets of findings: plain bookkeeping cannot move both.
  if (!edit || old.expansions !== old.files.size || now.expansions !== now.files.size) return undefined;
  // A suppression comment on this line silences findings of this line and the next one.
  if (lineAt(edit.oldFile.tree.text, edit.start).includes('nginx-tls-ignore') || lineAt(edit.newFile.tree.text, edit.start).includes('nginx-tls-ignore')) return undefined;
  return edit;
}

export interface Edit {
  oldFile: ConfigFile;
  newFile: ConfigFile;
  /** The changed text is [start, oldEnd) before and [start, oldEnd + delta) after. */
  start: number;
  oldEnd: number;
  delta: number;
}

/** The one file whose text differs, and the span that changed; undefined unless it is one span on one line. */
function singleEdit(old: ConfigModel, now: ConfigModel): Edit | undefined {
  if (old.rootPath !== now.rootPath || old.files.size !== now.files.size) return undefined;
  let pair: [ConfigFile, ConfigFile] | undefined;
  for (const [path, f] of now.files) {
    const was = old.files.get(path);
    if (!was) return undefined;
    if (was === f || was.tree.text === f.tree.text) continue;
    if (pair) return undefined;
    pair = [was, f];
  }
  if (!pair) return undefined;
  const [oldFile, newFile] = pair;
  const a = oldFile.tree.text, b = newFile.tree.text;
  const { start: p, oldEnd, delta } = changedSpan(a, b);
  const newEnd = oldEnd + delta;
  // Line numbers appear in messages and ranges of findings elsewhere: an edit that adds or removes a line
  // would move them all.
  if (/[\r\n]/.test(a.slice(p, oldEnd)) || /[\r\n]/.test(b.slice(p, newEnd))) return undefined;
  return { oldFile, newFile, start: p, oldEnd, delta: newEnd - oldEnd };
}

/** The line holding `at`, found by a walk out from it: a search for `\r` in a file without one read all of it. */
function lineAt(text: string, at: number): string {
  const isBreak = (c: number) => c === 10 || c === 13;
  let from = Math.min(at, text.length), to = from;
  while (from > 0 && !isBreak(text.charCodeAt(from - 1))) from--;
  while (to < text.length && !isBreak(text.charCodeAt(to))) to++;
  return text.slice(from, to);
}

/** The server block of http or stream whose braces hold [start, end) of `file`, with its directives. */
function serverAround(model: ConfigModel, file: ConfigFile, start: number, end: number): Unit | undefined {
  // The syntax tree finds the directives around the offset (a search per level); the model's list is then
  // scanned once for the innermost of them that is a server of http or stream.
  const path = new Set<number>();
  for (let children = file.tree.root.children; ;) {
    let lo = 0, hi = children.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (children[mid].start <= start) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const d = k >= 0 ? children[k] : undefined;
    if (!d || d.end < start || !d.block) break;
    if (d.name === 'server') path.add(d.start);
    children = d.block.children;
  }
  if (!path.size) return undefined;
  // Read from the store's arrays: an object for each directive of a big config per keystroke would be most
  // of what the edit costs.
  const s = model.store;
  let i = -1;
  for (let x = model.from; x < model.to; x++) {
    if (s.name(x) !== 'server' || s.kid[x] < 0 || s.file(x) !== file || !path.has(s.nameStart(x))) continue;
    const kind = s.block(x).kind;
    if (kind === 'http' || kind === 'stream') i = x;
  }
  if (i < 0) return undefined;
  const ld = s.dir(i);
  const block = ld.d.block;
  if (!block || block.open < 0 || block.close < 0 || start <= block.open || end > block.close) return undefined;
  let j = i + 1;
  const endOf = ld.d.end;
  while (j < model.to && s.file(j) === file && s.nameStart(j) < endOf) {
    // What an include brings in is another file's business: not followed here.
    if (s.name(j) === 'include') return undefined;
    j++;
  }
  const dirs = new Array<LDir>(j - i);
  for (let x = i; x < j; x++) dirs[x - i] = s.dir(x);
  return { ld, dirs, from: i, to: j };
}

/** What a server block tells the rest of the config: the variables it defines (set, named captures…). */
function signature(u: Unit, file: ConfigFile): string {
  const names: string[] = [];
  for (const ld of u.dirs) {
    const name = definedName(ld);
    if (name) names.push(name);
  }
  const text = file.tree.text.slice(u.ld.d.start, u.ld.d.end);
  names.push(...namedCaptures(text));
  return names.sort().join('\0');
}

type Refix = (ruleId: string, path: string, start: number, id: string) => Fix[];

/**
 * Fixes of a kept finding, made again on the new model (the old one's would edit stale offsets): its rule
 * re-run on the server that holds it (a cross-config rule: on the whole model), once per server and rule.
 */
function fixesAgain(now: ConfigModel, settings: EngineSettings, certificates?: CertificateFiles): Refix {
  const runs = new Map<string, Map<string, Finding>>();
  return (ruleId, path, start, id) => {
    const rule = RULES.find((r) => r.id === ruleId);
    const file = now.files.get(path);
    if (!rule || !file) return [];
    const unit = rule.locality === 'server' ? serverAround(now, file, start, start) : undefined;
    const key = ruleId + '\0' + (unit ? path + ':' + unit.ld.d.start : '');
    let found = runs.get(key);
    if (!found) {
      const model = unit ? now.scoped(unit.from, unit.to) : now;
      found = new Map(runRules(model, settings, [rule], certificates).map((f) => [f.id, f]));
      runs.set(key, found);
    }
    return found.get(id)?.fixes ?? [];
  };
}

/** A finding kept from the analysis before the edit, moved by it, and told against the new text. */
class MovedFinding extends DeferredFinding {
  private readonly relatedAt: { path: string; file: ConfigFile | undefined; start: number; end: number; range: Range; message: string }[];

  constructor(
    f: Finding,
    delta: number,
    private readonly file: ConfigFile,
    shift: { oldFile: ConfigFile; from: number; delta: number } | null,
    private readonly refix: Refix,
  ) {
    const base = f.ruleId + '@' + f.path + ':' + f.start + '-' + f.end;
    const start = f.start + delta, end = f.end + delta;
    super(f instanceof DeferredFinding && typeof f.key === 'number' ? f.key : f.id.startsWith(base) ? f.ruleId + '@' + f.path + ':' + start + '-' + end + f.id.slice(base.length) : f.id, f.ruleId, f.severity, f.message, f.path, start, end, f.nginxLine);
    // Kept as offsets, not as the old finding: holding it would keep every earlier model alive.
    this.relatedAt = f.related.map((r) => {
      if (!shift || r.path !== shift.oldFile.path) return { path: r.path, file: undefined, start: 0, end: 0, range: r.range, message: r.message };
      const ls = shift.oldFile.tree.lineStarts;
      const move = (x: number) => (x >= shift.from ? x + shift.delta : x);
      return { path: r.path, file, start: move(ls[r.range.start.line] + r.range.start.character), end: move(ls[r.range.end.line] + r.range.end.character), range: r.range, message: r.message };
    });
  }

  protected makeRange(): Range {
    return rangeOf(this.file.tree.lineStarts, this.start, this.end);
  }

  protected makeRelated(): RelatedLocation[] {
    return this.relatedAt.map((r) => ({ path: r.path, range: r.file ? rangeOf(r.file.tree.lineStarts, r.start, r.end) : r.range, message: r.message }));
  }

  protected makeFixes(): Fix[] {
    return this.refix(this.ruleId, this.path, this.start, this.id);
  }
}
