// Runs rules over a model (or a view of part of it) and turns their reports into findings: suppression
// comments, stable ids, severities from the settings, lazily made ranges and fixes.

import { ConfigFile, ConfigModel } from './model/model';
import { RULES } from './rules';
import { Rule, RuleContext, RuleFinding } from './rules/rule';
import { lineOf, Range, rangeOf } from './syntax/positions';
import { EngineSettings, Finding, Fix, RelatedLocation, Severity } from './types';
import { pollCancellation } from './cancellation';
import { DeferredFinding } from './deferred-finding';
import type { CertificateFiles } from './certificates/files';

/** `# nginx-tls-ignore: rule-id[,rule-id] reason` on the finding's line or the line above silences it. */
const SUPPRESS = /^#\s*nginx-tls-ignore:\s*([a-z0-9,-]+)/i;

function suppressedLines(file: ConfigFile): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const c of file.tree.comments) {
    const m = SUPPRESS.exec(c.value);
    if (!m) continue;
    const line = lineOf(file.tree.lineStarts, c.start);
    const ids = new Set(m[1].toLowerCase().split(',').filter(Boolean));
    // Applies to its own line (trailing comment) and the next line (comment above).
    for (const l of [line, line + 1]) {
      const set = out.get(l) ?? new Set<string>();
      ids.forEach((i) => set.add(i));
      out.set(l, set);
    }
  }
  return out;
}

/** A rule's report as a finding: range, related locations and fixes made from it when first read. */
export class LazyFinding extends DeferredFinding {
  private readonly file: ConfigFile;
  // The report's parts still needed, not the report: tens of thousands of findings keep only what they use.
  private readonly relatedAt: RuleFinding['related'];
  private readonly fixMaker: RuleFinding['fixes'];

  constructor(ordinal: number, ruleId: string, severity: Severity, r: RuleFinding) {
    super(ordinal, ruleId, severity, r.message, r.file.path, r.start, r.end, r.nginxLine);
    this.file = r.file;
    this.relatedAt = r.related;
    this.fixMaker = r.fixes;
    this.about = r.about;
  }

  protected makeRange(): Range {
    return rangeOf(this.file.tree.lineStarts, this.start, this.end);
  }

  protected makeRelated(): RelatedLocation[] {
    return (this.relatedAt ?? []).map((r) => ({
      path: r.ld.file.path,
      range: rangeOf(r.ld.file.tree.lineStarts, r.ld.d.start, r.ld.d.nameToken.end),
      message: r.message,
    }));
  }

  protected makeFixes(only?: 'preferred'): Fix[] {
    const make = this.fixMaker;
    if (typeof make !== 'function') return Array.isArray(make) ? make : [];
    try {
      return (make as (about: unknown, only?: 'preferred') => Fix[])(this.about, only);
    } catch {
      return [];
    }
  }
}

/**
 * How many findings of one rule came before on this span (start, end), counting this one. Keyed by the start
 * alone (a small integer: a key made of both ends would be a heap number or a string per finding); the rare
 * start with several ends keeps a map of them.
 */
function nextOnSpan(inFile: Map<number, number | Map<number, number>>, start: number, end: number): number {
  const had = inFile.get(start);
  if (had === undefined) {
    inFile.set(start, end);
    return 0;
  }
  if (typeof had === 'number') {
    // One finding so far at this start, which ended at `had`.
    inFile.set(start, new Map([[had, 1], [end, had === end ? 2 : 1]]));
    return had === end ? 1 : 0;
  }
  const n = had.get(end) ?? 0;
  had.set(end, n + 1);
  return n;
}

/**
 * One rule's findings so far in one file, for their counters. Most rules report in document order: while
 * each finding starts after all before it, it is the first on its span and nothing is filed (a map entry per
 * finding was most of what reporting allocated). The first finding out of that order files those before it.
 */
interface FileSpans {
  /** The greatest start so far. */
  last: number;
  /** From the first finding out of order on. */
  bySpan: Map<number, number | Map<number, number>> | null;
}

function reportAfterRun(): void {
  throw new Error('a rule reported after its run ended');
}

/** `keep`: drops the reports it refuses (a rule run on a view of part of the config). */
export function runRules(model: ConfigModel, settings: EngineSettings, rules: readonly Rule[] = RULES, certificates?: CertificateFiles, keep?: (f: RuleFinding) => boolean): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const suppressions = new Map<ConfigFile, Map<number, Set<string>>>();
  const repeated = model.expansions > model.files.size;
  for (const rule of rules) {
    // Findings so far of this rule per file and span: a second one on the same span gets the next counter.
    const spans = new Map<ConfigFile, FileSpans>();
    const ruleStart = findings.length;
    pollCancellation();
    const configured = settings.rules[rule.id];
    if (configured === 'off') continue;
    const severity: Severity | undefined = configured;
    const ctx: RuleContext = {
      model,
      settings,
      certificates,
      report(f: RuleFinding) {
        if (keep && !keep(f)) return;
        if (repeated) {
          // A file included from several places reports once per distinct finding.
          const message = typeof f.message === 'string' ? f.message : (f.message = (f.message as (about: unknown) => string)(f.about));
          const key = rule.id + '\0' + f.file.path + '\0' + f.start + '\0' + f.end + '\0' + message;
          if (seen.has(key)) return;
          seen.add(key);
        }
        let sup = suppressions.get(f.file);
        if (!sup) suppressions.set(f.file, (sup = suppressedLines(f.file)));
        if (sup.size) {
          const ids = sup.get(lineOf(f.file.tree.lineStarts, f.start));
          if (ids && (ids.has(rule.id) || ids.has('all'))) return;
        }
        let inFile = spans.get(f.file);
        if (!inFile) spans.set(f.file, (inFile = { last: -1, bySpan: null }));
        let ordinal = 0;
        if (f.start > inFile.last && !inFile.bySpan) inFile.last = f.start;
        else {
          if (!inFile.bySpan) {
            const bySpan = (inFile.bySpan = new Map());
            for (let i = ruleStart; i < findings.length; i++) {
              const had = findings[i];
              if (had.path === f.file.path) nextOnSpan(bySpan, had.start, had.end);
            }
          }
          ordinal = nextOnSpan(inFile.bySpan, f.start, f.end);
        }
        findings.push(new LazyFinding(ordinal, rule.id, severity ?? f.severity ?? rule.defaultSeverity, f));
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      // A rule bug must never take the whole analysis (or the server) down with it.
      const file = model.rootFile;
      if (file) {
        findings.push({
          id: 'internal-error@' + rule.id,
          ruleId: 'internal-error', severity: 'information', path: file.path, start: 0, end: 0,
          range: rangeOf(file.tree.lineStarts, 0, 0), fixes: [], related: [],
          message: `rule ${rule.id} failed on this config: ${(e as Error).message}. Please report it.`,
        });
      }
    } finally {
      // Fix makers keep `ctx` (for its model and settings); they must not keep this run's bookkeeping, nor
      // through `keep` the analysis before an edit (each edit would otherwise hold on to all earlier ones).
      ctx.report = reportAfterRun;
    }
  }
  return findings;
}

