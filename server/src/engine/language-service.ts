// The engine's one door. The language server, the CLI and the tests get everything through the object
// createLanguageService returns: plain data in (paths, offsets, texts), plain data out (findings, fixes,
// edits, markdown). Offsets are UTF-16 code units into the file's current text (the editor buffer when one
// was given with setText, else the file system's).

import { BlockKind } from './knowledge/contexts';
import { FileSystem } from './model/filesystem';
import { Analysis } from './analyze';
import { Workspace } from './workspace';
import { fixesThatHold } from './fixes/validate';
import { selectSafeFixes } from './fixes/select';
import { RULES } from './rules';
import type { RuleCases } from './rules/rule';
import { EngineSettings, Finding, Fix, Severity, TextEdit } from './types';
import { defaultSettings } from './settings';
import { completions, CompletionEntry } from './service/completion';
import { effectiveTls } from './service/effective-tls';
import { formatEdits, FormatOptions, LineEdit } from './service/format';
import { definitionAt, documentLinks, Link, referencesAt, Target, workspaceSymbols, WorkspaceSymbolEntry } from './service/navigation';
import { defaultCertificateName, scaffoldEdits, ScaffoldParams } from './service/scaffold';
import { documentSymbols, FoldRange, foldingRanges, OutlineSymbol } from './service/symbols';
import { hoverAt, HoverResult } from './service/hover';
import { parseJson } from './service/parse-json';
import { parse } from './syntax/parser';
import { computeLineStarts, rangeOf, Range } from './syntax/positions';

export interface LanguageServiceOptions {
  fs: FileSystem;
  settings?: EngineSettings;
  /** Files that may be main configs (the adapter lists them: workspace folders, the CLI's paths). */
  candidates?: () => string[];
  /** A main config named by the user (absolute path): used for every file it includes. */
  rootConfig?: string;
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
  /** Why the file itself could not be read, if it could not. */
  unreadable?: string;
}

export interface RuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity;
  explanation: string;
  nginxRejects: boolean;
  tags: string[];
  securitySeverity?: number;
  cis?: { benchmark: string; recommendation: string; source?: string };
  /** The rule's own examples (its documentation and its tests). */
  cases: RuleCases;
}

export type FixAllResult = { fixes: Fix[] } | { refused: string };

export interface LanguageService {
  readonly settings: EngineSettings;
  /** New settings or a new main config: every analysis is dropped. */
  configure(settings: EngineSettings, rootConfig?: string): void;
  /** An editor buffer replaces the file system's text of `path` (undefined: back to the file system). */
  setText(path: string, text: string | undefined): void;
  /** Files appeared, disappeared or changed on disk. */
  filesChanged(): void;
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
  fixAll(path: string): FixAllResult;
  /**
   * The safe fixes of `findings` (of any files) that can be applied together in one round: never two at
   * one place or adding one directive to one block twice, none touching a file with syntax errors, and
   * each re-parsing as meant. Apply them, setText the results, diagnose again, repeat.
   */
  safeFixes(findings: Finding[]): Fix[];

  hover(path: string, offset: number): HoverResult | null;
  complete(path: string, offset: number): CompletionEntry[];
  definition(path: string, offset: number): Target[];
  references(path: string, offset: number): Target[];
  links(path: string): Link[];
  symbols(path: string): OutlineSymbol[];
  folding(path: string): FoldRange[];
  workspaceSymbols(paths: string[], query: string): WorkspaceSymbolEntry[];
  format(path: string, options: FormatOptions): LineEdit[];
  effectiveTls(path: string, offset: number): { where: string; lines: string[] } | null;
  scaffold(path: string, offset: number, params: ScaffoldParams): TextEdit[] | null;
  /** The parsed config with includes resolved, in a shape close to crossplane's payload. */
  parseTree(path: string): unknown;
  /** Line/character range of an offset span in a file's current text (LSP's line rules). */
  range(path: string, start: number, end: number): Range;
  rules(): RuleInfo[];
}

export function createLanguageService(options: LanguageServiceOptions): LanguageService {
  const fs = options.fs;
  let settings = options.settings ?? defaultSettings();
  let rootConfig = options.rootConfig;
  const texts = new Map<string, string>();
  const candidates = options.candidates ?? (() => []);
  let workspace = makeWorkspace();

  function makeWorkspace(): Workspace {
    const ws = new Workspace(fs, settings, { candidates, explicitRoot: rootConfig });
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
    setText(path, text) {
      if (text === undefined) texts.delete(path);
      else texts.set(path, text);
      workspace.setOverlay(path, text);
    },
    filesChanged() {
      workspace.invalidate();
    },
    textOf,

    diagnose(path, opts) {
      const fa = workspace.analyzeFile(path, opts?.context ? opts : undefined, opts?.scope === 'config');
      const dependencies = new Set<string>();
      let directives = 0;
      for (const a of fa.analyses) {
        for (const f of a.model.files.keys()) dependencies.add(f);
        directives += a.model.all.length;
      }
      const why = texts.has(path) ? undefined : fs.readError?.(path);
      return { findings: fa.findings, roots: fa.roots, inferred: fa.inferred, dependencies: [...dependencies], directives, unreadable: why };
    },
    fixesFor(path, findingId) {
      const f = workspace.analyzeFile(path).findings.find((x) => x.id === findingId);
      if (!f) return [];
      const broken = workspace.analyzeFile(path).findings.some((x) => x.ruleId === 'syntax-error');
      // In a file without syntax errors every statement is terminated and every block closed: the edit
      // builders' output needs no re-parse there. Mid-edit, each fix is checked on its own.
      return broken ? f.fixes.filter((fix) => holding([fix]).length === 1) : f.fixes;
    },
    fixAll(path) {
      const findings = workspace.analyzeFile(path).findings;
      if (findings.some((x) => x.ruleId === 'syntax-error')) return { refused: 'the file has syntax errors: fix them first' };
      return { fixes: holding(selectSafeFixes(findings)) };
    },
    safeFixes(findings) {
      const broken = new Set(findings.filter((f) => f.ruleId === 'syntax-error').map((f) => f.path));
      return holding(selectSafeFixes(findings.filter((f) => !broken.has(f.path))).filter((fix) => !fix.edits.some((e) => broken.has(e.path))));
    },

    hover(path, offset) {
      for (const a of analyses(path)) {
        const h = hoverAt(a.model, path, offset, settings);
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
    workspaceSymbols(paths, query) {
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
    },
    format(path, opts) {
      const text = textOf(path);
      const tree = treeOf(path);
      return text === undefined || !tree ? [] : formatEdits(text, opts, tree);
    },
    effectiveTls(path, offset) {
      const a = analyses(path)[0];
      return a ? effectiveTls(a.model, path, offset, settings.nginxVersion) : null;
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
    rules: () => RULES.map((r) => ({ id: r.id, title: r.title, defaultSeverity: r.defaultSeverity, explanation: r.explanation, nginxRejects: r.nginxRejects, tags: r.tags ?? [], securitySeverity: r.securitySeverity, cis: r.cis, cases: r.cases })),
  };
}

