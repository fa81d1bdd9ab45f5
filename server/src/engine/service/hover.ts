// Hover text: the official docs of the directive (from @nginx/reference-lib, at run time) and, for TLS and
// pass directives, what is in effect at that spot and where it comes from.

import { upstreamSuffixes, tlsDirective } from '../knowledge/tls-directives';
import { EngineSettings } from '../types';
import { docsUrl, specIn } from '../knowledge/directives';
import { ConfigModel, LDir } from '../model/model';
import { tlsUses } from '../model/tls-uses';
import { kindLabel } from '../knowledge/contexts';
import { variableDoc } from '../knowledge/variables';
import { variableDefinition } from '../model/variables';
import { passGroup } from './navigation';
import { describeEffective, lineNumber } from '../model/describe';
import type { CertificateFiles } from '../certificates/files';
import { certificateHover } from './certificate-hover';

export interface HoverResult {
  markdown: string;
  /** The span the hover is about (offsets); absent when it is the whole argument under the cursor. */
  start?: number;
  end?: number;
}

/** The hover at `offset` of file `path`: a directive's docs and what is in effect, or an argument's meaning. */
export function hoverAt(model: ConfigModel, path: string, offset: number, settings: EngineSettings, certificates?: CertificateFiles): HoverResult | null {
  const ld = model.at(path, offset);
  if (!ld || ld.block.kind === 'raw') return null;
  const d = ld.d;
  if (d.nameToken.start <= offset && offset <= d.nameToken.end) {
    const md = hoverMarkdown(model, ld, settings);
    return md ? { markdown: md, start: d.nameToken.start, end: d.nameToken.end } : null;
  }
  const lastArgEnd = d.argCount ? d.args[d.argCount - 1].end : d.start;
  if (offset > lastArgEnd) return null;
  if (certificates && d.args[0] && d.args[0].start <= offset && offset <= d.args[0].end) {
    const cert = certificateHover(model, certificates, ld, settings.now ?? Date.now());
    if (cert) return { markdown: cert, start: d.args[0].start, end: d.args[0].end };
  }
  const md = argumentHoverMarkdown(model, ld, offset);
  return md ? { markdown: md } : null;
}

/** The upstream TLS settings a pass directive's hover shows. */
const TLS_SUFFIXES = upstreamSuffixes((r) => !!r.summary);

function hoverMarkdown(model: ConfigModel, ld: LDir, settings: EngineSettings): string | null {
  const name = ld.name;
  const spec = specIn(name, ld.block.kind);
  const parts: string[] = [];
  if (spec) {
    parts.push(`**${name}** — \`${spec.module}\``);
    const syntax = spec.syntax.map((s) => `\`${name}\` ${s.replace(/\s+/g, ' ').trim()};`).join('  \n');
    if (syntax) parts.push(`Syntax: ${syntax}`);
    parts.push(`Default: ${spec.default ? '`' + spec.default + '`' : '—'}  \nContext: ${spec.contexts === 'any' ? 'any' : [...new Set([...spec.contexts].map(kindLabel))].join(', ')}`);
    if (spec.description) parts.push(spec.description.trim());
    parts.push(`[nginx.org documentation](${docsUrl(spec)})`);
  }
  const effective = effectiveLines(model, ld, settings);
  if (effective.length) parts.push('**In effect here**\n\n' + effective.map((l) => '- ' + l).join('\n'));
  return parts.length ? parts.join('\n\n') : null;
}

/** Hover on an argument: a variable's docs or definition, or the upstream group a pass directive names. */
function argumentHoverMarkdown(model: ConfigModel, ld: LDir, offset: number): string | null {
  const arg = ld.d.args.find((a) => a.start <= offset && offset <= a.end);
  if (!arg) return null;
  const raw = ld.file.tree.text.slice(arg.start, arg.end);
  for (const m of raw.matchAll(/\$\{?([A-Za-z0-9_]+)\}?/g)) {
    const from = arg.start + m.index!;
    if (offset < from || offset > from + m[0].length) continue;
    const name = m[1];
    const def = variableDefinition(name, model);
    if (def) {
      return `**$${name}** — defined by \`${def.name} ${def.d.args.map((a) => a.value).join(' ')}\` (${def.file.path.split('/').pop()}:${lineNumber(def)})`;
    }
    const doc = variableDoc(name);
    if (doc) return `**${doc.title}**\n\n${doc.description.trim()}`;
    return `**$${name}** — not defined anywhere in this config (nginx -t fails on unknown variables).`;
  }
  const group = passGroup(model, ld);
  if (group && arg && arg.start === ld.d.args[0].start) {
    const servers = group.servers.map((x) => `- \`${x.host}${x.port ? ':' + x.port : ''}\``).join('\n');
    return `**upstream ${group.name}** (${group.dir.file.path.split('/').pop()}:${lineNumber(group.dir)})${group.keepalive ? ' — keepalive: idle connections are shared by every location using it' : ''}\n\n${servers || '(no servers)'}`;
  }
  return null;
}

function effectiveLines(model: ConfigModel, ld: LDir, settings: EngineSettings): string[] {
  const name = ld.name;
  const use = tlsUses(model).find((u) => u.pass === ld);
  if (use) {
    return TLS_SUFFIXES.map((s) => describeEffective(model, tlsDirective(use.family, s), use.block, settings.nginxVersion));
  }
  if (/(^|_)ssl(_|$)/.test(name)) {
    return [describeEffective(model, name, ld.block, settings.nginxVersion)];
  }
  return [];
}
