// The only door from the engine to files. The CLI and the server give one backed by the disk (and the
// editor's unsaved buffers); tests can give one backed by a Map.

import { globSegmentToRegExp } from './paths';

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
    glob: (pattern) => {
      const segs = pattern.split('/');
      const res = segs.map((s) => globSegmentToRegExp(s));
      return Object.keys(files)
        .filter((f) => {
          const fs = f.split('/');
          return fs.length === segs.length && fs.every((s, i) => res[i].test(s));
        })
        .sort();
    },
  };
}
