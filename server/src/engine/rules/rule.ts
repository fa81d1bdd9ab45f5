// The shape every rule module exports, and the context a rule checks with.
// Rules ask the model (effective values, TLS uses, upstreams); they never walk parents or read files.

import { ConfigFile, ConfigModel, LBlock, LDir } from '../model/model';
import { EngineSettings, Fix, RelatedLocation, Severity } from '../types';
import { lineOf } from '../syntax/positions';
import { readsTlsAnd } from '../knowledge/tls-directives';
import type { CertificateFiles } from '../certificates/files';

export interface RuleFinding {
  file: ConfigFile;
  start: number;
  end: number;
  /**
   * The message, or a function spelling it from `about` when first read: a rule with tens of thousands of
   * findings keeps the few values it needs instead of each message's pieces (the language server shows a page
   * of them).
   */
  message: string | ((about: never) => string);
  /** Overrides the rule's default severity for this finding (e.g. error for the default server). */
  severity?: Severity;
  nginxLine?: number;
  /**
   * The fixes, or a function making them from `about` when first asked for (most findings are never fixed).
   * Asked with `'preferred'`, the function may leave out the fixes that are not preferred: `check --fix` and
   * fix-all take a preferred, safe fix and nothing else.
   */
  fixes?: Fix[] | ((about: never, only?: 'preferred') => Fix[]);
  /**
   * What the message and fix functions work from. With it, one pair of functions serves every finding of a
   * rule's run: a closure (and its scope) per finding was most of what a finding cost.
   */
  about?: unknown;
  related?: { ld: LDir; message: string }[];
}

export interface RuleContext {
  model: ConfigModel;
  settings: EngineSettings;
  /** The certificate files the config names, when the adapter can read certificates. */
  certificates?: CertificateFiles;
  report(f: RuleFinding): void;
}

export interface Rule {
  /** Stable kebab-case id: a public interface (settings, suppressions, SARIF). */
  id: string;
  defaultSeverity: Severity;
  /** One line, our own words. */
  title: string;
  /** Why it matters and how to fix it, our own words (Markdown). */
  explanation: string;
  /** Whether the rule's finding means `nginx -t` fails. */
  nginxRejects: boolean;
  /** Classification for code scanning: `security`, CWE ids (`CWE-295`), … */
  tags?: string[];
  /** SARIF `security-severity` (0–10) for security rules. */
  securitySeverity?: number;
  /** The CIS NGINX Benchmark recommendation the rule implements, with the benchmark version and a public source. */
  cis?: { benchmark: string; recommendation: string; source?: string };
  /**
   * 'server': a finding on a directive inside a server block rests only on that block, the blocks around it
   * and config-wide facts (upstream groups, defined variables, loaded modules), so after an edit inside one
   * server the rule runs on that server alone. Absent: the rule compares across the config and runs whole.
   */
  locality?: 'server';
  /**
   * For a rule that compares across the config: whether its findings can rest on directives of this name
   * (their presence, arguments or order). After an edit inside one server block that changes only leaf
   * directives whose names, before and after, it does not read, its findings are kept, moved by the edit.
   * Absent: the rule runs after every edit. `site`, when given, is where the edit is: a rule may answer by
   * what the name means there (a server's `server_name` routes no upstream unless an upstream can reach it).
   */
  reads?(name: string, site?: EditSite): boolean;
  /**
   * The findings depend on the time too (certificate dates): kept after an edit only while they are less than
   * a minute old, so that what the editor shows is never more than a minute behind the clock.
   */
  clock?: boolean;
  /**
   * The rule can make a fix safe to apply unattended (`check --fix`, fix all). Only such rules' findings are
   * asked for their fixes when those are chosen: the others' fixes (tens of thousands on a big config) are
   * never made there. The rule cases fail a rule that makes a safe fix without saying so.
   */
  safeFixes?: true;
  check(ctx: RuleContext): void;
  /** The rule's own examples: run by the test suite, and shown on its documentation page. */
  cases: RuleCases;
}

export interface RuleCase {
  /** A complete nginx.conf unless `context` says which block the text is the body of. */
  config: string;
  context?: 'http' | 'http/server' | 'http/location' | 'stream' | 'stream/server';
  /**
   * What the rule must report (invalid cases), like ESLint's RuleTester: every finding of the rule, in
   * document order, at a 1-based line and column (where its range starts), with the id of its message
   * when given. No more and no fewer findings than listed.
   */
  errors?: CaseError[];
  nginxVersion?: string;
  /** The nginx build (setting nginxTlsProxy.modules); the default preset when absent. */
  modules?: string;
  /** The text after applying the preferred fix of every finding, when the rule has fixes. */
  fixed?: string;
  /** Files beside the config, by relative name: what the test PKI puts there (see CASE_FILES). */
  files?: Record<string, CaseFile>;
  /**
   * true: checked as `check --probe` checks, the config's TLS upstreams (on 127.0.0.1) connected to first.
   * false: the same config without a probe, said so on the docs page (nothing is connected to).
   */
  probe?: boolean;
}

/** The files a rule's example can name, made by the test suite's PKI (openssl) and described in the docs. */
export const CASE_FILES = {
  'root-ca': 'a root CA certificate',
  'intermediate-ca': 'an intermediate CA certificate issued by the root',
  'server-cert': 'a server certificate issued by the root (DNS:backend.test, IP:127.0.0.1)',
  'server-key': 'the server certificate\'s key',
  'server-chain': 'the server certificate followed by the intermediate',
  'deep-chain': 'a certificate for backend.test issued by the intermediate, followed by the intermediate',
  'deep-key': 'that certificate\'s key',
  'other-cert': 'a certificate for default.test issued by a CA none of these files holds',
  'other-key': 'that certificate\'s key',
  'client-cert': 'a client certificate issued by the root',
  'client-key': 'the client certificate\'s key',
  'stray-key': 'a key that belongs to no certificate',
  'expired-cert': 'a certificate that expired in 2020',
  'expired-key': 'the expired certificate\'s key',
  'expiring-cert': 'a certificate that expires in 5 days',
  'expiring-key': 'the soon-expiring certificate\'s key',
  'not-pem': 'a text file that is not PEM',
} as const;
export type CaseFile = keyof typeof CASE_FILES;

export interface CaseError {
  line: number;
  column: number;
  /** A key of the rule's `cases.messages`: the kind of message reported there. */
  messageId?: string;
}

export interface RuleCases {
  /**
   * Stable short ids for the kinds of message the rule reports, each recognised by its wording (the
   * messages themselves are written for people and carry names and lines). The cases' errors name them;
   * the test suite requires every finding of the cases to match exactly one. Kept here, beside the cases,
   * rather than passed by `check` to `report`: see ARCHITECTURE.md (Rule cases).
   */
  messages?: Record<string, RegExp>;
  valid: RuleCase[];
  invalid: RuleCase[];
}

/** Where an edit whose findings `reads` is asked about was made: the server block holding it, in the new model. */
export interface EditSite {
  model: ConfigModel;
  server: LDir;
}

export { readsTlsAnd };

/**
 * The line nginx names for an error in this directive: its handler runs once the terminating `;` or `{`
 * has been read, so that is the line in its message (1-based).
 */
export function handlerLine(ld: LDir): number {
  const at = ld.terminator >= 0 ? ld.terminator : ld.nameStart;
  return lineOf(ld.file.tree.nginxLineStarts, at) + 1;
}

/**
 * For findings that rest on a directive being absent: where the surroundings are partly unknown (an
 * unreadable include, or a fragment analysed alone), a warning that says so instead of an error.
 */
export function absenceCaveat(ctx: RuleContext, block: LBlock): { severity?: Severity; note: string } {
  if (!ctx.model.partlyUnknown(block)) return { note: '' };
  const why = ctx.model.hasUnreadInclude(block) ? 'an include around here could not be read' : 'this file is analysed on its own, outside the main config that includes it';
  return { severity: 'warning', note: ` (Unless it is set where this analysis cannot see: ${why}.)` };
}

/**
 * Whether the config names `name` anywhere (the whole config, also from a view of part of it): a setting it
 * never names is found by no lookup, and a rule asking for it around each of thousands of uses can skip it.
 */
export function configNames(model: ConfigModel, name: string): boolean {
  return model.whole.namedAt(name).length > 0;
}

// A report spreads its span last (`{ message, ...argSpan(ld, 0) }`). Spread first, V8 turns each report into
// a dictionary-mode object: measured at about 6 µs and several hundred bytes a report, against 0.7 µs.

/** Range of a directive from its name to its last argument (what an editor underlines). */
export function directiveSpan(ld: LDir): { file: ConfigFile; start: number; end: number } {
  return { file: ld.file, start: ld.nameStart, end: ld.lastArgEnd };
}

export function argSpan(ld: LDir, i: number): { file: ConfigFile; start: number; end: number } {
  return i < ld.argc ? { file: ld.file, start: ld.argStart(i), end: ld.argEnd(i) } : directiveSpan(ld);
}

export type { RelatedLocation };
