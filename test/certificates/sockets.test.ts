// The per-port index that says which server of the config answers a TLS connection must answer exactly as a
// walk over every TLS server on the port does (listen address, then SNI against server_name, then the default
// server, then the first), on random configs: the index replaced that walk because it was quadratic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigModel } from '../../server/src/engine/model/model';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';
import { serverTls, ServerInfo } from '../../server/src/engine/model/servers';
import { answeringServer } from '../../server/src/engine/certificates/sockets';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function namesOf(model: ConfigModel, s: ServerInfo): string[] {
  return model.inBlock(s.block, 'server_name').flatMap((ld) => ld.values().map((v) => v.toLowerCase()));
}

function matches(pattern: string, name: string): boolean {
  if (pattern.startsWith('~')) return false;
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return name === pattern.slice(1) || name.endsWith(pattern);
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** The walk the index stands for: every TLS server of the family listening on the port, in config order. */
function byWalk(model: ConfigModel, host: string, port: number, sni: string | null): { server: ServerInfo; named: boolean } | undefined {
  const onSocket: ServerInfo[] = [];
  for (const server of serverTls(model)) {
    if (server.family !== 'http' || !server.listenSsl) continue;
    for (const l of server.listens) {
      const m = /^\S+ (.*):(\d+)$/.exec(l.key);
      if (!m || +m[2] !== port) continue;
      const addr = m[1];
      const hit = addr === '*' || addr === '[::]' || addr === host || (LOOPBACK.has(host) && LOOPBACK.has(addr));
      if (hit && onSocket[onSocket.length - 1] !== server) onSocket.push(server);
    }
  }
  if (!onSocket.length) return undefined;
  const named = onSocket.some((s) => namesOf(model, s).some((n) => matches(n, host)));
  const bySni = sni ? onSocket.find((s) => namesOf(model, s).some((n) => matches(n, sni))) : undefined;
  const isDefault = (s: ServerInfo) => s.defaultFor.some((k) => /:(\d+)$/.exec(k)?.[1] === String(port));
  return { server: bySni ?? onSocket.find(isDefault) ?? onSocket[0], named };
}

const ADDRESSES = ['', '127.0.0.1:', '10.0.0.1:', '[::]:', 'localhost:'];
const PORTS = [443, 8443];
const NAMES = ['a.example.com', 'b.example.com', '*.example.com', '.example.org', 'api.*', '~^re', '_', 'localhost', 'A.Example.com'];
const HOSTS = ['a.example.com', 'b.example.com', 'x.example.com', 'example.org', 'w.example.org', 'api.test', 'localhost', '127.0.0.1', '10.0.0.1', '10.0.0.2', '[::1]'];

test('which server answers host:port with an SNI: the index agrees with a walk over the servers on the port', () => {
  let compared = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const parts = ['events {}\nhttp {\n'];
    const servers = 1 + Math.floor(r() * 10);
    for (let i = 0; i < servers; i++) {
      const listens: string[] = [];
      for (let k = 1 + Math.floor(r() * 2); k > 0; k--) {
        const flags = [r() < 0.8 ? 'ssl' : '', r() < 0.15 ? 'default_server' : ''].filter(Boolean).join(' ');
        listens.push(`listen ${pick(ADDRESSES)}${pick(PORTS)}${flags ? ' ' + flags : ''};`);
      }
      const names = Array.from({ length: Math.floor(r() * 3) }, () => pick(NAMES));
      parts.push(`  server { ${listens.join(' ')} ${names.length ? `server_name ${names.join(' ')};` : ''} ssl_certificate c.crt; ssl_certificate_key c.key; }\n`);
    }
    parts.push('}\n');
    const model = new ConfigModel('/t/nginx.conf', memoryFileSystem({ '/t/nginx.conf': parts.join('') }));
    for (const host of HOSTS) {
      for (const port of [...PORTS, 9443]) {
        for (const sni of [null, ...HOSTS.slice(0, 6)]) {
          const want = byWalk(model, host, port, sni);
          const got = answeringServer(model, 'http', host, port, sni);
          assert.equal(got?.server.ld.nameStart, want?.server.ld.nameStart, `seed ${seed}: ${host}:${port} sni ${sni}\n${parts.join('')}`);
          assert.equal(got?.named, want?.named, `seed ${seed}: ${host}:${port} named\n${parts.join('')}`);
          if (want) compared++;
        }
      }
    }
  }
  // The random configs must exercise the answering case, not only "nobody listens there".
  assert.ok(compared > 5000, `${compared} answered queries`);
});
