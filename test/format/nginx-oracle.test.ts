// Real `nginx -t` is the judge: on every shared reference case (../shared/reference/nginx-tls/cases, the
// oracle cases), nginx says the same before and after formatting — the same exit code and the same
// messages, line numbers aside (formatting moves lines). The included files under sub/ are formatted too.
// Each case is also squashed onto as few lines as nginx allows and then formatted: same verdict again.
// A case nginx's tokenizer rejects is not formatted (and nginx rejects it too). Skipped, with the reason,
// when nginx is not installed (a failure when NGINX_TLS_REQUIRE_NGINX=1).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatConfig } from '../../server/src/engine/service/format';
import { parse } from '../../server/src/engine';
import { requireShared, sharedMissing } from '../support/shared';
import { generateCerts, haveNginx, nginxPresent, nginxT, NginxResult, SHARED, tempDir } from '../oracle/support';

const CASES_DIR = path.join(SHARED, 'cases');
let work = '';

function cases(): string[] {
  if (!fs.existsSync(CASES_DIR)) return [];
  return fs.readdirSync(CASES_DIR).filter((f) => /^[ABCDEM]\d\d_.*\.conf$/.test(f)).sort();
}

function copyTree(to: string): void {
  fs.cpSync(CASES_DIR, path.join(to, 'cases'), { recursive: true, filter: (src) => !/results-|INDEX\.md$/.test(path.basename(src)) });
  fs.symlinkSync('../certs', path.join(to, 'cases/certs'));
  fs.mkdirSync(path.join(to, 'prefix/logs'), { recursive: true });
}

/** Every config file of a tree, formatted in place (4 spaces); the ones with syntax errors are left alone. */
function formatTree(dir: string, squashed = false): { formatted: number; refused: string[] } {
  let formatted = 0;
  const refused: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.conf')) {
        const text = fs.readFileSync(p, 'latin1');
        const r = formatConfig(squashed ? squash(text) : text, { tabSize: 4, insertSpaces: true });
        if ('error' in r) { refused.push(path.relative(dir, p)); continue; }
        fs.writeFileSync(p, r.text, 'latin1');
        formatted++;
      }
    }
  };
  walk(dir);
  return { formatted, refused };
}

/**
 * The same config squashed onto as few lines as nginx allows: every gap between tokens becomes one space
 * (a line break after a comment; nothing where there was nothing, as in `"a")`). A file with syntax
 * errors stays as it is.
 */
export function squash(text: string): string {
  const tree = parse(text);
  if (tree.errors.length) return text;
  const spans: [number, number, boolean][] = tree.comments.map((c) => [c.start, c.end, true]);
  const stack = [tree.root];
  while (stack.length) {
    for (const d of stack.pop()!.children) {
      spans.push([d.nameToken.start, d.nameToken.end, false]);
      for (const a of d.args) spans.push([a.start, a.end, false]);
      if (d.lua) spans.push([d.terminator, d.end, false]);
      else if (d.block) { spans.push([d.block.open, d.block.open + 1, false], [d.block.close, d.block.close + 1, false]); stack.push(d.block); }
      else spans.push([d.terminator, d.terminator + 1, false]);
    }
  }
  spans.sort((x, y) => x[0] - y[0]);
  let out = '';
  let prev: [number, number, boolean] | null = null;
  for (const sp of spans) {
    if (prev) out += prev[2] ? '\n' : prev[1] === sp[0] ? '' : ' ';
    out += text.slice(sp[0], sp[1]);
    prev = sp;
  }
  return out + '\n';
}

/** nginx's verdict without what formatting may change: line numbers, and the temp folder's name. */
function verdict(r: NginxResult, root: string): { rc: number | null; lines: string[] } {
  return { rc: r.rc, lines: r.lines.map((l) => l.split(root).join('.').replace(/(\.conf):\d+/g, '$1:N')) };
}

let before_ = '';
let after_ = '';
let squashed_ = '';
let changed = 0;
let refusedCases: string[] = [];

before(() => {
  if (!nginxPresent() || sharedMissing('reference/nginx-tls/cases')) return;
  work = tempDir('format-oracle-');
  generateCerts(path.join(work, 'certs'));
  before_ = path.join(work, 'before');
  after_ = path.join(work, 'after');
  squashed_ = path.join(work, 'squashed');
  for (const d of [before_, after_, squashed_]) {
    fs.mkdirSync(d);
    copyTree(d);
    fs.symlinkSync('../certs', path.join(d, 'certs'));
  }
  const r = formatTree(path.join(after_, 'cases'));
  refusedCases = r.refused;
  assert.deepEqual(formatTree(path.join(squashed_, 'cases'), true).refused, r.refused);
  for (const f of cases()) if (fs.readFileSync(path.join(before_, 'cases', f), 'latin1') !== fs.readFileSync(path.join(after_, 'cases', f), 'latin1')) changed++;
});

after(() => {
  if (work && !process.env.ORACLE_KEEP) fs.rmSync(work, { recursive: true, force: true });
});

test('nginx -t says the same before and after formatting, on every reference case', (t) => {
  if (!haveNginx(t) || !requireShared(t, 'reference/nginx-tls/cases')) return;
  const list = cases();
  assert.ok(list.length >= 90, `expected the ~99 reference cases, found ${list.length}`);
  let same = 0;
  let rejectedBoth = 0;
  for (const f of list) {
    const b = nginxT(path.join(before_, 'cases', f), path.join(before_, 'prefix'), before_);
    const a = nginxT(path.join(after_, 'cases', f), path.join(after_, 'prefix'), after_);
    assert.deepEqual(verdict(a, after_), verdict(b, before_), `${f}: nginx -t differs after formatting\nbefore:\n${b.output}\nafter:\n${a.output}`);
    // Squashed onto one line, then formatted: opened out again, and still the same config.
    const sq = nginxT(path.join(squashed_, 'cases', f), path.join(squashed_, 'prefix'), squashed_);
    assert.deepEqual(verdict(sq, squashed_), verdict(b, before_), `${f}: nginx -t differs after squashing and formatting\nbefore:\n${b.output}\nafter:\n${sq.output}`);
    same++;
    if (!b.ok) rejectedBoth++;
  }
  // What was not formatted had syntax errors, and nginx rejects those cases.
  for (const rel of refusedCases) {
    const text = fs.readFileSync(path.join(before_, 'cases', rel), 'latin1');
    assert.ok(parse(text).errors.length > 0, rel);
    if (/^[ABCDEM]\d\d_/.test(path.basename(rel))) assert.equal(nginxT(path.join(before_, 'cases', rel), path.join(before_, 'prefix'), before_).ok, false, `${rel}: not formatted, yet nginx accepts it`);
  }
  console.log(`nginx -t: ${same} reference cases give the same verdict before and after formatting, and squashed then formatted (${list.length - rejectedBoth} accepted, ${rejectedBoth} rejected both times; ${changed} cases changed layout; ${refusedCases.length} files not formatted for syntax errors)`);
  assert.ok(changed > 20, `only ${changed} cases changed layout: the test proves little`);
});
