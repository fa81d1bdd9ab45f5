// What nginx knows about each directive, read from @nginx/reference-lib (the official docs, as data)
// once, lazily, and shaped for checking: contexts per family, argument counts, flag/enum values.

import { Format, getDirectives } from '@nginx/reference-lib';
import { BlockKind, Family, familyOf } from './contexts';
import { own } from '../own';

export interface DirectiveSpec {
  name: string;
  module: string;
  family: Family;
  /** Block kinds the directive is allowed in; 'any' for include. */
  contexts: Set<BlockKind> | 'any';
  isBlock: boolean;
  minArgs: number;
  /** Infinity when the syntax allows a variable number of arguments. */
  maxArgs: number;
  /** For `on | off` and other pure keyword choices: the allowed values (lower case). */
  values: string[] | null;
  isFlag: boolean;
  default: string;
  syntax: string[];
  /** Markdown description from the official docs. */
  description: string;
}

let byName: Map<string, DirectiveSpec[]> | null = null;

function moduleFamily(module: string): Family {
  if (module.startsWith('ngx_stream_')) return 'stream';
  if (module.startsWith('ngx_mail_')) return 'mail';
  if (module === 'Core functionality') return 'core';
  return 'http';
}

function mapContexts(family: Family, contexts: string[]): Set<BlockKind> | 'any' {
  const out = new Set<BlockKind>();
  for (const c of contexts) {
    switch (c) {
      case '':
        return 'any';
      case 'main':
        out.add('main');
        break;
      case 'events':
        out.add('events');
        break;
      case 'http':
        out.add('http');
        break;
      case 'stream':
        out.add('stream');
        break;
      case 'mail':
        out.add('mail');
        break;
      case 'server':
        if (family === 'http' || family === 'core') out.add('http/server');
        if (family === 'stream' || family === 'core') out.add('stream/server');
        if (family === 'mail' || family === 'core') out.add('mail/server');
        break;
      case 'location':
        out.add('http/location');
        break;
      case 'if':
        out.add('http/if-server');
        out.add('http/if-location');
        break;
      case 'if in location':
        out.add('http/if-location');
        break;
      case 'limit_except':
        out.add('http/limit_except');
        break;
      case 'upstream':
        out.add(family === 'stream' ? 'stream/upstream' : 'http/upstream');
        break;
      default:
        break;
    }
  }
  return out;
}

/** Splits a syntax line into top-level items, keeping `[ … ]` groups whole. */
function syntaxItems(syntax: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of syntax) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ' ' && depth === 0) {
      if (cur) items.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur) items.push(cur);
  return items;
}

/** Argument count bounds of one syntax form; generous where the docs' notation is loose. */
function arity(syntax: string): { min: number; max: number } {
  const s = syntax.replace(/`\{\.\.\.\}`/g, '').trim();
  if (!s) return { min: 0, max: 0 };
  const alternatives: string[][] = [[]];
  for (const item of syntaxItems(s)) {
    if (item === '|') alternatives.push([]);
    else alternatives[alternatives.length - 1].push(item);
  }
  let min = Infinity;
  let max = 0;
  for (const alt of alternatives) {
    let amin = 0;
    let amax = 0;
    for (const item of alt) {
      if (item.includes('...')) { amax = Infinity; amin += item.startsWith('[') || item.startsWith('...') || item.startsWith('`...') ? 0 : 1; continue; }
      if (item.startsWith('[')) { amax = Infinity; continue; }
      amin++;
      amax++;
    }
    min = Math.min(min, amin);
    max = Math.max(max, amax);
  }
  return { min: min === Infinity ? 0 : min, max };
}

/** `on` | `off` | `optional` → ['on','off','optional']; null when any choice is not a plain keyword. */
function keywordChoices(syntax: string[]): string[] | null {
  if (syntax.length !== 1) return null;
  const parts = syntax[0].split('|').map((p) => p.trim());
  if (parts.length < 2) return null;
  const values: string[] = [];
  for (const p of parts) {
    const m = /^`([A-Za-z0-9_.]+)`$/.exec(p);
    if (!m) return null;
    values.push(m[1].toLowerCase());
  }
  return values;
}

/**
 * Official directives the reference data lacks: nginx's sources define them (ngx_command_t tables in
 * src/, github.com/nginx/nginx at 3f6f782; the same in Debian's nginx 1.22.1 binary, read by
 * scripts/extract-module-commands.py). Mostly obsolete or undocumented, but nginx accepts them.
 */
const MISSING = [
  { name: 'proxy', module: 'ngx_mail_proxy_module', syntax: ['`on` | `off`'], contexts: ['mail', 'server'], isBlock: false, default: 'off', description: '' },
  // src/http/ngx_http_core_module.c: NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE1
  { name: 'post_action', module: 'ngx_http_core_module', syntax: ['*uri* | `off`'], contexts: ['server', 'location', 'if in location'], isBlock: false, default: 'off', description: 'Undocumented: a subrequest to *uri* after the request completes (nginx source, ngx_http_core_module.c).' },
  { name: 'open_file_cache_events', module: 'ngx_http_core_module', syntax: ['`on` | `off`'], contexts: ['http', 'server', 'location'], isBlock: false, default: 'off', description: 'Undocumented (nginx source, ngx_http_core_module.c).' },
  // src/http/modules/ngx_http_gzip_filter_module.c: obsolete settings still accepted
  { name: 'gzip_hash', module: 'ngx_http_gzip_module', syntax: ['*size*'], contexts: ['http', 'server', 'location'], isBlock: false, default: '', description: 'Undocumented (nginx source, ngx_http_gzip_filter_module.c).' },
  { name: 'gzip_window', module: 'ngx_http_gzip_module', syntax: ['*size*'], contexts: ['http', 'server', 'location'], isBlock: false, default: '', description: 'Undocumented (nginx source, ngx_http_gzip_filter_module.c).' },
  { name: 'gzip_no_buffer', module: 'ngx_http_gzip_module', syntax: ['`on` | `off`'], contexts: ['http', 'server', 'location'], isBlock: false, default: 'off', description: 'Undocumented (nginx source, ngx_http_gzip_filter_module.c).' },
  { name: 'postpone_gzipping', module: 'ngx_http_gzip_module', syntax: ['*size*'], contexts: ['http', 'server', 'location'], isBlock: false, default: '', description: 'Undocumented (nginx source, ngx_http_gzip_filter_module.c).' },
  // src/http/modules/ngx_http_ssi_filter_module.c, ngx_http_uwsgi_module.c
  { name: 'ssi_ignore_recycled_buffers', module: 'ngx_http_ssi_module', syntax: ['`on` | `off`'], contexts: ['http', 'server', 'location'], isBlock: false, default: 'off', description: 'Undocumented (nginx source, ngx_http_ssi_filter_module.c).' },
  { name: 'uwsgi_string', module: 'ngx_http_uwsgi_module', syntax: ['*string*'], contexts: ['http', 'server', 'location'], isBlock: false, default: '', description: 'Undocumented (nginx source, ngx_http_uwsgi_module.c).' },
  // src/http/v2/ngx_http_v2_module.c: obsolete since 1.19.7, still accepted with a warning
  { name: 'http2_pool_size', module: 'ngx_http_v2_module', syntax: ['*size*'], contexts: ['http', 'server'], isBlock: false, default: '', description: 'Obsolete (nginx source, ngx_http_v2_module.c).' },
  { name: 'http2_streams_index_size', module: 'ngx_http_v2_module', syntax: ['*number*'], contexts: ['http', 'server'], isBlock: false, default: '', description: 'Obsolete (nginx source, ngx_http_v2_module.c).' },
  // src/stream/ngx_stream_proxy_module.c: obsolete since 1.9.4, still accepted with a warning
  { name: 'proxy_downstream_buffer', module: 'ngx_stream_proxy_module', syntax: ['*size*'], contexts: ['stream', 'server'], isBlock: false, default: '', description: 'Obsolete (nginx source, ngx_stream_proxy_module.c).' },
  { name: 'proxy_upstream_buffer', module: 'ngx_stream_proxy_module', syntax: ['*size*'], contexts: ['stream', 'server'], isBlock: false, default: '', description: 'Obsolete (nginx source, ngx_stream_proxy_module.c).' },
  // src/event/modules/ngx_epoll_module.c
  { name: 'epoll_events', module: 'Core functionality', syntax: ['*number*'], contexts: ['events'], isBlock: false, default: '', description: 'Undocumented (nginx source, ngx_epoll_module.c).' },
];

function load(): Map<string, DirectiveSpec[]> {
  const map = new Map<string, DirectiveSpec[]>();
  for (const d of [...getDirectives(Format.Markdown), ...MISSING]) {
    const family = moduleFamily(d.module);
    let min = Infinity;
    let max = 0;
    for (const s of d.syntax) {
      const a = arity(s);
      min = Math.min(min, a.min);
      max = Math.max(max, a.max);
    }
    const values = keywordChoices(d.syntax);
    const spec: DirectiveSpec = {
      name: d.name,
      module: d.module,
      family,
      contexts: mapContexts(family, d.contexts),
      isBlock: d.isBlock,
      minArgs: min === Infinity ? 0 : min,
      maxArgs: d.syntax.length === 0 ? Infinity : max,
      values,
      isFlag: values !== null && values.length === 2 && values[0] === 'on' && values[1] === 'off',
      default: d.default,
      syntax: d.syntax,
      description: d.description,
    };
    const counted = own(SOURCE_ARITY, d.name);
    if (counted && counted[1].includes(d.module)) [spec.minArgs, spec.maxArgs] = counted[0];
    for (const fix of own(ARITY_CORRECTIONS, d.name) ?? []) if (fix.module === d.module) Object.assign(spec, fix.set);
    const list = map.get(d.name);
    if (list) list.push(spec);
    else map.set(d.name, [spec]);
  }
  return map;
}

/**
 * Where the docs' syntax line and nginx's own argument check disagree, nginx wins
 * (checked with `nginx -t`): these directives take a variable number of arguments.
 */
const ARITY_CORRECTIONS: Record<string, { module: string; set: Partial<DirectiveSpec> }[]> = {
  if: [{ module: 'ngx_http_rewrite_module', set: { minArgs: 1, maxArgs: Infinity } }],
  stub_status: [{ module: 'ngx_http_stub_status_module', set: { maxArgs: 1 } }],
  ssl_protocols: ['ngx_http_ssl_module', 'ngx_stream_ssl_module', 'ngx_mail_ssl_module'].map((module) => ({ module, set: { minArgs: 1 } })),
  proxy_ssl_protocols: ['ngx_http_proxy_module', 'ngx_stream_proxy_module'].map((module) => ({ module, set: { minArgs: 1 } })),
  grpc_ssl_protocols: [{ module: 'ngx_http_grpc_module', set: { minArgs: 1 } }],
  uwsgi_ssl_protocols: [{ module: 'ngx_http_uwsgi_module', set: { minArgs: 1 } }],
};

/**
 * Argument counts as nginx itself checks them, where the docs' syntax line cannot say: an optional `[x]` reads
 * as "any number more", but nginx takes an exact set (`add_header name value [always]` is NGX_CONF_TAKE23: two
 * or three). From the argument bits (NGX_CONF_TAKEn, TAKE12…, NOARGS) of each directive's ngx_command_t in
 * nginx's sources (github.com/nginx/nginx at 3f6f782, src/), for every directive whose count the syntax line
 * gets wrong; the same bits in Debian's nginx 1.22.1 binary (read by scripts/extract-module-commands.py), except
 * `keepalive`, which took one argument before `local`. Not `limit_req_zone`: NGINX Plus adds `sync`.
 * [min, max], the modules whose directive of that name this is.
 */
const SOURCE_ARITY: Record<string, [[number, number], string[]]> = {
  add_header: [[2, 3], ['ngx_http_headers_module']],
  add_trailer: [[2, 3], ['ngx_http_headers_module']],
  client_body_temp_path: [[1, 4], ['ngx_http_core_module']],
  dav_access: [[1, 3], ['ngx_http_dav_module']],
  disable_symlinks: [[1, 2], ['ngx_http_core_module']],
  expires: [[1, 2], ['ngx_http_headers_module']],
  fastcgi_bind: [[1, 2], ['ngx_http_fastcgi_module']],
  fastcgi_param: [[2, 3], ['ngx_http_fastcgi_module']],
  fastcgi_store_access: [[1, 3], ['ngx_http_fastcgi_module']],
  fastcgi_temp_path: [[1, 4], ['ngx_http_fastcgi_module']],
  geo: [[1, 2], ['ngx_http_geo_module', 'ngx_stream_geo_module']],
  geoip_city: [[1, 2], ['ngx_http_geoip_module', 'ngx_stream_geoip_module']],
  geoip_country: [[1, 2], ['ngx_http_geoip_module', 'ngx_stream_geoip_module']],
  geoip_org: [[1, 2], ['ngx_http_geoip_module', 'ngx_stream_geoip_module']],
  grpc_bind: [[1, 2], ['ngx_http_grpc_module']],
  grpc_ssl_certificate_cache: [[1, 3], ['ngx_http_grpc_module']],
  hash: [[1, 2], ['ngx_http_upstream_module', 'ngx_stream_upstream_module']],
  keepalive: [[1, 2], ['ngx_http_upstream_module']],
  keepalive_disable: [[1, 2], ['ngx_http_core_module']],
  keepalive_timeout: [[1, 2], ['ngx_http_core_module']],
  least_time: [[1, 2], ['ngx_http_upstream_module', 'ngx_stream_upstream_module']],
  limit_req: [[1, 3], ['ngx_http_limit_req_module']],
  location: [[1, 2], ['ngx_http_core_module']],
  memcached_bind: [[1, 2], ['ngx_http_memcached_module']],
  open_file_cache: [[1, 2], ['ngx_http_core_module']],
  open_log_file_cache: [[1, 4], ['ngx_http_log_module', 'ngx_stream_log_module']],
  perl: [[1, 1], ['ngx_http_perl_module']],
  perl_set: [[2, 2], ['ngx_http_perl_module']],
  proxy_bind: [[1, 2], ['ngx_http_proxy_module', 'ngx_stream_proxy_module']],
  proxy_cookie_flags: [[1, 4], ['ngx_http_proxy_module']],
  proxy_ssl_certificate_cache: [[1, 3], ['ngx_http_proxy_module', 'ngx_stream_proxy_module']],
  proxy_store_access: [[1, 3], ['ngx_http_proxy_module']],
  proxy_temp_path: [[1, 4], ['ngx_http_proxy_module']],
  random: [[0, 2], ['ngx_http_upstream_module', 'ngx_stream_upstream_module']],
  return: [[1, 2], ['ngx_http_rewrite_module']],
  rewrite: [[2, 3], ['ngx_http_rewrite_module']],
  scgi_bind: [[1, 2], ['ngx_http_scgi_module']],
  scgi_param: [[2, 3], ['ngx_http_scgi_module']],
  scgi_store_access: [[1, 3], ['ngx_http_scgi_module']],
  scgi_temp_path: [[1, 4], ['ngx_http_scgi_module']],
  ssl_certificate_cache: [[1, 3], ['ngx_http_ssl_module', 'ngx_stream_ssl_module']],
  ssl_ocsp_cache: [[1, 1], ['ngx_http_ssl_module', 'ngx_stream_ssl_module']],
  ssl_session_cache: [[1, 2], ['ngx_http_ssl_module', 'ngx_mail_ssl_module', 'ngx_stream_ssl_module']],
  thread_pool: [[2, 3], ['Core functionality']],
  tunnel_bind: [[1, 2], ['ngx_http_tunnel_module']],
  tunnel_pass: [[0, 1], ['ngx_http_tunnel_module']],
  user: [[1, 2], ['Core functionality']],
  userid_flags: [[1, 3], ['ngx_http_userid_module']],
  uwsgi_bind: [[1, 2], ['ngx_http_uwsgi_module']],
  uwsgi_param: [[2, 3], ['ngx_http_uwsgi_module']],
  uwsgi_pass: [[1, 1], ['ngx_http_uwsgi_module']],
  uwsgi_ssl_certificate_cache: [[1, 3], ['ngx_http_uwsgi_module']],
  uwsgi_store_access: [[1, 3], ['ngx_http_uwsgi_module']],
  uwsgi_temp_path: [[1, 4], ['ngx_http_uwsgi_module']],
  zone: [[1, 2], ['ngx_http_upstream_module', 'ngx_stream_upstream_module']],
};

export function allDirectives(): Map<string, DirectiveSpec[]> {
  if (!byName) byName = load();
  return byName;
}

export function specsFor(name: string): DirectiveSpec[] | undefined {
  return allDirectives().get(name);
}

/** The spec that applies in a block kind: same family (or core) first, allowed contexts first. */
const specInCache = new Map<BlockKind, Map<string, DirectiveSpec | null>>();

/** Whether nginx takes `n` arguments for the directive `spec` describes (its handler refuses other counts). */
export function takesArgCount(spec: DirectiveSpec, n: number): boolean {
  return n >= spec.minArgs && n <= spec.maxArgs;
}

export function specIn(name: string, kind: BlockKind): DirectiveSpec | undefined {
  let perKind = specInCache.get(kind);
  if (!perKind) specInCache.set(kind, (perKind = new Map()));
  let hit = perKind.get(name);
  if (hit === undefined) {
    hit = findSpecIn(name, kind) ?? null;
    if (perKind.size < 20000) perKind.set(name, hit);
  }
  return hit ?? undefined;
}

function findSpecIn(name: string, kind: BlockKind): DirectiveSpec | undefined {
  const specs = specsFor(name);
  if (!specs) return undefined;
  const family = familyOf(kind);
  let best: DirectiveSpec | undefined;
  for (const s of specs) {
    const allowed = s.contexts === 'any' || s.contexts.has(kind);
    if (allowed) return s;
    if (!best && (s.family === family || s.family === 'core')) best = s;
  }
  return best ?? specs[0];
}

export function isAllowedIn(spec: DirectiveSpec, kind: BlockKind): boolean {
  return spec.contexts === 'any' || spec.contexts.has(kind);
}

export function docsUrl(spec: DirectiveSpec): string {
  const m = spec.module;
  if (m === 'Core functionality') return `https://nginx.org/en/docs/ngx_core_module.html#${spec.name}`;
  const dir = m.startsWith('ngx_stream_') ? 'stream/' : m.startsWith('ngx_mail_') ? 'mail/' : m.startsWith('ngx_http_') ? 'http/' : '';
  return `https://nginx.org/en/docs/${dir}${m}.html#${spec.name}`;
}
