// nginx-tls-proxy: the engine on the command line, for CI and for people who do not use an editor.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, defaultSettings, EngineSettings, Finding, parseVersion, RULES, Severity } from './engine';
import { Workspace } from './engine/workspace';
import { selectSafeFixes } from './engine/fixes/select';
import { listConfigCandidates, NodeFileSystem } from './node/node-fs';
import { toSarif } from './output/sarif';
import { formatText, toJson, unifiedDiff } from './output/text';
import { parseJson } from './output/parse-json';
import { own } from './engine/own';

const USAGE = `usage: nginx-tls-proxy <command> [options]

commands:
  check [paths...]        analyse configs (files or folders; default: .)
  parse FILE              print the parsed config (--format json)
  rules                   list the rules with their default severity

check options:
  --root FILE             main config (relative includes resolve against its folder)
  --nginx-version X.Y     nginx version the configs run on (default 1.30, the current stable line)
  --format text|json|sarif
  --fail-on error|warning|info|none   exit 1 when a finding is at least this severe (default warning)
  --rule ID=off|error|warning|info|hint
  --trusted-ca FILE       CA bundle the fixes insert (default /etc/ssl/certs/ca-certificates.crt)
  --extra-directive NAME  a directive of another module that is not unknown (repeatable)
  --fix                   apply the safe fixes in place
  --dry-run               with --fix: print a unified diff instead of writing
`;

class UsageError extends Error {}

interface Options {
  command: string;
  paths: string[];
  root?: string;
  format: 'text' | 'json' | 'sarif';
  failOn: Severity | 'none';
  fix: boolean;
  dryRun: boolean;
  settings: EngineSettings;
}

const SEVERITY_ALIASES: Record<string, Severity> = { error: 'error', warning: 'warning', warn: 'warning', info: 'information', information: 'information', hint: 'hint' };

function parseArgs(argv: string[]): Options {
  const o: Options = { command: argv[0] ?? '', paths: [], format: 'text', failOn: 'warning', fix: false, dryRun: false, settings: defaultSettings() };
  const rules: Record<string, Severity | 'off'> = {};
  const extra = new Set<string>();
  const known = new Set(RULES.map((r) => r.id));
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--root': o.root = path.resolve(value()); break;
      case '--nginx-version': {
        const v = value();
        if (!/^\d+\.\d+(\.\d+)?$/.test(v)) throw new UsageError(`--nginx-version: "${v}" is not a version like 1.22 or 1.27.3`);
        o.settings.nginxVersion = parseVersion(v);
        break;
      }
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format: "${v}" is not text, json or sarif`);
        o.format = v;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (v === 'none') o.failOn = 'none';
        else if (own(SEVERITY_ALIASES, v)) o.failOn = own(SEVERITY_ALIASES, v)!;
        else throw new UsageError(`--fail-on: "${v}" is not error, warning, info or none`);
        break;
      }
      case '--rule': {
        const v = value();
        const m = /^([a-z0-9-]+)=(off|error|warning|warn|info|information|hint)$/.exec(v);
        if (!m) throw new UsageError(`--rule: "${v}" is not ID=off|error|warning|info|hint`);
        if (!known.has(m[1])) throw new UsageError(`--rule: no rule "${m[1]}" (see: nginx-tls-proxy rules)`);
        rules[m[1]] = m[2] === 'off' ? 'off' : SEVERITY_ALIASES[m[2]];
        break;
      }
      case '--trusted-ca': o.settings.trustedCertificate = value(); break;
      case '--extra-directive': extra.add(value()); break;
      case '--fix': o.fix = true; break;
      case '--dry-run': o.dryRun = true; break;
      case '-h': case '--help': o.command = 'help'; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  o.settings.rules = rules;
  o.settings.extraDirectives = extra;
  return o;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function filesToCheck(paths: string[]): { targets: string[]; candidates: string[] } {
  const targets: string[] = [];
  const candidates: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    let st: fs.Stats;
    try { st = fs.statSync(abs); } catch { throw new IoError(`${p}: no such file or directory`); }
    if (st.isDirectory()) {
      const found = listConfigCandidates([abs], 100000);
      targets.push(...found);
      candidates.push(...found);
    } else {
      try { fs.accessSync(abs, fs.constants.R_OK); } catch { throw new IoError(`${p}: cannot read`); }
      targets.push(abs);
      candidates.push(abs, ...listConfigCandidates([path.dirname(abs)], 2000));
    }
  }
  return { targets: [...new Set(targets)], candidates: [...new Set(candidates)] };
}

class IoError extends Error {}

function check(o: Options): number {
  const nfs = new NodeFileSystem();
  const { targets, candidates } = filesToCheck(o.paths.length ? o.paths : ['.']);
  const ws = new Workspace(nfs, o.settings, { candidates: () => candidates, explicitRoot: o.root });
  const run = (): Finding[] => {
    const all: Finding[] = [];
    const started = Date.now();
    targets.forEach((t, i) => {
      all.push(...ws.analyzeFile(t).findings);
      if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write(`\rchecked ${i + 1}/${targets.length} files`);
    });
    if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write('\n');
    return all;
  };
  let findings = run();
  if (o.fix) {
    const original = new Map<string, string>();
    const current = new Map<string, string>();
    for (let round = 0; round < 5; round++) {
      const byFile = new Map<string, { start: number; end: number; newText: string }[]>();
      for (const fix of selectSafeFixes(findings)) {
        for (const e of fix.edits) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
      }
      if (byFile.size === 0) break;
      for (const [file, edits] of byFile) {
        const text = current.get(file) ?? nfs.readFile(file) ?? '';
        if (!original.has(file)) original.set(file, text);
        const next = applyEdits(text, edits);
        current.set(file, next);
        ws.setOverlay(file, next);
      }
      findings = run();
    }
    for (const [file, text] of current) {
      if (o.dryRun) process.stdout.write(unifiedDiff(file, original.get(file)!, text));
      else fs.writeFileSync(file, Buffer.from(text, nfs.encodings.get(file) === 'latin1' ? 'latin1' : 'utf8'));
    }
  }
  if (!(o.fix && o.dryRun)) {
    if (o.format === 'json') process.stdout.write(JSON.stringify(toJson(findings), null, 2) + '\n');
    else if (o.format === 'sarif') process.stdout.write(JSON.stringify(toSarif(findings, process.cwd()), null, 2) + '\n');
    else process.stdout.write(formatText(findings, process.cwd()));
  }
  if (o.failOn === 'none') return 0;
  const threshold = RANK[o.failOn];
  return findings.some((f) => RANK[f.severity] <= threshold) ? 1 : 0;
}

function main(argv: string[]): number {
  let o: Options;
  try {
    o = parseArgs(argv);
    switch (o.command) {
      case 'check':
        return check(o);
      case 'parse': {
        if (o.paths.length !== 1) throw new UsageError('parse needs exactly one FILE');
        const file = path.resolve(o.paths[0]);
        if (!fs.existsSync(file)) throw new IoError(`${o.paths[0]}: no such file or directory`);
        process.stdout.write(JSON.stringify(parseJson(file, new NodeFileSystem()), null, 2) + '\n');
        return 0;
      }
      case 'rules':
        for (const r of RULES) process.stdout.write(`${r.id}\t${r.defaultSeverity}\t${r.title}\n`);
        return 0;
      case 'help':
      case '':
        process.stdout.write(USAGE);
        return o.command === 'help' ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${o.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof IoError) {
      process.stderr.write(`nginx-tls-proxy: ${e.message}\n`);
      if (e instanceof UsageError) process.stderr.write('run "nginx-tls-proxy --help" for usage\n');
      return 2;
    }
    process.stderr.write(`nginx-tls-proxy: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
