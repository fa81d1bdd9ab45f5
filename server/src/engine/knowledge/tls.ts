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
