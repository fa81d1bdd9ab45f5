// Bundles the client, the language server and the CLI into dist/ with esbuild. The engine (with the
// directive reference data) goes into dist/core.js once; server.js and cli.js load it.

import * as esbuild from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'inline',
};

const shared = path.resolve('server/src') + path.sep;
const SHARED_DIRS = ['engine', 'node', 'output'].map((d) => shared + d + path.sep);

/** Imports of engine, node and output modules from the programs resolve to the shared core bundle. */
const useCore = {
  name: 'use-core',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (SHARED_DIRS.some((d) => args.importer.startsWith(d))) return undefined;
      const target = path.resolve(args.resolveDir, args.path);
      if (SHARED_DIRS.some((d) => (target + path.sep).startsWith(d) || target.startsWith(d))) return { path: './core.js', external: true };
      return undefined;
    });
  },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/core.ts'], outfile: 'dist/core.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [useCore] }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', plugins: [useCore] }),
]);

// The bins are run directly after `npm install -g`: they need a shebang and the exec bit.
for (const f of ['dist/server.js', 'dist/cli.js']) {
  const src = readFileSync(f, 'utf8');
  if (!src.startsWith('#!')) writeFileSync(f, '#!/usr/bin/env node\n' + src);
  chmodSync(f, 0o755);
}
