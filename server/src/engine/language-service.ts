// The engine's one door. The language server, the CLI and the tests get everything through the object
// createLanguageService returns: plain data in (paths, offsets, texts), plain data out (findings, fixes,
// edits, markdown). Offsets are UTF-16 code units into the file's current text (the editor buffer when one
// was given with setText, else the file system's).

import { BlockKind } from './knowledge/contexts';
import { FileSystem } from './model/filesystem';
import { Analysis, SAFE_FIXING } from './analyze';
import { Workspace } from './workspace';
import { fixesThatHold } from './fixes/validate';
import { AppliedFixes, applyFixRound } from './fixes/apply-round';
import { selectSafeFixes } from './fixes/select';
import { RULES } from './rules';
import type { RuleCases } from './rules/rule';

import { EngineSettings, Finding, Fix, Severity, TextEdit } from './types';
import { defaultSettings } from './settings';
import { completions, CompletionEntry } from './service/completion';
import { effectiveTls } from './service/effective-tls';
import { formatEdits, FormatOptions, FormatResult, formatOnType, LineEdit } from './service/format';
import { definitionAt, documentLinks, Link, referencesAt, Target, workspaceSymbols, WorkspaceSymbolEntry } from './service/navigation';
import { defaultCertificateName, scaffoldEdits, ScaffoldParams } from './service/scaffold';
import { documentSymbols, FoldRange, foldingRanges, OutlineSymbol } from './service/symbols';
import { hoverAt, HoverResult } from './service/hover';
import { tlsInventory, TlsInventoryUse } from './service/inventory';
import { parseJson } from './service/parse-json';
import { parse } from './syntax/parser';
import { CertificateFiles, probeKey } from './certificates/files';
import type { CertificateParser } from './certificates/types';
import type { CertificateCandidate, ProbeResult } from './certificates/files';
import { certificateCandidates } from './certificates/files';
import { probeTargets, ProbeTarget } from './certificates/handshake';
import { tlsUses } from './model/tls-uses';
import { computeLineStarts, rangeOf, Range } from './syntax/positions';
import { CancellationCheck, runCancellable } from './cancellation';


export interface LanguageServiceOptions {
  fs: FileSystem;
  settings?: EngineSettings;
  /** Files that may be main configs (the adapter lists them: workspace folders, the CLI's paths). */
  candidates?: () => string[];
  /** A main config named by the user (absolute path): used for every file it includes. */
  rootConfig?: string;
  /** Reads certificates and keys (node:crypto in Node): without one, no certificate is looked at. */
  certificates?: CertificateParser;
  /** The user's folders (absolute): a certificate missing there is reported; relative pathMap targets start at the first. */
  workspaceFolders?: () => string[];
}

export interface DiagnoseOptions {
  /** Analyse the file on its own as the body of a block of this kind (no main config is looked for). */
  context?: BlockKind;
  /** With `context`: the folder relative paths resolve against (default: nginx's, as found above the file). */
  prefix?: string;
  /** With `context`: the file is a piece of a bigger config, so what it lacks may be set elsewhere. */
  partial?: boolean;
  /** 'config': the findings in every file the analysis read (as `nginx -t` reports them), not only this one's. */
  scope?: 'file' | 'config';
  /** Polled while the analysis runs: once it returns true, diagnose throws `Cancelled` (nothing is cached). */
  cancel?: CancellationCheck;
  /**
   * 'fixing': only the findings `applySafeFixes` works from (the rules with safe fixes, and syntax errors), for
   * the rounds of `check --fix`; a later diagnose of the same text runs the other rules on the same model.
   */
  only?: 'fixing';
}

export interface Diagnosis {
  findings: Finding[];
  /** Main configs the file was analysed under (the file itself when it is one). */
  roots: string[];
  /** The context given to a fragment nobody includes. */
  inferred: BlockKind | null;
  /** Every file the analysis read: a change to any of them changes this file's findings. */
  dependencies: string[];
  /** Directives of the expanded config(s) analysed (an include read twice counts twice). */
  directives: number;
  /** Findings kept from the analysis before the last edit (incremental analysis); 0 when every rule ran whole. */
  kept: number;
  /** Of those, the rules that compare across the config whose findings were kept. */
  keptRules: string[];
  /** Analyses whose model was the previous one, re-pointed to the new text (the edit stayed inside an argument). */
  modelsReused: number;
  /** Why the file itself could not be read, if it could not. */
  unreadable?: string;
}

export interface RuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity;
  explanation: string;
  nginxRejects: boolean;
  /** Whether the rule can make a fix safe to apply unattended (`check --fix`, fix all). */
  safeFixes: boolean;
  tags: string[];
  securitySeverity?: number;
  cis?: { benchmark: string; recommendation: string; source?: string };
  /** The rule's own examples (its documentation and its tests). */
  cases: RuleCases;
}

export type FixAllResult = { fixes: Fix[] } | { refused: string };
export type { AppliedFixes };

export interface LanguageService {
  readonly settings: EngineSettings;
  /** New settings or a new main config: every analysis is dropped. */
  configure(settings: EngineSettings, rootConfig?: string): void;
  /** An editor buffer replaces the file system's text of `path` (undefined: back to the file system). */
  setText(path: string, text: string | undefined): void;
  /** Files appeared, disappeared or changed on disk. */
  filesChanged(): void;
  /**
   * Lets go of every analysis and parse kept for reuse (texts given to setText stay): a batch caller done
   * with its findings frees their memory for what it does next (`check --fix --dry-run` writing its diff).
   */
  releaseAnalyses(): void;
  /** The text the service analyses for `path`. */
  textOf(path: string): string | undefined;

  /**
   * The findings of one file, analysed in its main config(s), else in an inferred context. `context`
   * analyses it on its own as the body of a block of that kind instead (a fragment, a rule's example).
   */
  diagnose(path: string, options?: DiagnoseOptions): Diagnosis;
  /** The fixes of one finding (by its id), each checked to hold on the current text. */
  fixesFor(path: string, findingId: string): Fix[];
  /** The safe fixes of a file that can be applied together; a file with syntax errors is refused. */
  fixAll(path: string, cancel?: CancellationCheck): FixAllResult;
  /**
   * The safe fixes of `findings` (of any files) that can be applied together in one round: never two at
   * one place or adding one directive to one block twice, none touching a file with syntax errors, and
   * each re-parsing as meant. Apply them, setText the results, diagnose again, repeat.
   */
  safeFixes(findings: Finding[]): Fix[];
  /**
   * One round of fixing many files at once (`check --fix`): the fixes safeFixes would give, applied. Once they
   * are chosen `findings` is emptied and the analyses of the files they touch are let go, then `release` runs
   * (a CLI collects garbage there), so that the old analysis is not held while the new texts are parsed. Each
   * fix is kept only if it re-parses as meant; the new texts are set (as setText) and their parses kept for
   * the next analysis. Returns the files changed, with their texts before and after.
   */
  applySafeFixes(findings: Finding[], release?: () => void): AppliedFixes[];

  hover(path: string, offset: number): HoverResult | null;
  complete(path: string, offset: number): CompletionEntry[];
  definition(path: string, offset: number): Target[];
  references(path: string, offset: number): Target[];
  links(path: string): Link[];
  symbols(path: string): OutlineSymbol[];
  folding(path: string): FoldRange[];
  /** `cancel`, here and in fixAll and format: polled in the long loops; once true, the call throws `Cancelled`. */
  workspaceSymbols(paths: string[], query: string, cancel?: CancellationCheck): WorkspaceSymbolEntry[];
  /**
   * The canonical layout as edits of the whitespace between tokens; with `range` (offsets), only those of the
   * whole statements it touches. A file with syntax errors is not formatted: the result says why.
   */
  format(path: string, options: FormatOptions, range?: { start: number; end: number }, cancel?: CancellationCheck): FormatResult;
  /** After `;` or `}` was typed at `offset`: the statement or block it ends, laid out (nothing mid-edit). */
  formatOnType(path: string, offset: number, options: FormatOptions): LineEdit[];
  effectiveTls(path: string, offset: number): { where: string; lines: string[] } | null;
  /** Every TLS use of the config(s) `path` belongs to (`context`: `path` alone, as for diagnose), in order. */
  inventory(path: string, options?: Pick<DiagnoseOptions, 'context' | 'prefix' | 'partial'>): TlsInventoryUse[];
  scaffold(path: string, offset: number, params: ScaffoldParams): TextEdit[] | null;
  /** The parsed config with includes resolved, in a shape close to crossplane's payload. */
  parseTree(path: string): unknown;
  /** Line/character range of an offset span in a file's current text (LSP's line rules). */
  range(path: string, start: number, end: number): Range;
  rules(): RuleInfo[];
  /** The TLS upstreams of `path`'s config(s) a probe would connect to (none without a certificate parser). */
  probeTargets(path: string): ProbeTarget[];
  /** What a probe found; findings then cover the chains live upstreams present. */
  setProbeResults(results: ProbeResult[]): void;
  /** CA and client certificates (with keys) the workspace has, for the mutual-TLS scaffold. */
  certificateCandidates(path: string): { cas: CertificateCandidate[]; clients: CertificateCandidate[] };
}

export function createLanguageService(options: LanguageServiceOptions): LanguageService {
  const fs = options.fs;
  let settings = options.settings ?? defaultSettings();
  let rootConfig = options.rootConfig;
  const texts = new Map<string, string>();
  const candidates = options.candidates ?? (() => []);
  let certificateFiles: CertificateFiles | undefined;
  let probeResults: ProbeResult[] = [];
  let workspace = makeWorkspace();

  function makeWorkspace(): Workspace {
    const parser = options.certificates;
    const certificates = parser ? new CertificateFiles({ parser, fs, workspaceFolders: options.workspaceFolders?.() ?? [], pathMap: settings.pathMap }) : undefined;
    certificateFiles = certificates;
    certificates?.setProbes(probeResults);
    const ws = new Workspace(fs, settings, { candidates, explicitRoot: rootConfig, certificates });
    for (const [p, t] of texts) ws.setOverlay(p, t);
    return ws;
  }

  const textOf = (path: string): string | undefined => texts.get(path) ?? workspace.parseCache.get(path)?.tree.text ?? fs.readFile(path);
  const analyses = (path: string): Analysis[] => workspace.analyzeFile(path).analyses;
  /** The first analysis of the file's main configs that has an answer. */
  const firstAnswer = <T>(path: string, f: (a: Analysis) => T[]): T[] => {
    for (const a of analyses(path)) {
      const r = f(a);
      if (r.length) return r;
    }
    return [];
  };
  const treeOf = (path: string) => {
    const cached = workspace.parseCache.get(path);
    const text = textOf(path);
    if (text === undefined) return undefined;
    return cached && cached.tree.text === text ? cached.tree : parse(text);
  };
  const setText = (path: string, text: string | undefined): void => {
    if (text === undefined) texts.delete(path);
    else texts.set(path, text);
    workspace.setOverlay(path, text);
  };
  /** The safe fixes of `findings` that can go together, none in or touching a file with syntax errors. */
  const unbrokenSafeFixes = (findings: Finding[]): Fix[] => {
    const broken = new Set(findings.filter((f) => f.ruleId === 'syntax-error').map((f) => f.path));
    return selectSafeFixes(findings.filter((f) => SAFE_FIXING.has(f.ruleId) && !broken.has(f.path))).filter((fix) => !fix.edits.some((e) => broken.has(e.path)));
  };
  const holding = (fixes: Fix[]): Fix[] => {
    let kept = fixes;
    for (const p of new Set(fixes.flatMap((f) => f.edits.map((e) => e.path)))) {
      const text = textOf(p);
      if (text === undefined) { kept = kept.filter((f) => !f.edits.some((e) => e.path === p)); continue; }
      const touching = kept.filter((f) => f.edits.some((e) => e.path === p));
      const ok = new Set(fixesThatHold(p, text, touching));
      kept = kept.filter((f) => !f.edits.some((e) => e.path === p) || ok.has(f));
    }
    return kept;
  };

  return {
    get settings() { return settings; },
    configure(next, root) {
      settings = next;
      rootConfig = root;
      workspace = makeWorkspace();
    },
    setText,
    filesChanged() {
      certificateFiles?.invalidate();
      workspace.invalidate();
    },
    releaseAnalyses() {
      workspace.invalidate();
      workspace.parseCache.clear();
    },
    textOf,

    diagnose(path, opts) {
      const fa = runCancellable(opts?.cancel, () => workspace.analyzeFile(path, opts?.context ? opts : undefined, opts?.scope === 'config', opts?.only === 'fixing'));
      const dependencies = new Set<string>();
      let directives = 0;
      let kept = 0, modelsReused = 0;
      const keptRules = new Set<string>();
      for (const a of fa.analyses) {
        for (const f of a.model.files.keys()) dependencies.add(f);
        directives += a.model.size;
        kept += a.kept;
        if (a.modelReused) modelsReused++;
        a.keptRules.forEach((r) => keptRules.add(r));
      }
      const why = texts.has(path) ? undefined : fs.readError?.(path);
      return { findings: fa.findings, roots: fa.roots, inferred: fa.inferred, dependencies: [...dependencies], directives, kept, keptRules: [...keptRules], modelsReused, unreadable: why };
    },
    fixesFor(path, findingId) {
      // An id starts with its rule's: only the findings of that rule have theirs spelt (from their range).
      const f = workspace.analyzeFile(path).findings.find((x) => findingId.startsWith(x.ruleId) && findingId[x.ruleId.length] === '@' && x.id === findingId);
      if (!f) return [];
      const broken = workspace.analyzeFile(path).findings.some((x) => x.ruleId === 'syntax-error');
      // In a file without syntax errors every statement is terminated and every block closed: the edit
      // builders' output needs no re-parse there. Mid-edit, each fix is checked on its own.
      return broken ? f.fixes.filter((fix) => holding([fix]).length === 1) : f.fixes;
    },
    fixAll(path, cancel) {
      return runCancellable(cancel, () => {
        const findings = workspace.analyzeFile(path).findings;
        if (findings.some((x) => x.ruleId === 'syntax-error')) return { refused: 'the file has syntax errors: fix them first' };
        return { fixes: holding(selectSafeFixes(findings.filter((f) => SAFE_FIXING.has(f.ruleId)))) };
      });
    },
    safeFixes(findings) {
      return holding(unbrokenSafeFixes(findings));
    },
    applySafeFixes(findings, release) {
      const fixes = unbrokenSafeFixes(findings);
      if (fixes.length === 0) return [];
      findings.length = 0;
      return applyFixRound(fixes, {
        textOf,
        forget: (p) => workspace.forget(p),
        release,
        set(p, text, tree) {
          setText(p, text);
          if (tree) workspace.adoptParse(p, tree);
        },
      });
    },

    hover(path, offset) {
      for (const a of analyses(path)) {
        const h = hoverAt(a.model, path, offset, settings, certificateFiles);
        if (h) return h;
      }
      return null;
    },
    complete(path, offset) {
      const a = analyses(path)[0];
      const text = textOf(path);
      return a && text !== undefined ? completions(a.model, path, text, offset, fs) : [];
    },
    definition: (path, offset) => firstAnswer(path, (a) => definitionAt(a.model, path, offset)),
    references: (path, offset) => firstAnswer(path, (a) => referencesAt(a.model, path, offset)),
    links(path) {
      const a = analyses(path)[0];
      return a ? documentLinks(a.model, path) : [];
    },
    symbols(path) {
      const t = treeOf(path);
      return t ? documentSymbols(t) : [];
    },
    folding(path) {
      const t = treeOf(path);
      return t ? foldingRanges(t) : [];
    },
    workspaceSymbols: (paths, query, cancel) => runCancellable(cancel, () => {
      const seen = new Set<string>();
      const out: WorkspaceSymbolEntry[] = [];
      const q = query.toLowerCase();
      const models = new Set<Analysis>();
      for (const p of paths) for (const a of analyses(p)) models.add(a);
      for (const a of models) {
        for (const s of workspaceSymbols(a.model)) {
          const key = s.path + ':' + s.start;
          if (seen.has(key) || (q && !s.name.toLowerCase().includes(q))) continue;
          seen.add(key);
          out.push(s);
        }
      }
      return out;
    }),
    format: (path, opts, range, cancel) => runCancellable(cancel, () => {
      const text = textOf(path);
      const tree = treeOf(path);
      if (text === undefined || !tree) return { error: 'not formatted: the file cannot be read' };
      return formatEdits(text, { alignMapValues: settings.alignMapValues, ...opts }, tree, range);
    }),
    formatOnType(path, offset, opts) {
      const text = textOf(path);
      const tree = treeOf(path);
      return text === undefined || !tree ? [] : formatOnType(text, { alignMapValues: settings.alignMapValues, ...opts }, offset, tree);
    },
    effectiveTls(path, offset) {
      const a = analyses(path)[0];
      return a ? effectiveTls(a.model, path, offset, settings.nginxVersion) : null;
    },
    inventory(path, opts) {
      const seen = new Set<string>();
      const out: TlsInventoryUse[] = [];
      for (const a of workspace.analyzeFile(path, opts?.context ? opts : undefined).analyses) {
        for (const u of tlsInventory(a.model, a.findings, settings.nginxVersion, certificateFiles)) {
          // A file several main configs include: one entry per distinct state.
          const key = u.file + '\0' + u.start + '\0' + u.effective.join('\0') + '\0' + u.server?.start + '\0' + u.location?.start;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(u);
        }
      }
      return out;
    },
    scaffold(path, offset, params) {
      const a = analyses(path)[0];
      const text = textOf(path);
      if (!a || text === undefined) return null;
      return scaffoldEdits(a.model, path, text, offset, { ...params, certificateName: params.certificateName || defaultCertificateName(params) });
    },
    parseTree: (path) => parseJson(path, fs),
    range(path, start, end) {
      const tree = treeOf(path);
      return rangeOf(tree ? tree.lineStarts : computeLineStarts(textOf(path) ?? ''), start, end);
    },
    probeTargets(path) {
      const files = certificateFiles;
      if (!files) return [];
      const seen = new Map<string, ProbeTarget>();
      for (const a of analyses(path)) for (const t of probeTargets(a.model, files, tlsUses(a.model), settings.nginxVersion)) seen.set(probeKey(t.host, t.port, t.sni, t.offer), t);
      return [...seen.values()];
    },
    certificateCandidates(path) {
      const a = analyses(path)[0];
      if (!a || !certificateFiles) return { cas: [], clients: [] };
      return certificateCandidates(a.model, certificateFiles, fs, options.workspaceFolders?.() ?? []);
    },
    setProbeResults(results) {
      probeResults = results;
      certificateFiles?.setProbes(results);
      workspace.invalidate();
    },
    rules: () => RULES.map((r) => ({ id: r.id, title: r.title, defaultSeverity: r.defaultSeverity, explanation: r.explanation, nginxRejects: r.nginxRejects, safeFixes: r.safeFixes === true, tags: r.tags ?? [], securitySeverity: r.securitySeverity, cis: r.cis, cases: r.cases })),
  };
}

