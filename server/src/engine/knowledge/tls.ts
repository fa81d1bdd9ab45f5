// Version facts beside the TLS table (tls-directives.ts): weak protocols, duplicate rules for the
// non-TLS directives TLS configs use, and directives newer than the versions people still run.

import { MergeKind, NginxVersion, tlsFact, versionAtLeast } from './tls-directives';

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
  ['proxy_pass_trailers', [1, 27, 4]],
  ['keepalive_min_timeout', [1, 27, 4]],
]);

/** The version a directive appeared in, when it is newer than what `v` knows. */
export function introducedAfter(name: string, v: NginxVersion): string | undefined {
  const s = tlsFact(name)?.since ?? SINCE.get(name);
  if (!s || versionAtLeast(v, s[0], s[1], s[2])) return undefined;
  return s.join('.');
}
