// `check`: analyse configs, print the findings (text, JSON, SARIF), and with --fix apply the safe fixes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ancestorMainConfigs, createLanguageService, EngineSettings, Finding, listConfigCandidates, nodeCertificateParser, NodeFileSystem,
  decode, probeKey, readConfigFile, scanConfigFiles, Severity, toJsonLazy, toldOnce, toSarif, writeJson, writeText, writeUnifiedDiff,
} from '../core';
import { readStdin } from './stdin';
import { probe, PROBE_MAX_CONNECTIONS } from '../probe';
import { writeStdout } from './stdout';
import { collectGarbage } from './collect-garbage';

/** An input or output that cannot be read or written: exit 2. */
export class IoError extends Error {}

export interface CheckOptions {
  paths: string[];
  root?: string;
  /** The config is standard input, analysed as this (absolute) path; `paths` is then ['-']. */
  stdin?: string;
  format: 'text' | 'json' | 'sarif';
  failOn: Severity | 'none';
  fix: boolean;
  dryRun: boolean;
  /** Connect to the TLS upstreams the configs name and check what they present (asked for explicitly). */
  probe: boolean;
  color: boolean;
  settings: EngineSettings;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Output is streamed: tens of thousands of findings (or megabytes of diff) never become one string. */
const write = writeStdout;

/** A path as text output can show it: control characters (a newline would split a record) escaped. */
export function shown(p: string): string {
  return p.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

export function filesToCheck(paths: string[], rootGiven = false): { targets: string[]; candidates: string[]; unreadable: string[] } {
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
    // Symlinks are followed (nginx opens the path); a file reached under several names is checked once,
    // in the context of the main config that includes it under any of them (one in a folder above too,
    // unless --root names the main config).
    const above = (q: string) => (rootGiven ? [] : ancestorMainConfigs(q));
    if (st.isDirectory()) {
      const found = scanConfigFiles([abs], 100000);
      targets.push(...found.files);
      candidates.push(...found.files, ...above(path.join(abs, '-')));
      for (const x of found.problems) unreadable.push(`${shown(path.relative(process.cwd(), x.path) || x.path)}: ${x.reason}`);
    } else {
      targets.push(abs);
      candidates.push(abs, ...listConfigCandidates([path.dirname(abs)], 2000), ...above(abs));
    }
  }
  const byId = new Map<string, string>();
  for (const t of targets) {
    let id = t;
    try { id = fs.realpathSync(t); } catch { /* reported when read */ }
    if (!byId.has(id)) byId.set(id, t);
  }
  return { targets: [...byId.values()], candidates: [...new Set(candidates)], unreadable };
}

/**
 * Writes every fixed file or none: each goes to a temporary file beside it first (same mode), and only
 * when all are written and none changed on disk since it was read are they renamed into place.
 */
export function writeAll(files: { path: string; before: string; text: string; latin1: boolean }[]): string[] {
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
      // A file nobody may write (mode 0444) is left alone even by root, who could.
      if ((mode & 0o222) === 0) {
        problems.push(`${shown(f.path)}: cannot write (read-only file, mode ${mode.toString(8).padStart(4, '0')})`);
        continue;
      }
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

/** `check -`: the text on standard input, as file `name`, with the candidates a file of that name would have. */
function stdinToCheck(name: string, maxBytes: number, rootGiven: boolean): { text: string; candidates: string[] } | { error: string } {
  const buf = readStdin(maxBytes);
  if ('error' in buf) return buf;
  const around = rootGiven ? [] : [...listConfigCandidates([path.dirname(name)], 2000), ...ancestorMainConfigs(name)];
  return { text: decode(buf).text, candidates: [...new Set([name, ...around])] };
}

export async function check(o: CheckOptions): Promise<number> {
  const nfs = new NodeFileSystem(o.settings.maxAnalysisBytes);
  const input = o.stdin !== undefined ? stdinToCheck(o.stdin, o.settings.maxAnalysisBytes, o.root !== undefined) : undefined;
  if (input && 'error' in input) throw new IoError(input.error);
  const { targets, candidates, unreadable } = input ? { targets: [o.stdin!], candidates: input.candidates, unreadable: [] } : filesToCheck(o.paths.length ? o.paths : ['.'], o.root !== undefined);
  const service = createLanguageService({ fs: nfs, settings: o.settings, candidates: () => candidates, rootConfig: o.root, certificates: nodeCertificateParser, workspaceFolders: () => [process.cwd()] });
  // Standard input is an unsaved buffer at its name: what is on disk there (if anything) is not read.
  if (input) service.setText(o.stdin!, input.text);
  const cannotRead = new Set<string>();
  /** `only`: the findings --fix works from between its rounds (the other rules run once, at the end). */
  const run = (only?: 'fixing'): Finding[] => {
    const all: Finding[] = [];
    // A finding in a file several targets reach (a snippet named too, or included by two of them) is told once.
    const firstTime = targets.length > 1 ? toldOnce() : undefined;
    // A file named as well is told when its own turn comes, under its own name (not under a link's an include
    // went through).
    const identity = (p: string) => nfs.realpath?.(p) ?? p;
    const named = targets.length > 1 ? new Set(targets.map(identity)) : undefined;
    const started = Date.now();
    targets.forEach((t, i) => {
      // A main config (or a file nobody includes) is checked as nginx -t checks it: with the findings in the files
      // it includes, which nginx rejects as well. A file analysed inside its main config has only its own.
      const dx = service.diagnose(t, { only, scope: 'config' });
      const whole = dx.roots.length === 0 || dx.roots.includes(t);
      for (const f of dx.findings) {
        if (f.path !== t && (!whole || named?.has(identity(f.path)))) continue;
        if (firstTime && !firstTime(f)) continue;
        all.push(f);
      }
      if (dx.unreadable) cannotRead.add(`${shown(t)}: cannot read: ${dx.unreadable}`);
      if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write(`\rchecked ${i + 1}/${targets.length} files`);
    });
    if (process.stderr.isTTY && Date.now() - started > 2000) process.stderr.write('\n');
    return all;
  };
  let findings = run(o.fix && !o.probe ? 'fixing' : undefined);
  const notices: string[] = [];
  if (o.probe) {
    const probeTargets = new Map<string, ReturnType<typeof service.probeTargets>[number]>();
    for (const t of targets.flatMap((x) => service.probeTargets(x))) probeTargets.set(probeKey(t.host, t.port, t.sni, t.offer), t);
    const { results, skipped } = await probe([...probeTargets.values()]);
    // An upstream that did not answer is a finding (upstream-unreachable) on the pass directive, not a notice.
    if (skipped) notices.push(`probe: ${skipped} more upstreams not probed (at most ${PROBE_MAX_CONNECTIONS})`);
    service.setProbeResults(results);
    findings = run();
  }
  let writeFailed = false;
  /** Worked out before the findings are let go (--fix --dry-run). */
  let failing: boolean | undefined;
  if (o.fix) {
    // Edits are applied to the very text they were computed from (the analysis's), never to a re-read.
    const original = new Map<string, string>();
    const current = new Map<string, string>();
    for (const file of new Set(findings.filter((f) => f.ruleId === 'syntax-error').map((f) => f.path))) {
      notices.push(`${shown(file)}: not fixed: it has syntax errors (fix them first)`);
    }
    for (let round = 0; round < 5; round++) {
      // The round's findings hold its whole analysis: they are let go (and collected) before the fixed
      // texts are parsed, so that two analyses of a big config are never in memory together.
      const applied = service.applySafeFixes(findings, collectGarbage);
      for (const a of applied) {
        if (!original.has(a.path)) original.set(a.path, a.before);
        current.set(a.path, a.after);
      }
      // Nothing changed: the texts are final (the findings may have been let go, when every chosen fix failed
      // to hold).
      if (applied.length === 0) break;
      // The next round works from the fixing rules' findings of the new texts; the others run once, below.
      findings = run('fixing');
    }
    const changed = [...current].filter(([file, text]) => original.get(file) !== text);
    if (o.dryRun) {
      // Only the diff is written: the findings are needed for the exit code alone. The fixing rules' findings
      // are some of them: when those already fail, the other rules cannot change the exit code and do not
      // run. The analysis the findings hold is let go before the diff is made (on a big config the diff's
      // work would otherwise come on top of it).
      failing = fails(findings, o.failOn) || fails(run(), o.failOn);
      findings = [];
      service.releaseAnalyses();
      collectGarbage();
      for (const [file, text] of changed) writeUnifiedDiff(file, original.get(file)!, text, write);
    } else {
      // The final findings: the other rules run on the model of the last analysis (from the cache).
      findings = run();
      const problems = writeAll(changed.map(([file, text]) => ({ path: file, before: original.get(file)!, text, latin1: nfs.encodings.get(file) === 'latin1' })));
      if (problems.length) {
        writeFailed = true;
        notices.push(...problems, `no file was written (${changed.length} would have changed)`);
      }
    }
  }
  for (const n of [...unreadable, ...cannotRead, ...notices]) process.stderr.write(`nginx-tls-proxy: ${n}\n`);
  if (!(o.fix && o.dryRun)) {
    if (o.format === 'json') { writeJson(toJsonLazy(findings, service.rules()), write); write('\n'); }
    else if (o.format === 'sarif') { writeJson(toSarif(findings, process.cwd(), service.rules(), true), write); write('\n'); }
    else writeText(findings, process.cwd(), o.color, write);
  }
  if (unreadable.length || cannotRead.size || writeFailed) return 2;
  return (failing ?? fails(findings, o.failOn)) ? 1 : 0;
}

/** Whether a finding is at or above the --fail-on threshold. */
function fails(findings: Finding[], failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  const threshold = RANK[failOn];
  return findings.some((f) => RANK[f.severity] <= threshold);
}
