// The only door from the engine to files. The CLI and the server give one backed by the disk (and the
// editor's unsaved buffers); tests can give one backed by a Map.

import { globMatcher } from './paths';

export interface FileSystem {
  /** The text of a file, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** Why the last readFile of `path` failed, in nginx's form ("2: No such file or directory"), if known. */
  readError?(path: string): string | undefined;
  /**
   * Whether the file's text holds `word` (ASCII), told without reading it into a string; optional, and
   * undefined when it cannot tell. Discovery asks it first: a neighbour that never says `include` includes
   * nothing, and a big one is then not read at all.
   */
  mentions?(path: string, word: string): boolean | undefined;
  /** Absolute paths matching a glob(3) pattern (no brace expansion), sorted like nginx sorts them. */
  glob(pattern: string): string[];
  /**
   * The file's identity (its path with symlinks resolved), optional: two paths with one identity are one
   * file, so a file reached through a link (sites-enabled/x → ../sites-available/x) is analysed in the
   * context of the config that includes the link. Without it, a path is its own identity. Never throws: a
   * path that cannot be resolved (missing, unreadable) is its own identity.
   */
  realpath?(path: string): string;
  /** Entries of a directory (names, directories with a trailing `/`), for path completion; optional. */
  listDir?(path: string): string[];
}

export function memoryFileSystem(files: Record<string, string>): FileSystem {
  return {
    readFile: (p) => files[p],
    glob: (pattern) => Object.keys(files).filter(globMatcher(pattern)).sort(),
  };
}

/**
 * What an `include` glob matches: the files `fs` finds, and the unsaved buffers at paths it would match (a
 * buffer stands for its file, saved or not, as it does for an include that names it).
 */
export function globWithBuffers(fs: FileSystem, pattern: string, buffers: ReadonlyMap<string, string> | undefined): string[] {
  const hits = fs.glob(pattern);
  if (!buffers?.size) return hits;
  const matches = globMatcher(pattern);
  const found = new Set(hits);
  const extra = [...buffers.keys()].filter((p) => !found.has(p) && matches(p));
  return extra.length ? [...hits, ...extra].sort() : hits;
}
