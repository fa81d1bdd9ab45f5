// Everything the language server and the CLI take from the engine, bundled once into dist/core.js so the
// two programs share it (and the directive reference data) instead of each carrying a copy.

export * from './engine';
export { own } from './engine/own';
export * from './engine/workspace';
export * from './engine/fixes/select';
export * from './engine/fixes/validate';
export * from './engine/knowledge/contexts';
export { variableDoc, variableDefinition, isKnownVariable } from './engine/knowledge/variables';
export { lineNumber } from './engine/model/describe';
export { docsUrl, specIn, specsFor, isAllowedIn, allDirectives } from './engine/knowledge/directives';
export { tlsDirective, settingsBlock, isFlagOn } from './engine/model/tls-uses';
export { splitHostPort } from './engine/model/model';
export * from './engine/service/completion';
export * from './engine/service/effective-tls';
export * from './engine/service/format';
export * from './engine/service/navigation';
export * from './engine/service/scaffold';
export * from './engine/service/symbols';
export * from './node/node-fs';
export * from './output/text';
export * from './output/sarif';
export * from './output/parse-json';
