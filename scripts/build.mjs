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

// The programs import the engine only through server/src/core.ts: marked external, it stays a
// require("./core") that loads dist/core.js at run time (one copy of the engine and its reference data).
const core = path.resolve('server/src/core.ts');
const useCore = {
  name: 'use-core',
  setup(build) {
    build.onResolve({ filter: /\/core$/ }, (args) => (path.resolve(args.resolveDir, args.path) + '.ts' === core ? { path: './core.js', external: true } : undefined));
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
