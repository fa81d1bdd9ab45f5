// Virtual servers and their listening sockets: which are TLS, which is the default for an address:port.

import { ConfigModel, LBlock, LDir } from './model';
import { readsTlsAnd } from '../knowledge/tls-directives';

export interface Listen {
  ld: LDir;
  /** Normalised address:port (`*:443`, `127.0.0.1:443`, `[::]:443`, `unix:/path`). */
  key: string;
  ssl: boolean;
  /** HTTP/3 (`listen … quic`): UDP, always TLS. */
  quic: boolean;
  defaultServer: boolean;
}

export interface ServerInfo {
  ld: LDir;
  block: LBlock;
  family: 'http' | 'stream' | 'mail';
  listens: Listen[];
  /** The first `listen … ssl` of this server, or a plain listen on a port another server made TLS. */
  listenSsl: LDir | null;
  /** Addresses this server is the default server of. */
  defaultFor: string[];
  /** Every socket of the server speaks TLS (`listen … ssl`, an address another server made TLS, or QUIC): `$scheme` is always https here. */
  onlyTls: boolean;
}

function normalise(addr: string): string {
  if (addr.startsWith('unix:')) return addr;
  if (/^\d+$/.test(addr)) return '*:' + addr;
  if (addr.startsWith('[')) return addr.includes(']:') ? addr : addr + ':80';
  if (addr.includes(':')) return addr;
  return addr + ':80';
}

/** The directives the list of servers and their sockets rests on (besides TLS directives). */
export const SERVER_INPUTS: readonly string[] = ['server', 'listen'];

const readsServerInput = readsTlsAnd(SERVER_INPUTS);

const cache = new WeakMap<ConfigModel, ServerInfo[]>();

/** A server without listens shares this list. */
const NO_LISTENS = Object.freeze([]) as unknown as Listen[];

/** Most servers are the default of nothing: they share this list until they are. */
const NOT_DEFAULT = Object.freeze([]) as unknown as string[];

export function serverTls(scope: ConfigModel): ServerInfo[] {
  // Which servers speak TLS depends on every server of the config (the ssl flag is per address).
  const model = scope.whole;
  const hit = cache.get(model) ?? model.carried(cache, readsServerInput);
  if (hit) {
    cache.set(model, hit);
    return hit;
  }
  const servers: ServerInfo[] = [];
  // Listen keys by family and address as written: thousands of servers on `443` share one key string (made
  // anew per listen, the keys were a good part of what the list of servers allocated).
  const keys = { http: new Map<string, string>(), stream: new Map<string, string>(), mail: new Map<string, string>() };
  const keyOf = (family: ServerInfo['family'], address: string): string => {
    let key = keys[family].get(address);
    if (key === undefined) keys[family].set(address, (key = family + ' ' + normalise(address)));
    return key;
  };
  const store = model.store;
  const listenId = store.idOf('listen');
  const ldList = model.named('server');
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    if (!ld.child) continue;
    const kind = ld.child.kind;
    const family = kind === 'http/server' ? 'http' : kind === 'stream/server' ? 'stream' : kind === 'mail/server' ? 'mail' : null;
    if (!family) continue;
    // Its listens only, found by name id along the block's chain: the other directives of a server are not
    // made into objects here, nor a list of its listens on the way.
    // Made at the first listen, one slot: an empty array grown by push reserves sixteen.
    let listens: Listen[] = NO_LISTENS;
    for (let x = ld.child.first; x >= 0; x = store.next[x]) {
      if (store.nameId[x] !== listenId || !store.argc(x)) continue;
      const l = store.dir(x);
      // Compared where they are written: a lower-cased copy of each was garbage per listen of a big config.
      let ssl = false, quic = false, defaultServer = false;
      for (let i = 1, n = l.argc; i < n; i++) {
        if (store.argIsLower(l.at, i, 'ssl')) ssl = true;
        else if (store.argIsLower(l.at, i, 'quic')) quic = true;
        else if (store.argIsLower(l.at, i, 'default_server') || store.argIsLower(l.at, i, 'default')) defaultServer = true;
      }
      const listen: Listen = { ld: l, key: keyOf(family, l.arg(0)), ssl, quic, defaultServer };
      if (listens === NO_LISTENS) listens = [listen];
      else listens.push(listen);
    }
    servers.push({ ld, block: ld.child, family, listens, listenSsl: null, defaultFor: NOT_DEFAULT, onlyTls: false });
  }
  // The ssl flag belongs to the socket: one `listen … ssl` makes every server on that address TLS.
  const sslKeys = new Set<string>();
  const byKey = new Map<string, ServerInfo[]>();
  for (const s of servers) {
    for (const l of s.listens) {
      if (l.ssl) sslKeys.add(l.key);
      const list = byKey.get(l.key);
      // A server's listens come together: it is in the list already only if it is the last one.
      if (!list) byKey.set(l.key, [s]);
      else if (list[list.length - 1] !== s) list.push(s);
    }
  }
  // Loops, not find/every: their callbacks were three closures per server.
  for (let sIndex = 0; sIndex < servers.length; sIndex++) {
    const s = servers[sIndex];
    const listens = s.listens;
    let flagged: Listen | null = null, onAddress: Listen | null = null;
    // No listen at all is nginx's plain default (*:80).
    let onlyTls = listens.length > 0;
    for (let i = 0; i < listens.length; i++) {
      const l = listens[i];
      const tlsAddress = sslKeys.has(l.key);
      if (l.ssl) flagged ??= l;
      else if (tlsAddress) onAddress ??= l;
      if (!l.ssl && !l.quic && !tlsAddress) onlyTls = false;
    }
    const l = flagged ?? onAddress;
    s.listenSsl = l ? l.ld : null;
    s.onlyTls = onlyTls;
  }
  for (const [key, list] of byKey) {
    const explicit = list.find((s) => s.listens.some((l) => l.key === key && l.defaultServer));
    const s = explicit ?? list[0];
    if (s.defaultFor === NOT_DEFAULT) s.defaultFor = [key];
    else s.defaultFor.push(key);
  }
  cache.set(model, servers);
  return servers;
}

const byBlock = new WeakMap<ServerInfo[], Map<LBlock, ServerInfo>>();

/** The server whose block is `block` (a `server {}` of http, stream or mail), once per list of servers. */
export function serverInfoOf(scope: ConfigModel, block: LBlock): ServerInfo | undefined {
  const list = serverTls(scope);
  let map = byBlock.get(list);
  if (!map) byBlock.set(list, (map = new Map(list.map((x) => [x.block, x]))));
  return map.get(block);
}
