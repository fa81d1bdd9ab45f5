// The one table of TLS directive facts: how each merges into inner blocks, its default per nginx version,
// what kind of value it takes, which role a file it names plays, and since which version it exists.
// Verified in nginx's source and by running it (../shared/reference/nginx-tls/nginx-tls-semantics.md §1,
// §2, §5). Rules, fixes, hovers and completion read these facts here; none re-derives them from a name.

import { internalized } from '../syntax/tree';

export type MergeKind = 'scalar' | 'bitmask' | 'array';

/** The families that open TLS connections to upstreams; stream's are spelled `proxy_ssl_*`. */
export type UpstreamFamily = 'proxy' | 'grpc' | 'uwsgi' | 'stream';

export type TlsValueKind = 'flag' | 'number' | 'file' | 'protocols' | 'ciphers' | 'name' | 'keyword' | 'other';

/**
 * A value of a file directive nginx does not open as a path when it reads the config: a name with `$` in it
 * (expanded per handshake or request; mail has no variables, so never there), or one of the prefixes.
 */
export type FileValueForm = 'variables' | 'data:' | 'engine:' | 'store:';

/** What a file named by the directive holds. */
export type TlsFileRole = 'certificate' | 'key' | 'ca' | 'crl' | 'dhparam' | 'password' | 'ticket-key' | 'ocsp-response' | 'ech';

/** The blocks that terminate TLS, each making its own TLS context. */
export type TlsServerKind = 'http/server' | 'stream/server' | 'mail/server';

/**
 * When nginx opens the file a directive names, as it reads the config (so `nginx -t` fails when it cannot).
 * `directive`: as soon as it reads the directive, wherever it is written, whether anything uses it or not.
 * `context`: server side, in each server taking the value (its own, or an outer one it does not override)
 * that has a TLS context; upstream side, where the value is in effect for a TLS connection to an upstream
 * (certificates and keys there only when neither has variables, CA files and CRLs only with verification on).
 */
export interface FileLoad {
  at: 'directive' | 'context';
  /**
   * Server side: read only where `ssl_verify_client` asks for client certificates, except in the server kinds
   * listed, from the version given on: there in every server with a TLS context.
   */
  verifyingClients?: { exceptIn?: Partial<Record<TlsServerKind, [number, number, number]>> };
  /** Read only where this flag directive is on, once for each certificate the server loads with the config. */
  perCertificateWith?: string;
}

export interface NginxVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface TlsDirectiveFact {
  name: string;
  /** `upstream`: nginx as a TLS client (`proxy_ssl_*`…); `server`: nginx terminating TLS (`ssl_*`). */
  side: 'upstream' | 'server';
  /** For upstream directives, the part after `<family>_ssl_` (`verify`, `trusted_certificate`…). */
  suffix: string;
  merge: MergeKind;
  value: TlsValueKind;
  role?: TlsFileRole;
  /** For a file: when nginx opens it (absent: not stated here, and not checked). */
  load?: FileLoad;
  /**
   * For a file: the values nginx takes otherwise than as a path, each since the version that brought it.
   * Before that version, and for any form not listed (a CA file named `$ca` or `data:…`), nginx opens the
   * value as a path relative to the prefix, and `nginx -t` fails when there is no such file.
   */
  forms?: Partial<Record<FileValueForm, [number, number, number]>>;
  /** The built-in value when the directive is absent (not every directive has one worth stating). */
  default?: (v: NginxVersion) => string;
  /** Only matters once verification is on (`*_ssl_verify on` / `ssl_verify_client`). */
  verifyOnly?: boolean;
  /** nginx says `"X" directive is duplicate` when it is repeated in one block. */
  unique?: boolean;
  /** First nginx version that has it. */
  since?: [number, number, number];
  /** Upstream directives that only some families have (all three when absent). */
  families?: readonly ('proxy' | 'grpc' | 'uwsgi')[];
  /** Listed in the summaries: a pass directive's hover (upstream side), the effective-settings view (server side). */
  summary?: boolean;
}

export function versionAtLeast(v: NginxVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** NGX_SSL_DEFAULT_PROTOCOLS, shared by every TLS module. */
export function defaultProtocols(v: NginxVersion): string[] {
  if (versionAtLeast(v, 1, 27, 3)) return ['TLSv1.2', 'TLSv1.3'];
  if (versionAtLeast(v, 1, 23, 4)) return ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  return ['TLSv1', 'TLSv1.1', 'TLSv1.2'];
}

const constant = (value: string) => () => value;

/**
 * Stream's virtual servers (`server_name`, `ssl_reject_handshake` in stream): from this version a stream server
 * makes its TLS context as an http server does (it has a certificate or rejects handshakes); before, only
 * with a `listen … ssl` of its own.
 */
export const STREAM_VIRTUAL_SERVERS_SINCE: [number, number, number] = [1, 25, 5];

/**
 * From this version `ssl_verify_client on`/`optional` takes the CAs it checks client certificates against from
 * `ssl_trusted_certificate` alone, in http, stream and mail alike; before, nginx -t wants `ssl_client_certificate`
 * ("no ssl_client_certificate for ssl_verify_client"). A fact of its own: the stream trust files read without
 * client verification (LOADED_TRUST) came in the same release by another change.
 */
export const CLIENT_CA_FROM_TRUSTED_SINCE: [number, number, number] = [1, 27, 2];

const LOADED_IN_CONTEXT: FileLoad = { at: 'context' };
const LOADED_WITH_DIRECTIVE: FileLoad = { at: 'directive' };
/**
 * Trust files beside the client CA (`ssl_trusted_certificate`, `ssl_crl`): read in every http server with a
 * TLS context; in stream only with client verification before 1.27.2; in mail only with client verification.
 */
const LOADED_TRUST: FileLoad = { at: 'context', verifyingClients: { exceptIn: { 'http/server': [0, 0, 0], 'stream/server': [1, 27, 2] } } };
const protocols = (v: NginxVersion) => defaultProtocols(v).join(' ');

type Row = Omit<TlsDirectiveFact, 'name' | 'side' | 'suffix'>;

export function parseVersion(v: string | undefined): NginxVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v ?? '');
  if (!m) return { major: 1, minor: 30, patch: 0 };
  return { major: +m[1], minor: +m[2], patch: m[3] ? +m[3] : 0 };
}

/**
 * nginx as a client: `<family>_ssl_<suffix>` for proxy, grpc and uwsgi (http) and stream's `proxy_ssl_*`.
 * Order is the order in which hovers and the effective-settings view list them.
 */
const UPSTREAM: Record<string, Row> = {
  verify: { merge: 'scalar', value: 'flag', default: constant('off'), summary: true },
  trusted_certificate: { merge: 'scalar', value: 'file', role: 'ca', load: LOADED_IN_CONTEXT, verifyOnly: true, summary: true },
  verify_depth: { merge: 'scalar', value: 'number', default: constant('1'), verifyOnly: true, summary: true },
  crl: { merge: 'scalar', value: 'file', role: 'crl', load: LOADED_IN_CONTEXT, verifyOnly: true },
  name: { merge: 'scalar', value: 'name', summary: true },
  server_name: { merge: 'scalar', value: 'flag', default: constant('off'), summary: true },
  protocols: { merge: 'bitmask', value: 'protocols', default: protocols, summary: true },
  ciphers: { merge: 'scalar', value: 'ciphers', default: constant('DEFAULT') },
  certificate: { merge: 'scalar', value: 'file', role: 'certificate', load: LOADED_IN_CONTEXT, forms: { 'variables': [1, 21, 0], 'data:': [1, 15, 10] } },
  certificate_key: { merge: 'scalar', value: 'file', role: 'key', load: LOADED_IN_CONTEXT, forms: { 'variables': [1, 21, 0], 'data:': [1, 15, 10], 'engine:': [1, 7, 9], 'store:': [1, 29, 0] } },
  session_reuse: { merge: 'scalar', value: 'flag', default: constant('on') },
  password_file: { merge: 'scalar', value: 'file', role: 'password', load: LOADED_WITH_DIRECTIVE },
  conf_command: { merge: 'array', value: 'other', since: [1, 19, 4] },
  certificate_cache: { merge: 'scalar', value: 'other', since: [1, 27, 4] },
  key_log: { merge: 'scalar', value: 'other', since: [1, 27, 2] },
  alpn: { merge: 'scalar', value: 'other', since: [1, 31, 0], families: ['proxy'] },
};

/** nginx terminating TLS (http, stream and mail share these names). */
const SERVER: Record<string, Row> = {
  ssl_certificate: { merge: 'array', value: 'file', role: 'certificate', load: LOADED_IN_CONTEXT, forms: { 'variables': [1, 15, 9], 'data:': [1, 15, 10] }, summary: true },
  ssl_certificate_key: { merge: 'array', value: 'file', role: 'key', load: LOADED_IN_CONTEXT, forms: { 'variables': [1, 15, 9], 'data:': [1, 15, 10], 'engine:': [1, 7, 9], 'store:': [1, 29, 0] }, summary: true },
  ssl_protocols: { merge: 'bitmask', value: 'protocols', default: protocols, summary: true },
  ssl_ciphers: { merge: 'scalar', value: 'ciphers', default: constant('HIGH:!aNULL:!MD5'), unique: true, summary: true },
  ssl_verify_client: { merge: 'scalar', value: 'keyword', default: constant('off'), unique: true, summary: true },
  ssl_client_certificate: { merge: 'scalar', value: 'file', role: 'ca', load: { at: 'context', verifyingClients: {} }, unique: true, summary: true },
  ssl_trusted_certificate: { merge: 'scalar', value: 'file', role: 'ca', load: LOADED_TRUST, unique: true, summary: true },
  ssl_verify_depth: { merge: 'scalar', value: 'number', default: constant('1'), unique: true, summary: true },
  ssl_crl: { merge: 'scalar', value: 'file', role: 'crl', load: LOADED_TRUST, unique: true },
  ssl_dhparam: { merge: 'scalar', value: 'file', role: 'dhparam', load: LOADED_IN_CONTEXT, unique: true },
  ssl_password_file: { merge: 'scalar', value: 'file', role: 'password', load: LOADED_WITH_DIRECTIVE, unique: true },
  ssl_session_ticket_key: { merge: 'array', value: 'file', role: 'ticket-key', load: LOADED_IN_CONTEXT },
  // http only: an OCSP response (DER) stapled instead of one asked for; read only with stapling on.
  ssl_stapling: { merge: 'scalar', value: 'flag', default: constant('off') },
  ssl_stapling_file: { merge: 'scalar', value: 'file', role: 'ocsp-response', load: { at: 'context', perCertificateWith: 'ssl_stapling' }, unique: true },
  ssl_conf_command: { merge: 'array', value: 'other', since: [1, 19, 4] },
  ssl_ecdh_curve: { merge: 'scalar', value: 'other', unique: true },
  ssl_session_timeout: { merge: 'scalar', value: 'other', unique: true },
  ssl_buffer_size: { merge: 'scalar', value: 'other', unique: true },
  ssl_ocsp: { merge: 'scalar', value: 'keyword', since: [1, 19, 0] },
  ssl_reject_handshake: { merge: 'scalar', value: 'flag', since: [1, 19, 4] },
  ssl_certificate_cache: { merge: 'scalar', value: 'other', since: [1, 27, 4] },
  ssl_object_cache_inheritable: { merge: 'scalar', value: 'flag', since: [1, 27, 4] },
  ssl_key_log: { merge: 'scalar', value: 'other', since: [1, 27, 2] },
  ssl_certificate_compression: { merge: 'scalar', value: 'flag', since: [1, 29, 1] },
  ssl_ech_file: { merge: 'array', value: 'file', role: 'ech', since: [1, 29, 4] },
  // stream: switches TLS to the upstream on.
  proxy_ssl: { merge: 'scalar', value: 'flag', default: constant('off'), unique: true },
};

const HTTP_FAMILIES = ['proxy', 'grpc', 'uwsgi'] as const;

const FACTS = new Map<string, TlsDirectiveFact>();
for (const [suffix, row] of Object.entries(UPSTREAM)) {
  // Every upstream-side scalar rejects a repeat: they are all set with nginx's checked slot setters.
  for (const f of row.families ?? HTTP_FAMILIES) FACTS.set(`${f}_ssl_${suffix}`, { name: `${f}_ssl_${suffix}`, side: 'upstream', suffix, unique: row.merge === 'scalar', ...row });
}
for (const [name, row] of Object.entries(SERVER)) FACTS.set(name, { name, side: 'server', suffix: name.replace(/^ssl_/, ''), ...row });

/** The facts about a TLS directive, or undefined for a directive that is not one. */
export function tlsFact(name: string): TlsDirectiveFact | undefined {
  return FACTS.get(name);
}

/**
 * A TLS directive by its name: one of the table, or one shaped like them that this table does not know
 * (a newer nginx's, a misspelling's twin): `ssl`, `ssl_*`, `proxy_ssl*`, `grpc_ssl*`, `uwsgi_ssl*`.
 */
export function isTlsDirectiveName(name: string): boolean {
  return FACTS.has(name) || TLS_SHAPED.test(name);
}
const TLS_SHAPED = /^(?:(?:proxy|grpc|uwsgi)_)?ssl(?:_|$)/;

/**
 * Whether something resting on the TLS directives and on `names` can change when a directive of that name
 * does: a rule's `reads`, a per-model memo's inputs.
 */
export function readsTlsAnd(...names: Iterable<string>[]): (name: string) => boolean {
  const set = new Set<string>();
  for (const list of names) for (const n of list) set.add(n);
  return (name) => set.has(name) || isTlsDirectiveName(name);
}

/** Every TLS directive nginx knows (all families spelled out). */
export function allTlsFacts(): Iterable<TlsDirectiveFact> {
  return FACTS.values();
}

/** The directive prefix of a family: `proxy_ssl_verify`, `grpc_ssl_verify`, … (stream uses `proxy_`). */
export function familyPrefix(f: UpstreamFamily): string {
  return f === 'stream' ? 'proxy' : f;
}

/** `proxy_ssl_verify` for the proxy family, `grpc_ssl_verify` for grpc… */
export function tlsDirective(family: UpstreamFamily, suffix: string): string {
  const names = (NAMES[family] ??= new Map());
  let name = names.get(suffix);
  if (name === undefined) names.set(suffix, (name = internalized(`${familyPrefix(family)}_ssl_${suffix}`)));
  return name;
}
/** One string per name: rules ask for these per directive, and a fresh string is hashed anew at each lookup. */
const NAMES: Partial<Record<UpstreamFamily, Map<string, string>>> = {};

/** Upstream setting suffixes in display order, optionally only those matching `pick`. */
export function upstreamSuffixes(pick: (row: Row) => boolean = () => true): string[] {
  return Object.entries(UPSTREAM).filter(([, r]) => pick(r)).map(([s]) => s);
}

/** The settings that decide whether and against what an upstream certificate is checked. */
export const VERIFICATION_SUFFIXES: readonly string[] = ['verify', ...upstreamSuffixes((r) => !!r.verifyOnly)];

/** Server-side TLS directives listed in the effective-settings view, in table order. */
export function serverSummary(): string[] {
  return [...FACTS.values()].filter((f) => f.side === 'server' && f.summary).map((f) => f.name);
}

/** The TLS directives whose value is of `kind` (`ciphers`, `protocols`…): a rule asks the model for these by name. */
export function tlsNamesWithValue(kind: TlsDirectiveFact['value']): readonly string[] {
  let names = BY_VALUE.get(kind);
  if (!names) BY_VALUE.set(kind, (names = [...FACTS.values()].filter((f) => f.value === kind).map((f) => f.name)));
  return names;
}
const BY_VALUE = new Map<TlsDirectiveFact['value'], string[]>();

/** Every directive that names a file of CA certificates (upstream trust and client-certificate trust). */
export function caFileDirectives(): string[] {
  return [...FACTS.values()].filter((f) => f.role === 'ca').map((f) => f.name);
}
