// nginx-tls-proxy: the engine on the command line, for CI and for people who do not use an editor.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applyEdits, createLanguageService, EngineSettings, Finding, formatText, listConfigCandidates, NodeFileSystem,
  readConfigFile, resolveSettings, Severity, TextEdit, toJson, toSarif, unifiedDiff,
} from './core';
import type { RawSettings } from './core';

const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined);

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
  --modules LIST          the nginx build: a preset (nginx, nginx-plus, openresty, debian-light, debian-core,
                          debian-full, debian-extras, debian-all) and/or module names to add, comma-separated
                          (default: nginx, the nginx.org packages)
  --modules-from TEXT     the build (and version) of an nginx from its \`nginx -V\` output:
                          --modules-from "$(nginx -V 2>&1)"
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
  const o: Options = { command: argv[0] ?? '', paths: [], format: 'text', failOn: 'warning', fix: false, dryRun: false, settings: resolveSettings().settings };
  const raw: RawSettings & { rules: Record<string, string>; extraDirectives: string[] } = { rules: {}, extraDirectives: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--root': o.root = path.resolve(value()); break;
      case '--nginx-version': raw.nginxVersion = value(); break;
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
        raw.rules[m[1]] = m[2];
        break;
      }
      case '--trusted-ca': raw.trustedCertificate = value(); break;
      case '--extra-directive': raw.extraDirectives.push(value()); break;
      case '--modules': raw.modules = value(); break;
      case '--modules-from': raw.modulesFrom = value(); break;
      case '--fix': o.fix = true; break;
      case '--dry-run': o.dryRun = true; break;
      case '-h': case '--help': o.command = 'help'; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  const { settings, problems } = resolveSettings(raw);
  if (problems.length) throw new UsageError(problems.join('; ') + (problems.some((p) => p.includes('no rule')) ? ' (see: nginx-tls-proxy rules)' : ''));
  o.settings = settings;
  return o;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** A path as text output can show it: control characters (a newline would split a record) escaped. */
function shown(p: string): string {
  return p.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

function filesToCheck(paths: string[]): { targets: string[]; candidates: string[]; unreadable: string[] } {
  const targets: string[] = [];
  const candidates: string[] = [];
  const unreadable: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    let st: fs.Stats;
    try { st = fs.statSync(abs); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      unreadable.push(`${shown(p)}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'ELOOP' ? 'too many levels of symbolic links' : code === 'EACCES' ? 'permission denied' : 'cannot read (' + code + ')'}`);
      continue;
    }
    if (st.isDirectory()) {
      const found = listConfigCandidates([abs], 100000);
      targets.push(...found);
      candidates.push(...found);
    } else {
      targets.push(abs);
      candidates.push(abs, ...listConfigCandidates([path.dirname(abs)], 2000));
    }
  }
  return { targets: [...new Set(targets)], candidates: [...new Set(candidates)], unreadable };
}

class IoError extends Error {}

/**
 * Writes every fixed file or none: each goes to a temporary file beside it first (same mode), and only
 * when all are written and none changed on disk since it was read are they renamed into place.
 */
function writeAll(files: { path: string; before: string; text: string; latin1: boolean }[]): string[] {
  const problems: string[] = [];
  const staged: { tmp: string; target: string }[] = [];
  for (const f of files) {
    // A symlink is written through: the file it points to changes, the link stays.
    let target: string;
    try { target = fs.realpathSync(f.path); } catch { problems.push(`${shown(f.path)}: no longer exists`); continue; }
    const now = readConfigFile(target);
    if ('error' in now || now.text !== f.before) {
      problems.push(`${shown(f.path)}: changed on disk while it was being fixed; not written`);
      continue;
    }
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.nginx-tls-proxy-${process.pid}.tmp`);
    try {
      fs.accessSync(target, fs.constants.W_OK);
      const mode = fs.statSync(target).mode & 0o7777;
      fs.writeFileSync(tmp, Buffer.from(f.text, f.latin1 ? 'latin1' : 'utf8'), { mode, flag: 'wx' });
      fs.chmodSync(tmp, mode);
      staged.push({ tmp, target });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      try { fs.unlinkSync(tmp); } catch { /* not created */ }
      problems.push(`${shown(f.path)}: cannot write (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? (e as Error).message})`);
    }
  }
  if (problems.length) {
    for (const s of staged) { try { fs.unlinkSync(s.tmp); } catch { /* gone */ } }
    return problems;
  }
  for (const s of staged) fs.renameSync(s.tmp, s.target);
  return [];
}

function check(o: Options): number {
  const nfs = new NodeFileSystem(o.settings.maxAnalysisBytes);
  const { targets, candidates, unreadable } = filesToCheck(o.paths.length ? o.paths : ['.']);
  const service = createLanguageService({ fs: nfs, settings: o.settings, candidates: () => candidates, rootConfig: o.root });
  const cannotRead = new Set<string>();
  const run = (): Finding[] => {
    const all: Finding[] = [];
    const started = Date.now();
    targets.forEach((t, i) => {
      const dx = service.diagnose(t);
      all.push(...dx.findings);
      if (dx.unreadable) cannotRead.add(`${shown(t)}: cannot read: ${dx.unreadable}`);
      if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write(`\rchecked ${i + 1}/${targets.length} files`);
    });
    if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write('\n');
    return all;
  };
  let findings = run();
  const notices: string[] = [];
  let writeFailed = false;
  if (o.fix) {
    // Edits are applied to the very text they were computed from (the analysis's), never to a re-read.
    const original = new Map<string, string>();
    const current = new Map<string, string>();
    for (const file of new Set(findings.filter((f) => f.ruleId === 'syntax-error').map((f) => f.path))) {
      notices.push(`${shown(file)}: not fixed: it has syntax errors (fix them first)`);
    }
    for (let round = 0; round < 5; round++) {
      const byFile = new Map<string, TextEdit[]>();
      for (const fix of service.safeFixes(findings)) for (const e of fix.edits) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
      if (byFile.size === 0) break;
      for (const [file, edits] of byFile) {
        const text = service.textOf(file);
        if (text === undefined) continue;
        if (!original.has(file)) original.set(file, text);
        const next = applyEdits(text, edits);
        current.set(file, next);
        service.setText(file, next);
      }
      findings = run();
    }
    const changed = [...current].filter(([file, text]) => original.get(file) !== text);
    if (o.dryRun) {
      for (const [file, text] of changed) process.stdout.write(unifiedDiff(file, original.get(file)!, text));
    } else {
      const problems = writeAll(changed.map(([file, text]) => ({ path: file, before: original.get(file)!, text, latin1: nfs.encodings.get(file) === 'latin1' })));
      if (problems.length) {
        writeFailed = true;
        notices.push(...problems, `no file was written (${changed.length} would have changed)`);
      }
    }
  }
  for (const n of [...unreadable, ...cannotRead, ...notices]) process.stderr.write(`nginx-tls-proxy: ${n}\n`);
  if (!(o.fix && o.dryRun)) {
    if (o.format === 'json') process.stdout.write(JSON.stringify(toJson(findings), null, 2) + '\n');
    else if (o.format === 'sarif') process.stdout.write(JSON.stringify(toSarif(findings, process.cwd(), service.rules()), null, 2) + '\n');
    else process.stdout.write(formatText(findings, process.cwd()));
  }
  if (unreadable.length || cannotRead.size || writeFailed) return 2;
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
        const r = readConfigFile(file);
        if ('error' in r) throw new IoError(`${shown(o.paths[0])}: cannot read: ${r.error}`);
        process.stdout.write(JSON.stringify(createLanguageService({ fs: new NodeFileSystem() }).parseTree(file), null, 2) + '\n');
        return 0;
      }
      case 'rules':
        for (const r of createLanguageService({ fs: new NodeFileSystem() }).rules()) process.stdout.write(`${r.id}\t${r.defaultSeverity}\t${r.title}\n`);
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
