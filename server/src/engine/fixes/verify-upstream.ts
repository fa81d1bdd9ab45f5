// The fix for an unverified upstream: verification on, a CA to trust, SNI, and the name to check when the
// default one (an upstream group's name) cannot match a certificate. Each directive goes where nginx allows
// it (never `if`/`limit_except`), and an existing one is changed instead of duplicated.

import { ConfigModel, LBlock, LDir } from '../model/model';
import { isFlagOn, isIpLiteral, settingsBlock, tlsDirective, TlsUse } from '../model/tls-uses';
import { RuleContext } from '../rules/rule';
import { Fix, TextEdit } from '../types';
import { insertDirectives, quoteIfNeeded, setArguments } from './edits';

/** The directive of `settings` that contains `inner` (itself when it sits directly there). */
export function anchorIn(settings: LBlock, inner: LDir): LDir | undefined {
  let ld: LDir | null = inner;
  while (ld && ld.block !== settings) ld = ld.block.owner;
  return ld ?? undefined;
}

/** A name a certificate can carry: a DNS name with at least one dot, not an IP address. */
export function isCertificateName(host: string): boolean {
  return host.includes('.') && !isIpLiteral(host) && !host.includes('$') && !host.startsWith('unix:');
}

/** The name nginx checks and sends by default, and a better one when that cannot match. */
export function verificationName(model: ConfigModel, use: TlsUse): { name: string | null; suggestion: string | null } {
  const sslName = model.first(tlsDirective(use.family, 'name'), use.block);
  if (sslName) return { name: sslName.d.args[0]?.value ?? null, suggestion: null };
  if (!use.host) return { name: null, suggestion: null };
  if (isCertificateName(use.host) || use.host === 'localhost') return { name: use.host, suggestion: null };
  const firstServer = use.group?.servers.find((s) => !isIpLiteral(s.host) && !s.host.startsWith('unix:'));
  const suggestion = firstServer && (isCertificateName(firstServer.host) || firstServer.host === 'localhost') ? firstServer.host : null;
  return { name: use.host, suggestion };
}

const CA_DIRECTIVES = ['proxy_ssl_trusted_certificate', 'grpc_ssl_trusted_certificate', 'uwsgi_ssl_trusted_certificate', 'ssl_trusted_certificate', 'ssl_client_certificate'];
const caFiles = new WeakMap<ConfigModel, string[]>();

/** CA files the config already trusts somewhere: likely the private CA of its own upstreams. Once per model. */
function knownCaFiles(model: ConfigModel): string[] {
  let hit = caFiles.get(model);
  if (hit) return hit;
  const out = new Set<string>();
  for (const name of CA_DIRECTIVES) {
    for (const ld of model.named(name)) if (ld.d.args[0] && !ld.d.args[0].value.includes('$')) out.add(ld.d.args[0].value);
  }
  caFiles.set(model, (hit = [...out]));
  return hit;
}

export function verifyFixes(ctx: RuleContext, use: TlsUse): Fix[] {
  const fixes: Fix[] = [];
  const main = verifyFix(ctx, use, ctx.settings.trustedCertificate, true);
  if (main) fixes.push(main);
  // The user's other choice: a CA the config already trusts elsewhere (a private CA for internal upstreams).
  for (const ca of knownCaFiles(ctx.model).filter((c) => c !== ctx.settings.trustedCertificate).slice(0, 3)) {
    const alt = verifyFix(ctx, use, ca, false);
    if (alt) fixes.push(alt);
  }
  return fixes;
}

function verifyFix(ctx: RuleContext, use: TlsUse, trusted: string, preferred: boolean): Fix | null {
  const model = ctx.model;
  const block = settingsBlock(use.block);
  const anchor = anchorIn(block, use.pass);
  const lines: string[] = [];
  const edits: TextEdit[] = [];
  const ensure = (suffix: string, value: string, onlyIfUnset: boolean) => {
    const name = tlsDirective(use.family, suffix);
    const here = model.inBlock(block, name);
    if (here.length) {
      if (!onlyIfUnset && here[0].d.args.map((a) => a.value.toLowerCase()).join(' ') !== value) edits.push(setArguments(here[0], value));
      return;
    }
    const eff = model.first(name, block);
    if (onlyIfUnset && eff) return;
    if (!onlyIfUnset && eff && eff.d.args.map((a) => a.value.toLowerCase()).join(' ') === value) return;
    lines.push(`${name} ${value};`);
  };
  ensure('verify', 'on', false);
  ensure('trusted_certificate', quoteIfNeeded(trusted), preferred);
  const naming = verificationName(model, use);
  if (naming.suggestion) ensure('name', naming.suggestion, true);
  const checked = naming.suggestion ?? naming.name;
  if (checked && !isIpLiteral(checked)) {
    const sni = model.first(tlsDirective(use.family, 'server_name'), block);
    if (!isFlagOn(sni)) ensure('server_name', 'on', false);
  }
  const ins = insertDirectives(block, lines, anchor);
  if (ins) edits.push(ins);
  if (edits.length === 0) return null;
  const verifyName = tlsDirective(use.family, 'verify');
  return {
    title: preferred
      ? `Verify the upstream certificate: ${verifyName} on, trusted CA ${trusted}`
      : `Verify the upstream certificate against ${trusted} (a CA this config already trusts)`,
    edits,
    isPreferred: preferred,
    safe: preferred,
  };
}
