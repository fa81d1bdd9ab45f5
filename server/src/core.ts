// Everything the language server and the CLI use, bundled once into dist/core.js: the engine's one door
// (the language service, settings, plain types), the Node file system, and the CLI's output formats.
// server.ts, features/ and cli.ts import only this module.

export * from './engine';
export * from './node/node-fs';
export * from './output/text';
export * from './output/sarif';
export * from './output/stream-json';
export * from './output/nginx-messages';
export * from './output/report';
export * from './node/node-certificates';
