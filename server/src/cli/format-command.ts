// `nginx-tls-proxy format`: the editor's formatter on the command line (the same engine function).
//
//   format FILE            the formatted text on stdout
//   format --write PATH…   rewrite the files that change (atomically, same mode and encoding)
//   format --check PATH…   list the files that would change; exit 1 if any
//   format --diff PATH…    a unified diff per file that would change
//
// A folder stands for the configs in it. Exit 2 when a file cannot be read or has syntax errors (it is not
// formatted, and the reason is printed), or on a usage error.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { formatConfig, listConfigCandidates, readConfigFile } from '../core';
import type { FormatOptions } from '../core';
import { writeStdout } from './stdout';

export const FORMAT_USAGE = `usage: nginx-tls-proxy format [--write | --check | --diff] [options] PATH...

  (no mode)               print the formatted config of one FILE on stdout
  --write                 rewrite the files whose layout changes, in place
  --check                 list the files that are not formatted; exit 1 if there is any
  --diff                  print a unified diff for each file that is not formatted
  --indent N              spaces per level (default 4)
  --tabs                  indent with tabs
  --no-align              do not align the values of map, geo, types, split_clients bodies

A PATH that is a folder stands for the config files in it. Exit status: 0 formatted (or nothing to do),
1 --check found files to format, 2 a file could not be read or has syntax errors, or a usage error.
`;

interface FormatArgs {
  write: boolean;
  check: boolean;
  diff: boolean;
  options: FormatOptions;
  paths: string[];
}

class Usage extends Error {}

function parseFormatArgs(argv: string[]): FormatArgs | 'help' {
  const a: FormatArgs = { write: false, check: false, diff: false, options: { tabSize: 4, insertSpaces: true, alignMapValues: true }, paths: [] };
  let onlyPaths = false;
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (onlyPaths || !x.startsWith('-') || x === '-') { a.paths.push(x); continue; }
    switch (x) {
      case '--': onlyPaths = true; break;
      case '--write': case '-w': a.write = true; break;
      case '--check': a.check = true; break;
      case '--diff': a.diff = true; break;
      case '--tabs': a.options.insertSpaces = false; break;
      case '--no-align': a.options.alignMapValues = false; break;
      case '--indent': {
        const v = argv[++i];
        if (v === undefined || !/^[1-9]\d?$/.test(v) || Number(v) > 16) throw new Usage(`--indent needs a number of spaces from 1 to 16${v === undefined ? '' : `, not "${v}"`}`);
        a.options.tabSize = Number(v);
        break;
      }
      case '-h': case '--help': return 'help';
      default: throw new Usage(`format: unknown option ${x}`);
    }
  }
  if (a.write && (a.check || a.diff)) throw new Usage('format: --write cannot be combined with --check or --diff');
  if (a.paths.length === 0) throw new Usage('format needs at least one FILE');
  return a;
}

/** A unified diff that starts at its `---` line (no `Index:` or `===` banner), as `diff -u` and git print. */
function unified(file: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(file, file, before, after, undefined, undefined, { context: 3 });
  const at = patch.indexOf('--- ');
  return at > 0 ? patch.slice(at) : patch;
}

const shown = (p: string): string => p.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));

function expand(paths: string[], problems: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push(`${shown(p)}: ${code === 'ENOENT' ? 'no such file or directory' : 'cannot read (' + code + ')'}`);
      continue;
    }
    if (st.isDirectory()) out.push(...listConfigCandidates([p], 100000).map((f) => path.relative(process.cwd(), f) || f));
    else out.push(p);
  }
  return [...new Set(out)];
}

/** Writes next to the file, then renames: a crash never leaves half a config. A symlink is written through. */
function writeInPlace(file: string, text: string, latin1: boolean): string | null {
  let target: string;
  try { target = fs.realpathSync(file); } catch { return 'no longer exists'; }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.nginx-tls-proxy-${process.pid}.tmp`);
  try {
    const mode = fs.statSync(target).mode & 0o7777;
    fs.accessSync(target, fs.constants.W_OK);
    fs.writeFileSync(tmp, Buffer.from(text, latin1 ? 'latin1' : 'utf8'), { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
    return null;
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    const code = (e as NodeJS.ErrnoException).code;
    return `cannot write (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? (e as Error).message})`;
  }
}

export function formatCommand(argv: string[], out: (s: string) => void = writeStdout, err: (s: string) => void = (s) => process.stderr.write(s)): number {
  let a: FormatArgs | 'help';
  try {
    a = parseFormatArgs(argv);
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    err(`nginx-tls-proxy: ${e.message}\nrun "nginx-tls-proxy format --help" for usage\n`);
    return 2;
  }
  if (a === 'help') { out(FORMAT_USAGE); return 0; }
  const problems: string[] = [];
  const files = expand(a.paths, problems);
  const toStdout = !a.write && !a.check && !a.diff;
  if (toStdout && (a.paths.length !== 1 || files.length !== 1 || files[0] !== a.paths[0])) {
    err('nginx-tls-proxy: format without --write, --check or --diff prints one FILE; give one file, or choose a mode\n');
    return 2;
  }
  const unformatted: string[] = [];
  let written = 0;
  // Counted, not derived from `problems`: a file that could not be read or formatted is neither formatted
  // already nor reformatted, and a path that named no file is not a file at all.
  let already = 0;
  let skipped = 0;
  for (const file of files) {
    const r = readConfigFile(file);
    if ('error' in r) { problems.push(`${shown(file)}: cannot read: ${r.error}`); skipped++; continue; }
    const f = formatConfig(r.text, a.options);
    if ('error' in f) { problems.push(`${shown(file)}: ${f.error}`); skipped++; continue; }
    if (toStdout) { out(f.text); continue; }
    if (f.text === r.text) { already++; continue; }
    unformatted.push(file);
    if (a.diff) out(unified(shown(file), r.text, f.text));
    if (a.check) out(`${shown(file)}\n`);
    if (a.write) {
      const why = writeInPlace(file, f.text, r.encoding === 'latin1');
      if (why) problems.push(`${shown(file)}: ${why}`);
      else written++;
    }
  }
  for (const p of problems) err(`nginx-tls-proxy: ${p}\n`);
  const notChecked = skipped ? `, ${skipped} not looked at (see above)` : '';
  if (a.check) err((unformatted.length ? `${unformatted.length} of ${unformatted.length + already} file(s) would be reformatted` : `${already} file(s) already formatted`) + notChecked + '\n');
  if (a.write) err(`${written} file(s) reformatted, ${already} already formatted${notChecked}${unformatted.length > written ? `, ${unformatted.length - written} not written (see above)` : ''}\n`);
  if (problems.length) return 2;
  return a.check && unformatted.length ? 1 : 0;
}
