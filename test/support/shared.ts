// The material beside the repository in ../shared (the real-world corpus, the reference cases) is not part of
// a clone. Tests that use it skip with a one-line reason when it is absent; with NGINX_TLS_REQUIRE_SHARED=1
// (set by .ci/run) its absence is a failure instead, as a missing nginx is under NGINX_TLS_REQUIRE_NGINX=1.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

/** ../shared, beside the repository root. NGINX_TLS_SHARED overrides it. */
export const SHARED_ROOT = process.env.NGINX_TLS_SHARED
  ? path.resolve(process.env.NGINX_TLS_SHARED)
  : path.resolve(__dirname, '../../../shared');

export const REQUIRE_SHARED = process.env.NGINX_TLS_REQUIRE_SHARED === '1';

/** The absolute path of `rel` inside ../shared (whether or not it exists). */
export function sharedPath(rel: string): string {
  return path.join(SHARED_ROOT, rel);
}

/** Why a test that needs ../shared/`rel` cannot run, or undefined when it can. */
export function sharedMissing(rel: string): string | undefined {
  const p = sharedPath(rel);
  return fs.existsSync(p)
    ? undefined
    : `needs ${path.relative(process.cwd(), p) || p} (not part of a clone; NGINX_TLS_REQUIRE_SHARED=1 makes this a failure)`;
}

/**
 * For `test(name, sharedOption('corpus'), fn)`: `{ skip: reason }` when ../shared/`rel` is absent, `{}` when it
 * is there, and `{}` under NGINX_TLS_REQUIRE_SHARED=1 (the test then runs and must call `requireShared`).
 */
export function sharedOption(rel: string): { skip?: string } {
  const missing = sharedMissing(rel);
  return missing && !REQUIRE_SHARED ? { skip: missing } : {};
}

/**
 * Inside a test: the path of ../shared/`rel` when present. When absent, skips `t` with the reason and returns
 * undefined, or throws under NGINX_TLS_REQUIRE_SHARED=1.
 */
export function requireShared(t: TestContext | undefined, rel: string): string | undefined {
  const missing = sharedMissing(rel);
  if (!missing) return sharedPath(rel);
  if (REQUIRE_SHARED) throw new Error(`NGINX_TLS_REQUIRE_SHARED=1 but ${sharedPath(rel)} does not exist`);
  t?.skip(missing);
  return undefined;
}

/** Every regular file below `dir` (none when it does not exist), sorted by path. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.push(p);
    }
  }
  return out.sort();
}
