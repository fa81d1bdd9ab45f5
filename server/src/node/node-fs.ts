// The engine's FileSystem on the local disk. Non-UTF-8 files are read as latin1 so that writing a fix back
// restores every byte that was not edited.

import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSegmentToRegExp } from '../engine';
import type { FileSystem } from '../engine';

const decoder = new TextDecoder('utf-8', { fatal: true });

export type Encoding = 'utf8' | 'latin1';

export function decode(buf: Buffer): { text: string; encoding: Encoding } {
  // Most configs are ASCII: as latin1 they are the same string, and a large one is kept outside the JS heap
  // (a decoded one is a heap object the collector has to carry).
  if (isAscii(buf)) return { text: buf.toString('latin1'), encoding: 'utf8' };
  try {
    return { text: decoder.decode(buf), encoding: 'utf8' };
  } catch {
    return { text: buf.toString('latin1'), encoding: 'latin1' };
  }
}

/** Files larger than this are not read as configs (a binary or a log opened by mistake). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

// Pseudo file systems report size 0 (or a made-up size) for files that read on forever or change on
// every read: /proc/self/pagemap alone would exhaust memory. They are never configs.
const PSEUDO_FS: Record<number, string> = { 0x9fa0: 'procfs', 0x62656572: 'sysfs', 0x64626720: 'debugfs', 0x74726163: 'tracefs', 0x1cd1: 'devpts', 0x27e0eb: 'cgroupfs', 0x63677270: 'cgroup2fs' };

export type ReadResult = { text: string; encoding: Encoding } | { error: string; errno: number };

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens a config file the way that cannot hang or run away: the path is opened without blocking (a FIFO
 * with no writer returns at once), and only a regular file on a real file system, of at most `maxBytes`
 * as stat gives it, is handed back open. Failures come back as nginx would word them, with the reason a
 * user can act on.
 */
function openConfigFile(p: string, maxBytes: number): { fd: number; size: number } | { error: string; errno: number } {
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (fs.constants.O_NOCTTY ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const errno = -(typeof err.errno === 'number' ? err.errno : -2);
    const words: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory', ELOOP: 'Too many levels of symbolic links', EISDIR: 'Is a directory', ENXIO: 'No such device or address' };
    return { error: `${errno}: ${words[err.code ?? ''] ?? err.code ?? 'cannot open'}`, errno };
  }
  let problem: { error: string; errno: number } | undefined;
  let size = 0;
  try {
    const st = fs.fstatSync(fd);
    size = st.size;
    if (!st.isFile()) problem = { error: `it is ${kindOf(st)}, not a regular file`, errno: 0 };
    else {
      let pseudo: string | undefined;
      try { pseudo = PSEUDO_FS[Number(fs.statfsSync(p).type)]; } catch { /* statfs unsupported: size bound still holds */ }
      if (pseudo) problem = { error: `it is a ${pseudo} pseudo-file, not a config file`, errno: 0 };
      else if (st.size > maxBytes) problem = { error: `it is ${(st.size / 1048576).toFixed(1)} MB, above the ${(maxBytes / 1048576).toFixed(0)} MB limit`, errno: 0 };
    }
  } catch (e) {
    problem = { error: (e as Error).message, errno: 0 };
  }
  if (problem) {
    fs.closeSync(fd);
    return problem;
  }
  return { fd, size };
}

/**
 * Reads a config file through `openConfigFile`'s checks, never more than its size as stat gives it (nginx
 * too reads exactly that many bytes).
 */
export function readConfigFile(p: string, maxBytes = MAX_CONFIG_BYTES): ReadResult {
  const opened = openConfigFile(p, maxBytes);
  if ('error' in opened) return opened;
  const { fd, size } = opened;
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n <= 0) break;
      got += n;
    }
    return decode(buf.subarray(0, got));
  } catch (e) {
    return { error: (e as Error).message, errno: 0 };
  } finally {
    fs.closeSync(fd);
  }
}

/** Files are scanned for a word through this one buffer, a piece at a time. */
const SCAN_CHUNK = 1 << 18;
let scanBuffer: Buffer | undefined;

/**
 * Whether the file's bytes hold `word` (ASCII), read a piece at a time into one small buffer and never
 * decoded; undefined when the file cannot be read (readFile then says why). The bytes of an ASCII word are
 * the same in UTF-8 and latin1, so this answers for the decoded text too.
 */
export function fileMentions(p: string, word: string, maxBytes = MAX_CONFIG_BYTES): boolean | undefined {
  const opened = openConfigFile(p, maxBytes);
  if ('error' in opened) return undefined;
  const { fd, size } = opened;
  const needle = Buffer.from(word, 'latin1');
  const buf = (scanBuffer ??= Buffer.allocUnsafe(SCAN_CHUNK));
  try {
    // `kept`: the last bytes of the previous piece, moved to the front, so that a word across two pieces is seen.
    let kept = 0;
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, buf, kept, Math.min(SCAN_CHUNK - kept, size - at), at);
      if (n <= 0) break;
      const end = kept + n;
      if (buf.subarray(0, end).indexOf(needle) >= 0) return true;
      at += n;
      kept = Math.min(needle.length - 1, end);
      buf.copy(buf, 0, end - kept, end);
    }
    return false;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

export class NodeFileSystem implements FileSystem {
  readonly encodings = new Map<string, Encoding>();
  private readonly failures = new Map<string, string>();

  constructor(private readonly maxBytes = MAX_CONFIG_BYTES) {}

  readFile(p: string): string | undefined {
    const r = readConfigFile(p, this.maxBytes);
    if ('error' in r) {
      this.failures.set(p, r.error);
      return undefined;
    }
    this.failures.delete(p);
    this.encodings.set(p, r.encoding);
    return r.text;
  }

  readError(p: string): string | undefined {
    return this.failures.get(p);
  }

  mentions(p: string, word: string): boolean | undefined {
    return fileMentions(p, word, this.maxBytes);
  }

  private reals = new Map<string, string>();

  /** The file's identity: its path with every symlink resolved (the path itself when it cannot be). */
  realpath(p: string): string {
    let r = this.reals.get(p);
    if (r === undefined) {
      try { r = fs.realpathSync(p); } catch { r = p; }
      if (this.reals.size > 50000) this.reals.clear();
      this.reals.set(p, r);
    }
    return r;
  }

  /** Files changed on disk: links may point elsewhere now. */
  forgetPaths(): void {
    this.reals.clear();
  }

  listDir(p: string): string[] {
    try {
      return fs.readdirSync(p, { withFileTypes: true }).slice(0, 2000).map((e) => (e.isDirectory() ? e.name + '/' : e.name));
    } catch {
      return [];
    }
  }

  glob(pattern: string): string[] {
    const segs = pattern.split('/');
    let bases = [segs[0] === '' ? '/' : segs[0]];
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      if (seg === '') continue;
      const next: string[] = [];
      const last = i === segs.length - 1;
      if (!/[*?[]/.test(seg)) {
        for (const b of bases) {
          const p = path.join(b, seg);
          if (last ? exists(p) : isDir(p)) next.push(p);
        }
      } else {
        const re = globSegmentToRegExp(seg);
        for (const b of bases) {
          let names: string[];
          try { names = fs.readdirSync(b); } catch { continue; }
          for (const n of names.sort()) {
            if (!re.test(n)) continue;
            const p = path.join(b, n);
            if (last || isDir(p)) next.push(p);
          }
        }
      }
      bases = next;
      if (bases.length > 100000) break;
    }
    return bases.sort();
  }
}

function exists(p: string): boolean {
  try { fs.statSync(p); return true; } catch { return false; }
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', '.cache', '.venv', 'venv', '__pycache__']);

export interface ConfigScan {
  /** Config-looking files, each once: the first path that reaches a file (its own path when it is reached directly). */
  files: string[];
  /** Config-looking names that cannot be followed: symlink loops, dangling links. */
  problems: { path: string; reason: string }[];
}

/**
 * Files under `dirs` that may be nginx configs, bounded in count. Symlinks are followed as nginx follows
 * them (it opens the path): a linked folder is scanned, a linked file is a candidate. Identity is the real
 * path: a folder reached twice (a loop) is scanned once, and a file reached through several names is listed
 * once, under its own name when the scan reaches it directly (sites-available/x, not sites-enabled/x).
 */
export function scanConfigFiles(dirs: string[], limit = 5000): ConfigScan {
  const byReal = new Map<string, { p: string; direct: boolean }>();
  const problems: ConfigScan['problems'] = [];
  const seenDirs = new Set<string>();
  const stack = [...dirs].reverse().map((d) => ({ d, viaLink: false }));
  while (stack.length && byReal.size < limit) {
    const { d, viaLink } = stack.pop()!;
    let real: string;
    try { real = fs.realpathSync(d); } catch { continue; }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { d: string; viaLink: boolean }[] = [];
    for (const e of entries) {
      const p = path.join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
          // A link to a device, FIFO or socket named like a config: reading it is refused with the reason later.
          if (!isDir && !isFile && looksLikeConfig(e.name, p)) isFile = true;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (looksLikeConfig(e.name, p)) problems.push({ path: p, reason: code === 'ELOOP' ? 'symbolic link loop (too many levels of symbolic links)' : code === 'ENOENT' ? `dangling symbolic link (${readLink(p)} does not exist)` : `cannot follow the symbolic link (${code})` });
          continue;
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) subdirs.push({ d: p, viaLink: viaLink || e.isSymbolicLink() });
      } else if (isFile && looksLikeConfig(e.name, p)) {
        let id: string;
        try { id = fs.realpathSync(p); } catch { id = p; }
        const first = byReal.get(id);
        const direct = !viaLink && !e.isSymbolicLink();
        // Reached directly wins over reached through a link.
        if (first === undefined || (direct && !first.direct)) byReal.set(id, { p, direct });
        if (byReal.size >= limit) break;
      }
    }
    for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]);
  }
  return { files: [...byReal.values()].map((x) => x.p).sort(), problems };
}

function readLink(p: string): string {
  try { return fs.readlinkSync(p); } catch { return 'its target'; }
}

/** Files under `dirs` that may be nginx configs, bounded in count, each once (see scanConfigFiles). */
export function listConfigCandidates(dirs: string[], limit = 5000): string[] {
  return scanConfigFiles(dirs, limit).files;
}

/**
 * Main configs that may include `file` from above its folder: an nginx.conf in one of the (up to 4)
 * folders above it, as in /etc/nginx/{sites-available,sites-enabled,conf.d}/x. Checking such a file alone
 * finds the config that includes it (through a symlink too) instead of analysing it as a lone fragment.
 */
export function ancestorMainConfigs(file: string, levels = 4): string[] {
  const out: string[] = [];
  let dir = path.dirname(path.dirname(file));
  for (let i = 0; i < levels; i++) {
    const candidate = path.join(dir, 'nginx.conf');
    try { if (fs.statSync(candidate).isFile()) out.push(candidate); } catch { /* none here */ }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

export function looksLikeConfig(name: string, p: string): boolean {
  return /\.(conf|nginx|nginxconf)$/.test(name) || name === 'nginx.conf' || /\/(sites-available|sites-enabled|nginx)\//.test(p);
}
