// Shared pieces of the oracle tests: real `nginx -t` (Debian 1.22.1) is the judge of whether a config
// loads, and the engine must agree with it. Self-contained on purpose (test/helpers may not exist yet).

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { defaultSettings, EngineSettings, Finding } from '../../server/src/engine';
import { resolveSettings } from '../../server/src/engine/settings';
import { analyze, parseVersion } from '../support/engine';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import type { JsonFinding } from '../../server/src/output/text';
import { sharedPath } from '../support/shared';

export const PROJECT = path.resolve(__dirname, '../..');
/** The reference cases beside the repository (../shared/reference/nginx-tls): absent from a clone. */
export const SHARED = sharedPath('reference/nginx-tls');
export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const MODULES = '/usr/lib/nginx/modules';

/**
 * Rules whose error findings mean "nginx -t fails". The brief's list plus the engine's other error rules
 * that model an `[emerg]` of `nginx -t` (missing events, bad pass URL, stream server without listen,
 * unknown variable, empty upstream group).
 */
export const REJECTING = new Set([
  'syntax-error', 'unknown-directive', 'directive-not-allowed-here', 'directive-args', 'directive-invalid-value',
  'directive-duplicate', 'include-not-found', 'include-cycle', 'upstream-tls-no-trusted-ca', 'tls-cert-without-key',
  'client-cert-no-ca', 'listen-ssl-no-certificate',
  'missing-events', 'pass-invalid-url', 'missing-listen', 'unknown-variable', 'upstream-no-servers',
]);

/**
 * True when nginx can be run. Without it the caller skips, unless NGINX_TLS_REQUIRE_NGINX=1, where a missing
 * nginx is a failure.
 */
export function haveNginx(t: TestContext): boolean {
  if (fs.existsSync(NGINX)) return true;
  if (process.env.NGINX_TLS_REQUIRE_NGINX === '1') throw new Error(`NGINX_TLS_REQUIRE_NGINX=1 but ${NGINX} does not exist`);
  t.skip('nginx not installed');
  return false;
}

export function nginxPresent(): boolean {
  return fs.existsSync(NGINX);
}

export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);
  return d;
}

export interface NginxError {
  level: string;
  message: string;
  /** As nginx printed it (absolute when -c was absolute). */
  file?: string;
  line?: number;
}

export interface NginxResult {
  ok: boolean;
  rc: number | null;
  /** Raw stderr+stdout. */
  output: string;
  /** Output lines without timestamp and pid. */
  lines: string[];
  errors: NginxError[];
}

/** `nginx -t -c conf -p prefix -e stderr`, run from `cwd`. */
export function nginxT(conf: string, prefix: string, cwd = path.dirname(conf)): NginxResult {
  const r = spawnSync(NGINX, ['-t', '-c', conf, '-p', prefix.endsWith('/') ? prefix : prefix + '/', '-e', 'stderr'], { cwd, encoding: 'utf8', timeout: 60000 });
  const output = (r.stderr ?? '') + (r.stdout ?? '');
  const lines = output.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: /, '[$1] '));
  const errors: NginxError[] = [];
  for (const l of lines) {
    const m = /^\[(emerg|alert|crit)\] (.*?)(?: in (\S+):(\d+))?$/.exec(l);
    if (m) errors.push({ level: m[1], message: m[2], file: m[3], line: m[4] ? Number(m[4]) : undefined });
  }
  return { ok: r.status === 0, rc: r.status, output, lines, errors };
}

/** The test PKI (test/support/gen-certs.sh: the names the reference cases use) generated into `dir`. */
export function generateCerts(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('sh', [path.join(PROJECT, 'test/support/gen-certs.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return dir;
}

export function analyzeConf(conf: string, version = '1.22', trustedCertificate?: string): Finding[] {
  const settings = defaultSettings({ nginxVersion: parseVersion(version), ...(trustedCertificate ? { trustedCertificate } : {}), build: oracleBuild() });
  return analyze(conf, new NodeFileSystem(), settings).findings;
}

/** 1-based line a finding stands for, as nginx would name it. */
export function findingLine(f: Finding): number {
  return f.nginxLine ?? f.range.start.line + 1;
}

export function describeFinding(f: Finding): string {
  const extra = f.nginxLine !== undefined && f.nginxLine !== f.range.start.line + 1 ? `(nginxLine ${f.nginxLine})` : '';
  return `${f.ruleId}/${f.severity}@${path.basename(f.path)}:${f.range.start.line + 1}${extra}`;
}

export interface Verdict {
  agree: boolean;
  nginxSays: string;
  weSay: string;
  problem?: string;
}

/**
 * The agreement rule: nginx rejects ⇔ at least one error finding of a rejecting rule; when nginx names
 * FILE:LINE, one of those error findings is in that file on that line (nginxLine when the finding has one,
 * else its start line). When nginx accepts, no finding is an error at all.
 */
export function judge(live: NginxResult, findings: Finding[], resolveNginxPath: (p: string) => string): Verdict {
  const errors = findings.filter((f) => f.severity === 'error' && REJECTING.has(f.ruleId));
  const anyErrors = findings.filter((f) => f.severity === 'error');
  const first = live.errors[0];
  const nginxSays = live.ok ? 'ok' : `FAIL${first?.line ? ` ${path.basename(first.file!)}:${first.line}` : ''}: ${first?.message ?? live.lines.join(' | ')}`;
  const weSay = anyErrors.length ? anyErrors.map(describeFinding).join(', ') : findings.length ? `no error (${findings.map(describeFinding).join(', ')})` : 'no findings';
  if (live.ok) {
    if (anyErrors.length) return { agree: false, nginxSays, weSay, problem: 'nginx accepts, we report an error' };
    return { agree: true, nginxSays, weSay };
  }
  if (!errors.length) return { agree: false, nginxSays, weSay, problem: anyErrors.length ? 'nginx rejects; our errors are from rules not known to mean "nginx -t fails"' : 'nginx rejects, we report no error' };
  if (first?.file && first.line) {
    const target = realpath(resolveNginxPath(first.file));
    const onLine = errors.filter((f) => realpath(f.path) === target && findingLine(f) === first.line);
    if (!onLine.length) return { agree: false, nginxSays, weSay, problem: `nginx names ${path.basename(target)}:${first.line}; none of our errors is there` };
  }
  return { agree: true, nginxSays, weSay };
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

// ---- the CLI ----

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * How to run the CLI: dist/cli.js when it is at least as new as server/src (or ORACLE_CLI=dist), otherwise
 * the TypeScript source through tsx, so a stale bundle never hides (or fakes) an engine change.
 */
export function cliCommand(): { argv: string[]; label: string } {
  const dist = path.join(PROJECT, 'dist/cli.js');
  const fresh = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestMtime(path.join(PROJECT, 'server/src'));
  if (process.env.ORACLE_CLI === 'dist' || (fresh && process.env.ORACLE_CLI !== 'src')) return { argv: [dist], label: 'dist/cli.js' };
  return { argv: ['--import', 'tsx', path.join(PROJECT, 'server/src/cli.ts')], label: process.env.ORACLE_CLI === 'src' ? 'server/src/cli.ts via tsx (ORACLE_CLI=src)' : 'server/src/cli.ts via tsx (dist/cli.js missing or older than server/src)' };
}

/** What `check --format json` prints for one finding. */
export type CliFinding = JsonFinding;

export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cliCommand().argv, ...args], { cwd: PROJECT, encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function cliCheck(file: string, extra: string[] = []): CliFinding[] {
  const r = runCli(['check', file, '--format', 'json', '--nginx-version', '1.22', ...extra]);
  try {
    return JSON.parse(r.stdout) as CliFinding[];
  } catch {
    throw new Error(`CLI did not print JSON (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Prints a fixed-width table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : (c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c).padEnd(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

let oracleBuildCache: EngineSettings['build'] | undefined;
/** The build of the nginx the oracle runs (its `nginx -V`): what the engine must agree with. */
function oracleBuild(): EngineSettings['build'] {
  if (!oracleBuildCache) {
    const r = fs.existsSync(NGINX) ? spawnSync(NGINX, ['-V'], { encoding: 'utf8' }) : undefined;
    const text = r ? (r.stderr ?? '') + (r.stdout ?? '') : '';
    oracleBuildCache = resolveSettings({ modulesFrom: text }).settings.build;
    if (!/configure arguments:/.test(text)) oracleBuildCache = defaultSettings().build;
  }
  return oracleBuildCache;
}
