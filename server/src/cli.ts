// nginx-tls-proxy: the engine on the command line, for CI and for people who do not use an editor.
// Each command is one entry of COMMANDS (usage, summary, the options it takes, what it runs); the options are
// described once in OPTIONS. Parsing and help text live in cli/args.ts, `check` in cli/check.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLanguageService, NodeFileSystem, readConfigFile, resolveSettings, Severity } from './core';
import type { RawSettings } from './core';
import { CommandSpec, commandHelp, flag, generalHelp, list, OptionSpec, parse, Parsed, str, UsageError, useColor } from './cli/args';
import { check, IoError, shown } from './cli/check';
import { formatCommand, FORMAT_USAGE } from './cli/format-command';
import { runReport } from './report-command';
import { writeStdout } from './cli/stdout';
import { PROBE_MAX_CONNECTIONS, PROBE_TIMEOUT_MS } from './probe';

const PROGRAM = 'nginx-tls-proxy';

const OPTIONS: Record<string, OptionSpec> = {
  root: { type: 'string', value: 'FILE', help: 'main config (relative includes resolve against its folder)' },
  'nginx-version': { type: 'string', value: 'X.Y', help: 'nginx version the configs run on (default 1.30, the current stable line)' },
  format: { type: 'string', short: 'f', value: 'text|json|sarif', help: 'output format (default text; parse: json)' },
  'fail-on': { type: 'string', value: 'error|warning|info|none', help: 'exit 1 when a finding is at least this severe (default warning)' },
  rule: { type: 'string', multiple: true, value: 'ID=off|error|warning|info|hint', help: 'turn a rule off or change its severity' },
  'trusted-ca': { type: 'string', value: 'FILE', help: 'CA bundle the fixes insert (default /etc/ssl/certs/ca-certificates.crt)' },
  'extra-directive': { type: 'string', multiple: true, value: 'NAME', help: 'a directive of another module that is not unknown' },
  fix: { type: 'boolean', help: 'apply the safe fixes in place' },
  'dry-run': { type: 'boolean', help: 'with --fix: print a unified diff instead of writing' },
  'stdin-filename': { type: 'string', value: 'PATH', help: 'with the path - (standard input): the file name the config is analysed and reported as; its includes, and a main config that includes it, are found from there (default <stdin> in the current folder)' },
  modules: { type: 'string', value: 'LIST', help: 'the nginx build: a preset (nginx, nginx-plus, openresty, debian-light, debian-core, debian-full, debian-extras, debian-all) and/or module names to add, comma-separated (default: nginx, the nginx.org packages)' },
  'modules-from': { type: 'string', value: 'TEXT', help: 'the build (and version) of an nginx from its `nginx -V` output: --modules-from "$(nginx -V 2>&1)"' },
  'path-map': { type: 'string', multiple: true, value: 'FROM=TO', help: 'read the server\'s FROM/... certificate files from TO/... here (TO relative to the current folder)' },
  'certificate-expiry-days': { type: 'string', value: 'N', help: 'warn this many days before a certificate expires (default 30)' },
  probe: { type: 'boolean', help: `connect to every TLS upstream the config names, as nginx would (SNI, client certificate, protocols and ciphers), check the certificate it presents and report those that do not answer (timeout ${PROBE_TIMEOUT_MS / 1000} s each, at most ${PROBE_MAX_CONNECTIONS})` },
};

interface Command extends CommandSpec {
  run(p: Parsed): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  check: {
    usage: 'check [options] [paths...]',
    summary: 'analyse configs (files or folders; default: .; - reads one from standard input)',
    takes: ['root', 'nginx-version', 'format', 'fail-on', 'rule', 'trusted-ca', 'extra-directive', 'modules', 'modules-from', 'path-map', 'certificate-expiry-days', 'probe', 'fix', 'dry-run', 'stdin-filename'],
    notes: 'exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.',
    run: runCheck,
  },
  parse: {
    usage: 'parse [--format json] FILE',
    summary: 'print the parsed config as JSON (close to crossplane\'s shape)',
    takes: ['format'],
    run: runParse,
  },
  format: {
    // Its own options (--write, --check, --diff, --indent…): dispatched before the table's parser runs.
    usage: 'format [--write | --check | --diff] [options] PATH...',
    summary: 'lay configs out canonically (the editor\'s formatter)',
    takes: [],
    run: () => 2,
  },
  report: {
    // Its own options (--format json|markdown|html, --output, --title): dispatched before the table's parser.
    usage: 'report [paths...] [--format json|markdown|html] [--output FILE]',
    summary: 'the TLS map: every upstream TLS use and its settings',
    takes: [],
    run: () => 2,
  },
  rules: {
    usage: 'rules',
    summary: 'list the rules: id, default severity, title',
    takes: [],
    run: (p) => {
      noPaths(p);
      for (const r of createLanguageService({ fs: new NodeFileSystem() }).rules()) writeStdout(`${r.id}\t${r.defaultSeverity}\t${r.title}\n`);
      return 0;
    },
  },
  help: {
    usage: 'help [command]',
    summary: 'show help, of one command or of all',
    takes: [],
    run: (p) => {
      if (p.positionals.length > 1) throw new UsageError('help takes at most one command');
      const name = p.positionals[0];
      if (name === undefined) writeStdout(generalHelp(PROGRAM, COMMANDS));
      else if (Object.prototype.hasOwnProperty.call(COMMANDS, name)) writeStdout(commandHelp(PROGRAM, name, COMMANDS[name], OPTIONS));
      else throw new UsageError(`unknown command "${name}"`);
      return 0;
    },
  },
};

const SEVERITY_ALIASES: Record<string, Severity> = { error: 'error', warning: 'warning', warn: 'warning', info: 'information', information: 'information', hint: 'hint' };

function noPaths(p: Parsed): void {
  if (p.positionals.length) throw new UsageError(`${p.command} takes no arguments (got "${shown(p.positionals[0])}")`);
}

function runCheck(p: Parsed): Promise<number> {
  const format = str(p, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format: "${format}" is not text, json or sarif`);
  const failOnRaw = str(p, 'fail-on') ?? 'warning';
  const failOn = failOnRaw === 'none' ? 'none' : Object.prototype.hasOwnProperty.call(SEVERITY_ALIASES, failOnRaw) ? SEVERITY_ALIASES[failOnRaw] : undefined;
  if (!failOn) throw new UsageError(`--fail-on: "${failOnRaw}" is not error, warning, info or none`);
  const raw: RawSettings & { rules: Record<string, string>; extraDirectives: string[]; pathMap: Record<string, string> } = { rules: {}, extraDirectives: list(p, 'extra-directive'), pathMap: {} };
  for (const v of list(p, 'path-map')) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UsageError(`--path-map: "${v}" is not FROM=TO`);
    raw.pathMap[v.slice(0, eq)] = v.slice(eq + 1);
  }
  if (str(p, 'modules') !== undefined) raw.modules = str(p, 'modules');
  if (str(p, 'modules-from') !== undefined) raw.modulesFrom = str(p, 'modules-from');
  if (str(p, 'certificate-expiry-days') !== undefined) raw.certificateExpiryDays = str(p, 'certificate-expiry-days');
  for (const v of list(p, 'rule')) {
    const m = /^([a-z0-9-]+)=(off|error|warning|warn|info|information|hint)$/.exec(v);
    if (!m) throw new UsageError(`--rule: "${v}" is not ID=off|error|warning|info|hint`);
    raw.rules[m[1]] = m[2];
  }
  if (str(p, 'nginx-version') !== undefined) raw.nginxVersion = str(p, 'nginx-version');
  if (str(p, 'trusted-ca') !== undefined) raw.trustedCertificate = str(p, 'trusted-ca');
  const { settings, problems } = resolveSettings(raw);
  if (problems.length) throw new UsageError(problems.join('; ') + (problems.some((x) => x.includes('no rule')) ? ` (see: ${PROGRAM} rules)` : ''));
  const root = str(p, 'root');
  const stdinName = str(p, 'stdin-filename');
  const stdin = p.positionals.includes('-');
  if (stdin && p.positionals.length > 1) throw new UsageError('- (standard input) is checked alone: give no other path with it');
  if (stdin && flag(p, 'fix') && !flag(p, 'dry-run')) throw new UsageError('--fix cannot write fixes back to standard input: add --dry-run for a diff');
  if (!stdin && stdinName !== undefined) throw new UsageError('--stdin-filename names the config read from standard input: give the path - with it');
  return check({
    paths: p.positionals, root: root === undefined ? undefined : path.resolve(root), format, failOn,
    stdin: stdin ? path.resolve(stdinName ?? '<stdin>') : undefined,
    fix: flag(p, 'fix'), dryRun: flag(p, 'dry-run'), probe: flag(p, 'probe'), color: useColor(p, process.stdout), settings,
  });
}

function runParse(p: Parsed): number {
  const format = str(p, 'format') ?? 'json';
  if (format !== 'json') throw new UsageError(`--format: parse prints json only, not "${format}"`);
  if (p.positionals.length !== 1) throw new UsageError('parse needs exactly one FILE');
  const file = path.resolve(p.positionals[0]);
  const r = readConfigFile(file);
  if ('error' in r) throw new IoError(`${shown(p.positionals[0])}: cannot read: ${r.error}`);
  writeStdout(JSON.stringify(createLanguageService({ fs: new NodeFileSystem() }).parseTree(file), null, 2) + '\n');
  return 0;
}

/** The package's version: package.json above this file (dist/ in the package, server/src in the repository). */
function version(): string {
  for (let dir = __dirname, i = 0; i < 4; dir = path.dirname(dir), i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PROGRAM && pkg.version) return pkg.version;
    } catch { /* not here */ }
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'format') return formatCommand(argv.slice(1));
  if (argv[0] === 'report') return runReport(argv.slice(1));
  if (argv[0] === 'help' && argv[1] === 'report') return runReport(['--help']);
  if (argv[0] === 'help' && argv[1] === 'format') {
    writeStdout(FORMAT_USAGE);
    return 0;
  }
  try {
    const p = parse(argv, COMMANDS, OPTIONS);
    if (p.version) {
      writeStdout(`${PROGRAM} ${version()}\n`);
      return 0;
    }
    if (p.help) {
      writeStdout(p.command && p.command !== 'help' ? commandHelp(PROGRAM, p.command, COMMANDS[p.command], OPTIONS) : generalHelp(PROGRAM, COMMANDS));
      return 0;
    }
    if (!p.command) {
      process.stderr.write(generalHelp(PROGRAM, COMMANDS));
      return 2;
    }
    return await COMMANDS[p.command].run(p);
  } catch (e) {
    if (e instanceof UsageError || e instanceof IoError) {
      process.stderr.write(`${PROGRAM}: ${e.message}\n`);
      if (e instanceof UsageError) process.stderr.write(`run "${PROGRAM} --help" for usage\n`);
      return 2;
    }
    process.stderr.write(`${PROGRAM}: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
