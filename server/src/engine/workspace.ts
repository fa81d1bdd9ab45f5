// Many files, one config: find the main config(s) that include a file, analyse it in the context they give
// it, and fall back to an inferred context for a fragment nobody includes.

import { analyze, Analysis } from './analyze';
import { BlockKind } from './knowledge/contexts';
import { ConfigFile, ModelOptions } from './model/model';
import { FileSystem } from './model/filesystem';
import { declaredContext, inferContext } from './model/context-inference';
import { dirname, hasGlob, join, normalize } from './model/paths';
import { parse } from './syntax/parser';
import { EngineSettings, Finding } from './types';
import { rangeOf } from './syntax/positions';

export interface WorkspaceOptions {
  /** Files that may be main configs (the adapter lists them; only those that look like one are used). */
  candidates(): string[];
  /** A root named by the user: used for every file it includes. */
  explicitRoot?: string;
}

export interface FileAnalysis {
  /** Root configs the file was analysed under (the file itself when it is one). */
  roots: string[];
  /** Context given to the file when no root includes it. */
  inferred: BlockKind | null;
  analyses: Analysis[];
  /** Findings in the requested file, deduplicated across roots. */
  findings: Finding[];
}

const MAIN_HINT = /^[ \t]*(http|events|stream)[ \t\r\n]*\{/m;

// `include ARG;` found by a scan of the raw text, no parse: it may also match inside a comment or a string,
// which only makes a file a candidate for the real analysis that then decides. It never misses a real
// include (nginx's include takes one argument and no variables).
const INCLUDE_SCAN = /(?:^|[\s;{}])include\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s;{}"']+)\s*;/g;

/** Past this many files, the cheap include closure gives up and answers "may include". */
const MAX_SCAN_FILES = 2000;

export class Workspace {
  readonly parseCache = new Map<string, ConfigFile>();
  private rootCache = new Map<string, Analysis>();
  private overlays = new Map<string, string>();

  constructor(private fs: FileSystem, public settings: EngineSettings, private opts: WorkspaceOptions) {}

  /** Whether each candidate is a main config; cleared for a file when its text changes. */
  private mainCache = new Map<string, boolean>();
  /** Raw include arguments of each file, from a text scan; cleared for a file when its text changes. */
  private includeArgs = new Map<string, string[]>();
  /** Analyses run so far (tests use it to see what an edit costs). */
  analysisCount = 0;

  /**
   * An editor buffer replaces the disk's text for `path` (undefined: back to the disk). Only analyses that
   * read that file are dropped: an edit in one site does not re-analyse every main config of the workspace.
   */
  setOverlay(path: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(path);
    else this.overlays.set(path, text);
    this.mainCache.delete(path);
    const before = this.includeArgs.get(path);
    this.includeArgs.delete(path);
    // Include closures hold only while no file's includes change; typing elsewhere keeps them.
    if (before === undefined || this.scannedIncludes(path).join('\0') !== before.join('\0')) this.closures.clear();
    for (const [key, a] of this.rootCache) {
      if (key === path || key.startsWith('\0fragment:') && key.endsWith(':' + path) || a.model.files.has(path)) this.rootCache.delete(key);
    }
  }

  /** Files appeared, disappeared or changed on disk: everything may depend on them (globs included). */
  invalidate(): void {
    this.rootCache.clear();
    this.mainCache.clear();
    this.includeArgs.clear();
    this.closures.clear();
  }

  /** Files each main config reaches by scanned includes (null: too many to follow). */
  private closures = new Map<string, Set<string> | null>();

  private scannedIncludes(path: string): string[] {
    let args = this.includeArgs.get(path);
    if (args === undefined) {
      args = [];
      const text = this.read(path);
      if (text !== undefined && text.length <= this.settings.maxAnalysisBytes && text.includes('include')) {
        for (const m of text.matchAll(INCLUDE_SCAN)) {
          const raw = m[1];
          args.push(raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
        }
      }
      this.includeArgs.set(path, args);
    }
    return args;
  }

  /**
   * Whether `main` can reach `target` through includes, judged from text scans alone (paths resolve against
   * the main config's folder, as nginx resolves them). False only when it certainly cannot: a folder of
   * unrelated configs, a 20 MB one among them, costs a scan each and no parse or analysis.
   */
  private mayInclude(main: string, target: string): boolean {
    let reached = this.closures.get(main);
    if (reached === undefined) {
      reached = this.closure(main);
      this.closures.set(main, reached);
    }
    return reached === null || reached.has(target);
  }

  private closure(main: string): Set<string> | null {
    const prefix = dirname(main);
    const seen = new Set<string>([main]);
    const queue = [main];
    while (queue.length) {
      if (seen.size > MAX_SCAN_FILES) return null;
      const file = queue.pop()!;
      for (const arg of this.scannedIncludes(file)) {
        const pattern = arg.startsWith('/') ? normalize(arg) : join(prefix, arg);
        for (const hit of hasGlob(pattern) ? this.fs.glob(pattern) : [pattern]) {
          if (!seen.has(hit)) { seen.add(hit); queue.push(hit); }
        }
      }
    }
    seen.delete(main);
    return seen;
  }

  private read(path: string): string | undefined {
    return this.overlays.get(path) ?? this.fs.readFile(path);
  }

  private modelOptions(extra: Partial<ModelOptions> = {}): ModelOptions {
    return { overlays: this.overlays, parseCache: this.parseCache, ...extra };
  }

  /** Whether a file is a complete nginx.conf (has http/events/stream at its top level). */
  isMainConfig(path: string): boolean {
    let main = this.mainCache.get(path);
    if (main === undefined) {
      const text = this.read(path);
      main = text !== undefined && MAIN_HINT.test(text) && inferContext(this.parsed(path, text).tree) === 'main';
      this.mainCache.set(path, main);
    }
    return main;
  }

  private parsed(path: string, text: string): ConfigFile {
    const cached = this.parseCache.get(path);
    if (cached && cached.tree.text === text) return cached;
    const file = { path, tree: parse(text) };
    this.parseCache.set(path, file);
    return file;
  }

  analyzeRoot(root: string): Analysis {
    let a = this.rootCache.get(root);
    if (!a) {
      this.analysisCount++;
      a = analyze(root, this.fs, this.settings, this.modelOptions());
      this.rootCache.set(root, a);
    }
    return a;
  }

  /**
   * Where a fragment's relative includes resolve: nginx uses the main config's folder, which for the usual
   * layouts (/etc/nginx/sites-enabled/x, conf.d/x.conf) is the nearest folder above with an nginx.conf, or
   * one named nginx. Without either, the fragment's own folder.
   */
  private fragmentPrefix(path: string): string {
    let dir = dirname(path);
    for (let i = 0; i < 4 && dir !== '/' && dir !== '.'; i++) {
      if (this.fs.readFile(dir + '/nginx.conf') !== undefined || dir.endsWith('/nginx')) return dir;
      dir = dirname(dir);
    }
    return dirname(path);
  }

  /** A file too large to analyse: its syntax errors, and a finding saying why there is nothing else. */
  private syntaxOnly(path: string, text: string): FileAnalysis {
    const tree = this.parsed(path, text).tree;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1) + ' MB';
    const findings: Finding[] = tree.errors.map((e, i) => ({
      id: 'syntax-error@' + path + ':' + e.start + '-' + e.end + (i ? '#' + i : ''),
      ruleId: 'syntax-error', severity: 'error' as const, message: e.message, path, start: e.start, end: e.end,
      range: rangeOf(tree.lineStarts, e.start, e.end), nginxLine: e.nginxLine, fixes: [], related: [],
    }));
    findings.unshift({
      id: 'file-too-large@' + path, ruleId: 'file-too-large', severity: 'information', path, start: 0, end: 0, range: rangeOf(tree.lineStarts, 0, 0), fixes: [], related: [],
      message: `This file is ${mb(text.length)}, above the ${mb(this.settings.maxAnalysisBytes)} limit (setting nginxTlsProxy.maxFileSize): only its syntax is checked.`,
    });
    return { roots: [], inferred: null, analyses: [], findings };
  }

  /** Main configs whose expanded config contains `path`. */
  rootsOf(path: string): string[] {
    if (this.opts.explicitRoot) {
      const a = this.analyzeRoot(this.opts.explicitRoot);
      if (a.model.files.has(path)) return [this.opts.explicitRoot];
    }
    // Only configs that can reach the file through includes are parsed and analysed. A main-looking file
    // that another main config includes (an http.conf pulled into nginx.conf) is part of that config, not a
    // config of its own: only the outermost ones are roots.
    const candidates = this.opts.candidates();
    const reaching = candidates.filter((c) => c !== path && this.mayInclude(c, path) && this.isMainConfig(c));
    const inner = new Set(reaching.filter((m) => reaching.some((o) => o !== m && this.mayInclude(o, m))));
    const roots = reaching.filter((m) => !inner.has(m) && this.analyzeRoot(m).model.files.has(path));
    // Those that turned out not to be included after all are roots again, if nothing else holds the file.
    if (roots.length === 0) {
      for (const m of inner) if (this.analyzeRoot(m).model.files.has(path) && !reaching.some((o) => o !== m && this.analyzeRoot(o).model.files.has(m))) roots.push(m);
    }
    if (roots.length === 0 && this.isMainConfig(path) && !candidates.some((c) => c !== path && this.mayInclude(c, path) && this.isMainConfig(c) && this.analyzeRoot(c).model.files.has(path))) roots.push(path);
    return roots;
  }

  /** `alone`: analyse the file on its own as the body of a block of that kind (no main config looked for). */
  analyzeFile(path: string, alone?: { context?: BlockKind; prefix?: string; partial?: boolean }, everyFile = false): FileAnalysis {
    const context = alone?.context;
    const prefix = alone?.prefix;
    const own = this.read(path);
    if (own !== undefined && own.length > this.settings.maxAnalysisBytes) return this.syntaxOnly(path, own);
    const roots = context ? [] : this.rootsOf(path);
    let analyses: Analysis[];
    let inferred: BlockKind | null = null;
    if (roots.length) analyses = roots.map((r) => this.analyzeRoot(r));
    else {
      const text = this.read(path);
      if (text === undefined) return { roots, inferred, analyses: [], findings: [] };
      const tree = this.parsed(path, text).tree;
      inferred = context ?? inferContext(tree);
      const declared = context === undefined ? declaredContext(tree) !== undefined : !!alone?.partial;
      const key = '\0fragment:' + (context ?? '') + ':' + (prefix ?? '') + ':' + (declared ? 'p' : '') + ':' + path;
      let a = this.rootCache.get(key);
      if (!a) {
        this.analysisCount++;
        a = analyze(path, this.fs, this.settings, this.modelOptions({ rootKind: inferred, prefix: prefix ?? this.fragmentPrefix(path), fragment: declared, contextGuessed: context === undefined && declaredContext(tree) === undefined }));
        this.rootCache.set(key, a);
      }
      analyses = [a];
    }
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const a of analyses) {
      for (const f of a.findings) {
        if (f.path !== path && !everyFile) continue;
        const key = f.ruleId + '\0' + f.path + '\0' + f.start + '\0' + f.end + '\0' + f.message;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(f);
      }
    }
    return { roots, inferred, analyses, findings };
  }
}
