// What verifying an upstream involves, read from the model: the name nginx checks, the CA files the config
// already trusts, where in a block a new directive belongs. Rules and fixes both ask these questions.

import { tlsSettings } from './tls-settings';
import { caFileDirectives } from '../knowledge/tls-directives';
import { publiclyCertifiable } from '../knowledge/public-names';
import { ConfigModel, LBlock, LDir } from './model';
import { isIpLiteral, TlsUse } from './tls-uses';
import { parsePassUrl } from './pass-url';

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

/**
 * The value of `*_ssl_name` as nginx reads it for `use`: `$proxy_host` and `$proxy_port` evaluated, since for
 * proxy_pass they are the URL's own host[:port] and port whatever the request (any other variable is left as
 * written: known only per request). Only the proxy module sets them; elsewhere they stay unevaluated.
 */
function evaluateName(use: TlsUse, raw: string): string {
  if (!raw.includes('$') || use.family !== 'proxy' || use.host === null) return raw;
  const { scheme, hostPort, port } = parsePassUrl(use.url);
  // ngx_http_proxy_set_vars: the port is part of $proxy_host only when it is not the scheme's default.
  const defaultPort = scheme === 'http' ? 80 : 443;
  const proxyHost = port === null || port === defaultPort ? use.host : hostPort;
  const proxyPort = String(port ?? defaultPort);
  return raw.replace(/\$(?:\{(proxy_host|proxy_port)\}|(proxy_host|proxy_port)(?![A-Za-z0-9_]))/g, (_, a?: string, b?: string) => ((a ?? b) === 'proxy_host' ? proxyHost : proxyPort));
}

/**
 * The name as ngx_http_upstream_ssl_name keeps it: a `:port` cut off (after the `]` of `[v6]:port`), since
 * `$proxy_host` or `$http_host` bring one.
 */
export function withoutPort(name: string): string {
  const close = name.startsWith('[') ? name.indexOf(']') : -1;
  const colon = name.indexOf(':', Math.max(0, close));
  return colon < 0 ? name : name.slice(0, colon);
}

/** The name nginx checks for `use` and sends as SNI (`verificationName` without the suggestion, nothing made for it). */
export function checkedName(model: ConfigModel, use: TlsUse): string | null {
  const x = tlsSettings(model).at(use, 'name');
  if (x < 0) return use.host;
  const s = model.store;
  if (!s.argc(x)) return null;
  const raw = evaluateName(use, s.arg(x, 0));
  return raw.includes('$') ? raw : withoutPort(raw) || null;
}

/**
 * The name nginx checks and sends by default, and a better one when that cannot match. A name that still
 * holds a variable is returned as written (it depends on the request); any other is what nginx checks.
 */
export function verificationName(model: ConfigModel, use: TlsUse): { name: string | null; suggestion: string | null } {
  const name = checkedName(model, use);
  // A written name other than the default is the user's choice: nothing better to offer.
  if (name !== use.host) return { name, suggestion: null };
  if (!name) return { name: null, suggestion: null };
  if (isCertificateName(name) || name === 'localhost') return { name, suggestion: null };
  const firstServer = use.group?.servers.find((s) => !isIpLiteral(s.host) && !s.host.startsWith('unix:'));
  const suggestion = firstServer && (isCertificateName(firstServer.host) || firstServer.host === 'localhost') ? firstServer.host : null;
  return { name, suggestion };
}

/**
 * A DNS name no public CA certifies: without a dot (`localhost`, a container's name) or under a reserved or
 * private suffix (`.local`, `.internal`, `.lan`). Only a private CA's certificate can carry it.
 */
export function isLocalName(host: string): boolean {
  return !isIpLiteral(host) && !host.includes('$') && !host.startsWith('unix:') && !publiclyCertifiable(host);
}

/**
 * Why no certificate can pass nginx's name check for `use` when `name` is the name checked, or null: an IP
 * address (nginx matches DNS names only; an IP in subjectAltName does not count), or the upstream group's own
 * name, the default for `https://group`, when it is not a name a certificate would carry.
 */
export function unmatchableName(use: TlsUse, name: string): 'ip' | 'group' | null {
  if (isIpLiteral(name)) return 'ip';
  if (use.group && name === use.host && !isCertificateName(name) && name !== 'localhost') return 'group';
  return null;
}

/**
 * The SNI nginx sends for `use` when `*_ssl_server_name` is on: the checked name, but none for an IP address
 * (RFC 6066; ngx_http_upstream_ssl_name). `undefined` when the name depends on the request.
 */
export function sniName(model: ConfigModel, use: TlsUse): string | null | undefined {
  const name = checkedName(model, use);
  // The name has no port left (checkedName): an IP literal here is IPv4 or a bracketed IPv6.
  if (name === null || isIpLiteral(name)) return null;
  return name.includes('$') ? undefined : name.toLowerCase();
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
