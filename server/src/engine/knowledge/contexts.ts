// The kinds of block nginx distinguishes. The family decides which module's directive of a shared name
// applies (http `server` vs stream `server`); the kind decides what is allowed inside.

export type BlockKind =
  | 'main'
  | 'events'
  | 'http'
  | 'http/server'
  | 'http/location'
  | 'http/if-server'
  | 'http/if-location'
  | 'http/limit_except'
  | 'http/upstream'
  | 'stream'
  | 'stream/server'
  | 'stream/upstream'
  | 'mail'
  | 'mail/server'
  /** map, geo, types, split_clients, …: their bodies are data, not directives. */
  | 'raw'
  /** A block of a directive we do not know (third-party or misspelled): nothing inside is checked. */
  | 'opaque';

export type Family = 'core' | 'http' | 'stream' | 'mail';

export function familyOf(kind: BlockKind): Family {
  if (kind.startsWith('http')) return 'http';
  if (kind.startsWith('stream')) return 'stream';
  if (kind.startsWith('mail')) return 'mail';
  return 'core';
}

/** Where `name { … }` opened inside `parent` leads, or undefined when nginx has no such block there. */
export function childBlockKind(parent: BlockKind, name: string): BlockKind | undefined {
  switch (parent) {
    case 'main':
      if (name === 'http') return 'http';
      if (name === 'events') return 'events';
      if (name === 'stream') return 'stream';
      if (name === 'mail') return 'mail';
      return undefined;
    case 'http':
      if (name === 'server') return 'http/server';
      if (name === 'upstream') return 'http/upstream';
      if (RAW_HTTP.has(name)) return 'raw';
      return undefined;
    case 'http/server':
      if (name === 'location') return 'http/location';
      if (name === 'if') return 'http/if-server';
      if (name === 'types') return 'raw';
      return undefined;
    case 'http/location':
      if (name === 'location') return 'http/location';
      if (name === 'if') return 'http/if-location';
      if (name === 'limit_except') return 'http/limit_except';
      if (name === 'types') return 'raw';
      return undefined;
    case 'stream':
      if (name === 'server') return 'stream/server';
      if (name === 'upstream') return 'stream/upstream';
      if (RAW_STREAM.has(name)) return 'raw';
      return undefined;
    case 'mail':
      if (name === 'server') return 'mail/server';
      return undefined;
    case 'http/upstream':
    case 'stream/upstream':
      if (name === 'match' || name === 'state') return 'raw';
      return undefined;
    default:
      return undefined;
  }
}

const RAW_HTTP = new Set(['map', 'geo', 'types', 'split_clients', 'charset_map', 'match', 'geoip2', 'oidc_provider', 'acme_issuer']);
const RAW_STREAM = new Set(['map', 'geo', 'split_clients', 'match', 'geoip2']);

/**
 * Data bodies whose handler takes `include file;` as nginx's include (the file's lines become entries of the
 * body): map and geo (http and stream) and types. The others (split_clients, charset_map…) read it as an entry.
 * geo reads `file.bin`, a compiled base, in place of a literal path when that exists: not modelled.
 */
export const DATA_BODIES_WITH_INCLUDE: ReadonlySet<string> = new Set(['map', 'geo', 'types']);

/** Human words for a block kind, used in messages ("not set in this location, its server or http"). */
export function kindLabel(kind: BlockKind): string {
  switch (kind) {
    case 'http/server':
    case 'stream/server':
    case 'mail/server':
      return 'server';
    case 'http/location':
      return 'location';
    case 'http/if-server':
    case 'http/if-location':
      return 'if';
    case 'http/limit_except':
      return 'limit_except';
    case 'http/upstream':
    case 'stream/upstream':
      return 'upstream';
    default:
      return kind;
  }
}
