// Discovery asks a neighbour's bytes whether it says `include` before reading it into a string: a folder
// with a 20 MB generated config beside the file being checked reads that config a piece at a time and
// never decodes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings } from '../../server/src/engine';
import { Workspace } from '../../server/src/engine/workspace';
import { fileMentions, NodeFileSystem } from '../../server/src/node/node-fs';

function inTempDir(f: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-mentions-'));
  try {
    f(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('fileMentions finds a word anywhere, across the pieces it reads, and says when it cannot tell', () => {
  inTempDir((dir) => {
    const file = path.join(dir, 'x.conf');
    // The scan reads 256 KiB at a time: the word is put across each boundary of the first few pieces.
    for (const piece of [1 << 18, 2 << 18, 3 << 18]) {
      for (let cut = 1; cut < 'include'.length; cut++) {
        const bytes = Buffer.alloc(piece + 4096, 'a');
        bytes.write('include', piece - cut, 'latin1');
        fs.writeFileSync(file, bytes);
        assert.equal(fileMentions(file, 'include'), true, `across ${piece} cut at ${cut}`);
      }
    }
    fs.writeFileSync(file, Buffer.alloc(3 << 18, 'a'));
    assert.equal(fileMentions(file, 'include'), false);
    fs.writeFileSync(file, 'includ');
    assert.equal(fileMentions(file, 'include'), false, 'a prefix at the end is not the word');
    fs.writeFileSync(file, 'include');
    assert.equal(fileMentions(file, 'include'), true, 'the whole file');
    fs.writeFileSync(file, '');
    assert.equal(fileMentions(file, 'include'), false);
    // Bytes that are not UTF-8 around it, and UTF-8 text: the ASCII word is the same bytes either way.
    fs.writeFileSync(file, Buffer.from('# caf\xe9 \xff\ninclude a.conf;\n', 'latin1'));
    assert.equal(fileMentions(file, 'include'), true);
    fs.writeFileSync(file, '# déjà vu\ninclude a.conf;\n');
    assert.equal(fileMentions(file, 'include'), true);
    // What readFile refuses, this cannot tell either: missing, a directory, too large for the limit.
    assert.equal(fileMentions(path.join(dir, 'missing.conf'), 'include'), undefined);
    assert.equal(fileMentions(dir, 'include'), undefined);
    fs.writeFileSync(file, 'include a.conf;\n'.repeat(100));
    assert.equal(fileMentions(file, 'include', 100), undefined);
    assert.equal(fileMentions(file, 'include', 1600), true);
  });
});

test('fileMentions on a FIFO with no writer returns at once', { skip: process.platform === 'win32' && 'no FIFOs' }, () => {
  inTempDir((dir) => {
    const fifo = path.join(dir, 'pipe.conf');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    assert.equal(fileMentions(fifo, 'include'), undefined);
  });
});

test('discovery reads into a string only the neighbours that say include', () => {
  inTempDir((dir) => {
    const big = path.join(dir, 'big.conf');
    fs.writeFileSync(big, 'events {}\nhttp {\n' + '    server { listen 80; location / { return 200; } }\n'.repeat(20000) + '}\n');
    fs.mkdirSync(path.join(dir, 'site/conf.d'), { recursive: true });
    const main = path.join(dir, 'site/nginx.conf');
    fs.writeFileSync(main, 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n');
    const site = path.join(dir, 'site/conf.d/a.conf');
    fs.writeFileSync(site, 'server {\n    location / { proxy_pass https://a.example.com; }\n}\n');
    const other = path.join(dir, 'other.conf');
    fs.writeFileSync(other, '# include site/conf.d/a.conf;\nevents {}\nhttp { }\n');
    const nfs = new NodeFileSystem();
    const read: string[] = [];
    const readFile = nfs.readFile.bind(nfs);
    nfs.readFile = (p: string) => {
      read.push(p);
      return readFile(p);
    };
    const ws = new Workspace(nfs, defaultSettings(), { candidates: () => [big, main, site, other] });
    const r = ws.analyzeFile(site);
    assert.deepEqual(r.roots, [main]);
    assert.equal(read.includes(big), false, 'the 20 000-server neighbour, which says no include, was never read into a string');
    assert.ok(read.includes(other), 'a neighbour that says include (in a comment) is read and found not to include the file');
    assert.equal(r.findings.filter((f) => f.ruleId === 'upstream-tls-unverified').length, 1);
  });
});
