// The engine's layering, checked by `npm run deps` (part of `npm test`). Imports point down only:
//   syntax ← knowledge ← model ← rules / fixes / service ← analyze, workspace, language-service ← index
// and every program (server, features, CLI, output, node) reaches the engine through engine/index.ts.
const E = '^server/src/engine/';
const lowerLayer = (from, banned, comment) => ({
  name: `${from}-not-to-${banned.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`,
  comment,
  severity: 'error',
  from: { path: `${E}${from}/` },
  to: { path: `${E}(${banned})` },
});

module.exports = {
  forbidden: [
    lowerLayer('syntax', 'knowledge|model|rules|fixes|service|analyze|workspace|language-service|settings|index', 'the tokenizer knows nothing of nginx directives or the model'),
    lowerLayer('knowledge', 'model|rules|fixes|service|analyze|workspace|language-service|settings|index', 'facts about nginx do not depend on a parsed config'),
    lowerLayer('model', 'rules|fixes|service|analyze|workspace|language-service|index', 'the model answers questions; it does not report or edit'),
    lowerLayer('fixes', 'rules|service|analyze|workspace|language-service|index', 'edit builders are used by rules, never the other way round'),
    lowerLayer('rules', 'service|analyze|workspace|language-service|index', 'rules see the model and fixes only'),
    lowerLayer('service', 'rules|analyze|workspace|language-service|index', 'editor features are pure functions over the model'),
    {
      name: 'engine-free-of-editor-and-node',
      comment: 'the engine runs in a browser too: no LSP, VS Code or Node file-system types',
      severity: 'error',
      from: { path: E },
      to: { path: '(^|/)node_modules/(vscode|vscode-languageserver[^/]*|vscode-languageclient)/|^(fs|node:fs|child_process|node:child_process|net|node:net)$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'programs-through-one-door',
      comment: 'server, features, CLI, output and node adapters import only engine/index.ts',
      severity: 'error',
      from: { path: '^server/src/(server\\.ts|language-server\\.ts|cli\\.ts|report-command\\.ts|core\\.ts|features/|output/|node/|web/)' },
      to: { path: `${E}`, pathNot: `${E}index\\.ts$` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: E },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
