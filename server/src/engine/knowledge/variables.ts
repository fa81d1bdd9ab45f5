// Which variables nginx has: the official ones (from @nginx/reference-lib, prefixed families like $http_NAME
// included), and which directives define new ones. What a given config defines is in model/variables.ts.

import { Format, getVariables } from '@nginx/reference-lib';
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

/** Where a directive names the variable it defines: an argument index, `last`, or undefined if it defines none. */
export function definedVariableArgument(directive: string): number | 'last' | undefined {
  return own(DEFINERS, directive);
}

/**
 * The names of a text's named regex captures (`(?<name>` and PCRE's `(?P<name>`): each defines `$name` where
 * the regex matches. Read from the whole text, comments too (a comment mentioning one only makes the check
 * more lenient). A match holds no whitespace, so it lies within one run of non-blank characters.
 */
export function namedCaptures(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)) names.push(m[1]);
  return names;
}

/** A variable nginx (or a common module) provides itself, exactly or as part of a prefixed family. */
export function isOfficialVariable(name: string): boolean {
  if (/^\d+$/.test(name)) return true; // regex captures $1…$9
  const o = official();
  return o.names.has(name) || o.prefixes.some((p) => name.startsWith(p));
}
