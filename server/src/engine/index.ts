// The engine's public surface, and the only module the programs and the tests import: the language
// service (everything an editor or a checker asks), settings, and plain data types. No editor or LSP types.

export { createLanguageService } from './language-service';
export type { Diagnosis, DiagnoseOptions, AppliedFixes, FixAllResult, LanguageService, LanguageServiceOptions, RuleInfo } from './language-service';
export { defaultSettings, modulesFromNginxV, resolveSettings, DEFAULT_NGINX_VERSION, DEFAULT_TRUSTED_CERTIFICATE, DEFAULT_MAX_FILE_MB } from './settings';
export type { ModulesFromNginxV, RawSettings, ResolvedSettings } from './settings';
export type { EngineSettings, Finding, Fix, RelatedLocation, Severity, TextEdit } from './types';
export type { FileSystem } from './model/filesystem';
export { memoryFileSystem } from './model/filesystem';
/** nginx's glob(3) for one path segment: the Node file system implements include globs with it. */
export { globSegmentToRegExp } from './model/paths';
export { applyEdits } from './fixes/edits';
export { toldOnce } from './told-once';
export { Cancelled, isCancelled, runCancellable } from './cancellation';
export type { CancellationCheck } from './cancellation';
export { parse } from './syntax/parser';
export type { Block, Directive, SyntaxError, SyntaxTree, Token } from './syntax/types';
export { TokenKind } from './syntax/types';
export type { Position, Range } from './syntax/positions';
export type { BlockKind } from './knowledge/contexts';
export type { CaseFile, RuleCase, RuleCases } from './rules/rule';
export { CASE_FILES } from './rules/rule';
export type { CompletionEntry } from './service/completion';
export type { FormatOptions, FormatResult, LineEdit } from './service/format';
export { formatConfig, MAX_INDENT_LEVELS } from './service/format';
export type { HoverResult } from './service/hover';
export type { InventoryCertificate, InventoryField, InventoryFinding, InventoryOrigin, InventoryPlace, InventoryState, TlsInventoryUse } from './service/inventory';
export type { Link, Target, WorkspaceSymbolEntry } from './service/navigation';
export type { ScaffoldParams } from './service/scaffold';
export type { FoldRange, OutlineSymbol } from './service/symbols';
export type { CertificateInfo, CertificateParser, KeyInfo, PemFile } from './certificates/types';
export type { CertificateCandidate, PathMapEntry, ProbeResult } from './certificates/files';
export { probeKey } from './certificates/files';
export type { ProbeTarget } from './certificates/handshake';
