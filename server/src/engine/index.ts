// The engine's public surface: parse, model, analyse, fix. No editor or LSP types anywhere below.

export * from './types';
export * from './analyze';
export { parse } from './syntax/parser';
export * from './syntax/types';
export * from './syntax/positions';
export { ConfigModel } from './model/model';
export type { ConfigFile, LBlock, LDir, Effective, ModelOptions, UpstreamGroup } from './model/model';
export type { FileSystem } from './model/filesystem';
export { memoryFileSystem } from './model/filesystem';
export { inferContext, declaredContext } from './model/context-inference';
export { describeEffective } from './model/describe';
export { tlsUses } from './model/tls-uses';
export { applyEdits } from './fixes/edits';
export { RULES, ruleById } from './rules';
export type { Rule } from './rules/rule';
export { parseVersion, versionLabel } from './knowledge/tls';
export type { BlockKind } from './knowledge/contexts';
