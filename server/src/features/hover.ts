// Hover text: the official docs of the directive (from @nginx/reference-lib, at run time) and, for TLS and
// pass directives, what is in effect at that spot and where it comes from.

import { describeEffective, EngineSettings, LDir } from '../engine';
import { docsUrl, specIn } from '../engine/knowledge/directives';
import { ConfigModel } from '../engine/model/model';
import { tlsDirective, tlsUses } from '../engine/model/tls-uses';
import { kindLabel } from '../engine/knowledge/contexts';

const TLS_SUFFIXES = ['verify', 'trusted_certificate', 'verify_depth', 'name', 'server_name', 'protocols', 'certificate', 'certificate_key', 'session_reuse'];

export function hoverMarkdown(model: ConfigModel, ld: LDir, settings: EngineSettings): string | null {
  const name = ld.d.name;
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

function effectiveLines(model: ConfigModel, ld: LDir, settings: EngineSettings): string[] {
  const name = ld.d.name;
  const use = tlsUses(model).find((u) => u.pass === ld);
  if (use) {
    return TLS_SUFFIXES.slice(0, 6).map((s) => describeEffective(model, tlsDirective(use.family, s), use.block, settings.nginxVersion));
  }
  if (/(^|_)ssl(_|$)/.test(name)) {
    return [describeEffective(model, name, ld.block, settings.nginxVersion)];
  }
  return [];
}
