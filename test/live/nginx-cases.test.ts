// The engine against real `nginx -t` on the reference cases (../shared/reference/nginx-tls/cases): where
// nginx rejects a config we report an error (on nginx's line when it names one in that file), where it
// accepts we report none. Cases beyond a static analyser are listed with the reason.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, defaultSettings, parseVersion } from '../../server/src/engine';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { nginxAvailable, nginxTest, tempDir } from '../support/nginx';

const SHARED = path.resolve(__dirname, '../../../shared/reference/nginx-tls');
const REJECTING = new Set(['syntax-error', 'pass-invalid-url', 'unknown-directive', 'directive-not-allowed-here', 'directive-args', 'directive-invalid-value',
  'directive-duplicate', 'missing-events', 'include-not-found', 'include-cycle', 'upstream-tls-no-trusted-ca', 'tls-cert-without-key',
  'client-cert-no-ca', 'listen-ssl-no-certificate']);

/** What nginx checks that a config analyser cannot know from the text. */
const KNOWN_GAPS: Record<string, string> = {
  E08_hash_inside_word: 'OpenSSL rejects the cipher string "ECDHE#x"; cipher names are OpenSSL\'s to decide',
  E27_lua_block_no_module: 'depends on which modules are loaded: lua directives are known so that configs of nginx-extras/OpenResty are not flooded',
  A12_proxy_trusted_missing_file_verify_on: 'OpenSSL loads the CA file at -t: a missing file is an I/O fact, not a config fact',
  B14_client_certificate_missing_file: 'same: a missing CA file',
  A15_proxy_pass_unresolvable_host: 'needs DNS at -t time',
  A24_proxy_ssl_conf_command: 'OpenSSL decides which SSL_CONF commands exist',
  B20_ssl_certificate_key_mismatch: 'needs the certificate and key contents',
  A28_proxy_ssl_certificate_empty: '1.22 loads the config directory as a certificate; newer versions accept it',
  M01_mail_starttls_no_cert: 'mail certificate checks are not modelled yet',
  B15_ocsp_with_optional_no_ca: 'ssl_ocsp compatibility not modelled yet',
};

let work = '';
before(() => {
  if (!nginxAvailable()) return;
  work = tempDir('ntp-cases-');
  fs.cpSync(path.join(SHARED, 'cases'), path.join(work, 'cases'), { recursive: true });
  fs.cpSync(path.join(SHARED, 'certs'), path.join(work, 'certs'), { recursive: true });
  execFileSync('sh', [path.join(work, 'certs/gen.sh')], { stdio: 'ignore' });
  fs.cpSync(path.join(work, 'certs'), path.join(work, 'cases/certs'), { recursive: true });
  fs.mkdirSync(path.join(work, 'prefix/logs'), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', work]);
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the engine agrees with real nginx -t on the reference cases', (t) => {
  if (!nginxAvailable()) return t.skip('nginx not installed');
  const recorded = fs.readFileSync(path.join(SHARED, 'cases/results-1.22.1.txt'), 'utf8');
  const cases = fs.readdirSync(path.join(work, 'cases')).filter((f) => /^[A-Z]\d\d_.*\.conf$/.test(f)).sort();
  const rows: string[] = [];
  const disagreements: string[] = [];
  for (const file of cases) {
    const name = file.replace(/\.conf$/, '');
    const conf = path.join(work, 'cases', file);
    const live = nginxTest(conf, path.join(work, 'prefix') + '/');
    const recordedOk = new RegExp(`=== ${file}\\n(?:(?!===)[\\s\\S])*?rc=0`).test(recorded);
    assert.equal(live.ok, recordedOk, `${file}: live nginx disagrees with the recorded result:\n${live.output}`);
    const { findings } = analyze(conf, new NodeFileSystem(), defaultSettings({ nginxVersion: parseVersion('1.22') }));
    const errors = findings.filter((f) => f.severity === 'error' && REJECTING.has(f.ruleId));
    const weReject = errors.length > 0;
    let agree = weReject === !live.ok;
    const named = live.errors.find((e) => e.file && path.resolve(path.join(work, 'prefix'), e.file) === conf || e.file?.endsWith('/' + file));
    if (agree && named?.line) {
      agree = errors.some((f) => (f.nginxLine ?? f.range.start.line + 1) === named.line || f.range.start.line + 1 === named.line);
    }
    rows.push(`${name.padEnd(50)} nginx: ${live.ok ? 'ok    ' : 'FAIL  '} ours: ${weReject ? 'error' : 'ok   '} ${agree ? '' : KNOWN_GAPS[name] ? '(known gap)' : 'DISAGREE'} ${live.errors[0]?.message.slice(0, 60) ?? ''}`);
    if (!agree && !KNOWN_GAPS[name]) disagreements.push(`${name}: nginx ${live.ok ? 'accepts' : `rejects (${live.errors[0]?.message} line ${named?.line})`}; we ${weReject ? 'report ' + errors.map((e) => `${e.ruleId}@${e.range.start.line + 1}`).join(', ') : 'report no error'}`);
    if (agree && KNOWN_GAPS[name]) disagreements.push(`${name}: listed as a known gap but now agrees: remove it from KNOWN_GAPS`);
  }
  console.log(rows.join('\n'));
  const gaps = rows.filter((r) => r.includes('(known gap)')).length;
  console.log(`${cases.length} cases, ${cases.length - gaps - disagreements.length} agree, ${gaps} known gaps, ${disagreements.length} disagreements`);
  assert.deepEqual(disagreements, []);
});
