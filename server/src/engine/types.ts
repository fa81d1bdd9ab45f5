// What the engine hands to its adapters (LSP server, CLI, tests). Plain data, no editor types.

import { Range } from './syntax/positions';
import { NginxVersion } from './knowledge/tls';
import type { PathMapEntry } from './certificates/files';
import type { Build } from './knowledge/modules';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  path: string;
  /** Offsets into the file's current text. */
  start: number;
  end: number;
  newText: string;
  /** For an insertion of directives: the block they go into (`path:offset of its "{"`), so that fixes
   * applied together never add the same directive to one block twice. */
  scope?: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor offers first. */
  isPreferred: boolean;
  /** Safe to apply without looking (`--fix`, fix-all): it cannot change what the config means beyond the finding. */
  safe?: boolean;
  /**
   * A value only the user knows: the edits hold `placeholder` where it goes, and an editor asks for it
   * (`prompt`) before applying them. Never safe; the CLI and SARIF do not offer such a fix.
   */
  input?: { placeholder: string; prompt: string };
}

export interface RelatedLocation {
  path: string;
  range: Range;
  message: string;
}

export interface Finding {
  /** Names this finding within its file's analysis: adapters hand it back to find the finding again. */
  id: string;
  ruleId: string;
  severity: Severity;
  message: string;
  path: string;
  start: number;
  end: number;
  range: Range;
  /** 1-based line nginx itself would name, where that differs from where we point. */
  nginxLine?: number;
  fixes: Fix[];
  related: RelatedLocation[];
}

export interface EngineSettings {
  nginxVersion: NginxVersion;
  /** CA bundle the fixes insert as the trusted certificate. */
  trustedCertificate: string;
  /** Severity overrides; 'off' silences a rule. */
  rules: Record<string, Severity | 'off'>;
  /** Directive names of other modules that are not unknown. */
  extraDirectives: ReadonlySet<string>;
  /** The nginx build: which modules it has (setting nginxTlsProxy.modules). */
  build: Build;
  /** Files larger than this are parsed (syntax errors shown) but not analysed. */
  maxAnalysisBytes: number;
  /** Formatting: align the values of map, geo, types, split_clients and charset_map bodies (default true). */
  alignMapValues: boolean;
  /** `certificate-expires-soon` warns this many days before a certificate's end. */
  certificateExpiryDays: number;
  /** The server's certificate folders → where they are here. */
  pathMap: PathMapEntry[];
  /** The time certificates are judged at (ms since the epoch); now when absent. */
  now?: number;
}
