// The certificate, key, CA and other TLS files a config names: where nginx would look for them (relative to the
// prefix, through the path map), whether they are there, and what they hold. Read through the engine's
// FileSystem, parsed through the adapter's CertificateParser, cached by path and text.

import { allTlsFacts, FileValueForm, NginxVersion, STREAM_VIRTUAL_SERVERS_SINCE, TlsDirectiveFact, TlsFileRole, tlsFact, TlsServerKind, versionAtLeast } from '../knowledge/tls-directives';
import { FileSystem } from '../model/filesystem';
import { ConfigModel, LBlock, LDir } from '../model/model';
import { serverTls } from '../model/servers';
import { isFlagOn } from '../model/tls-uses';
import { isAbsolute, join, normalize } from '../model/paths';
import { CRL_LABELS, CERTIFICATE_LABELS, DH_PARAMETER_LABELS, KEY_LABELS, pemBlocks } from './pem';
import { CertificateInfo, CertificateParser, PemFile } from './types';

export type CertificateRole = Extract<TlsFileRole, 'certificate' | 'key' | 'ca' | 'crl'>;

/** The role of a file nginx opens as it reads the config (the TLS table says when, in `load`). */
export type LoadedFileRole = Exclude<TlsFileRole, 'ech'>;

export interface PathMapEntry {
  /** An absolute path prefix as the config names it (`/etc/nginx/ssl`). */
  from: string;
  /** Where those files are here: absolute, or relative to the first workspace folder. */
  to: string;
}

/** A file a directive names, as nginx resolves it. */
export interface CertificateRef<R extends LoadedFileRole = CertificateRole> {
  ld: LDir;
  role: R;
  /** The argument as written. */
  configured: string;
  /** Where nginx would open it on the server. */
  serverPath: string;
  /** Where it is read here (after the path map). */
  path: string;
  mapped: boolean;
}

export type FileState =
  /** Missing here, and outside the workspace: the config is edited away from its server. Not reported. */
  | { kind: 'elsewhere'; path: string }
  | { kind: 'missing'; path: string; error: string }
  | { kind: 'read'; path: string; file: PemFile };

export interface CertificateEnvironment {
  parser: CertificateParser;
  fs: FileSystem;
  /** Absolute folders whose files are the user's: a missing file there is reported. */
  workspaceFolders: readonly string[];
  pathMap: readonly PathMapEntry[];
}

const ROLES = new Set<TlsFileRole>(['certificate', 'key', 'ca', 'crl']);

/** Directive name → role of the file it names, for every file the TLS table says when nginx opens. */
const LOADED_FILE_DIRECTIVES: Map<string, LoadedFileRole> = (() => {
  const m = new Map<string, LoadedFileRole>();
  for (const f of allTlsFacts()) if (f.value === 'file' && f.role && f.role !== 'ech' && f.load) m.set(f.name, f.role);
  return m;
})();

const LOADED_FILE_NAMES = [...LOADED_FILE_DIRECTIVES.keys()];

/** The certificate, key, CA and CRL directives of those. */
const FILE_DIRECTIVES: Map<string, CertificateRole> = new Map([...LOADED_FILE_DIRECTIVES].filter((e): e is [string, CertificateRole] => ROLES.has(e[1])));

export function certificateRole(directive: string): CertificateRole | undefined {
  return FILE_DIRECTIVES.get(directive);
}

/**
 * The server blocks that take `ld` as their value: its own server, or, for one written at http, stream or mail
 * level, each server that does not set the directive itself (nginx merges the outer value into those only).
 * Undefined when `ld` is in no such block.
 */
export function serversTaking(model: ConfigModel, ld: LDir): LBlock[] | undefined {
  const kind = ld.block.kind;
  if (kind === 'http/server' || kind === 'stream/server' || kind === 'mail/server') return [ld.block];
  if (kind !== 'http' && kind !== 'stream' && kind !== 'mail') return undefined;
  const out: LBlock[] = [];
  const list = serverTls(model);
  // By block, not by directive: the second `ssl_certificate` of an outer pair is never the first one found.
  for (let i = 0; i < list.length; i++) if (model.first(ld.name, list[i].block)?.block === ld.block) out.push(list[i].block);
  return out;
}

function hasOwnSslListen(model: ConfigModel, server: LBlock): boolean {
  return model.inBlock(server, 'listen').some((l) => l.values().slice(1).some((v) => v.toLowerCase() === 'ssl'));
}

/** Whether nginx makes a TLS context for `server`: only there are server certificates, keys and CAs read. */
export function serverContextBuilt(model: ConfigModel, server: LBlock, version: NginxVersion): boolean {
  if (server.kind === 'mail/server') {
    const starttls = model.first('starttls', server);
    return hasOwnSslListen(model, server) || isFlagOn(model.first('ssl', server)) || (!!starttls && starttls.argc > 0 && starttls.arg(0).toLowerCase() !== 'off');
  }
  // Before stream's virtual servers a stream server had a context only with its own `listen … ssl`.
  if (server.kind === 'stream/server' && !versionAtLeast(version, ...STREAM_VIRTUAL_SERVERS_SINCE)) return hasOwnSslListen(model, server);
  return !!model.first('ssl_certificate', server) || isFlagOn(model.first('ssl_reject_handshake', server));
}

const VERIFYING = new Set(['on', 'optional', 'optional_no_ca']);

/**
 * Whether nginx reads the file a server-side directive names (`ssl_certificate`, `ssl_dhparam`, …), as the
 * TLS table's `load` says: when it reads the directive (a password file), or in some server taking it that
 * has a TLS context (certificates and keys only when loaded with the config, the client CA only where client
 * certificates are asked for, trusted CAs and CRLs also only then outside the server kinds and versions the
 * table names, a stapled response only with stapling on). Directives outside server levels are left to the
 * rules that say so, and counted as read.
 */
export function serverFileLoaded(model: ConfigModel, ld: LDir, version: NginxVersion): boolean {
  const load = tlsFact(ld.name)?.load;
  if (load?.at === 'directive') return true;
  const servers = serversTaking(model, ld);
  if (!servers) return true;
  const role = certificateRole(ld.name);
  for (const server of servers) {
    if (!serverContextBuilt(model, server, version)) continue;
    if (role === 'certificate' || role === 'key' || load?.perCertificateWith) {
      // A key with no certificate beside it is never paired, so never read.
      if (!model.first('ssl_certificate', server)) continue;
      if (load?.perCertificateWith && !isFlagOn(model.first(load.perCertificateWith, server))) continue;
      const pairs = [...model.effective('ssl_certificate', server).found, ...model.effective('ssl_certificate_key', server).found];
      if (!pairsLoadedPerRequest(pairs, version)) return true;
      continue;
    }
    const verifying = load?.verifyingClients;
    if (!verifying) return true;
    if (VERIFYING.has(model.first('ssl_verify_client', server)?.arg(0).toLowerCase() ?? 'off')) return true;
    const since = verifying.exceptIn?.[server.kind as TlsServerKind];
    if (since && versionAtLeast(version, ...since)) return true;
  }
  return false;
}

const PREFIX_FORMS: readonly FileValueForm[] = ['data:', 'engine:', 'store:'];

/**
 * How nginx takes `value`, written in `ld`: as a path it opens when it reads the config, or in another form
 * the TLS table gives the directive (a name with variables, expanded per handshake or request; `data:`, an
 * engine's or a store's key). Each form only from its version on (`version` undefined: every form, as the
 * newest nginx has them); before, and for the forms a directive does not have (a CA file is always a path,
 * `$ca` or `data:…` included), the value is a path nginx must find.
 */
export function valueForm(ld: LDir, value: string, version?: NginxVersion): FileValueForm | 'path' {
  const forms = tlsFact(ld.name)?.forms;
  if (!forms) return 'path';
  // nginx counts variables first (`data:$pem` is expanded, then read as data); mail has no variables at all.
  const kind = ld.block.kind;
  if (value.includes('$') && hasForm(forms, 'variables', version) && kind !== 'mail' && kind !== 'mail/server') return 'variables';
  for (const form of PREFIX_FORMS) if (value.startsWith(form) && hasForm(forms, form, version)) return form;
  return 'path';
}

function hasForm(forms: NonNullable<TlsDirectiveFact['forms']>, form: FileValueForm, version: NginxVersion | undefined): boolean {
  const since = forms[form];
  return !!since && (!version || versionAtLeast(version, since[0], since[1], since[2]));
}

/**
 * Whether nginx at `version` loads the certificates and keys `lds` name per handshake or request rather than
 * when it reads the config: once one of a server's pairs (or an upstream's certificate or key) has variables,
 * nginx -t opens none of them, the static ones beside it included.
 */
export function pairsLoadedPerRequest(lds: readonly (LDir | undefined)[], version: NginxVersion): boolean {
  return lds.some((ld) => !!ld && ld.argc === 1 && valueForm(ld, ld.arg(0), version) === 'variables');
}

/** What `check --probe` found at an upstream: the chain it presented (PEM, leaf first), or why not. */
export interface ProbeResult {
  host: string;
  port: number;
  sni: string | null;
  /** The target's `offer` (protocols and ciphers as the config writes them), echoed. */
  offer?: string;
  /** The protocols the probe offered (after OpenSSL's rule that they be contiguous), for messages. */
  offered?: string[];
  chain?: string[];
  error?: string;
  /**
   * Where it failed: no TCP connection, the TLS handshake itself (protocol, cipher, alert), an offer no TLS
   * library can make (`config`), or the client certificate nginx would send, which does not load.
   */
  stage?: 'connect' | 'handshake' | 'config' | 'client-certificate';
}

/** What is kept of a probe result, by address, SNI and offer. */
export interface ProbedUpstream {
  chain: CertificateInfo[];
  error?: string;
  stage?: ProbeResult['stage'];
  offered?: string[];
}

/**
 * The key probe results are filed under: address, SNI and what was offered. A result that does not say what
 * was offered (a client older than the offer) is filed without it and answers for any offer.
 */
export function probeKey(host: string, port: number, sni: string | null, offer?: string): string {
  return `${host.toLowerCase()}:${port}|${sni ?? ''}` + (offer === undefined ? '' : `|${offer}`);
}

export class CertificateFiles {
  private probes = new Map<string, ProbedUpstream>();
  private cache = new Map<string, { text: string | undefined; state: FileState; elsewhere?: FileState }>();
  private refsByModel = new WeakMap<ConfigModel, CertificateRef[]>();
  private readonly map: PathMapEntry[];

  constructor(private readonly env: CertificateEnvironment) {
    const base = env.workspaceFolders[0] ?? '/';
    this.map = env.pathMap
      .map((e) => ({ from: normalize(e.from), to: isAbsolute(e.to) ? normalize(e.to) : join(base, e.to) }))
      .sort((a, b) => b.from.length - a.from.length);
  }

  /** Chains probed from live upstreams (the CLI's `check --probe`); replaces earlier ones. */
  setProbes(results: readonly ProbeResult[]): void {
    this.probes.clear();
    for (const r of results) {
      const chain: CertificateInfo[] = [];
      for (const pem of r.chain ?? []) {
        try { chain.push(this.env.parser.certificate(pem)); } catch { /* not a certificate: left out */ }
      }
      this.probes.set(probeKey(r.host, r.port, r.sni, r.offer), { chain, error: r.error, stage: r.stage, offered: r.offered });
    }
  }

  /** Whether any probe result is held (without one, nothing was probed and probe rules have nothing to say). */
  get hasProbes(): boolean {
    return this.probes.size > 0;
  }

  probed(host: string, port: number, sni: string | null, offer: string): ProbedUpstream | undefined {
    return this.probes.get(probeKey(host, port, sni, offer)) ?? this.probes.get(probeKey(host, port, sni));
  }

  get parser(): CertificateParser {
    return this.env.parser;
  }

  /**
   * Every certificate, key, CA and CRL file the config names with a path (not with variables, `data:`, an
   * engine or a store, in any version that has them), in document order: the files there are to read.
   */
  refs(model: ConfigModel): CertificateRef[] {
    let refs = this.refsByModel.get(model);
    if (refs) return refs;
    refs = this.collect(model, undefined, FILE_DIRECTIVES);
    this.refsByModel.set(model, refs);
    return refs;
  }

  /**
   * The refs of every file directive of `roles` whose value is a path (at `version`, or in every version).
   * `known`: refs already made, in document order, taken instead of new ones for the same directives (a value
   * that is a path in every version is one at `version` too, with the same role: `pathRefs` reuses `refs`).
   */
  private collect<R extends LoadedFileRole>(model: ConfigModel, version: NginxVersion | undefined, roles: ReadonlyMap<string, R>, known?: readonly CertificateRef<LoadedFileRole>[]): CertificateRef<R>[] {
    // The directives of LOADED_FILE_DIRECTIVES (`roles` is all or part of it), from the model's by-name index
    // merged in document order once per model: not a pass over every directive of the config per caller.
    let ldList = this.loadedFileDirectives.get(model);
    if (!ldList) this.loadedFileDirectives.set(model, (ldList = model.namedAny(LOADED_FILE_NAMES)));
    // Made at its largest size and cut to what it holds: grown by push, tens of thousands of refs were copied
    // again and again.
    const refs = new Array<CertificateRef<R>>(ldList.length);
    let n = 0;
    let k = 0;
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      const role = roles.get(ld.name);
      if (!role) continue;
      if (known && k < known.length && known[k].ld === ld && known[k].role === role) {
        refs[n++] = known[k++] as CertificateRef<R>;
        continue;
      }
      const r = this.ref(model, ld, role, version);
      if (r) refs[n++] = r;
    }
    refs.length = n;
    return refs;
  }

  /**
   * Every file nginx at `version` opens as a path when it reads the config (certificates, keys, CAs and CRLs,
   * and the other files the TLS table says it opens then: DH parameters, password files, ticket keys, stapled
   * responses), in document order: what nginx -t fails on when it is not there. Beside `refs`, the values
   * older versions take as paths (`$cert` before variables), and nothing nginx takes otherwise in no version
   * (`$ca`).
   */
  pathRefs(model: ConfigModel, version: NginxVersion): CertificateRef<LoadedFileRole>[] {
    const key = `${version.major}.${version.minor}.${version.patch}`;
    let byVersion = this.pathRefsByModel.get(model);
    if (!byVersion) this.pathRefsByModel.set(model, (byVersion = new Map()));
    let refs = byVersion.get(key);
    if (refs) return refs;
    refs = this.collect(model, version, LOADED_FILE_DIRECTIVES, this.refs(model));
    byVersion.set(key, refs);
    return refs;
  }

  private loadedFileDirectives = new WeakMap<ConfigModel, readonly LDir[]>();
  private pathRefsByModel = new WeakMap<ConfigModel, Map<string, CertificateRef<LoadedFileRole>[]>>();

  /**
   * The file `ld` names, if nginx takes its value as a path: at `version`, or (undefined) in every version,
   * the newest having every other form.
   */
  ref(model: ConfigModel, ld: LDir): CertificateRef | undefined;
  ref<R extends LoadedFileRole>(model: ConfigModel, ld: LDir, role: R | undefined, version?: NginxVersion): CertificateRef<R> | undefined;
  ref(model: ConfigModel, ld: LDir, role: LoadedFileRole | undefined = certificateRole(ld.name), version?: NginxVersion): CertificateRef<LoadedFileRole> | undefined {
    if (!role || ld.argc !== 1) return undefined;
    const value = ld.arg(0);
    if (!value || valueForm(ld, value, version) !== 'path') return undefined;
    // By prefix, then by value: a key joining the two was a new string to build and hash per directive.
    let inPrefix = this.resolved.get(model.prefix);
    if (!inPrefix) this.resolved.set(model.prefix, (inPrefix = new Map()));
    let where = inPrefix.get(value);
    if (!where) {
      if (inPrefix.size > 10_000) inPrefix.clear();
      const serverPath = isAbsolute(value) ? normalize(value) : join(model.prefix, value);
      const m = this.map.find((e) => serverPath === e.from || serverPath.startsWith(e.from + '/'));
      where = { serverPath, path: m ? m.to + serverPath.slice(m.from.length) : serverPath, mapped: !!m };
      inPrefix.set(value, where);
    }
    return { ld, role, configured: value, serverPath: where.serverPath, path: where.path, mapped: where.mapped };
  }

  /** Where each configured path is, by prefix and path: big configs name the same few files thousands of times. */
  private resolved = new Map<string, Map<string, { serverPath: string; path: string; mapped: boolean }>>();

  /** Whether a missing file at `ref` is the user's to fix (inside the workspace, relative, or mapped). */
  ours(model: ConfigModel, ref: CertificateRef<LoadedFileRole>): boolean {
    if (ref.mapped || !isAbsolute(ref.configured)) return true;
    // Asked for every directive naming a file (tens of thousands in a big config): nothing is made per call.
    const p = ref.path;
    for (const dir of this.env.workspaceFolders) if (isInside(p, dir)) return true;
    return isInside(p, model.prefix);
  }

  /** Texts read so far: a file is read once until `invalidate` (files changed on disk). */
  private texts = new Map<string, string | undefined>();

  invalidate(): void {
    this.texts.clear();
  }

  private readText(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    const text = this.env.fs.readFile(path);
    this.texts.set(path, text);
    return text;
  }

  state(model: ConfigModel, ref: CertificateRef<LoadedFileRole>): FileState {
    const text = this.readText(ref.path);
    let entry = this.cache.get(ref.path);
    if (!entry || entry.text !== text) {
      const state: FileState = text === undefined
        ? { kind: 'missing', path: ref.path, error: this.env.fs.readError?.(ref.path) ?? '2: No such file or directory' }
        : { kind: 'read', path: ref.path, file: this.parse(ref.path, text) };
      this.cache.set(ref.path, (entry = { text, state }));
    }
    // The same answer object for every directive naming the missing file (big configs name a few files
    // thousands of times).
    if (entry.state.kind === 'missing' && !this.ours(model, ref)) return (entry.elsewhere ??= { kind: 'elsewhere', path: ref.path });
    return entry.state;
  }

  /** A file by its path here (no reference needed), parsed when readable. */
  readPath(path: string): PemFile | undefined {
    const text = this.readText(path);
    if (text === undefined || !text.includes('-----BEGIN')) return undefined;
    const cached = this.cache.get(path);
    if (cached && cached.text === text && cached.state.kind === 'read') return cached.state.file;
    const file = this.parse(path, text);
    this.cache.set(path, { text, state: { kind: 'read', path, file } });
    return file;
  }

  /** The file's contents when it could be read. */
  read(model: ConfigModel, ref: CertificateRef<LoadedFileRole>): PemFile | undefined {
    const s = this.state(model, ref);
    return s.kind === 'read' ? s.file : undefined;
  }

  private parse(path: string, text: string): PemFile {
    const file: PemFile = { path, certificates: [], keys: [], crls: 0, dhParameters: 0, sizes: possibleSizes(text), broken: [] };
    for (const b of pemBlocks(text)) {
      try {
        if (CERTIFICATE_LABELS.has(b.label)) file.certificates.push(this.env.parser.certificate(b.text));
        else if (KEY_LABELS.has(b.label)) file.keys.push(this.env.parser.privateKey(b.text));
        else if (CRL_LABELS.has(b.label)) file.crls++;
        else if (DH_PARAMETER_LABELS.has(b.label)) file.dhParameters++;
      } catch (e) {
        file.broken.push(`${b.label}: ${(e as Error).message}`);
      }
    }
    return file;
  }

  /** The certificates of `file` that `cert` could chain to, by signature. */
  issuerIn(cert: CertificateInfo, candidates: readonly CertificateInfo[]): CertificateInfo | undefined {
    return candidates.find((c) => c !== cert && this.env.parser.issued(c, cert));
  }
}

/**
 * The sizes in bytes a file read as `text` can have: the text does not say how its bytes were decoded (as
 * latin1, one byte a character; as UTF-8, with or without a byte-order mark dropped).
 */
function possibleSizes(text: string): number[] {
  let utf8 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) utf8 += 1;
    else if (c < 0x800) utf8 += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) { utf8 += 4; i++; }
    else utf8 += 3;
  }
  return [...new Set([text.length, utf8, utf8 + 3])];
}

/** Whether `path` is the folder `dir` or under it. */
function isInside(path: string, dir: string): boolean {
  if (!path.startsWith(dir)) return false;
  return path.length === dir.length || dir.endsWith('/') || path.charCodeAt(dir.length) === 47 /* / */;
}

const DAY = 24 * 60 * 60 * 1000;

/** Whole days from `now` to `t` (negative once past). */
export function daysUntil(t: number, now: number): number {
  return Math.floor((t - now) / DAY);
}

export function describeCertificate(c: CertificateInfo): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject)?.[1];
  return cn ? `"${cn}"` : `"${c.subject}"`;
}

export function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

export interface CertificateCandidate {
  /** As the config should name it: relative to the prefix when under it, else absolute. */
  path: string;
  description: string;
  /** For a client certificate: its key's path, when one was found. */
  key?: string;
}

const CANDIDATE_PATTERNS = ['*.pem', '*.crt', '*.cer', '*.key', '*/*.pem', '*/*.crt', '*/*.cer', '*/*.key', '*/*/*.pem', '*/*/*.crt', '*/*/*.key'];

/**
 * CA certificates and client certificates (with their keys) in the prefix and the workspace folders, for the
 * mutual-TLS scaffold: what the workspace has, offered instead of made-up paths.
 */
export function certificateCandidates(model: ConfigModel, files: CertificateFiles, fs: FileSystem, folders: readonly string[]): { cas: CertificateCandidate[]; clients: CertificateCandidate[] } {
  const paths = new Set<string>();
  for (const dir of new Set([model.prefix, ...folders])) for (const p of CANDIDATE_PATTERNS) for (const f of fs.glob(join(dir, p)).slice(0, 200)) paths.add(f);
  const name = (p: string) => (p.startsWith(model.prefix + '/') ? p.slice(model.prefix.length + 1) : p);
  const parsed = [...paths].slice(0, 500).map((p) => ({ p, f: files.readPath(p) })).filter((x): x is { p: string; f: PemFile } => !!x.f);
  const keys = parsed.flatMap((x) => x.f.keys.map((k) => ({ p: x.p, k })));
  const cas: CertificateCandidate[] = [];
  const clients: CertificateCandidate[] = [];
  for (const { p, f } of parsed) {
    const first = f.certificates[0];
    if (!first) continue;
    if (f.certificates.some((c) => c.isCa)) {
      const ca = f.certificates.find((c) => c.isCa)!;
      cas.push({ path: name(p), description: `CA ${ca.subject}${f.certificates.length > 1 ? ` (+${f.certificates.length - 1} more)` : ''}` });
    } else {
      const key = keys.find((k) => k.k.publicKeyId === first.publicKeyId);
      clients.push({ path: name(p), description: `${first.subject}, issued by ${first.issuer}${key ? '' : ' (no key found)'}`, key: key ? name(key.p) : undefined });
    }
  }
  return { cas, clients };
}
