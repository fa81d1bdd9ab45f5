// Many files, one config: find the main config(s) that include a file, analyse it in the context they give
// it, and fall back to an inferred context for a fragment nobody includes.

import { analyze, Analysis, completeAnalysis } from './analyze';
import { BlockKind } from './knowledge/contexts';
import { ConfigFile, ModelOptions } from './model/model';
import { FileSystem, globWithBuffers } from './model/filesystem';
import { ReadOnce } from './model/read-once';
import { declaredContext, inferContext } from './model/context-inference';
import { dirname, hasGlob, join, normalize } from './model/paths';
import { reparse } from './syntax/reparse';
import type { SyntaxTree } from './syntax/types';
import { EngineSettings, Finding } from './types';
import { rangeOf } from './syntax/positions';
import { pollCancellation } from './cancellation';
import type { CertificateFiles } from './certificates/files';
import { toldOnce } from './told-once';

export interface WorkspaceOptions {
  /** Files that may be main configs (the adapter lists them; only those that look like one are used). */
  candidates(): string[];
  /** A root named by the user: used for every file it includes. */
  explicitRoot?: string;
  /** The certificate files configs name, when the adapter can read certificates. */
  certificates?: CertificateFiles;
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

/**
 * Editor buffers by path, looked up by identity too: the text of sites-available/x typed in the editor is
 * what an analysis that reaches the file as sites-enabled/x (a symlink) reads.
 */
class Overlays extends Map<string, string> {
  private byId: Map<string, string> | undefined;

  constructor(private readonly id: (path: string) => string) {
    super();
  }

  override set(path: string, text: string): this {
    super.set(path, text);
    (this.byId ??= new Map()).set(this.id(path), text);
    return this;
  }

  override delete(path: string): boolean {
    this.byId?.delete(this.id(path));
    return super.delete(path);
  }

  override get(path: string): string | undefined {
    const own = super.get(path);
    if (own !== undefined || !this.byId?.size) return own;
    return this.byId.get(this.id(path));
  }

  override has(path: string): boolean {
    return super.has(path) || (!!this.byId?.size && this.byId.has(this.id(path)));
  }
}

/** Beyond this change of length an edit is not one incremental analysis takes (one span on one line). */
const MAX_INCREMENTAL_DELTA = 4096;

/** A finding read under one name of a file (a link), told under another (the file the user asked about). */
function rehome(f: Finding, from: string, to: string): Finding {
  const swap = (p: string) => (p === from ? to : p);
  const out: Finding = {
    id: f.id.split(from).join(to),
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    path: swap(f.path),
    start: f.start,
    end: f.end,
    range: f.range,
    fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: swap(e.path), scope: e.scope?.startsWith(from + ':') ? to + e.scope.slice(from.length) : e.scope })) })),
    related: f.related.map((r) => ({ ...r, path: swap(r.path) })),
  };
  if (f.nginxLine !== undefined) out.nginxLine = f.nginxLine;
  return out;
}

export class Workspace {
  readonly parseCache = new Map<string, ConfigFile>();
  private rootCache = new Map<string, Analysis>();
  private overlays: Overlays;

  private readonly fs: ReadOnce;

  constructor(fs: FileSystem, public settings: EngineSettings, private opts: WorkspaceOptions) {
    this.fs = new ReadOnce(fs);
    this.overlays = new Overlays((p) => this.real(p));
  }

  /** A file's identity: symlinks resolved when the file system can say, else the path itself. */
  private real(path: string): string {
    return this.fs.realpath ? this.fs.realpath(path) : path;
  }

  /** For each analysis, the identities of the files it read, each with the path it read it under. */
  private identities = new WeakMap<Analysis, Map<string, string>>();

  /** The path under which an analysis read `path` (the path itself, or a link to the same file), if it did. */
  private aliasIn(a: Analysis, path: string): string | undefined {
    if (a.model.files.has(path)) return path;
    if (!this.fs.realpath) return undefined;
    let ids = this.identities.get(a);
    if (!ids) {
      ids = new Map();
      for (const f of a.model.files.keys()) {
        const id = this.real(f);
        if (!ids.has(id)) ids.set(id, f);
      }
      this.identities.set(a, ids);
    }
    return ids.get(this.real(path));
  }

  /** Whether the analysis of main config `root` reads `path` (under that name or through a link). */
  private holds(root: string, path: string): boolean {
    return this.aliasIn(this.analyzeRoot(root), path) !== undefined;
  }

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
    const had = this.overlays.has(path);
    if (text === undefined) this.overlays.delete(path);
    else this.overlays.set(path, text);
    // A buffer at a path no file has is matched by include globs (model/filesystem.ts): its coming or going
    // changes what globs find, as a file created or deleted on disk does. Asked only then (opening or
    // closing a buffer), never per keystroke.
    if (had !== (text !== undefined) && !hasGlob(path) && this.fs.glob(path).length === 0) {
      this.invalidate();
      return;
    }
    this.mainCache.delete(path);
    const before = this.includeArgs.get(path);
    this.includeArgs.delete(path);
    // Include closures hold only while no file's includes change; typing elsewhere keeps them.
    if (before === undefined || this.scannedIncludes(path).join('\0') !== before.join('\0')) this.closures.clear();
    if (this.fs.realpath) {
      // The same file under other names (links to it) changed too.
      const id = this.real(path);
      for (const other of [...this.includeArgs.keys()]) if (other !== path && this.real(other) === id) { this.includeArgs.delete(other); this.mainCache.delete(other); this.closures.clear(); }
    }
    for (const [key, a] of this.rootCache) {
      if (this.reads(key, a, path)) {
        this.rootCache.delete(key);
        // The next analysis of this root starts from this one where the edit allows (see incremental.ts). An
        // edit that changes the length by more than a line can (all fixes applied at once) never does: the
        // old analysis is let go now rather than held beside the new one while it is built.
        const was = a.model.files.get(path)?.tree.text;
        if (text !== undefined && (was === undefined || Math.abs(was.length - text.length) <= MAX_INCREMENTAL_DELTA)) this.previous.set(key, a);
      }
    }
  }

  /** Whether the analysis cached under `key` read `path`: its root, the fragment it analysed, or a file it included. */
  private reads(key: string, a: Analysis, path: string): boolean {
    return key === path || key.startsWith('\0fragment:') && key.endsWith(':' + path) || this.aliasIn(a, path) !== undefined;
  }

  /** Analyses dropped by an edit, kept until their root is analysed again. */
  private previous = new Map<string, Analysis>();

  private takePrevious(key: string): Analysis | undefined {
    const a = this.previous.get(key);
    this.previous.delete(key);
    return a;
  }

  /** Files appeared, disappeared or changed on disk: everything may depend on them (globs included). */
  invalidate(): void {
    this.rootCache.clear();
    this.previous.clear();
    this.mainCache.clear();
    this.includeArgs.clear();
    this.closures.clear();
  }

  /**
   * Lets go of every analysis that read `path`, and of its parse: `check --fix` rewrites the whole file, and
   * the old analysis would otherwise be held while the new text is parsed. The file's text stays as it is.
   */
  forget(path: string): void {
    for (const [key, a] of this.rootCache) if (this.reads(key, a, path)) this.rootCache.delete(key);
    for (const [key, a] of this.previous) if (this.reads(key, a, path)) this.previous.delete(key);
    this.parseCache.delete(path);
  }

  /** `tree` is the parse of `path`'s text (set just before): the next analysis takes it instead of parsing. */
  adoptParse(path: string, tree: SyntaxTree): void {
    if (this.read(path) === tree.text) this.parseCache.set(path, { path, tree });
  }

  /** Files each main config reaches by scanned includes (null: too many to follow). */
  private closures = new Map<string, Set<string> | null>();

  private scannedIncludes(path: string): string[] {
    let args = this.includeArgs.get(path);
    if (args === undefined) {
      args = [];
      // Most neighbours of a file include nothing: asked of their bytes first, they are not read into a string.
      const none = !this.overlays.has(path) && this.fs.mentions?.(path, 'include') === false;
      const text = none ? undefined : this.read(path);
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
    return reached === null || reached.has(target) || (!!this.fs.realpath && reached.has(this.real(target)));
  }

  private closure(main: string): Set<string> | null {
    const prefix = dirname(main);
    const seen = new Set<string>([main]);
    const queue = [main];
    while (queue.length) {
      pollCancellation();
      if (seen.size > MAX_SCAN_FILES) return null;
      const file = queue.pop()!;
      for (const arg of this.scannedIncludes(file)) {
        const pattern = arg.startsWith('/') ? normalize(arg) : join(prefix, arg);
        for (const hit of hasGlob(pattern) ? globWithBuffers(this.fs, pattern, this.overlays) : [pattern]) {
          if (!seen.has(hit)) { seen.add(hit); queue.push(hit); }
        }
      }
    }
    seen.delete(main);
    // Identities too: a file reached through a link (sites-enabled/x) is reached under its own name.
    if (this.fs.realpath) for (const hit of [...seen]) seen.add(this.real(hit));
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
    const file = { path, tree: reparse(cached?.tree, text) };
    this.parseCache.set(path, file);
    return file;
  }

  analyzeRoot(root: string): Analysis {
    return this.cached(root, () => analyze(root, this.fs, this.settings, this.modelOptions(), this.opts.certificates, this.takePrevious(root), this.onlyFixing));
  }

  /**
   * Set while `analyzeFile` runs for `check --fix`'s rounds: new analyses run only the fixing rules, and a
   * cached one of the same text serves whatever it ran. An analysis asked for whole afterwards runs the other
   * rules on the same model.
   */
  private onlyFixing = false;

  private cached(key: string, make: () => Analysis): Analysis {
    let a = this.rootCache.get(key);
    if (a?.ran && !this.onlyFixing) {
      a = completeAnalysis(a, this.settings, this.opts.certificates);
      this.rootCache.set(key, a);
    }
    if (!a) {
      this.analysisCount++;
      a = make();
      this.rootCache.set(key, a);
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
      if (this.holds(this.opts.explicitRoot, path)) return [this.opts.explicitRoot];
    }
    // Only configs that can reach the file through includes are parsed and analysed. A main-looking file
    // that another main config includes (an http.conf pulled into nginx.conf) is part of that config, not a
    // config of its own: only the outermost ones are roots.
    const candidates = this.opts.candidates();
    const reaching = candidates.filter((c) => c !== path && this.mayInclude(c, path) && this.isMainConfig(c));
    const inner = new Set(reaching.filter((m) => reaching.some((o) => o !== m && this.mayInclude(o, m))));
    const roots = reaching.filter((m) => !inner.has(m) && this.holds(m, path));
    // Those that turned out not to be included after all are roots again, if nothing else holds the file.
    if (roots.length === 0) {
      for (const m of inner) if (this.holds(m, path) && !reaching.some((o) => o !== m && this.holds(o, m))) roots.push(m);
    }
    if (roots.length === 0 && this.isMainConfig(path) && !candidates.some((c) => c !== path && this.mayInclude(c, path) && this.isMainConfig(c) && this.holds(c, path))) roots.push(path);
    return roots;
  }

  /** `alone`: analyse the file on its own as the body of a block of that kind (no main config looked for). */
  analyzeFile(path: string, alone?: { context?: BlockKind; prefix?: string; partial?: boolean }, everyFile = false, onlyFixing = false): FileAnalysis {
    this.onlyFixing = onlyFixing;
    try {
      return this.fs.during(() => this.analyzeFileOnce(path, alone, everyFile));
    } finally {
      this.onlyFixing = false;
    }
  }

  private analyzeFileOnce(path: string, alone: { context?: BlockKind; prefix?: string; partial?: boolean } | undefined, everyFile: boolean): FileAnalysis {
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
      const kind = context ?? inferContext(tree);
      inferred = kind;
      const declared = context === undefined ? declaredContext(tree) !== undefined : !!alone?.partial;
      const key = '\0fragment:' + (context ?? '') + ':' + (prefix ?? '') + ':' + (declared ? 'p' : '') + ':' + path;
      analyses = [this.cached(key, () => analyze(path, this.fs, this.settings, this.modelOptions({ rootKind: kind, prefix: prefix ?? this.fragmentPrefix(path), fragment: declared, contextGuessed: context === undefined && declaredContext(tree) === undefined }), this.opts.certificates, this.takePrevious(key), this.onlyFixing))];
    }
    // Several main configs can include the file: a finding they share is told once.
    const firstTime = toldOnce();
    const findings: Finding[] = [];
    for (const a of analyses) {
      // The file may have been read under another name (a link to it): its findings are told under this one.
      const alias = roots.length ? this.aliasIn(a, path) ?? path : path;
      // One analysis tells each finding once already (run-rules drops repeats): nothing to compare, unless
      // findings under another name of the file are told under this one too.
      const shared = analyses.length > 1 || alias !== path;
      const foundList = a.findings;
      for (let foundIndex = 0; foundIndex < foundList.length; foundIndex++) {
        const found = foundList[foundIndex];
        if (found.path !== alias && !everyFile) continue;
        const f = alias !== path && found.path === alias ? rehome(found, alias, path) : found;
        if (!shared) {
          findings.push(f);
          continue;
        }
        if (firstTime(f)) findings.push(f);
      }
    }
    return { roots, inferred, analyses, findings };
  }
}
