// What verifying an upstream involves, read from the model: the name nginx checks, the CA files the config
// already trusts, where in a block a new directive belongs. Rules and fixes both ask these questions.

import { caFileDirectives, tlsDirective } from '../knowledge/tls-directives';
import { ConfigModel, LBlock, LDir } from './model';
import { isIpLiteral, TlsUse } from './tls-uses';

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
  if (sslName) return { name: sslName.argc ? sslName.arg(0) : null, suggestion: null };
  if (!use.host) return { name: null, suggestion: null };
  if (isCertificateName(use.host) || use.host === 'localhost') return { name: use.host, suggestion: null };
  const firstServer = use.group?.servers.find((s) => !isIpLiteral(s.host) && !s.host.startsWith('unix:'));
  const suggestion = firstServer && (isCertificateName(firstServer.host) || firstServer.host === 'localhost') ? firstServer.host : null;
  return { name: use.host, suggestion };
}

const CA_DIRECTIVES = caFileDirectives();
const caFiles = new WeakMap<ConfigModel, string[]>();

/** CA files the config already trusts somewhere: likely the private CA of its own upstreams. Once per model. */
export function knownCaFiles(scope: ConfigModel): string[] {
  const model = scope.whole;
  let hit = caFiles.get(model);
  if (hit) return hit;
  const out = new Set<string>();
  for (const name of CA_DIRECTIVES) {
    for (const ld of model.named(name)) if (ld.argc && !ld.arg(0).includes('$')) out.add(ld.arg(0));
  }
  caFiles.set(model, (hit = [...out]));
  return hit;
}
