// The TLS map (issue 16): every place nginx opens a TLS connection to an upstream, with the settings in
// effect there and where each one comes from. Values are read exactly as the hover reads them
// (`model.effective` from the use's block, defaults from the TLS table), so the two never disagree.

import { NginxVersion } from '../knowledge/tls';
import { tlsDirective, UpstreamFamily } from '../knowledge/tls-directives';
import { defaultOf, describeEffective, lineNumber } from '../model/describe';
import { ConfigModel, LBlock, LDir } from '../model/model';
import { tlsUses, TlsUse } from '../model/tls-uses';
import { verificationName } from '../model/verification';
import { Finding, Severity } from '../types';
import { backendsOf } from '../certificates/handshake';
import type { CertificateFiles } from '../certificates/files';

/** Where a value comes from: the directive that sets it, or nginx's built-in default. */
export type InventoryOrigin = { file: string; line: number } | 'default';

/** The settings of a use that carry an origin. */
export type InventoryField =
  | 'verify' | 'trustedCertificate' | 'verifyDepth' | 'name' | 'sni'
  | 'clientCertificate' | 'clientCertificateKey' | 'protocols' | 'ciphers' | 'sessionReuse';

/** verified: the upstream's certificate is checked; mutual: checked, and nginx shows its own certificate too. */
export type InventoryState = 'verified' | 'unverified' | 'mutual';

export interface InventoryPlace {
  /** `server_name`/`listen` of a server, the match of a location. */
  label: string;
  file: string;
  line: number;
  start: number;
}

export interface InventoryFinding {
  id: string;
  ruleId: string;
  severity: Severity;
  message: string;
}

/**
 * The certificate the backend presents, where the certificate checks know it: the `ssl_certificate` of a server
 * of this config the use reaches (compose setups, test rigs), or the chain a probe read.
 */
export interface InventoryCertificate {
  /** `CN=backend.test, O=Example`, as the hover writes it. */
  subject: string;
  issuer: string;
  /** ISO 8601 (UTC), e.g. `2028-03-01T12:00:00.000Z`. */
  notAfter: string;
  /** The backend it belongs to, `host:port` (a server without a port in the config: :443). */
  backend: string;
  /** Where it was learnt: the config's own files, or a probe. */
  from: 'config' | 'probe';
}

export interface TlsInventoryUse {
  /** The file of the pass directive (for stream: `proxy_pass` under `proxy_ssl on`). */
  file: string;
  /** 1-based line of the pass directive. */
  line: number;
  /** Offsets of the pass directive in its file. */
  start: number;
  end: number;
  directive: string;
  url: string;
  family: UpstreamFamily;
  /** False when the scheme comes from a variable: nginx prepares TLS, the request decides. */
  certain: boolean;
  /** The upstream group the URL names, or null for a host (or a URL with variables). */
  upstream: string | null;
  /** `host:port` of the group's servers, or the URL's own host:port when no group is named. */
  servers: string[];
  upstreamAt: { file: string; line: number } | null;
  server: InventoryPlace | null;
  location: InventoryPlace | null;
  verify: boolean;
  trustedCertificate: string | null;
  verifyDepth: number | null;
  /** The name nginx checks in the certificate (and sends as SNI when that is on). */
  name: string | null;
  sni: boolean;
  clientCertificate: string | null;
  clientCertificateKey: string | null;
  protocols: string[];
  ciphers: string;
  sessionReuse: boolean;
  origins: Record<InventoryField, InventoryOrigin>;
  /** Findings whose range lies in the pass directive, then those in the directives of the settings in effect. */
  findings: InventoryFinding[];
  state: InventoryState;
  /** The state in words (the tree view's tooltip, the report's table). */
  reason: string;
  /** The hover's "In effect here" lines for the same spot, for display. */
  effective: string[];
  /** The backend's certificate (the leaf it presents; for a group, the first known), or null when no certificate check knows it. */
  backendCertificate: InventoryCertificate | null;
  /** Every backend's certificate that is known, in the group's order (the tree's and the diagram's backends). */
  backendCertificates: InventoryCertificate[];
}

const FIELD_SUFFIX: Record<InventoryField, string> = {
  verify: 'verify',
  trustedCertificate: 'trusted_certificate',
  verifyDepth: 'verify_depth',
  name: 'name',
  sni: 'server_name',
  clientCertificate: 'certificate',
  clientCertificateKey: 'certificate_key',
  protocols: 'protocols',
  ciphers: 'ciphers',
  sessionReuse: 'session_reuse',
};

export const INVENTORY_FIELDS = Object.keys(FIELD_SUFFIX) as InventoryField[];

/** The directive an inventory field is read from, for a family: `proxy_ssl_verify`, `grpc_ssl_name`… */
export function inventoryDirective(family: UpstreamFamily, field: InventoryField): string {
  return tlsDirective(family, FIELD_SUFFIX[field]);
}

function place(ld: LDir, label: string): InventoryPlace {
  return { label, file: ld.file.path, line: lineNumber(ld), start: ld.d.start };
}

function enclosing(block: LBlock, kinds: string[]): LBlock | null {
  for (let b: LBlock | null = block; b; b = b.parent) if (kinds.includes(b.kind)) return b;
  return null;
}

function serverLabel(model: ConfigModel, b: LBlock): string {
  const names = model.inBlock(b, 'server_name').flatMap((ld) => ld.d.args.map((a) => a.value)).filter((n) => n && n !== '_' && n !== '""');
  const listens = model.inBlock(b, 'listen').map((ld) => ld.d.args[0]?.value).filter(Boolean);
  if (names.length) return names.join(' ') + (listens.length ? ` (${listens.join(', ')})` : '');
  return listens.length ? 'listen ' + listens.join(', ') : 'server';
}

const flagOn = (v: string | undefined) => (v ?? '').toLowerCase() === 'on';

/** The leaf certificate of each backend of `use` whose certificate is known, in the group's order. */
function backendCertificates(model: ConfigModel, files: CertificateFiles | undefined, use: TlsUse): InventoryCertificate[] {
  if (!files) return [];
  const out: InventoryCertificate[] = [];
  for (const b of backendsOf(model, files, use)) {
    const leaf = b.chain[0];
    if (!leaf) continue;
    out.push({ subject: leaf.subject, issuer: leaf.issuer, notAfter: new Date(leaf.notAfter).toISOString(), backend: `${b.host}:${b.port}`, from: b.server ? 'config' : 'probe' });
  }
  return out;
}

/**
 * The inventory of one model: every TLS use in document order, findings from `findings` (all files), and the
 * backends' certificates when `files` (the certificate checks) is given.
 */
export function tlsInventory(model: ConfigModel, findings: readonly Finding[], version: NginxVersion, files?: CertificateFiles): TlsInventoryUse[] {
  // Per file, by start: each directive's findings are a binary search away (a filter per use and setting
  // would be uses × findings on a big config).
  const byFile = new Map<string, Finding[]>();
  for (let fIndex = 0; fIndex < findings.length; fIndex++) {
    const f = findings[fIndex];
    const list = byFile.get(f.path);
    if (list) list.push(f);
    else byFile.set(f.path, [f]);
  }
  for (const list of byFile.values()) list.sort((a, b) => a.start - b.start);
  return tlsUses(model).map((use) => inventoryOf(model, use, byFile, version, files));
}

/** The findings of `byFile` (each list sorted by start) that lie in directive `ld` (name to `;`). */
function findingsIn(byFile: Map<string, Finding[]>, ld: { file: { path: string }; d: { start: number; end: number } }): Finding[] {
  const list = byFile.get(ld.file.path);
  if (!list) return [];
  const { start, end } = ld.d;
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Finding[] = [];
  for (let i = lo; i < list.length && list[i].start <= end; i++) if (list[i].end <= end) out.push(list[i]);
  return out;
}

function inventoryOf(model: ConfigModel, use: TlsUse, byFile: Map<string, Finding[]>, version: NginxVersion, files: CertificateFiles | undefined): TlsInventoryUse {
  const origins = {} as Record<InventoryField, InventoryOrigin>;
  const raw = {} as Record<InventoryField, string[] | null>;
  // The use's findings: those on its pass directive, then those on the settings in effect for it (weak
  // protocols set at http level are this use's as much as every other's there).
  const own = findingsIn(byFile, use.pass);
  const mine = new Set(own);
  for (const field of INVENTORY_FIELDS) {
    const e = model.effective(inventoryDirective(use.family, field), use.block);
    if (e.found.length) {
      const first = e.found[0];
      origins[field] = { file: first.file.path, line: lineNumber(first) };
      raw[field] = e.found.flatMap((ld) => ld.d.args.map((a) => a.value));
      for (const ld of e.found) for (const f of findingsIn(byFile, ld)) if (!mine.has(f)) { mine.add(f); own.push(f); }
    } else {
      origins[field] = 'default';
      const def = defaultOf(inventoryDirective(use.family, field), version);
      raw[field] = def === undefined ? null : def.split(/\s+/).filter(Boolean);
    }
  }
  const one = (f: InventoryField): string | null => (raw[f] && raw[f]!.length ? raw[f]![0] : null);
  const file = (f: InventoryField): string | null => {
    const v = one(f);
    return v === null || v === '' ? null : v;
  };
  const depth = one('verifyDepth');
  const verify = flagOn(one('verify') ?? 'off');
  const clientCertificate = file('clientCertificate');
  // A written name is listed as written (as the hover shows it), the default as the host it comes to.
  const name = origins.name !== 'default' ? one('name') : verificationName(model, use).name;
  const sni = flagOn(one('sni') ?? 'off');
  const group = use.group;
  const servers = group
    ? group.servers.map((s) => (s.port !== null ? `${s.host}:${s.port}` : s.host))
    : use.host !== null ? [use.port !== null ? `${use.host}:${use.port}` : use.host] : [];
  const serverBlock = enclosing(use.block, ['http/server', 'stream/server']);
  const locationBlock = enclosing(use.block, ['http/location']);
  const pass = use.pass;
  const state: InventoryState = !verify ? 'unverified' : clientCertificate ? 'mutual' : 'verified';
  const verifyName = inventoryDirective(use.family, 'verify');
  const describe = (f: InventoryField) => describeEffective(model, inventoryDirective(use.family, f), use.block, version);
  let reason: string;
  if (!verify) {
    reason = `not verified (${describe('verify')}): nginx accepts any certificate from ${use.url}`;
    if (clientCertificate) reason += `; it still sends the client certificate ${clientCertificate}`;
  } else {
    const ca = file('trustedCertificate');
    reason = `verified (${verifyName} on) against ${ca ?? 'no trusted CA file (nginx -t fails)'}` +
      (name ? `, checking the name ${name}` : '') + (sni ? ', SNI sent' : ', no SNI');
    if (clientCertificate) reason += `; mutual TLS: nginx presents ${clientCertificate}`;
  }
  if (!use.certain) reason += ' (the scheme comes from a variable: TLS only when it is https)';
  const certificates = backendCertificates(model, files, use);
  return {
    file: pass.file.path,
    line: lineNumber(pass),
    start: pass.d.start,
    end: pass.d.end,
    directive: pass.name,
    // A map's variable as written: its https value is one of several the request picks from.
    url: use.schemeFrom?.name === 'map' ? pass.arg(0) : use.url,
    family: use.family,
    certain: use.certain,
    upstream: group ? group.name : null,
    servers,
    upstreamAt: group ? { file: group.dir.file.path, line: lineNumber(group.dir) } : null,
    server: serverBlock?.owner ? place(serverBlock.owner, serverLabel(model, serverBlock)) : null,
    location: locationBlock?.owner ? place(locationBlock.owner, locationBlock.owner.d.args.map((a) => a.value).join(' ')) : null,
    verify,
    trustedCertificate: file('trustedCertificate'),
    verifyDepth: depth !== null && /^\d+$/.test(depth) ? Number(depth) : null,
    name,
    sni,
    clientCertificate,
    clientCertificateKey: file('clientCertificateKey'),
    protocols: raw.protocols ?? [],
    ciphers: (raw.ciphers ?? []).join(' '),
    sessionReuse: flagOn(one('sessionReuse') ?? 'on'),
    origins,
    findings: own.map((f) => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, message: f.message })),
    state,
    reason,
    effective: INVENTORY_FIELDS.map(describe),
    backendCertificate: certificates[0] ?? null,
    backendCertificates: certificates,
  };
}
