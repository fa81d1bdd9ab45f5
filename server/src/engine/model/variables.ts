// The variables a config defines (set, map, geo, … and named regex captures), and whether a name is known.

import { definedVariableArgument, definesByShape, forEachNamedCapture, isOfficialVariable, VariableFamily } from '../knowledge/variables';
import { ConfigFile, ConfigModel, LBlock, LDir } from './model';

/**
 * The (lower-cased) name of the variable a directive defines, if it defines one: `set $v`, `map … $v`, … and a
 * third-party directive whose first argument is `$v` alone (knowledge/variables.ts, definesByShape).
 */
export function definedName(ld: LDir): string | undefined {
  // The name first: `ld.d` makes the directive's view, and most directives define nothing.
  const at = definedVariableArgument(ld.name);
  if (at === undefined && (ld.block.kind === 'raw' || !definesByShape(ld.name))) return undefined;
  const argc = ld.d.argCount;
  if (!argc) return undefined;
  if (at !== undefined) {
    const arg = at === 'last' ? ld.d.args[argc - 1] : ld.d.args[at];
    const m = arg && /^\$\{?([A-Za-z0-9_]+)/.exec(arg.value);
    return m ? m[1].toLowerCase() : undefined;
  }
  const m = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(ld.d.args[0].value);
  return m ? (m[1] || m[2]).toLowerCase() : undefined;
}

/** The directive that defines `name` in this config (set, map, geo, …), if one does (in any spelling). */
export function variableDefinition(name: string, model: ConfigModel): LDir | undefined {
  const lower = name.toLowerCase();
  const s = model.store;
  for (let x = model.from; x < model.to; x++) {
    // By name first, as definedName does: an object only for a directive that may define something.
    const n = s.name(x);
    if (definedVariableArgument(n) === undefined && (s.block(x).kind === 'raw' || !definesByShape(n))) continue;
    const ld = s.dir(x);
    if (definedName(ld) === lower) return ld;
  }
  return undefined;
}

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Length of the variable name at `i` in `value`: one digit (a capture), or a letter or `_` and what follows. */
function nameLength(value: string, i: number): number {
  const c = value.charCodeAt(i);
  if (isDigit(c)) return 1; // `$1x` is the capture $1 followed by "x": captures are one digit
  if (!isNameStart(c)) return 0;
  let j = i + 1;
  for (let d = value.charCodeAt(j); isNameStart(d) || isDigit(d); d = value.charCodeAt(++j));
  return j - i;
}

/**
 * The variable references in a value (`$name`, `${name}`, a capture `$1`), left to right, one at a time:
 * `reset(value)`, then `next()` until it answers false. A scan by hand into one reused cursor: this runs on
 * every argument of a big config, where a regex iterator (or an array) per argument was a third of a rule's
 * cost.
 */
export class VariableReferences {
  /** Offset of the `$` in the value. */
  at = 0;
  /** Length of the reference as written (`$`, the `{` if any, the name; a closing `}` is not included). */
  length = 0;
  name = '';
  /** Written `${name}`. */
  braced = false;
  private value = '';
  private from = 0;

  reset(value: string): this {
    this.value = value;
    this.from = 0;
    return this;
  }

  next(): boolean {
    const value = this.value;
    for (let i = value.indexOf('$', this.from); i >= 0; i = value.indexOf('$', i + 1)) {
      const braced = value.charCodeAt(i + 1) === 123;
      let n = braced ? nameLength(value, i + 2) : 0;
      const nameAt = n ? i + 2 : i + 1;
      if (!n) n = nameLength(value, nameAt);
      if (!n) continue;
      this.at = i;
      this.length = nameAt + n - i;
      this.name = value.slice(nameAt, nameAt + n);
      this.braced = nameAt === i + 2;
      this.from = nameAt + n;
      return true;
    }
    this.from = value.length;
    return false;
  }
}

/**
 * The variable table (http's or stream's: nginx keeps two, and a name in one is unknown in the other) that
 * serves `block`: that of the http or stream block around it; undefined outside both (main, events, mail).
 */
export function variableFamily(block: LBlock): VariableFamily | undefined {
  for (let b: LBlock | null = block; b; b = b.parent) {
    const k = b.kind;
    if (k === 'raw' || k === 'opaque') continue; // a map's body, a third-party block: the table of what holds it
    if (k === 'http' || k.startsWith('http/')) return 'http';
    if (k === 'stream' || k.startsWith('stream/')) return 'stream';
    return undefined;
  }
  return undefined;
}

/**
 * What a config defines, lower-cased, by table: `all` (either), `http` and `stream`. A definition outside
 * both (the main level, mail, a block we cannot place) is counted in both: nginx rejects it there anyway,
 * and another rule says so.
 */
interface Defined {
  all: Set<string>;
  http: Set<string>;
  stream: Set<string>;
}

const cache = new WeakMap<ConfigModel, Defined>();

/** Whether a directive of this name can define a variable (a geoip2 block's data lines are named `$var`). */
const definesVariables = (name: string) => definedVariableArgument(name) !== undefined || name.startsWith('$');

// Where a file is expanded, as bits: into http, into stream, outside both.
const IN_HTTP = 1;
const IN_STREAM = 2;
const OUTSIDE = 4;

/**
 * Variables the config defines: set, map, geo, … (in the table of the http or stream block the definition is
 * in) and named captures of its regexes. A named capture is read from a file's text (comments too); its table:
 * that of the places the file is expanded at when they all agree (a file included in http blocks only: http);
 * in a file expanded outside both (nginx.conf), that of the top-level `http { }` or `stream { }` of the file
 * it is written in; else both.
 */
function defined(scope: ConfigModel): Defined {
  const model = scope.whole;
  // After a keystroke inside an argument or comment, the previous model's sets hold (`after-edit.ts` declines
  // an edit that changes a definition or a named capture): not a walk over the whole config per keystroke.
  let found = cache.get(model) ?? model.carried(cache, definesVariables);
  if (found) {
    cache.set(model, found);
    return found;
  }
  const all = new Set<string>();
  const http = new Set<string>();
  const stream = new Set<string>();
  const add = (name: string, family: VariableFamily | undefined) => {
    all.add(name);
    if (family !== 'stream') http.add(name);
    if (family !== 'http') stream.add(name);
  };
  // By directive name: whether one can define a variable is asked once per distinct name, not per directive.
  const s = model.store;
  const { order, start } = model.nameIndex();
  for (let id = 0; id < start.length - 1; id++) {
    if (start[id] === start[id + 1]) continue;
    const directive = s.nameList[id];
    const at = definedVariableArgument(directive);
    if (at === undefined && !definesByShape(directive)) continue;
    const geo = directive.startsWith('$');
    for (let k = start[id]; k < start[id + 1]; k++) {
      const x = order[k];
      // By its shape a directive defines only outside data blocks, with a `$name` first (or as a geoip2 data
      // line): told from the store, without an object for each entry of a big map (each a name of its own).
      if (at === undefined && (s.block(x).kind === 'raw' ? !geo : !s.argWrites(x, 0, 36 /* $ */))) continue;
      const ld = s.dir(x);
      const name = definedName(ld);
      if (name) add(name, variableFamily(ld.block));
      // geoip2 { $var default=… path; } and similar blocks define variables in their data lines.
      if (ld.block.kind === 'raw' && ld.block.owner?.name === 'geoip2' && directive.startsWith('$')) add(directive.slice(1).toLowerCase(), variableFamily(ld.block));
    }
  }
  const places = new Map<ConfigFile, number>();
  const regions = new Map<ConfigFile, [start: number, end: number, family: VariableFamily][]>();
  for (let x = model.from; x < model.to; x++) {
    // The first directive of a file lies at its top level: where it lands is where the file is expanded.
    if (s.tok[x] === 0) {
      const family = variableFamily(s.block(x));
      const file = s.file(x);
      places.set(file, (places.get(file) ?? 0) | (family === 'http' ? IN_HTTP : family === 'stream' ? IN_STREAM : OUTSIDE));
    }
    const c = s.kid[x];
    const child = c < 0 ? null : s.blocks[c];
    if (child !== null && (child.kind === 'http' || child.kind === 'stream')) {
      const file = s.file(x);
      let list = regions.get(file);
      if (!list) regions.set(file, (list = []));
      list.push([s.nameStart(x), s.end(x), child.kind]);
    }
  }
  for (const f of model.files.values()) {
    const where = places.get(f);
    const inFile = regions.get(f);
    forEachNamedCapture(f.tree.text, (name, at) => {
      let family: VariableFamily | undefined;
      if (where === IN_HTTP) family = 'http';
      else if (where === IN_STREAM) family = 'stream';
      else if (where === OUTSIDE && inFile) family = inFile.find((r) => at >= r[0] && at < r[1])?.[2];
      add(name, family);
    });
  }
  found = { all, http, stream };
  cache.set(model, found);
  return found;
}

/** Variables the config defines, lower-cased (nginx's spelling): set, map, geo, … and named captures of its regexes. */
export function definedVariables(scope: ConfigModel): Set<string> {
  return defined(scope).all;
}

/** Variables the config defines for `family`'s table (http's or stream's), or for either when none is given. */
export function definedVariablesIn(scope: ConfigModel, family: VariableFamily | undefined): Set<string> {
  const d = defined(scope);
  return family === 'http' ? d.http : family === 'stream' ? d.stream : d.all;
}

/**
 * Whether nginx or the config defines `name`, in any spelling (nginx matches names case-insensitively): in
 * `family`'s table (http's or stream's), or in either when none is given.
 */
export function isKnownVariable(name: string, model: ConfigModel, family?: VariableFamily): boolean {
  return isOfficialVariable(name, family) || definedVariablesIn(model, family).has(name.toLowerCase());
}

/**
 * Whether a reference written `${UPPER_CASE}` is shaped like a template placeholder (envsubst and the like fill
 * it in before nginx reads the file). Only the shape: callers ask isKnownVariable first, since a name nginx
 * or the config defines is a variable whatever its spelling.
 */
export function isPlaceholderShaped(name: string, braced: boolean): boolean {
  return braced && /^[A-Z][A-Z0-9_]*$/.test(name);
}

/**
 * Whether `value` holds a template placeholder: a `${UPPER_CASE}` reference that is no variable the config
 * defines. Such a file is rendered before nginx reads it, so what the value will be is not known here.
 */
export function holdsTemplatePlaceholder(value: string, model: ConfigModel): boolean {
  if (!value.includes('${')) return false;
  const refs = new VariableReferences().reset(value);
  while (refs.next()) {
    // nginx's own names are lower-case: a `${HOST}` in a template is a placeholder though nginx would read $host.
    if (isPlaceholderShaped(refs.name, refs.braced) && !definedVariables(model).has(refs.name.toLowerCase())) return true;
  }
  return false;
}
