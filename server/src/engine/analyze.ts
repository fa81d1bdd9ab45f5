// One analysis: build the model from a root file, run every enabled rule, turn reports into findings.

import { BlockKind } from './knowledge/contexts';
import { ConfigFile, ConfigModel, ModelOptions } from './model/model';
import { FileSystem } from './model/filesystem';
import { RULES } from './rules';
import { Rule, RuleContext, RuleFinding } from './rules/rule';
import { lineOf, rangeOf } from './syntax/positions';
import { EngineSettings, Finding, Fix, Severity } from './types';
import { pollCancellation } from './cancellation';
import type { CertificateFiles } from './certificates/files';

export { DEFAULT_NGINX_VERSION, DEFAULT_TRUSTED_CERTIFICATE, defaultSettings } from './settings';

export interface Analysis {
  model: ConfigModel;
  findings: Finding[];
}

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

export function analyze(rootPath: string, fs: FileSystem, settings: EngineSettings, modelOptions: ModelOptions = {}, certificates?: CertificateFiles): Analysis {
  const model = new ConfigModel(rootPath, fs, modelOptions);
  return { model, findings: runRules(model, settings, RULES, certificates) };
}

export function runRules(model: ConfigModel, settings: EngineSettings, rules: readonly Rule[] = RULES, certificates?: CertificateFiles): Finding[] {
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
        const finding: Finding = {
          id: n ? base + '#' + n : base,
          ruleId: rule.id,
          severity: severity ?? f.severity ?? rule.defaultSeverity,
          message: f.message,
          path: f.file.path,
          start: f.start,
          end: f.end,
          range: rangeOf(f.file.tree.lineStarts, f.start, f.end),
          nginxLine: f.nginxLine,
          fixes: Array.isArray(f.fixes) ? f.fixes : [],
          related: (f.related ?? []).map((r) => ({
            path: r.ld.file.path,
            range: rangeOf(r.ld.file.tree.lineStarts, r.ld.d.start, r.ld.d.nameToken.end),
            message: r.message,
          })),
        };
        if (typeof f.fixes === 'function') {
          const make = f.fixes;
          let made: Fix[] | undefined;
          Object.defineProperty(finding, 'fixes', {
            enumerable: true,
            get: () => {
              if (!made) {
                try { made = make(); } catch { made = []; }
              }
              return made;
            },
          });
        }
        findings.push(finding);
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
    }
  }
  return findings;
}

export type { BlockKind };
