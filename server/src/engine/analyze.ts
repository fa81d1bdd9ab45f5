// One analysis: build the model from a root file, run every enabled rule, turn reports into findings.

import { BlockKind } from './knowledge/contexts';
import { ConfigModel, ModelOptions } from './model/model';
import { FileSystem } from './model/filesystem';
import { RULES } from './rules';
import { EngineSettings, Finding } from './types';
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
}

/**
 * `previous`: the analysis of the same root before an edit. When the edit stayed inside one server block,
 * the rules that look only around a directive run on that block alone and keep their other findings.
 */
export function analyze(rootPath: string, fs: FileSystem, settings: EngineSettings, modelOptions: ModelOptions = {}, certificates?: CertificateFiles, previous?: Analysis): Analysis {
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
