// Writes docs/rules/<id>.md from the rule modules (explanation and examples live with the rule).
// `npm run docs` regenerates; a test fails when the pages are out of date.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CASE_FILES, createLanguageService, memoryFileSystem } from '../server/src/engine';
import type { RuleCase, RuleInfo as Rule } from '../server/src/engine';

const RULES = createLanguageService({ fs: memoryFileSystem({}) }).rules();

function example(c: RuleCase): string {
  const ctx = c.context ? `# nginx-context: ${c.context.replace('/', '-').replace('http-', '')}\n` : '';
  const files = Object.entries(c.files ?? {}).map(([name, kind]) => `- \`${name}\`: ${CASE_FILES[kind]}`).join('\n');
  const probed = c.probe ? '\nchecked with `check --probe`: its upstreams connected to as nginx would\n'
    : c.probe === false ? '\nchecked without `--probe`: nothing is connected to\n' : '';
  return '```nginx\n' + ctx + c.config.trimEnd() + '\n```\n' + (files ? `\nwith, beside the config:\n\n${files}\n` : '') + probed;
}

/** GitHub's buckets of security-severity. */
function bucket(n: number): string {
  return n >= 9 ? 'critical' : n >= 7 ? 'high' : n >= 4 ? 'medium' : 'low';
}

/** Security severity, CWE and CIS lines (security rules only). */
function security(r: Rule): string {
  if (r.securitySeverity === undefined) return '';
  const cwes = r.tags.map((t) => /^external\/cwe\/cwe-(\d+)$/.exec(t)?.[1]).filter((x): x is string => !!x);
  let out = `- Security severity (code scanning): **${r.securitySeverity.toFixed(1)}** (${bucket(r.securitySeverity)})`;
  out += cwes.length ? `; ${cwes.map((n) => `[CWE-${n}](https://cwe.mitre.org/data/definitions/${n}.html)`).join(', ')}\n` : '\n';
  if (r.cis) out += `- ${r.cis.benchmark}: recommendation ${r.cis.recommendation}${r.cis.source ? ` ([source](${r.cis.source}))` : ''}\n`;
  return out;
}

export function rulePage(r: Rule): string {
  let out = `# ${r.id}\n\n${r.title}.\n\n`;
  out += `- Default severity: **${r.defaultSeverity}**\n`;
  out += `- \`nginx -t\` rejects configs with this finding: ${r.nginxRejects ? 'yes' : 'no'}\n`;
  out += `- \`check --fix\` and *Fix all*: ${r.safeFixes ? 'apply its preferred quick fix where it is safe' : 'leave it alone (a quick fix it offers is yours to choose)'}\n`;
  out += `- Silence one occurrence: \`# nginx-tls-ignore: ${r.id} <reason>\` on the line above, or set \`"nginxTlsProxy.rules": { "${r.id}": "off" }\`\n`;
  out += security(r);
  out += '\n';
  out += `## Why\n\n${r.explanation.trim()}\n\n`;
  const bad = r.cases.invalid[0];
  if (bad) {
    out += `## Reported\n\n${example(bad)}\n`;
    if (bad.fixed !== undefined) out += `## After the quick fix\n\n${example({ ...bad, config: bad.fixed })}\n`;
  }
  const good = r.cases.valid[0];
  if (good) out += `## Not reported\n\n${example(good)}`;
  return out;
}

export function indexPage(): string {
  let out = '# Rules\n\nEvery finding names its rule; the ids are stable. *--fix*: `check --fix` and *Fix all* apply the rule\'s preferred quick fix where it is safe.\n\n| id | default | nginx -t fails | --fix | security | what |\n|---|---|---|---|---|---|\n';
  for (const r of RULES) {
    const sec = r.securitySeverity === undefined ? '' : [r.securitySeverity.toFixed(1), ...r.tags.filter((t) => t.startsWith('external/cwe/')).map((t) => 'CWE-' + t.slice('external/cwe/cwe-'.length)), ...(r.cis ? [`CIS ${r.cis.recommendation.split(' ')[0]}`] : [])].join(' · ');
    out += `| [${r.id}](${r.id}.md) | ${r.defaultSeverity} | ${r.nginxRejects ? 'yes' : 'no'} | ${r.safeFixes ? 'yes' : ''} | ${sec} | ${r.title} |\n`;
  }
  return out;
}

export function allPages(): Map<string, string> {
  const pages = new Map<string, string>();
  for (const r of RULES) pages.set(`${r.id}.md`, rulePage(r));
  pages.set('README.md', indexPage());
  return pages;
}

if (process.argv[1] && process.argv[1].endsWith('gen-rule-docs.ts')) {
  const dir = path.resolve(__dirname, '../docs/rules');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of allPages()) fs.writeFileSync(path.join(dir, name), text);
  console.log(`wrote ${RULES.length + 1} pages to docs/rules/`);
}
