// Version facts beside the TLS table (tls-directives.ts): weak protocols, duplicate rules for the
// non-TLS directives TLS configs use, and directives newer than the versions people still run.

import { MergeKind, NginxVersion, STREAM_VIRTUAL_SERVERS_SINCE, tlsFact, versionAtLeast } from './tls-directives';
import { BlockKind } from './contexts';

export type { MergeKind, NginxVersion, UpstreamFamily } from './tls-directives';
export { defaultProtocols, familyPrefix, parseVersion, tlsDirective, versionAtLeast } from './tls-directives';

export function versionLabel(v: NginxVersion): string {
  return `${v.major}.${v.minor}${v.patch ? '.' + v.patch : ''}`;
}

export const WEAK_PROTOCOLS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1']);

export function mergeKind(name: string): MergeKind {
  return tlsFact(name)?.merge ?? 'scalar';
}

/** The built-in value of a TLS directive at version `v`, when the table states one. */
export function tlsDefault(name: string, v: NginxVersion): string | undefined {
  return tlsFact(name)?.default?.(v);
}

/** Directives that nginx rejects when repeated in one block (`"X" directive is duplicate`). */
export function rejectsDuplicates(name: string, isFlag: boolean): boolean {
  if (isFlag) return true;
  const fact = tlsFact(name);
  if (fact) return !!fact.unique;
  return UNIQUE_OTHERS.has(name);
}

const UNIQUE_OTHERS = new Set([
  'proxy_pass', 'grpc_pass', 'uwsgi_pass', 'fastcgi_pass', 'scgi_pass', 'memcached_pass',
  'root', 'alias', 'proxy_connect_timeout', 'proxy_read_timeout', 'proxy_send_timeout',
  'client_max_body_size', 'keepalive_timeout', 'resolver_timeout', 'worker_processes', 'pid', 'user',
]);

/**
 * Non-TLS directives newer than nginx 1.22 that TLS configs commonly use (TLS ones carry `since` in the
 * table). From nginx's changelog.
 */
const SINCE = new Map<string, [number, number, number]>([
  ['http2', [1, 25, 1]],
  ['http3', [1, 25, 0]],
  ['http3_hq', [1, 25, 0]],
  ['http3_max_concurrent_streams', [1, 25, 0]],
  ['http3_stream_buffer_size', [1, 25, 0]],
  ['quic_retry', [1, 25, 0]],
  ['quic_gso', [1, 25, 0]],
  ['quic_host_key', [1, 25, 0]],
  ['quic_active_connection_id_limit', [1, 25, 0]],
  ['quic_bpf', [1, 25, 0]],
]);

/**
 * Directives nginx's changelog (docs/xml/nginx/changes.xml of github.com/nginx/nginx at 3f6f782) introduces as new
 * in a version from 1.11 on: a feature entry that names them as "the "X" directive(s)", where that entry is the
 * first mention of the name in the changelog (so the name is not older elsewhere). Left out where the name is
 * another module's too and the entry says which block or module (`keepalive_timeout` "in the upstream block"), was
 * NGINX Plus's before (`least_time`, `sticky`), or is in Debian's nginx 1.22.1 already by a backport (`max_headers`):
 * the check does not know the build. Each version below 1.22.1 was checked against Debian's 1.22.1 binary's
 * directive table (scripts/extract-module-commands.py): it has every one of them and none of the later ones.
 */
const CHANGES_SINCE: [[number, number, number], string[]][] = [
  [[1, 11, 6], ['fastcgi_cache_max_range_offset', 'http2_max_requests', 'proxy_cache_max_range_offset', 'scgi_cache_max_range_offset', 'uwsgi_cache_max_range_offset']],
  [[1, 11, 8], ['absolute_redirect']],
  [[1, 11, 10], ['fastcgi_cache_background_update', 'proxy_cache_background_update', 'scgi_cache_background_update', 'uwsgi_cache_background_update']],
  [[1, 11, 11], ['worker_shutdown_timeout']],
  [[1, 13, 2], ['add_trailer']],
  [[1, 13, 9], ['http2_push', 'http2_push_preload']],
  [[1, 15, 3], ['ssl_early_data']],
  [[1, 15, 6], ['fastcgi_socket_keepalive', 'grpc_socket_keepalive', 'memcached_socket_keepalive', 'proxy_socket_keepalive', 'scgi_socket_keepalive', 'uwsgi_socket_keepalive']],
  [[1, 15, 7], ['proxy_requests']],
  [[1, 17, 1], ['limit_req_dry_run']],
  [[1, 17, 6], ['limit_conn_dry_run']],
  [[1, 17, 10], ['auth_delay']],
  [[1, 19, 3], ['proxy_cookie_flags', 'userid_flags']],
  [[1, 19, 4], ['grpc_ssl_conf_command', 'proxy_smtp_auth', 'proxy_ssl_conf_command', 'ssl_conf_command', 'ssl_reject_handshake', 'uwsgi_ssl_conf_command']],
  [[1, 19, 10], ['keepalive_time']],
  [[1, 21, 0], ['max_errors']],
  [[1, 21, 4], ['mp4_start_key_frame', 'proxy_half_close', 'ssl_alpn']],
  [[1, 27, 2], ['proxy_pass_trailers']],
  [[1, 27, 4], ['grpc_ssl_certificate_cache', 'keepalive_min_timeout', 'proxy_ssl_certificate_cache', 'ssl_certificate_cache', 'ssl_object_cache_inheritable', 'uwsgi_ssl_certificate_cache']],
  [[1, 29, 0], ['early_hints']],
  [[1, 29, 1], ['ssl_certificate_compression']],
  [[1, 29, 3], ['add_header_inherit', 'add_trailer_inherit']],
  [[1, 29, 4], ['ssl_ech_file']],
  [[1, 31, 0], ['proxy_ssl_alpn']],
  [[1, 31, 3], ['fastcgi_socket_rcvbuf', 'fastcgi_socket_sndbuf', 'grpc_socket_rcvbuf', 'grpc_socket_sndbuf', 'proxy_socket_rcvbuf', 'proxy_socket_sndbuf', 'scgi_socket_rcvbuf', 'scgi_socket_sndbuf', 'tunnel_socket_rcvbuf', 'tunnel_socket_sndbuf', 'uwsgi_socket_rcvbuf', 'uwsgi_socket_sndbuf', 'xml_external_entities']],
];
/**
 * Directives of features the changelog introduces without naming each directive: "the ngx_http_grpc_module"
 * (1.13.10, with "the "subrequest_output_buffer_size" directive"), "the ngx_http_mirror_module" (1.13.4), "HTTP/2 server push support" (1.13.9), "the "random"
 * directive inside the "upstream" block" (1.15.1, the name new in both modules), "client certificate validation
 * with OCSP" (1.19.0), "the ngx_stream_pass_module" (1.25.5), "the ngx_http_tunnel_module" (1.31.0). Each
 * version is also the first release tag of github.com/nginx/nginx whose sources define the name (ngx_string
 * in src/, every release-1.x tag from 1.9.0 read), which agrees with every entry of CHANGES_SINCE as well.
 */
const FEATURE_SINCE: [[number, number, number], string[]][] = [
  [[1, 13, 4], ['mirror', 'mirror_request_body']],
  [[1, 13, 9], ['http2_max_concurrent_pushes']],
  [[1, 13, 10], ['subrequest_output_buffer_size', 'grpc_bind', 'grpc_buffer_size', 'grpc_connect_timeout', 'grpc_hide_header', 'grpc_ignore_headers', 'grpc_intercept_errors', 'grpc_next_upstream', 'grpc_next_upstream_timeout', 'grpc_next_upstream_tries', 'grpc_pass', 'grpc_pass_header', 'grpc_read_timeout', 'grpc_send_timeout', 'grpc_set_header', 'grpc_ssl_certificate', 'grpc_ssl_certificate_key', 'grpc_ssl_ciphers', 'grpc_ssl_crl', 'grpc_ssl_name', 'grpc_ssl_password_file', 'grpc_ssl_protocols', 'grpc_ssl_server_name', 'grpc_ssl_session_reuse', 'grpc_ssl_trusted_certificate', 'grpc_ssl_verify', 'grpc_ssl_verify_depth']],
  [[1, 15, 1], ['random']],
  [[1, 19, 0], ['ssl_ocsp_cache', 'ssl_ocsp_responder']],
  [[1, 25, 5], ['pass']],
  [[1, 31, 0], ['tunnel_bind', 'tunnel_buffer_size', 'tunnel_connect_timeout', 'tunnel_next_upstream', 'tunnel_next_upstream_timeout', 'tunnel_next_upstream_tries', 'tunnel_pass', 'tunnel_read_timeout', 'tunnel_send_lowat', 'tunnel_send_timeout', 'tunnel_socket_keepalive']],
];
for (const [v, names] of [...CHANGES_SINCE, ...FEATURE_SINCE]) for (const n of names) if (!SINCE.has(n)) SINCE.set(n, v);

/** The version a directive appeared in, when it is newer than what `v` knows. */
export function introducedAfter(name: string, v: NginxVersion): string | undefined {
  const s = tlsFact(name)?.since ?? SINCE.get(name);
  if (!s || versionAtLeast(v, s[0], s[1], s[2])) return undefined;
  return s.join('.');
}

/** A directive nginx first deprecated (`nginx -t` warns and still applies it), then dropped from every module. */
export interface Retirement {
  deprecated: [number, number, number];
  /** From this version no module defines the name: `unknown directive`. */
  removed: [number, number, number];
  /** What nginx's warning tells to use instead. */
  instead: string;
}

/**
 * `ssl on|off` (http and mail): the changelog (docs/xml/nginx/changes.xml) deprecates it in 1.15.0 and drops it in
 * 1.25.1 ("no longer supported"); the command tables of ngx_http_ssl_module.c and ngx_mail_ssl_module.c have it at
 * tag release-1.25.0 and not at release-1.25.1, and at 1.22.1 its handler's post is the warning
 * `the "ssl" directive is deprecated, use the "listen ... ssl" directive instead`. Stream never had it.
 */
const RETIRED = new Map<string, Retirement>([
  ['ssl', { deprecated: [1, 15, 0], removed: [1, 25, 1], instead: '"listen ... ssl"' }],
]);

/** The retirement of a directive that `v` has removed already (nginx then knows no such name). */
export function removedBy(name: string, v: NginxVersion): Retirement | undefined {
  const r = RETIRED.get(name);
  return r && versionAtLeast(v, ...r.removed) ? r : undefined;
}

/** The retirement of a directive that `v` still takes with a deprecation warning. */
export function deprecatedAt(name: string, v: NginxVersion): Retirement | undefined {
  const r = RETIRED.get(name);
  return r && versionAtLeast(v, ...r.deprecated) && !versionAtLeast(v, ...r.removed) ? r : undefined;
}

/** Whether no module of nginx `v` defines the name (too new, or removed): nginx stops at `unknown directive`. */
export function unknownToVersion(name: string, v: NginxVersion): boolean {
  return introducedAfter(name, v) !== undefined || removedBy(name, v) !== undefined;
}

/**
 * Directives one family had before another: until the version, another module defines the name but none in
 * these blocks, so `nginx -t` says `directive is not allowed here`. The first release tag of github.com/nginx/nginx
 * whose stream (or mail) module lists the name in its command table (every release-1.x tag from 1.9.0 read),
 * matching the changelog: "client SSL certificates verification in the stream module" (1.11.8), "virtual servers
 * in the stream module" (1.25.5), "client certificate validation with OCSP" and "OCSP stapling support in the
 * stream module" (1.27.2), "the "proxy_protocol" and "set_real_ip_from" directives in mail proxy" (1.19.8).
 */
const STREAM: BlockKind[] = ['stream', 'stream/server'];
const MAIL: BlockKind[] = ['mail', 'mail/server'];
const CONTEXT_SINCE = new Map<string, { kinds: BlockKind[]; since: [number, number, number] }>();
for (const [kinds, since, names] of [
  [STREAM, [1, 11, 8], ['ssl_verify_client', 'ssl_verify_depth', 'ssl_client_certificate', 'ssl_trusted_certificate', 'ssl_crl']],
  [STREAM, STREAM_VIRTUAL_SERVERS_SINCE, ['ssl_reject_handshake', 'server_name', 'server_names_hash_bucket_size', 'server_names_hash_max_size']],
  [STREAM, [1, 27, 2], ['ssl_ocsp', 'ssl_ocsp_cache', 'ssl_ocsp_responder', 'ssl_stapling', 'ssl_stapling_file', 'ssl_stapling_responder', 'ssl_stapling_verify']],
  [MAIL, [1, 19, 8], ['proxy_protocol', 'set_real_ip_from']],
] as [BlockKind[], [number, number, number], string[]][]) for (const n of names) CONTEXT_SINCE.set(n, { kinds, since });

/** The version from which a block of `kind` takes the directive, when `v` is older (another family has it already). */
export function allowedHereAfter(name: string, kind: BlockKind, v: NginxVersion): string | undefined {
  const c = CONTEXT_SINCE.get(name);
  if (!c || !c.kinds.includes(kind) || versionAtLeast(v, ...c.since)) return undefined;
  return c.since.join('.');
}

// How OpenSSL's rule reader (SSL_CTX_set_cipher_list) walks a cipher list, in 1.0.2 as in 1.1.x and 3.x:
// separators are `:`, `,`, `;` and a space; an element may open with `-`, `+`, `!` or `@`, then comes a run
// of name characters (letters, digits, `-`, `.`, and `=` since 1.1.0). An empty run is an error ("invalid
// command"). A name OpenSSL does not know makes it skip to the next separator without a word, so what
// follows an unknown name is never looked at; after a known name it reads on: `+` joins another name, `!`
// or `@` opens another element, anything else is an error. `@` takes STRENGTH (every version) or
// SECLEVEL=0..5 (1.1.0 and later). A list opening with DEFAULT has it read first and the rest read on its
// own; one opening with SUITEB128 or SUITEB192 is replaced by OpenSSL's own list.
//
// Decision: only forms that fail on every version from 1.0.2 to 3.x are reported. `@SECLEVEL=0` and its
// siblings fail on 1.0.2 only, `=` in a name fails on 1.0.2 only, and junk after a name is an error only
// where the name is known: which names are known depends on the version and build (RC4 on OpenSSL 3 without
// the legacy provider is not), so junk counts only after the names below, known to every version and build.
// Lists with nothing matching ("no cipher match") depend on the build too and are never reported here.

/** Separators between elements of a cipher list. */
const CIPHER_SEPARATORS = ':,; ';
/** Aliases every OpenSSL from 1.0.2 on knows whatever it was built without. */
const KNOWN_EVERYWHERE = new Set(['ALL', 'HIGH', 'MEDIUM', 'LOW', 'aNULL', 'eNULL', 'NULL']);
const isNameChar = (c: string): boolean => /^[A-Za-z0-9.=-]$/.test(c);

/**
 * Why every OpenSSL nginx builds with refuses `list` as malformed (`invalid command`, so `nginx -t` fails
 * wherever the list is loaded), in words for a message; null when some version or build takes it.
 */
export function cipherListSyntaxError(list: string): string | null {
  if (/^SUITEB(128|192)/.test(list)) return null;
  let i = list.startsWith('DEFAULT') ? (list[7] === ':' ? 8 : 7) : 0;
  const runEnd = (from: number): number => {
    let j = from;
    while (j < list.length && isNameChar(list[j])) j++;
    return j;
  };
  const nextSeparator = (from: number): number => {
    let j = from;
    while (j < list.length && !CIPHER_SEPARATORS.includes(list[j])) j++;
    return j;
  };
  while (i < list.length) {
    const c = list[i];
    if (CIPHER_SEPARATORS.includes(c)) { i++; continue; }
    const op = '-+!@'.includes(c) ? c : '';
    if (op) i++;
    const end = runEnd(i);
    if (end === i) return badCharacter(list, i, op);
    const word = list.slice(i, end);
    if (op === '@') {
      // 1.0.2 stops the word at `=`; later versions read it whole.
      if (word.split('=')[0] !== 'STRENGTH' && !/^SECLEVEL=[0-5]$/.test(word)) {
        return `"@${word}" is no command OpenSSL knows (it takes @STRENGTH, and @SECLEVEL=0 to 5 since 1.1.0; both in capitals)`;
      }
      i = nextSeparator(end);
      continue;
    }
    // Unknown to some version or build: OpenSSL skips the rest of the element there.
    if (!KNOWN_EVERYWHERE.has(word)) { i = nextSeparator(end); continue; }
    const next = list[end];
    if (next === '+') {
      if (runEnd(end + 1) === end + 1) return badCharacter(list, end + 1, '+');
      i = nextSeparator(end + 1);
      continue;
    }
    if (next === undefined || CIPHER_SEPARATORS.includes(next) || next === '!' || next === '@') { i = end; continue; }
    return badCharacter(list, end, '');
  }
  return null;
}

function badCharacter(list: string, at: number, op: string): string {
  const c = list[at];
  if (c === undefined || CIPHER_SEPARATORS.includes(c)) return `"${op}" is followed by no cipher name`;
  if (c === '\t') return 'a tab does not separate elements (OpenSSL takes ":", ",", ";" or a space)';
  if (c === '\n' || c === '\r') return 'a line break does not separate elements (OpenSSL takes ":", ",", ";" or a space)';
  return `"${c}" cannot stand in a cipher list there${op ? ` (after "${op}")` : ''}`;
}
