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

// The browser build (vscode.dev, github.dev): the web client and the server in a Web Worker, minified (they are
// downloaded). No Node built-ins: `./core` is the engine alone (core.ts also carries the disk file system and the
// CLI's outputs), the LSP modules are their browser or common variants, and anything else from Node fails the build.
// The engine reads the docs in Markdown only; the library carries HTML too. Every bundle of the engine (the
// browser's and core.js) gets the same library's Markdown data, taken from it at build time: half the size,
// and as JSON text, which V8 reads several times faster than the same data as a JavaScript literal (loading
// core.js was most of a small check's time).
const reference = await import('@nginx/reference-lib');
const markdownReference = `
const D = JSON.parse(${JSON.stringify(JSON.stringify(reference.getDirectives(reference.Format.Markdown)))});
const V = JSON.parse(${JSON.stringify(JSON.stringify(reference.getVariables(reference.Format.Markdown)))});
export const Format = { Markdown: 1, HTML: 2, 1: 'Markdown', 2: 'HTML' };
function markdown(format) { if (format !== Format.Markdown) throw new Error('the browser build carries the Markdown docs only'); }
export function getDirectives(format) { markdown(format); return D.map((d) => ({ ...d })); }
export function getVariables(format) { markdown(format); return V.map((v) => ({ ...v })); }
export function find(name, module, format) { markdown(format); return D.find((d) => d.name === name && (!module || d.module.toUpperCase() === module.toUpperCase()))?.description; }
`;

/** @nginx/reference-lib as its Markdown data (see above). */
const markdownDocs = {
  name: 'markdown-docs',
  setup(build) {
    build.onResolve({ filter: /^@nginx\/reference-lib$/ }, () => ({ path: 'reference-lib-markdown', namespace: 'markdown-docs' }));
    build.onLoad({ filter: /.*/, namespace: 'markdown-docs' }, () => ({ contents: markdownReference, loader: 'js' }));
  },
};

const web = {
  ...common,
  platform: 'browser',
  target: 'es2022',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [markdownDocs, {
    name: 'web',
    setup(build) {
      build.onResolve({ filter: /\/core$/ }, (args) => (path.resolve(args.resolveDir, args.path) + '.ts' === core ? { path: path.resolve('server/src/web/core.ts') } : undefined));
      build.onResolve({ filter: /^vscode-languageserver\/node$/ }, (args) => build.resolve('vscode-languageserver', { kind: args.kind, resolveDir: args.resolveDir }));
      build.onResolve({ filter: /^vscode-languageclient\/node$/ }, (args) => build.resolve('vscode-languageclient/browser', { kind: args.kind, resolveDir: args.resolveDir }));
      build.onResolve({ filter: /^(node:.*|fs|path|os|child_process|net|tls|crypto|util|stream|events|url|buffer|worker_threads)$/ }, (args) => ({ errors: [{ text: `"${args.path}" is a Node built-in: the browser bundles cannot use it (imported by ${args.importer})` }] }));
    },
  }],
};

await Promise.all([
  esbuild.build({ ...web, entryPoints: ['client/src/web/extension.ts'], outfile: 'dist/web/extension.js', format: 'cjs', external: ['vscode'] }),
  esbuild.build({ ...web, entryPoints: ['server/src/web/server.ts'], outfile: 'dist/web/server.js', format: 'iife' }),
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/core.ts'], outfile: 'dist/core.js', plugins: [markdownDocs] }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [useCore] }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', plugins: [useCore] }),
]);

// The bins are run directly after `npm install -g`: they need a shebang and the exec bit.
for (const f of ['dist/server.js', 'dist/cli.js']) {
  const src = readFileSync(f, 'utf8');
  if (!src.startsWith('#!')) writeFileSync(f, '#!/usr/bin/env node\n' + src);
  chmodSync(f, 0o755);
}
