// What the tests ask the engine, through its one door (the language service): a config analysed as a
// complete nginx.conf or as the body of a given block, the rules with their cases, a version by name.

import { createLanguageService, defaultSettings, memoryFileSystem, resolveSettings } from '../../server/src/engine';
import type { BlockKind, CertificateParser, EngineSettings, FileSystem, Finding, LanguageService } from '../../server/src/engine';

export const RULES = createLanguageService({ fs: memoryFileSystem({}) }).rules();

export function parseVersion(v: string): EngineSettings['nginxVersion'] {
  const r = resolveSettings({ nginxVersion: v });
  if (r.problems.length) throw new Error(r.problems.join('; '));
  return r.settings.nginxVersion;
}

/**
 * `path` analysed on its own: a complete nginx.conf unless `rootKind` names the block it is the body of.
 * Relative paths resolve against `prefix` (default: its folder, or the nearest one above with an nginx.conf).
 */
export function analyze(path: string, fs: FileSystem, settings: EngineSettings = defaultSettings(), opts: { rootKind?: BlockKind; prefix?: string; fragment?: boolean; certificates?: CertificateParser; workspaceFolders?: string[] } = {}): { findings: Finding[]; service: LanguageService; files: number; directives: number } {
  const service = createLanguageService({ fs, settings, candidates: () => [path], certificates: opts.certificates, workspaceFolders: opts.workspaceFolders ? () => opts.workspaceFolders! : undefined });
  const dx = service.diagnose(path, { context: opts.rootKind ?? 'main', prefix: opts.prefix, partial: opts.fragment, scope: 'config' });
  return { findings: dx.findings, service, files: dx.dependencies.length, directives: dx.directives };
}

/** The context the engine infers for a file's text when nothing includes it ('main' for a complete config). */
export function inferContext(text: string | { text: string }): BlockKind {
  if (typeof text !== 'string') text = text.text;
  const p = '/infer/fragment.conf';
  return createLanguageService({ fs: memoryFileSystem({ [p]: text }) }).diagnose(p).inferred ?? 'main';
}
