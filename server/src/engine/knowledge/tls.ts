// Our own facts about TLS directives, verified in nginx's source and by running it
// (../shared/reference/nginx-tls/nginx-tls-semantics.md §1, §2, §5): how each merges and its default per version.

export type MergeKind = 'scalar' | 'bitmask' | 'array';

export type UpstreamFamily = 'proxy' | 'grpc' | 'uwsgi' | 'stream';

/** The directive prefix of a family: `proxy_ssl_verify`, `grpc_ssl_verify`, … (stream uses `proxy_`). */
export function familyPrefix(f: UpstreamFamily): string {
  return f === 'stream' ? 'proxy' : f;
}

export interface NginxVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(v: string | undefined): NginxVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v ?? '');
  if (!m) return { major: 1, minor: 30, patch: 0 };
  return { major: +m[1], minor: +m[2], patch: m[3] ? +m[3] : 0 };
}

export function versionAtLeast(v: NginxVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function versionLabel(v: NginxVersion): string {
  return `${v.major}.${v.minor}${v.patch ? '.' + v.patch : ''}`;
}

/** NGX_SSL_DEFAULT_PROTOCOLS, shared by every TLS module. */
export function defaultProtocols(v: NginxVersion): string[] {
  if (versionAtLeast(v, 1, 27, 3)) return ['TLSv1.2', 'TLSv1.3'];
  if (versionAtLeast(v, 1, 23, 4)) return ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  return ['TLSv1', 'TLSv1.1', 'TLSv1.2'];
}

export const WEAK_PROTOCOLS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1']);

const BITMASK = /^(ssl_protocols|(proxy|grpc|uwsgi)_ssl_protocols)$/;
const ARRAY = /^(ssl_certificate|ssl_certificate_key|ssl_conf_command|(proxy|grpc|uwsgi)_ssl_conf_command|ssl_session_ticket_key)$/;

export function mergeKind(name: string): MergeKind {
  if (BITMASK.test(name)) return 'bitmask';
  if (ARRAY.test(name)) return 'array';
  return 'scalar';
}

/** Defaults of the TLS directives whose docs default depends on the version or is empty. */
export function tlsDefault(name: string, v: NginxVersion): string | undefined {
  if (/(^|_)ssl_protocols$/.test(name)) return defaultProtocols(v).join(' ');
  switch (name.replace(/^(proxy|grpc|uwsgi)_/, 'X_')) {
    case 'X_ssl_verify':
    case 'X_ssl_server_name':
    case 'proxy_ssl':
    case 'ssl_verify_client':
      return 'off';
    case 'X_ssl_session_reuse':
      return 'on';
    case 'X_ssl_verify_depth':
    case 'ssl_verify_depth':
      return '1';
    case 'X_ssl_ciphers':
      return 'DEFAULT';
    case 'ssl_ciphers':
      return 'HIGH:!aNULL:!MD5';
    default:
      return undefined;
  }
}

/** Directives that nginx rejects when repeated in one block (`"X" directive is duplicate`). */
export function rejectsDuplicates(name: string, isFlag: boolean): boolean {
  if (isFlag) return true;
  if (mergeKind(name) !== 'scalar') return false;
  if (/^(proxy|grpc|uwsgi)_ssl_/.test(name)) return true;
  return SCALAR_OTHERS.has(name);
}

const SCALAR_OTHERS = new Set([
  'proxy_pass', 'grpc_pass', 'uwsgi_pass', 'fastcgi_pass', 'scgi_pass', 'memcached_pass',
  'ssl_verify_client', 'ssl_verify_depth', 'ssl_client_certificate', 'ssl_trusted_certificate', 'ssl_ciphers',
  'ssl_crl', 'ssl_password_file', 'ssl_dhparam', 'ssl_ecdh_curve', 'ssl_session_timeout', 'ssl_buffer_size',
  'root', 'alias', 'proxy_ssl', 'proxy_connect_timeout', 'proxy_read_timeout', 'proxy_send_timeout',
  'client_max_body_size', 'keepalive_timeout', 'resolver_timeout', 'worker_processes', 'pid', 'user',
]);

/**
 * Directives (and one block) newer than nginx 1.22 that a config may use: with an older target version they
 * are unknown to nginx. From nginx's changelog; only what matters for TLS configs and what is common.
 */
export const SINCE: Record<string, [number, number, number]> = {
  proxy_ssl_certificate_cache: [1, 27, 4],
  grpc_ssl_certificate_cache: [1, 27, 4],
  uwsgi_ssl_certificate_cache: [1, 27, 4],
  ssl_certificate_cache: [1, 27, 4],
  ssl_object_cache_inheritable: [1, 27, 4],
  ssl_certificate_compression: [1, 29, 1],
  ssl_ech_file: [1, 29, 4],
  proxy_ssl_alpn: [1, 31, 0],
  http2: [1, 25, 1],
  http3: [1, 25, 0],
  http3_hq: [1, 25, 0],
  http3_max_concurrent_streams: [1, 25, 0],
  http3_stream_buffer_size: [1, 25, 0],
  quic_retry: [1, 25, 0],
  quic_gso: [1, 25, 0],
  quic_host_key: [1, 25, 0],
  quic_active_connection_id_limit: [1, 25, 0],
  quic_bpf: [1, 25, 0],
  ssl_key_log: [1, 27, 2],
  proxy_ssl_key_log: [1, 27, 2],
  grpc_ssl_key_log: [1, 27, 2],
  uwsgi_ssl_key_log: [1, 27, 2],
  proxy_pass_trailers: [1, 27, 4],
  keepalive_min_timeout: [1, 27, 4],
  ssl_ocsp: [1, 19, 0],
  ssl_reject_handshake: [1, 19, 4],
  ssl_conf_command: [1, 19, 4],
  proxy_ssl_conf_command: [1, 19, 4],
};

/** The version a directive appeared in, when it is newer than what `v` knows. */
const SINCE_MAP = new Map(Object.entries(SINCE));

export function introducedAfter(name: string, v: NginxVersion): string | undefined {
  const s = SINCE_MAP.get(name);
  if (!s || versionAtLeast(v, s[0], s[1], s[2])) return undefined;
  return s.join('.');
}
