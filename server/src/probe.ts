// `check --probe`: connect to each TLS upstream as nginx would (SNI, client certificate) and read the chain it
// presents. Only the CLI imports this, and only when asked: without --probe nothing ever connects.
// Bounded: a timeout per connection, a cap on connections, nothing sent beyond the handshake.

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ProbeResult, ProbeTarget } from './core';

export const PROBE_TIMEOUT_MS = 5000;
export const PROBE_MAX_CONNECTIONS = 50;

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

function probeOne(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const base = { host: t.host, port: t.port, sni: t.sni };
  return new Promise((resolve) => {
    let cert: Buffer | undefined;
    let key: Buffer | undefined;
    try {
      if (t.clientCertificate && t.clientKey) { cert = fs.readFileSync(t.clientCertificate); key = fs.readFileSync(t.clientKey); }
    } catch { cert = key = undefined; }
    const host = t.host.replace(/^\[|\]$/g, '');
    let done = false;
    const finish = (r: ProbeResult) => { if (!done) { done = true; clearTimeout(timer); socket.destroy(); resolve(r); } };
    const socket = tls.connect({
      // nginx sends no SNI unless proxy_ssl_server_name is on; Node sends none for an empty servername.
      host, port: t.port, servername: t.sni ?? '', rejectUnauthorized: false, cert, key,
    });
    const timer = setTimeout(() => finish({ ...base, error: `no TLS handshake within ${timeoutMs / 1000} s` }), timeoutMs);
    socket.once('secureConnect', () => finish({ ...base, chain: chainOf(socket) }));
    socket.once('error', (e: NodeJS.ErrnoException) => finish({ ...base, error: e.code ? `${e.code}: ${e.message}` : e.message }));
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
