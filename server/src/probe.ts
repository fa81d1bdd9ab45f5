// `check --probe`: connect to each TLS upstream as nginx would (SNI, client certificate, the protocols and
// ciphers the config allows there) and read the chain it presents. Only the CLI and the desktop client import
// this, and only when asked: without --probe nothing ever connects.
// Bounded: a timeout per connection, a cap on connections, nothing sent beyond the handshake.

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ProbeResult, ProbeTarget } from './core';

export const PROBE_TIMEOUT_MS = 5000;

/** A PEM private key under a passphrase (PKCS#8 or the traditional OpenSSL headers). */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/;
export const PROBE_MAX_CONNECTIONS = 50;

/** The protocols Node's TLS can offer, oldest first (SSLv2/SSLv3 are gone from the OpenSSL 3 builds nginx uses too). */
const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Version = (typeof VERSIONS)[number];

/**
 * The range of versions OpenSSL really offers for a set nginx enables: nginx turns the others off one by one
 * (SSL_OP_NO_*), and OpenSSL's client uses only the contiguous run starting at the lowest enabled version
 * (ssl_get_min_max_version ignores what lies above a hole), so `TLSv1 TLSv1.3` offers TLSv1 alone.
 */
export function offeredRange(protocols: readonly string[]): { min: Version; max: Version; offered: Version[] } | null {
  const on = new Set(protocols);
  const lowest = VERSIONS.findIndex((v) => on.has(v));
  if (lowest < 0) return null;
  let highest = lowest;
  while (highest + 1 < VERSIONS.length && on.has(VERSIONS[highest + 1])) highest++;
  return { min: VERSIONS[lowest], max: VERSIONS[highest], offered: VERSIONS.slice(lowest, highest + 1) };
}

function chainOf(socket: tls.TLSSocket): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw).toString());
    c = c.issuerCertificate;
  }
  // Node links the chain up to a root it found; nginx sees what the peer sent. The leaf and its issuers are
  // enough for the checks, and a root in the list only shortens nothing.
  return out;
}

/** An error in a line: OpenSSL's reason ("tlsv1 alert protocol version") rather than its whole error queue entry. */
function errorText(e: NodeJS.ErrnoException): string {
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(e.message)?.[1] ?? /SSL routines::([^\n]+)/.exec(e.message)?.[1];
  const text = reason ?? e.message.split('\n')[0];
  return e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}

function probeOne(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  // Older callers (a client built before the offer existed) send no protocols: Node's defaults then.
  const range = t.protocols ? offeredRange(t.protocols) : { min: undefined, max: undefined, offered: undefined };
  const base: ProbeResult = { host: t.host, port: t.port, sni: t.sni, offer: t.offer, offered: range?.offered };
  if (!range) {
    return Promise.resolve({ ...base, stage: 'config', error: `none of the protocols "${t.protocols.join(' ')}" can be offered (TLSv1 to TLSv1.3 only)` });
  }
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  if (t.clientCertificate && t.clientKey) {
    // Loaded on their own first: a pair that does not load (unreadable, or a key of another certificate) stops
    // nginx at startup, and is no fault of the upstream, its protocols or its ciphers.
    try {
      cert = fs.readFileSync(t.clientCertificate);
      key = fs.readFileSync(t.clientKey);
      // nginx reads the passphrase from *_ssl_password_file; the probe has none to give.
      if (ENCRYPTED_KEY.test(key.toString('latin1'))) {
        return Promise.resolve({ ...base, stage: 'client-certificate', error: `the client key "${t.clientKey}" is encrypted, and the probe does not read passphrases` });
      }
      tls.createSecureContext({ cert, key });
    } catch (e) {
      return Promise.resolve({ ...base, stage: 'client-certificate', error: `the client certificate "${t.clientCertificate}" and key "${t.clientKey}" do not load (${errorText(e as NodeJS.ErrnoException)})` });
    }
  }
  return new Promise((resolve) => {
    const host = t.host.replace(/^\[|\]$/g, '');
    let done = false;
    let connected = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (r: ProbeResult) => { if (!done) { done = true; clearTimeout(timer); socket?.destroy(); resolve(r); } };
    try {
      socket = tls.connect({
        // nginx sends no SNI unless proxy_ssl_server_name is on; Node sends none for an empty servername.
        host, port: t.port, servername: t.sni ?? '', rejectUnauthorized: false, cert, key,
        minVersion: range.min, maxVersion: range.max,
        // Like nginx's SSL_CTX_set_cipher_list, this list governs TLSv1.2 and below; Node keeps its TLSv1.3
        // suites when the list names none (OpenSSL's default suites, the ones nginx leaves in place too).
        ciphers: t.ciphers || undefined,
      });
    } catch (e) {
      // A cipher list OpenSSL matches nothing in: nginx cannot load such a config either.
      resolve({ ...base, stage: 'config', error: `${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message} (ciphers "${t.ciphers}")` });
      return;
    }
    socket.once('connect', () => { connected = true; });
    const timer = setTimeout(() => finish({ ...base, stage: connected ? 'handshake' : 'connect', error: connected ? `no TLS handshake within ${timeoutMs / 1000} s` : `no connection within ${timeoutMs / 1000} s` }), timeoutMs);
    socket.once('secureConnect', () => finish({ ...base, chain: chainOf(socket!) }));
    socket.once('error', (e: NodeJS.ErrnoException) => finish({ ...base, stage: connected ? 'handshake' : 'connect', error: errorText(e) }));
  });
}

/** Probes up to PROBE_MAX_CONNECTIONS targets, eight at a time. */
export async function probe(targets: ProbeTarget[], timeoutMs = PROBE_TIMEOUT_MS): Promise<{ results: ProbeResult[]; skipped: number }> {
  const list = targets.slice(0, PROBE_MAX_CONNECTIONS);
  const results: ProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const t = list[next++];
      results.push(await probeOne(t, timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, list.length) }, worker));
  return { results, skipped: targets.length - list.length };
}
