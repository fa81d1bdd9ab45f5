// One analysis: build the model from a root file, run every enabled rule, turn reports into findings.

import { BlockKind } from './knowledge/contexts';
import { ConfigModel, ModelOptions } from './model/model';
import { FileSystem } from './model/filesystem';
import { RULES } from './rules';
import { EngineSettings, Finding } from './types';
import type { Rule } from './rules/rule';
import type { CertificateFiles } from './certificates/files';
import { runRules } from './run-rules';
import { reanalyzeEdit } from './incremental';
import { adoptAfterEdit } from './model/after-edit';

export { DEFAULT_NGINX_VERSION, DEFAULT_TRUSTED_CERTIFICATE, defaultSettings } from './settings';
export { runRules } from './run-rules';

export interface Analysis {
  model: ConfigModel;
  findings: Finding[];
  /** Findings kept from the analysis before an edit instead of being found again (0: every rule ran whole). */
  kept: number;
  /** Rules that compare across the config whose findings were kept (the edit changed nothing they read). */
  keptRules: string[];
  /** The time the findings of the rules that read the clock were computed at. */
  clockAt: number;
  /** The model is the previous analysis' one, re-pointed to the new text (`model/after-edit.ts`). */
  modelReused?: boolean;
  /** Only these rules ran (see `FIXING_RULES`); undefined: every rule. `completeAnalysis` runs the others. */
  ran?: ReadonlySet<string>;
}

/**
 * What `check --fix` needs between its rounds: the rules whose fixes it applies, and syntax errors (a file
 * with them is not fixed). The other rules run once, on the text the rounds end with.
 */
export const FIXING_RULES: readonly Rule[] = RULES.filter((r) => r.safeFixes || r.id === 'syntax-error');
/** The rules that can make a fix safe to apply unattended: only their findings' fixes are made to choose from. */
export const SAFE_FIXING: ReadonlySet<string> = new Set(RULES.filter((r) => r.safeFixes).map((r) => r.id));
const FIXING_IDS: ReadonlySet<string> = new Set(FIXING_RULES.map((r) => r.id));

/**
 * `a` with every rule's findings: the rules it did not run run now on its model (which is never changed by
 * a rule), and the findings come in rule order, as one analysis with every rule gives them.
 */
export function completeAnalysis(a: Analysis, settings: EngineSettings, certificates?: CertificateFiles): Analysis {
  const ran = a.ran;
  if (!ran) return a;
  const more = runRules(a.model, settings, RULES.filter((r) => !ran.has(r.id)), certificates);
  // A rule's findings are together in either list; an internal error is told under the rule that failed.
  const byRule = new Map<string, Finding[]>();
  for (const f of [...a.findings, ...more]) {
    const rule = f.ruleId === 'internal-error' ? f.id.slice(f.id.indexOf('@') + 1) : f.ruleId;
    const list = byRule.get(rule);
    if (list) list.push(f);
    else byRule.set(rule, [f]);
  }
  const findings: Finding[] = [];
  for (const r of RULES) {
    const list = byRule.get(r.id);
    if (list) for (const f of list) findings.push(f);
  }
  return { ...a, findings, ran: undefined, clockAt: settings.now ?? Date.now() };
}

/**
 * `previous`: the analysis of the same root before an edit. When the edit stayed inside one server block,
 * the rules that look only around a directive run on that block alone and keep their other findings.
 */
export function analyze(rootPath: string, fs: FileSystem, settings: EngineSettings, modelOptions: ModelOptions = {}, certificates?: CertificateFiles, previous?: Analysis, onlyFixing = false): Analysis {
  if (onlyFixing) {
    const model = new ConfigModel(rootPath, fs, modelOptions);
    const now = settings.now ?? Date.now();
    return { model, findings: runRules(model, settings, FIXING_RULES, certificates), kept: 0, keptRules: [], clockAt: now, ran: FIXING_IDS };
  }
  // A partial analysis is no base for an incremental one (its findings are not all the findings).
  if (previous?.ran) previous = undefined;
  // Typing inside an argument: the previous model, re-pointed to the new text, is the new one. Its findings'
  // related locations are read first (they are worked out from the directives, which then read the new text).
  if (previous) for (const f of previous.findings) void f.related;
  const adopted = previous && adoptAfterEdit(previous.model, rootPath, fs, modelOptions);
  const model = adopted ? adopted.model : new ConfigModel(rootPath, fs, modelOptions);
  const now = settings.now ?? Date.now();
  const again = previous && reanalyzeEdit(previous, model, settings, certificates, now, adopted);
  const modelReused = !!adopted;
  const out: Analysis = again
    ? { model, findings: again.findings, kept: again.kept, keptRules: again.keptRules, clockAt: again.clockAt, modelReused }
    : { model, findings: runRules(model, settings, RULES, certificates), kept: 0, keptRules: [], clockAt: now, modelReused };
  // The model adopted from is let go: each edit's model would otherwise hold every one before it.
  model.release();
  return out;
}

export type { BlockKind };
