// Runs rules over a model (or a view of part of it) and turns their reports into findings: suppression
// comments, stable ids, severities from the settings, lazily made ranges and fixes.

import { ConfigFile, ConfigModel } from './model/model';
import { RULES } from './rules';
import { Rule, RuleContext, RuleFinding } from './rules/rule';
import { lineOf, Range, rangeOf } from './syntax/positions';
import { EngineSettings, Finding, Fix, RelatedLocation, Severity } from './types';
import { pollCancellation } from './cancellation';
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

/**
 * A finding whose range, related locations and fixes are worked out when first read: an analysis of a big
 * config makes tens of thousands of findings, and most of them are only counted, filtered or shown a page at
 * a time. Plain fields for everything else, so the shape stays a plain-data `Finding` to its readers.
 */
export class LazyFinding implements Finding {
  readonly message: string;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly nginxLine?: number;
  private readonly file: ConfigFile;
  private readonly report: RuleFinding;
  private made: { range?: Range; fixes?: Fix[]; related?: RelatedLocation[] } | null = null;

  constructor(readonly id: string, readonly ruleId: string, readonly severity: Severity, r: RuleFinding, private readonly makeFixes: RuleFinding['fixes']) {
    this.message = r.message;
    this.path = r.file.path;
    this.start = r.start;
    this.end = r.end;
    if (r.nginxLine !== undefined) this.nginxLine = r.nginxLine;
    this.file = r.file;
    this.report = r;
  }

  private get cache(): { range?: Range; fixes?: Fix[]; related?: RelatedLocation[] } {
    return (this.made ??= {});
  }

  get range(): Range {
    return (this.cache.range ??= rangeOf(this.file.tree.lineStarts, this.start, this.end));
  }

  get related(): RelatedLocation[] {
    return (this.cache.related ??= (this.report.related ?? []).map((r) => ({
      path: r.ld.file.path,
      range: rangeOf(r.ld.file.tree.lineStarts, r.ld.d.start, r.ld.d.nameToken.end),
      message: r.message,
    })));
  }

  get fixes(): Fix[] {
    const c = this.cache;
    if (!c.fixes) {
      const make = this.makeFixes;
      if (typeof make !== 'function') c.fixes = Array.isArray(make) ? make : [];
      else {
        try { c.fixes = make(); } catch { c.fixes = []; }
      }
    }
    return c.fixes;
  }

  /** Serialised as the plain data it stands for. */
  toJSON(): Finding {
    const out: Finding = { id: this.id, ruleId: this.ruleId, severity: this.severity, message: this.message, path: this.path, start: this.start, end: this.end, range: this.range, fixes: this.fixes, related: this.related };
    if (this.nginxLine !== undefined) out.nginxLine = this.nginxLine;
    return out;
  }
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
  const ids = new Map<string, number>();
  for (const rule of rules) {
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
          const key = rule.id + '\0' + f.file.path + '\0' + f.start + '\0' + f.end + '\0' + f.message;
          if (seen.has(key)) return;
          seen.add(key);
        }
        let sup = suppressions.get(f.file);
        if (!sup) suppressions.set(f.file, (sup = suppressedLines(f.file)));
        if (sup.size) {
          const ids = sup.get(lineOf(f.file.tree.lineStarts, f.start));
          if (ids && (ids.has(rule.id) || ids.has('all'))) return;
        }
        // An id that names the finding to the adapters (LSP diagnostics carry it back in code actions): its
        // rule and place, and a counter for two findings of one rule on the same span.
        const base = rule.id + '@' + f.file.path + ':' + f.start + '-' + f.end;
        const n = ids.get(base) ?? 0;
        ids.set(base, n + 1);
        findings.push(new LazyFinding(n ? base + '#' + n : base, rule.id, severity ?? f.severity ?? rule.defaultSeverity, f, f.fixes));
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

