// Compiler-style text (file:line:col: severity: message [rule]) and JSON with the LSP diagnostic's fields.

import * as path from 'node:path';
import { structuredPatch } from 'diff';
import type { Finding, RuleInfo } from '../engine';

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') ? file : r;
}

/** Control characters (a newline, ESC) escaped: one finding is one line, and a path cannot drive the terminal. */
export function escapeControls(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\x9b]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** ANSI colours of the severities (text output on a terminal). */
const COLOR: Record<Finding['severity'], string> = { error: '\x1b[1;31m', warning: '\x1b[1;33m', information: '\x1b[1;36m', hint: '\x1b[2m' };

export function formatText(findings: Finding[], cwd: string, color = false): string {
  let out = '';
  for (const f of sorted(findings)) {
    const where = `${escapeControls(rel(f.path, cwd))}:${f.range.start.line + 1}:${f.range.start.character + 1}:`;
    const message = escapeControls(f.message);
    out += color
      ? `\x1b[1m${where}\x1b[0m ${COLOR[f.severity]}${f.severity}:\x1b[0m ${message} \x1b[2m[${f.ruleId}]\x1b[0m\n`
      : `${where} ${f.severity}: ${message} [${f.ruleId}]\n`;
  }
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  if (findings.length) out += `${findings.length} finding(s): ${counts.error} error, ${counts.warning} warning, ${counts.information} info, ${counts.hint} hint\n`;
  return out;
}

export function sorted(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.start - b.start || a.ruleId.localeCompare(b.ruleId)));
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  rule: string;
  message: string;
  fixes: { title: string; safe: boolean }[];
  /** The rule's classification (`security`, `external/cwe/cwe-295`, …); empty for rules without one. */
  tags?: string[];
  /** 0–10, for security rules (as SARIF's `security-severity`). */
  securitySeverity?: number;
  /** The CIS NGINX Benchmark recommendation the rule implements. */
  cis?: { benchmark: string; recommendation: string; source?: string };
}

/** The findings as JSON records; with `rules`, each carries its rule's tags, security severity and CIS item. */
export function toJson(findings: Finding[], rules?: readonly RuleInfo[]): JsonFinding[] {
  const byId = new Map((rules ?? []).map((r) => [r.id, r]));
  return sorted(findings).map((f) => ({
    file: f.path,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    severity: f.severity,
    rule: f.ruleId,
    message: f.message,
    fixes: f.fixes.map((x) => ({ title: x.title, safe: !!x.safe })),
    ...(rules ? securityFields(byId.get(f.ruleId)) : {}),
  }));
}

function securityFields(r: RuleInfo | undefined): Pick<JsonFinding, 'tags' | 'securitySeverity' | 'cis'> {
  return {
    tags: r?.tags ?? [],
    ...(r?.securitySeverity !== undefined ? { securitySeverity: r.securitySeverity } : {}),
    ...(r?.cis ? { cis: r.cis } : {}),
  };
}

/**
 * A unified diff (`diff -u` layout, 3 lines of context) of a file's text before and after the fixes. The
 * hunks come from the `diff` library (jsdiff): several separate changes give several hunks.
 */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = structuredPatch(file, file, before, after, '', '', { context: 3 });
  let out = `--- ${escapeControls(file)}\n+++ ${escapeControls(file)}\n`;
  for (const h of patch.hunks) {
    // As diff -u prints it: an empty side starts one line before the hunk.
    out += `@@ -${h.oldLines === 0 ? h.oldStart - 1 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? h.newStart - 1 : h.newStart},${h.newLines} @@\n`;
    for (const l of h.lines) out += l + '\n';
  }
  return out;
}
