// Bundles the client, the language server and the CLI into dist/ with esbuild.
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js' }),
]);

// The bins are run directly after `npm install -g`: they need a shebang and the exec bit.
for (const f of ['dist/server.js', 'dist/cli.js']) {
  const src = readFileSync(f, 'utf8');
  if (!src.startsWith('#!')) writeFileSync(f, '#!/usr/bin/env node\n' + src);
  chmodSync(f, 0o755);
}
