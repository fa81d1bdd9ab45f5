// The handshake nginx will make with an upstream whose server block is in the same config: which backend
// server answers (listen address/port, then SNI against server_name, as nginx routes it), the certificate it
// presents, and how verification against the proxy's trusted file goes (OpenSSL's chain building).

import { ConfigModel, LDir } from '../model/model';
import { ServerInfo, serverTls } from '../model/servers';
import { isFlagOn, isIpLiteral, readsTlsUseInput, TlsUse, tlsUses } from '../model/tls-uses';
import { readsTlsAnd, tlsDirective } from '../knowledge/tls-directives';
import { CertificateFiles, CertificateRef, probeKey } from './files';
import { CertificateInfo } from './types';
import { answeringServer, listenParts, listensOn, LOOPBACK, onlyServerAt } from './sockets';
import { sniName } from '../model/verification';
import { defaultOf, lineNumber } from '../model/describe';
import { NginxVersion } from '../knowledge/tls';

export interface Backend {
  /** The address the proxy connects to (the pass URL's host, or a server of its upstream group). */
  host: string;
  port: number;
  /** The `server` of the upstream group, when the URL names a group. */
  via: LDir | null;
  /** The backend's server block; null when the chain was probed (`check --probe`). */
  server: ServerInfo | null;
  /** The backend's `ssl_certificate` (null when probed) and the chain it sends, the leaf first. */
  certificate: CertificateRef | null;
  chain: CertificateInfo[];
  /** How messages name it: `(the server at line 12)` or `(probed)`. */
  where: string;
  /** The SNI the proxy sends (null: none). */
  sni: string | null;
}

/**
 * By model, then by use, for one set of files. One weak entry per model and a plain map inside: a weak entry per
 * use (tens of thousands) made every garbage collection of a big analysis walk them all.
 */
const backendsCache = new WeakMap<ConfigModel, { files: CertificateFiles; byUse: Map<TlsUse, Backend[]> }>();

/**
 * A `reads` predicate for a rule that looks upstreams' backends up: the TLS directives and `inputs` (the pass
 * directives, `listen`…), and `server_name`, except in a server that cannot be anyone's backend (it listens
 * with TLS on no port an upstream of this config connects to): its names route no upstream's connection.
 */
export function readsBackendsAnd(...inputs: Iterable<string>[]): (name: string, site?: { model: ConfigModel; server: LDir }) => boolean {
  const base = readsTlsAnd(...inputs);
  return (name, site) => (name === 'server_name' ? !site || mayBeBackend(site.model, site.server) : base(name));
}

const targeted = new WeakMap<ConfigModel, Set<string>>();

/** `family port` of every connection an upstream of this config makes (as `findBackends` looks them up). */
function targetedPorts(scope: ConfigModel): Set<string> {
  const model = scope.whole;
  let hit = targeted.get(model) ?? model.carried(targeted, readsTlsUseInput);
  if (hit) {
    targeted.set(model, hit);
    return hit;
  }
  hit = new Set();
  const uses = tlsUses(model);
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    if (!use.certain || !use.host) continue;
    const family = use.family === 'stream' ? 'stream' : 'http';
    if (use.group) for (const s of use.group.servers) hit.add(family + ' ' + (s.port ?? 443));
    else hit.add(family + ' ' + (use.port ?? 443));
  }
  targeted.set(model, hit);
  return hit;
}

/** Whether `server` listens with TLS on a port an upstream of this config connects to. */
function mayBeBackend(model: ConfigModel, server: LDir): boolean {
  const info = serverTls(model).find((s) => s.ld === server);
  if (!info) return true;
  if (!info.listenSsl) return false;
  const ports = targetedPorts(model);
  return info.listens.some((l) => {
    const p = listenParts(l.key);
    return !p || ports.has(info.family + ' ' + p.port);
  });
}

/**
 * The backends of `use` that are servers of this config, with their certificates, when readable. Once per use
 * (a use belongs to one model): the four handshake rules and the name fixes all ask.
 */
export function backendsOf(model: ConfigModel, files: CertificateFiles, use: TlsUse): Backend[] {
  // Most upstreams are other machines, told by a few lookups: those uses are not filed (an entry per use, tens
  // of thousands, cost more than asking again).
  if (!mayHaveBackends(model, files, use)) return NO_BACKENDS;
  let cache = backendsCache.get(model.whole);
  if (!cache || cache.files !== files) backendsCache.set(model.whole, (cache = { files, byUse: new Map() }));
  let backends = cache.byUse.get(use);
  if (!backends) cache.byUse.set(use, (backends = findBackends(model, files, use)));
  return backends;
}

/** A TLS use with the backends of this config (or probed) it reaches: at least one. */
export interface UseBackends {
  use: TlsUse;
  backends: Backend[];
}

const withBackendsCache = new WeakMap<ConfigModel, { files: CertificateFiles; list: UseBackends[] }>();

/**
 * The TLS uses of `model` that reach a backend whose certificate is known, in the order of `tlsUses`, each
 * with its backends. Once per model: the handshake rules each walked every use (tens of thousands, most
 * of them reaching other machines) to find the few that do.
 */
export function usesWithBackends(model: ConfigModel, files: CertificateFiles): readonly UseBackends[] {
  const cached = withBackendsCache.get(model);
  if (cached && cached.files === files) return cached.list;
  const list: UseBackends[] = [];
  const useList = tlsUses(model);
  for (let useIndex = 0; useIndex < useList.length; useIndex++) {
    const use = useList[useIndex];
    const backends = backendsOf(model, files, use);
    if (backends.length) list.push({ use, backends });
  }
  withBackendsCache.set(model, { files, list });
  return list;
}

/** Whether anything of this config listens on a port `use` connects to. */
function listensForUse(model: ConfigModel, family: string, use: TlsUse): boolean {
  if (!use.group) return listensOn(model, family, use.port ?? 443);
  const servers = use.group.servers;
  for (let i = 0; i < servers.length; i++) if (listensOn(model, family, servers[i].port ?? 443)) return true;
  return false;
}

/** Shared by every use without backends here (never added to). */
const NO_BACKENDS: Backend[] = [];

/**
 * Whether `use` may have backends to know: when nothing here listens on its ports and nothing was probed, it
 * has none, and the names nginx would send need not be worked out. Asked before anything is made: tens of
 * thousands of uses end here.
 */
function mayHaveBackends(model: ConfigModel, files: CertificateFiles, use: TlsUse): use is TlsUse & { host: string } {
  if (!use.certain || !use.host) return false;
  return files.hasProbes || listensForUse(model, use.family === 'stream' ? 'stream' : 'http', use);
}

function findBackends(model: ConfigModel, files: CertificateFiles, use: TlsUse & { host: string }): Backend[] {
  const family = use.family === 'stream' ? 'stream' : 'http';
  const targets = use.group
    ? use.group.servers.map((s) => ({ host: s.host, port: s.port ?? 443, via: s.dir }))
    : [{ host: use.host, port: use.port ?? 443, via: null }];
  const sni = sniOf(model, use);
  const out: Backend[] = [];
  for (const t of targets) {
    if (t.host.startsWith('unix:') || t.host.includes('$')) continue;
    const host = t.host.toLowerCase();
    // An SNI known only per request (`proxy_ssl_name $host`) picks a server per request: the backend is known
    // only where one server takes every connection, and a probe would have to guess the name.
    if (sni === undefined) {
      const answer = onlyServerAt(model, family, host, t.port) ? answeringServer(model, family, host, t.port, null) : undefined;
      const backend = answer && (LOOPBACK.has(host) || isIpLiteral(host) || answer.named) ? configBackend(model, files, t, answer.server, null) : null;
      if (backend) out.push(backend);
      continue;
    }
    const probed = () => {
      if (!files.hasProbes) return;
      const r = files.probed(t.host, t.port, sni, offerKey(model, use));
      if (r && r.chain.length) out.push({ host: t.host, port: t.port, via: t.via, server: null, certificate: null, chain: r.chain, sni, where: '(probed)' });
    };
    const answer = answeringServer(model, family, host, t.port, sni);
    if (!answer) { probed(); continue; }
    // A name that is not a local address is only taken to mean this config's server when one of them is
    // named so (the compose and test-rig layouts), never just because something listens on the port.
    if (!LOOPBACK.has(host) && !isIpLiteral(host) && !answer.named) { probed(); continue; }
    const backend = configBackend(model, files, t, answer.server, sni);
    if (backend) out.push(backend);
  }
  return out;
}

/** `server` of this config as the backend at `t`, with the certificate it presents (null when unreadable). */
function configBackend(model: ConfigModel, files: CertificateFiles, t: { host: string; port: number; via: LDir | null }, server: ServerInfo, sni: string | null): Backend | null {
  const certDir = model.first('ssl_certificate', server.block);
  if (!certDir) return null;
  const certificate = files.ref(model, certDir);
  if (!certificate) return null;
  const chain = files.read(model, certificate)?.certificates ?? [];
  if (!chain.length) return null;
  return { host: t.host, port: t.port, via: t.via, server, certificate, chain, sni, where: `(the server at line ${lineNumber(server.ld)})` };
}

/**
 * The SNI nginx sends for `use` (null: none), as ngx_http_upstream_ssl_name derives it from the checked name;
 * undefined when that name depends on the request.
 */
function sniOf(model: ConfigModel, use: TlsUse): string | null | undefined {
  return isFlagOn(model.first(tlsDirective(use.family, 'server_name'), use.block)) ? sniName(model, use) : null;
}

/**
 * What a failed upstream handshake does to every client: http answers 502; stream has no response to send and
 * closes the client's connection (its $status logs 502).
 */
export function failsAll(use: TlsUse): string {
  return use.family === 'stream' ? 'nginx closes every client connection' : 'every request gets 502';
}

export type Verification =
  | { ok: true; intermediates: number; anchor: CertificateInfo }
  | { ok: false; reason: 'untrusted'; last: CertificateInfo };

/**
 * OpenSSL's chain building as nginx runs it (trusted certificates first): from the leaf up through the
 * certificates the backend sends and those in the trusted file, to a self-signed certificate in the trusted
 * file. `intermediates` counts the CAs between the leaf and that root (what `*_ssl_verify_depth` bounds).
 */
export function verifyChain(files: CertificateFiles, chain: CertificateInfo[], trusted: CertificateInfo[]): Verification {
  const isTrusted = (c: CertificateInfo) => trusted.some((t) => t.fingerprint256 === c.fingerprint256);
  let cur = chain[0];
  let path = 0;
  const seen = new Set<string>([cur.fingerprint256]);
  for (let i = 0; i < 16; i++) {
    if (cur.selfSigned) return isTrusted(cur) ? { ok: true, intermediates: Math.max(0, path - 1), anchor: cur } : { ok: false, reason: 'untrusted', last: cur };
    const issuer = files.issuerIn(cur, trusted) ?? files.issuerIn(cur, chain.slice(1));
    if (!issuer || seen.has(issuer.fingerprint256)) return { ok: false, reason: 'untrusted', last: cur };
    seen.add(issuer.fingerprint256);
    path++;
    cur = issuer;
  }
  return { ok: false, reason: 'untrusted', last: cur };
}

/** X509_check_host as nginx calls it: DNS names (one-label wildcards), the subject CN only without any; never an IP SAN. */
export function certificateHasName(c: CertificateInfo, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const dns = c.dnsNames.length ? c.dnsNames : (/(?:^|, )CN=([^,]+)/.exec(c.subject)?.slice(1) ?? []);
  return dns.some((d) => {
    const p = d.toLowerCase();
    if (p.startsWith('*.')) {
      const rest = n.slice(n.indexOf('.'));
      return n.indexOf('.') > 0 && rest === p.slice(1);
    }
    return p === n;
  });
}

/** Where `check --probe` connects for `use`: each address with the SNI and client certificate nginx would use. */
export interface ProbeTarget {
  host: string;
  port: number;
  sni: string | null;
  /**
   * The protocols and ciphers nginx offers there, as the config writes them (`TLSv1.2|HIGH:!aNULL`; empty
   * parts for defaults): part of the key a result is filed under, since two locations that offer different
   * protocols to the same backend can get different answers.
   */
  offer: string;
  /** The effective `*_ssl_protocols` (the version's default when unset): what the probe offers. */
  protocols: string[];
  /** The effective `*_ssl_ciphers` (OpenSSL syntax; TLSv1.2 and below, as nginx applies it). */
  ciphers: string;
  /** Files read here (after the path map) for the client certificate nginx sends, if any. */
  clientCertificate?: string;
  clientKey?: string;
}

function written(model: ConfigModel, name: string, block: TlsUse['block']): string[] | null {
  const found = model.effective(name, block).found;
  return found.length ? found.flatMap((ld) => ld.values()) : null;
}

/** The offer's key: the effective protocols and ciphers as written (defaults as empty), independent of the version. */
export function offerKey(model: ConfigModel, use: TlsUse): string {
  const protocols = written(model, tlsDirective(use.family, 'protocols'), use.block);
  const ciphers = written(model, tlsDirective(use.family, 'ciphers'), use.block);
  return `${protocols?.join(' ') ?? ''}|${ciphers?.join(' ') ?? ''}`;
}

/** What nginx offers the upstream of `use` in its ClientHello: protocols and ciphers in effect there. */
export function offerOf(model: ConfigModel, use: TlsUse, version: NginxVersion): { protocols: string[]; ciphers: string } {
  const value = (suffix: string) => {
    const name = tlsDirective(use.family, suffix);
    return written(model, name, use.block) ?? (defaultOf(name, version) ?? '').split(/\s+/).filter(Boolean);
  };
  return { protocols: value('protocols'), ciphers: value('ciphers').join(' ') };
}

/**
 * The addresses of `use` a probe connects to: those that are not servers of this config (those are predicted),
 * each with the group's `server` directive it comes from (kept out of the target, which crosses the LSP as JSON).
 */
export function useProbeTargets(model: ConfigModel, files: CertificateFiles, use: TlsUse, version: NginxVersion): { target: ProbeTarget; via: LDir | null }[] {
  if (!use.certain || !use.host) return [];
  const inConfig = new Set(backendsOf(model, files, use).filter((b) => b.server).map((b) => b.host + ':' + b.port));
  const sni = sniOf(model, use);
  // A name known only per request: what a probe would send is not known.
  if (sni === undefined) return [];
  const cert = model.first(tlsDirective(use.family, 'certificate'), use.block);
  const key = model.first(tlsDirective(use.family, 'certificate_key'), use.block);
  const certRef = cert && files.ref(model, cert);
  const keyRef = key && files.ref(model, key);
  const offer = offerKey(model, use);
  const { protocols, ciphers } = offerOf(model, use, version);
  const targets = use.group ? use.group.servers.map((s) => ({ host: s.host, port: s.port ?? 443, via: s.dir })) : [{ host: use.host, port: use.port ?? 443, via: null }];
  const out: { target: ProbeTarget; via: LDir | null }[] = [];
  for (const t of targets) {
    if (t.host.startsWith('unix:') || t.host.includes('$') || inConfig.has(t.host + ':' + t.port)) continue;
    out.push({ target: { host: t.host, port: t.port, sni, offer, protocols, ciphers, clientCertificate: certRef?.path, clientKey: keyRef?.path }, via: t.via });
  }
  return out;
}

/** The upstreams a probe would connect to: those of TLS uses whose backend is not a server of this config. */
export function probeTargets(model: ConfigModel, files: CertificateFiles, uses: readonly TlsUse[], version: NginxVersion): ProbeTarget[] {
  const out = new Map<string, ProbeTarget>();
  for (const use of uses) for (const { target: t } of useProbeTargets(model, files, use, version)) out.set(probeKey(t.host, t.port, t.sni, t.offer), t);
  return [...out.values()];
}
