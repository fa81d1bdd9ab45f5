// Typing inside one argument (or one comment) of a big config changes no directive, block or include: the
// model of the new text is the previous one with that file's tree swapped. Building it by expansion would
// make every directive object again, per keystroke, and most of a keystroke's garbage with them.

import { definedVariableArgument, definesByShape, namedCaptures } from '../knowledge/variables';
import { tokenEdit } from '../syntax/reparse';
import type { CompactTree } from '../syntax/tree';
import { FileSystem } from './filesystem';
import { ConfigFile, ConfigModel, ModelOptions } from './model';

export interface AdoptedEdit {
  model: ConfigModel;
  oldFile: ConfigFile;
  newFile: ConfigFile;
  /** The changed text is [start, oldEnd) before and [start, oldEnd + delta) after. */
  start: number;
  oldEnd: number;
  delta: number;
}

/** The run of non-blank characters around [start, end). */
function runAround(text: string, start: number, end: number): string {
  const blank = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  while (start > 0 && !blank(text.charCodeAt(start - 1))) start--;
  while (end < text.length && !blank(text.charCodeAt(end))) end++;
  return text.slice(start, end);
}

/** The named captures of the run of non-blank characters around [start, end): all that an edit there can change. */
function capturesAround(text: string, start: number, end: number): string {
  return namedCaptures(runAround(text, start, end)).join(' ');
}

/**
 * The name the model's memos are told was edited: an entry of a `map` counts as the map (a map's values can be
 * a pass URL's scheme and host, see tls-uses.ts), any other directive as itself.
 */
function editedName(tree: CompactTree, directive: number): string {
  const a = tree.arrays;
  const block = a.dirParent[directive];
  const owner = block > 0 ? a.blkOwner[block] : -1;
  return owner >= 0 && a.dirName(owner) === 'map' ? 'map' : a.dirName(directive);
}

/**
 * The data body (`map`, `geo`, `types`) `file` is included into, if it is: an edit of one of its lines is an
 * edit of that body's entries, whatever the line's first word.
 */
function dataBodyAround(model: ConfigModel, file: ConfigFile): string | null {
  for (const e of model.store.exps) {
    if (e.file !== file || !e.via) continue;
    const block = e.via.block;
    if (block.kind === 'raw' && block.owner) return block.owner.name;
  }
  return null;
}

/** What expansion reads besides names: the option values a model is built with. */
const SHAPING: (keyof ModelOptions)[] = ['rootKind', 'fragment', 'contextGuessed', 'prefix', 'maxIncludeDepth', 'maxFiles', 'maxExpandedBytes', 'maxExpandedDirectives'];

/**
 * The model of `rootPath` now, made from `previous` (spent by it) when the only change since is one edit
 * inside one argument or comment of one file; undefined when that does not hold (build the model anew).
 */
export function adoptAfterEdit(previous: ConfigModel, rootPath: string, fs: FileSystem, opts: ModelOptions): AdoptedEdit | undefined {
  if (previous.rootPath !== rootPath) return undefined;
  for (const key of SHAPING) if (previous.options[key] !== opts[key]) return undefined;
  let changed: [ConfigFile, string] | undefined;
  for (const [path, file] of previous.files) {
    const text = opts.overlays?.get(path) ?? fs.readFile(path);
    if (text === undefined) return undefined;
    if (text === file.tree.text) continue;
    if (changed) return undefined;
    changed = [file, text];
  }
  if (!changed) return undefined;
  const [oldFile, text] = changed;
  const oldTree = oldFile.tree as CompactTree;
  const edit = tokenEdit(oldTree, text);
  if (!edit) return undefined;
  const edited = edit.directive < 0 ? null : oldTree.arrays.dirName(edit.directive);
  if (edited === null) {
    // Comments that say how to read the file (its context) or what to silence.
    const line = text.slice(text.lastIndexOf('\n', edit.start) + 1, text.indexOf('\n', edit.start) >>> 0);
    const was = oldTree.text.slice(oldTree.text.lastIndexOf('\n', edit.start) + 1, oldTree.text.indexOf('\n', edit.start) >>> 0);
    if (/nginx-(context|tls)/i.test(line) || /nginx-(context|tls)/i.test(was)) return undefined;
  } else if (edited === 'include' || definedVariableArgument(edited) !== undefined) {
    // An include's argument names the files expanded; a variable's definition is read config-wide.
    return undefined;
  } else if (definesByShape(edited) && (runAround(oldTree.text, edit.start, edit.oldEnd).includes('$') || runAround(text, edit.start, edit.oldEnd + edit.delta).includes('$'))) {
    // A third-party directive whose first argument is `$name` defines it: an edit that touches a `$` may change that.
    return undefined;
  }
  // So is a named capture, wherever in the text it is: one typed, or one broken, anywhere in the edited run.
  if (capturesAround(oldTree.text, edit.start, edit.oldEnd) !== capturesAround(text, edit.start, edit.oldEnd + edit.delta)) return undefined;
  const maxBytes = opts.maxExpandedBytes;
  if (maxBytes !== undefined && previous.expandedBytes + Math.max(0, edit.delta) * previous.expansions >= maxBytes) return undefined;
  const cached = opts.parseCache?.get(oldFile.path);
  const newFile: ConfigFile = cached && cached.tree.text === text ? cached : { path: oldFile.path, tree: oldTree.withShift(text, edit.start, edit.from, edit.delta) };
  opts.parseCache?.set(newFile.path, newFile);
  const editedForMemos = edit.directive < 0 ? null : dataBodyAround(previous, oldFile) ?? editedName(oldTree, edit.directive);
  const model = ConfigModel.adopt(previous, oldFile, newFile, edit.from, edit.delta, editedForMemos);
  return { model, oldFile, newFile, start: edit.start, oldEnd: edit.oldEnd, delta: edit.delta };
}
