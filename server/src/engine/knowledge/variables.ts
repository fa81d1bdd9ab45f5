// Which variables exist: the official ones (from @nginx/reference-lib, prefixed families like $http_NAME
// included), and those a config defines itself.

import { Format, getVariables } from '@nginx/reference-lib';
import { ConfigModel, LDir } from '../model/model';
import { own } from '../own';

let builtin: { names: Set<string>; prefixes: string[] } | null = null;
let docs: Map<string, string> | null = null;

/** The official description of a variable (prefixed families such as $http_NAME included). */
export function variableDoc(name: string): { title: string; description: string } | undefined {
  if (!docs) {
    docs = new Map();
    for (const v of getVariables(Format.Markdown)) {
      const n = v.name.replace(/^\$/, '');
      if (!docs.has(n)) docs.set(n, v.description);
    }
  }
  const exact = docs.get(name);
  if (exact !== undefined) return { title: '$' + name, description: exact };
  for (const [n, d] of docs) {
    if (n.endsWith('_NAME') && name.startsWith(n.slice(0, -4))) return { title: '$' + n, description: d };
  }
  return undefined;
}

/** The directive that defines `name` in this config (set, map, geo, …), if one does. */
export function variableDefinition(name: string, model: ConfigModel): LDir | undefined {
  for (const ld of model.all) {
    const at = own(DEFINERS, ld.d.name);
    if (at === undefined || !ld.d.argCount) continue;
    const arg = at === 'last' ? ld.d.args[ld.d.argCount - 1] : ld.d.args[at as number];
    if (arg && arg.value.replace(/^\$\{?/, '').replace(/\}$/, '') === name) return ld;
  }
  return undefined;
}

function official(): { names: Set<string>; prefixes: string[] } {
  if (!builtin) {
    const names = new Set<string>();
    const prefixes: string[] = [];
    for (const v of getVariables(Format.Markdown)) {
      const name = v.name.replace(/^\$/, '');
      if (name.endsWith('_NAME')) prefixes.push(name.slice(0, -4));
      else names.add(name);
    }
    // Official variables the reference data only describes in prose, and common third-party families.
    prefixes.push('geoip_', 'geoip_org', 'geoip2_', 'brotli_', 'modsec_', 'vts_', 'nchan_', 'upload_progress_', 'echo_', 'sticky_');
    for (const n of ['gzip_ratio', 'realip_remote_addr', 'realip_remote_port', 'uid_got', 'uid_set', 'uid_reset', 'invalid_referer', 'secure_link', 'secure_link_expires', 'fastcgi_path_info', 'spdy', 'spdy_request_priority']) names.add(n);
    builtin = { names, prefixes };
  }
  return builtin;
}

/** Directives whose argument at `index` defines a variable ($name). */
const DEFINERS: Record<string, number | 'last'> = {
  set: 0, map: 1, geo: 'last', split_clients: 1, js_set: 0, perl_set: 0, auth_request_set: 0, js_var: 0,
  set_by_lua: 0, set_by_lua_block: 0, set_by_lua_file: 0, keyval: 1, auth_jwt_claim_set: 0, auth_jwt_header_set: 0,
  geoip2: -1 as never, set_escape_uri: 0, set_unescape_uri: 0, set_quote_sql_str: 0, set_quote_json_str: 0, set_if_empty: 0,
  set_md5: 0, set_sha1: 0, set_hmac_sha1: 0, set_hmac_sha256: 0, set_encode_base64: 0, set_decode_base64: 0, set_random: 0,
  set_secure_random_alphanum: 0, set_secure_random_lcalpha: 0, set_local_today: 0, set_formatted_gmt_time: 0,
  set_formatted_local_time: 0, set_encode_hex: 0, set_decode_hex: 0, set_hashed_upstream: 0, set_encrypt_session: 0, set_decrypt_session: 0,
};

const cache = new WeakMap<ConfigModel, Set<string>>();

/** Variables the config defines: set, map, geo, … and named captures of its regexes. */
export function definedVariables(model: ConfigModel): Set<string> {
  let defined = cache.get(model);
  if (defined) return defined;
  defined = new Set<string>();
  for (const ld of model.all) {
    const at = own(DEFINERS, ld.d.name);
    if (at !== undefined && ld.d.args.length) {
      const arg = at === 'last' ? ld.d.args[ld.d.args.length - 1] : ld.d.args[at as number];
      const m = arg && /^\$\{?([A-Za-z0-9_]+)/.exec(arg.value);
      if (m) defined.add(m[1]);
    }
    // geoip2 { $var default=… path; } and similar blocks define variables in their data lines.
    if (ld.block.kind === 'raw' && ld.block.owner?.d.name === 'geoip2' && ld.d.name.startsWith('$')) defined.add(ld.d.name.slice(1));
  }
  // Named captures of any regex in the config's files (a comment mentioning one only makes us more lenient).
  for (const f of model.files.values()) {
    for (const m of f.tree.text.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)) defined.add(m[1]);
  }
  cache.set(model, defined);
  return defined;
}

export function isKnownVariable(name: string, model: ConfigModel): boolean {
  if (/^\d+$/.test(name)) return true; // regex captures $1…$9
  const o = official();
  if (o.names.has(name) || o.prefixes.some((p) => name.startsWith(p))) return true;
  return definedVariables(model).has(name);
}
