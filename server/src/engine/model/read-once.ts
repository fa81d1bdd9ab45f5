// Within one request a file is read once. Answering "what is wrong in this file" reads it to check its size,
// again to see whether it is a main config, and again to analyse it; reading a 20 MB file (page faults and
// decoding) costs as much as parsing it.

import { FileSystem } from './filesystem';

export class ReadOnce implements FileSystem {
  private depth = 0;
  private readonly texts = new Map<string, string | undefined>();
  readonly realpath?: (path: string) => string;
  readonly listDir?: (path: string) => string[];
  readonly mentions?: (path: string, word: string) => boolean | undefined;

  constructor(private readonly fs: FileSystem) {
    // Optional parts stay optional: callers tell a file system without identities by their absence.
    if (fs.realpath) this.realpath = (p) => fs.realpath!(p);
    if (fs.listDir) this.listDir = (p) => fs.listDir!(p);
    // A text this request already read answers from memory.
    if (fs.mentions) this.mentions = (p, word) => (this.texts.has(p) ? this.texts.get(p)?.includes(word) : fs.mentions!(p, word));
  }

  readFile(path: string): string | undefined {
    if (this.depth === 0) return this.fs.readFile(path);
    if (this.texts.has(path)) return this.texts.get(path);
    const text = this.fs.readFile(path);
    this.texts.set(path, text);
    return text;
  }

  readError(path: string): string | undefined {
    return this.fs.readError?.(path);
  }

  glob(pattern: string): string[] {
    return this.fs.glob(pattern);
  }

  /** Runs `f` as one request: what it reads is read once, and forgotten when the outermost request ends. */
  during<T>(f: () => T): T {
    this.depth++;
    try {
      return f();
    } finally {
      if (--this.depth === 0) this.texts.clear();
    }
  }
}
