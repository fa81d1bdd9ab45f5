// Oracle: every reference case in ../shared/reference/nginx-tls/cases is run through REAL `nginx -t`
// (Debian 1.22.1) and through the engine (nginxVersion 1.22). They must agree: nginx rejects ⇔ we report an
// error from a rejecting rule, on nginx's FILE:LINE when it names one. The live nginx result must also match
// the recorded results-1.22.1.txt (modulo timestamp, pid and the temp directory).
//
// Layout in a temp dir, as the cases expect: cases/ (with sub/), certs/ (made by test/support/gen-certs.sh),
// cases/certs -> ../certs (nginx resolves "./certs/x" against the directory of the main config, i.e.
// cases/), prefix/ for -p.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeConf, generateCerts, haveNginx, judge, nginxPresent, nginxT, NginxResult, SHARED, table, tempDir, describeFinding } from './support';
import { requireShared, sharedMissing } from '../support/shared';

const CASES_DIR = path.join(SHARED, 'cases');

/**
 * What nginx -t checks that a static analyser cannot know from the config text (the build, OpenSSL,
 * DNS, file contents). For these only "the engine does not crash" is asserted.
 */
const KNOWN_GAPS: Record<string, string> = {
  A12_proxy_trusted_missing_file_verify_on: 'OpenSSL opens the CA file at -t: whether it exists on the target host is not in the config',
  B14_client_certificate_missing_file: 'OpenSSL opens the client CA file at -t (missing file on this host)',
  A15_proxy_pass_unresolvable_host: 'needs DNS at -t time',
  A24_proxy_ssl_conf_command: 'OpenSSL decides which SSL_CONF_cmd names exist',
  B20_ssl_certificate_key_mismatch: 'needs the certificate and key contents',
  E08_hash_inside_word: 'OpenSSL decides whether the cipher string "ECDHE#x" selects any cipher',
  E27_lua_block_no_module: 'depends on the build: OpenResty compiles lua in statically, Debian needs load_module',
};

let work = '';
const rows: string[][] = [];

function caseFiles(): string[] {
  if (!fs.existsSync(CASES_DIR)) return [];
  return fs.readdirSync(CASES_DIR).filter((f) => /^[ABCDEM]\d\d_.*\.conf$/.test(f)).sort();
}

/** Recorded results-1.22.1.txt: per case, the normalised output lines and the exit code. */
function recordedResults(): Map<string, { lines: string[]; rc: number }> {
  const text = fs.readFileSync(path.join(CASES_DIR, 'results-1.22.1.txt'), 'utf8');
  const out = new Map<string, { lines: string[]; rc: number }>();
  for (const block of text.split(/^=== /m).slice(1)) {
    const [head, ...rest] = block.split('\n');
    const lines = rest.filter((l) => l.trim() !== '');
    const rcLine = lines.pop() ?? '';
    const rc = /^rc=(\d+)$/.exec(rcLine);
    assert.ok(rc, `recorded block for ${head} ends with rc=N`);
    out.set(head.trim(), { lines: lines.map(normaliseLine), rc: Number(rc[1]) });
  }
  return out;
}

function normaliseLine(l: string): string {
  return l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: /, '[$1] ');
}

/** Live output in the recorded form: temp dir paths back to "./cases/...", "./certs/...". */
function normaliseLive(r: NginxResult): string[] {
  return r.lines.map((l) => l.split(`${work}/cases/./certs/`).join('./certs/').split(`${work}/`).join('./'));
}

before(() => {
  if (!nginxPresent() || sharedMissing('reference/nginx-tls/cases')) return;
  work = tempDir('oracle-cases-');
  fs.cpSync(CASES_DIR, path.join(work, 'cases'), { recursive: true, filter: (src) => !/results-|INDEX\.md$/.test(path.basename(src)) });
  generateCerts(path.join(work, 'certs'));
  fs.symlinkSync('../certs', path.join(work, 'cases/certs'));
  fs.mkdirSync(path.join(work, 'prefix/logs'), { recursive: true });
});

after(() => {
  if (rows.length) {
    console.log('\nreference cases: nginx 1.22.1 -t vs engine (nginxVersion 1.22)\n' +
      table(['case', 'nginx', 'ours', 'agree?'], rows) +
      `\n${rows.length} cases: ${rows.filter((r) => r[3] === 'yes').length} agree, ${rows.filter((r) => r[3].startsWith('gap')).length} known gaps, ${rows.filter((r) => r[3].startsWith('NO')).length} disagree`);
  }
  if (work && !process.env.ORACLE_KEEP) fs.rmSync(work, { recursive: true, force: true });
});

test('the shared reference cases are there', (t) => {
  if (!requireShared(t, 'reference/nginx-tls/cases')) return;
  assert.ok(fs.existsSync(CASES_DIR), `missing ${CASES_DIR}`);
  assert.ok(caseFiles().length >= 90, `expected the ~99 reference cases, found ${caseFiles().length}`);
  for (const name of Object.keys(KNOWN_GAPS)) assert.ok(caseFiles().includes(name + '.conf'), `KNOWN_GAPS names a case that does not exist: ${name}`);
});

const recorded = fs.existsSync(CASES_DIR) ? recordedResults() : new Map<string, { lines: string[]; rc: number }>();

for (const file of caseFiles()) {
  const name = file.replace(/\.conf$/, '');
  test(`case ${name}`, (t) => {
    if (!haveNginx(t)) return;
    const conf = path.join(work, 'cases', file);
    const live = nginxT(conf, path.join(work, 'prefix'), work);

    // 1. Live nginx agrees with the recorded 1.22.1 result.
    const rec = recorded.get(file);
    assert.ok(rec, `${file} has no recorded result in results-1.22.1.txt`);
    assert.equal(live.rc, rec.rc, `${file}: live nginx exit code ${live.rc}, recorded ${rec.rc}\n${live.output}`);
    assert.deepEqual(normaliseLive(live), rec.lines, `${file}: live nginx output differs from the recorded one`);

    // 2. The engine, on the same file.
    let findings;
    try {
      findings = analyzeConf(conf, '1.22');
    } catch (e) {
      rows.push([name, live.ok ? 'ok' : 'FAIL', 'CRASH', 'NO (crash)']);
      throw e;
    }
    const v = judge(live, findings, (p) => path.resolve(work, p));
    const gap = KNOWN_GAPS[name];
    rows.push([name, v.nginxSays, v.weSay, v.agree ? (gap ? 'gap (now agrees: remove from KNOWN_GAPS?)' : 'yes') : gap ? `gap: ${gap}` : `NO: ${v.problem}`]);
    if (gap) return; // beyond a static analyser: not crashing is all we ask
    assert.ok(v.agree, `${name}: ${v.problem}\n  nginx: ${v.nginxSays}\n  ours:  ${findings.map(describeFinding).join(', ') || 'nothing'}\n${findings.map((f) => `    ${describeFinding(f)}: ${f.message}`).join('\n')}`);
  });
}
