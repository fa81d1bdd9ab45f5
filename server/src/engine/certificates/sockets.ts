// Which server block of this config answers a TLS connection to host:port, as nginx picks it: the servers
// listening on the port at that address (or on every address), then the one whose server_name matches the SNI,
// else the socket's default server, else the first. Indexed once per model, so that each of tens of thousands of
// pass directives asks a few map lookups instead of walking every server on the port.

import { ConfigModel } from '../model/model';
import { serverTls, ServerInfo, SERVER_INPUTS } from '../model/servers';
import { readsTlsAnd } from '../knowledge/tls-directives';
import { isCertificateName } from '../model/verification';

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** What the servers listening on each port, and their names, rest on. */
const readsSocketInput = readsTlsAnd(SERVER_INPUTS, ['server_name']);

export function listenParts(key: string): { addr: string; port: number } | null {
  // `http 127.0.0.1:8443`, `http *:443`, `http [::]:443`
  const m = /^\S+ (.*):(\d+)$/.exec(key);
  return m ? { addr: m[1], port: +m[2] } : null;
}

/** The names a server answers to (lower case, as written: exact, wildcard or regex). */
function serverNames(model: ConfigModel, s: ServerInfo): string[] {
  return model.inBlock(s.block, 'server_name').flatMap((ld) => ld.values().map((v) => v.toLowerCase()));
}

/** Whether server name `pattern` matches `name` (regex names are never taken to match). */
function nameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('~')) return false;
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return name === pattern.slice(1) || name.endsWith(pattern);
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

const isWildcard = (p: string) => p.startsWith('*.') || p.startsWith('.') || p.endsWith('.*');

/** One listen of a TLS server on the port; `order` is its place among them (config order). */
interface Entry {
  server: ServerInfo;
  addr: string;
  order: number;
}

interface PortIndex {
  firstByAddr: Map<string, Entry>;
  /** Per address, the first listen of a server with a name a certificate can carry (not a wildcard), and that name. */
  firstCertifiedByAddr: Map<string, { entry: Entry; name: string }>;
  /** By exact server name, each list in config order. */
  byName: Map<string, Entry[]>;
  wildcards: { entry: Entry; pattern: string }[];
  /** Listens of servers that are the default server of some socket on this port, in config order. */
  defaults: Entry[];
}

/** The TLS listens on one port, in config order; indexed by name when a connection to the port is first asked about. */
interface PortListens {
  entries: Entry[];
  index?: PortIndex;
}

const indexes = new WeakMap<ConfigModel, Map<string, Map<number, PortListens>>>();

/**
 * The ports the family's TLS servers listen on. Their names are indexed per port, and only for a port a pass
 * directive connects to: a config whose upstreams are elsewhere (its servers on 443, its backends on 8443)
 * never reads a server name.
 */
function portListens(scope: ConfigModel, family: string): Map<number, PortListens> {
  // Servers are the whole config's, whatever part of it a rule looks at.
  const model = scope.whole;
  let perFamily = indexes.get(model);
  if (!perFamily) indexes.set(model, (perFamily = model.carried(indexes, readsSocketInput) ?? new Map()));
  let ports = perFamily.get(family);
  if (ports) return ports;
  ports = new Map();
  let order = 0;
  const serverList = serverTls(model);
  for (let serverIndex = 0; serverIndex < serverList.length; serverIndex++) {
    const server = serverList[serverIndex];
    if (server.family !== family || !server.listenSsl) continue;
    for (const l of server.listens) {
      const p = listenParts(l.key);
      if (!p) continue;
      let on = ports.get(p.port);
      if (!on) ports.set(p.port, (on = { entries: [] }));
      on.entries.push({ server, addr: p.addr, order: order++ });
    }
  }
  perFamily.set(family, ports);
  return ports;
}

function portIndex(model: ConfigModel, family: string, port: number): PortIndex | undefined {
  const on = portListens(model, family).get(port);
  if (!on) return undefined;
  if (on.index) return on.index;
  const idx: PortIndex = { firstByAddr: new Map(), firstCertifiedByAddr: new Map(), byName: new Map(), wildcards: [], defaults: [] };
  // A server listening twice on the port has two entries in a row: its names are read once.
  let namesOf: { server: ServerInfo; names: string[] } | undefined;
  for (const entry of on.entries) {
    const { server, addr } = entry;
    if (namesOf?.server !== server) namesOf = { server, names: serverNames(model.whole, server) };
    const names = namesOf.names;
    if (!idx.firstByAddr.has(addr)) idx.firstByAddr.set(addr, entry);
    if (!idx.firstCertifiedByAddr.has(addr)) {
      const name = names.find((n) => isCertificateName(n) && !n.startsWith('*.'));
      if (name) idx.firstCertifiedByAddr.set(addr, { entry, name });
    }
    for (const n of names) {
      if (n.startsWith('~')) continue;
      if (isWildcard(n)) idx.wildcards.push({ entry, pattern: n });
      else {
        const list = idx.byName.get(n);
        if (!list) idx.byName.set(n, [entry]);
        else if (list[list.length - 1] !== entry) list.push(entry);
      }
    }
    if (server.defaultFor.some((k) => listenParts(k)?.port === port)) idx.defaults.push(entry);
  }
  return (on.index = idx);
}

/** Whether a listen at `addr` takes a connection made to `host`. */
function reaches(addr: string, host: string): boolean {
  return addr === '*' || addr === '[::]' || addr === host || (LOOPBACK.has(host) && LOOPBACK.has(addr));
}

function earliest(a: Entry | undefined, b: Entry | undefined): Entry | undefined {
  return !a ? b : !b ? a : a.order <= b.order ? a : b;
}

/** The first listen, in config order, of a server named `name` that a connection to `host` reaches. */
function firstNamed(idx: PortIndex, name: string, host: string): Entry | undefined {
  let best = idx.byName.get(name)?.find((e) => reaches(e.addr, host));
  for (const w of idx.wildcards) if (reaches(w.entry.addr, host) && nameMatches(w.pattern, name)) best = earliest(best, w.entry);
  return best;
}

export interface SocketAnswer {
  /** The server nginx hands the connection to. */
  server: ServerInfo;
  /** Some server on the socket is named `host` (the config's own backend, reached by its name). */
  named: boolean;
}

/** Whether a TLS server of the family listens on `port` (any address): without one, answeringServer finds none. */
export function listensOn(model: ConfigModel, family: string, port: number): boolean {
  return portListens(model, family).has(port);
}

/**
 * The server of this config that answers a TLS connection to `host`:`port` (lower-case host) with SNI `sni`
 * (null: none sent), or undefined when no TLS server of the family listens there.
 */
export function answeringServer(model: ConfigModel, family: string, host: string, port: number, sni: string | null): SocketAnswer | undefined {
  const idx = portIndex(model, family, port);
  if (!idx) return undefined;
  let first: Entry | undefined;
  for (const addr of addressesReaching(host)) first = earliest(first, idx.firstByAddr.get(addr));
  if (!first) return undefined;
  const bySni = sni ? firstNamed(idx, sni, host) : undefined;
  const byDefault = idx.defaults.find((e) => reaches(e.addr, host));
  return { server: (bySni ?? byDefault ?? first).server, named: firstNamed(idx, host, host) !== undefined };
}

/**
 * Whether one server takes every TLS connection to `host`:`port`, whatever SNI is sent: the only one listening
 * there. When the SNI depends on the request, that is the only case in which the answering server is known.
 */
export function onlyServerAt(model: ConfigModel, family: string, host: string, port: number): boolean {
  const on = portListens(model, family).get(port);
  const reached = on?.entries.filter((e) => reaches(e.addr, host)) ?? [];
  return reached.length > 0 && reached.every((e) => e.server === reached[0].server);
}

/** The addresses whose listens a connection to `host` reaches. */
function addressesReaching(host: string): string[] {
  return ['*', '[::]', host, ...(LOOPBACK.has(host) ? LOOPBACK : [])];
}

/**
 * The first server, in config order, of those listening with TLS where a connection to `host`:`port` goes, that
 * has a name a certificate can carry: the name the config itself gives that backend.
 */
export function firstCertifiedServer(model: ConfigModel, family: string, host: string, port: number): { server: ServerInfo; name: string } | undefined {
  const idx = portIndex(model, family, port);
  if (!idx) return undefined;
  let best: { entry: Entry; name: string } | undefined;
  for (const addr of addressesReaching(host)) {
    const hit = idx.firstCertifiedByAddr.get(addr);
    if (hit && (!best || hit.entry.order < best.entry.order)) best = hit;
  }
  return best && { server: best.entry.server, name: best.name };
}
