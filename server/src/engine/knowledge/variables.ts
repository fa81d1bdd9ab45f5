// Which variables nginx has: the official ones (from @nginx/reference-lib, prefixed families like $http_NAME
// included), and which directives define new ones. What a given config defines is in model/variables.ts.

import { Format, getVariables } from '@nginx/reference-lib';
import { allDirectives } from './directives';
import { NginxVersion, versionAtLeast } from './tls-directives';
import { own } from '../own';

// nginx matches variable names case-insensitively: ngx_http_add_variable and ngx_http_get_variable_index (and
// the stream ones) store and look names up lower-cased, the `$http_`/`$arg_`/… prefixes included, so
// `$Host`, `$HTTP_X_FOO` and a `set $abc` read as `$ABC` are all one variable. Names are compared lower-cased here.

/** Which of nginx's two variable tables a variable is in: http's and stream's are separate (`ngx_http_variables.c`,
 * `ngx_stream_variables.c`), and a name in one is "unknown" in the other. */
export type VariableFamily = 'http' | 'stream';

// A bit per table: a name listed under both (or whose module we cannot place) is known in both.
const HTTP = 1;
const STREAM = 2;
const BOTH = HTTP | STREAM;

const familyBit = (family: VariableFamily | undefined) => (family === 'http' ? HTTP : family === 'stream' ? STREAM : BOTH);

/**
 * The table a module of the reference data registers its variables in. Decision for modules named neither
 * `ngx_http_*` nor `ngx_stream_*`: ngx_otel_module is an http module (its directives and variables live in
 * http only: it calls ngx_http_add_variable); any other such module is taken to be in both, so a module we
 * cannot place never makes a variable unknown.
 */
function moduleFamily(module: string): number {
  if (module.startsWith('ngx_http_')) return HTTP;
  if (module.startsWith('ngx_stream_')) return STREAM;
  if (module === 'ngx_otel_module') return HTTP;
  return BOTH;
}

let builtin: { names: Map<string, number>; prefixes: [string, number][]; plus: Set<string> } | null = null;
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
  const lower = name.toLowerCase(); // nginx's spelling (variable names are matched case-insensitively)
  const exact = docs.get(lower);
  if (exact !== undefined) return { title: '$' + lower, description: exact };
  for (const [n, d] of docs) {
    if (n.endsWith('_NAME') && lower.startsWith(n.slice(0, -4))) return { title: '$' + n, description: d };
  }
  return undefined;
}

/** The docs' words for an NGINX Plus only variable. */
const COMMERCIAL = /this variable is available as part of[\s>]*(?:our)?[\s>]*(?:\[|<a[^>]*>)?commercial subscription/i;

function official(): { names: Map<string, number>; prefixes: [string, number][]; plus: Set<string> } {
  if (!builtin) {
    // name → the tables (HTTP, STREAM bits) it is in.
    const names = new Map<string, number>();
    const prefixes: [string, number][] = [];
    const plus = new Set<string>();
    const addName = (n: string, bits: number) => names.set(n, (names.get(n) ?? 0) | bits);
    const addPrefix = (p: string, bits: number) => {
      const known = prefixes.find((x) => x[0] === p);
      if (known) known[1] |= bits;
      else prefixes.push([p, bits]);
    };
    for (const v of getVariables(Format.Markdown)) {
      const name = v.name.replace(/^\$/, '');
      const bits = moduleFamily(v.module);
      if (name.endsWith('_NAME')) addPrefix(name.slice(0, -4).toLowerCase(), bits);
      else addName(name.toLowerCase(), bits);
      if (COMMERCIAL.test(v.description.replace(/\n>?/g, ' '))) plus.add(name.toLowerCase());
    }
    // In nginx's sources but not in the reference data: the connection's TCP_INFO figures
    // (src/http/ngx_http_variables.c), the browser module's (ngx_http_browser_module.c), the cache's validators
    // (ngx_http_upstream.c): all http.
    for (const n of ['tcpinfo_rtt', 'tcpinfo_rttvar', 'tcpinfo_snd_cwnd', 'msie', 'modern_browser', 'ancient_browser',
      'upstream_cache_last_modified', 'upstream_cache_etag']) addName(n, HTTP);
    // stream's $server_name (ngx_stream_core_module, nginx 1.25.5, with stream's server_name): the reference
    // data lists only http's.
    addName('server_name', STREAM);
    // github.com/chobits/ngx_http_proxy_connect_module (README, Variables): $connect_host, $connect_port,
    // $connect_addr and $proxy_connect_* (timeouts, timings, response). An http module.
    for (const n of ['connect_host', 'connect_port', 'connect_addr']) addName(n, HTTP);
    addPrefix('proxy_connect_', HTTP);
    // Official variables the reference data only describes in prose, and common third-party families. The
    // third-party ones are kept in both tables (geoip and geoip2 have stream modules too; for the others a
    // stream variant is not ruled out), which only makes the check more lenient.
    for (const p of ['geoip_', 'geoip_org', 'geoip2_', 'brotli_', 'modsec_', 'vts_', 'nchan_', 'upload_progress_', 'echo_', 'sticky_']) addPrefix(p, BOTH);
    // http's (gzip, userid, referer, secure_link, fastcgi, spdy modules); $realip_* is in both realip modules.
    for (const n of ['gzip_ratio', 'uid_got', 'uid_set', 'uid_reset', 'invalid_referer', 'secure_link', 'secure_link_expires', 'fastcgi_path_info', 'spdy', 'spdy_request_priority']) addName(n, HTTP);
    for (const n of ['realip_remote_addr', 'realip_remote_port']) addName(n, BOTH);
    builtin = { names, prefixes, plus };
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

/** Where one of these directives names the variable it defines: an argument index, `last`, or undefined. */
export function definedVariableArgument(directive: string): number | 'last' | undefined {
  return own(DEFINERS, directive);
}

/**
 * Whether a directive's first argument, written `$name` and nothing else, is taken to define that variable.
 *
 * Decision for directives that are not nginx's own (a third-party module's, or one nobody here knows) and not
 * in DEFINERS: modules' setters name the variable they define first (`mruby_set $v …`, `set_by_lua* $v`,
 * `set_iconv $v`, `eval $v {…}`, `form_input $v`), and we cannot tell such a setter from a directive that only
 * reads a variable there. So one of them whose first argument is a whole `$name` defines it (in an ordinary
 * block, not a data block such as a map's body): a typo in a third-party directive's first argument then goes
 * unreported, but a variable a module we do not know defines is never called undefined. nginx's own
 * directives define only what DEFINERS says.
 */
export function definesByShape(directive: string): boolean {
  return own(DEFINERS, directive) === undefined && !allDirectives().has(directive);
}

/**
 * The names of a text's named regex captures (`(?<name>` and PCRE's `(?P<name>`): each defines `$name` where
 * the regex matches. Read from the whole text, comments too (a comment mentioning one only makes the check
 * more lenient). A match holds no whitespace, so it lies within one run of non-blank characters.
 */
export function namedCaptures(text: string): string[] {
  const names: string[] = [];
  forEachNamedCapture(text, (name) => names.push(name));
  return names;
}

/** A named capture's opening, matched where a `(?` is. */
const CAPTURE = /\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/y;

/**
 * namedCaptures, each with the offset in `text` where it is written. Every analysis reads every file's whole
 * text for these: its `(?` are found with indexOf, which skips a big config ten times faster than the
 * regular expression searching on its own.
 */
export function forEachNamedCapture(text: string, each: (name: string, at: number) => void): void {
  for (let at = text.indexOf('(?'); at >= 0; at = text.indexOf('(?', at + 2)) {
    CAPTURE.lastIndex = at;
    const m = CAPTURE.exec(text);
    if (m) each(m[1].toLowerCase(), at);
  }
}

/**
 * Variables of nginx's own modules newer than nginx 1.11, by the release that brought them (the first release
 * tag of github.com/nginx/nginx whose variable tables hold the name; prefixed families end in `_`). A
 * variable also in an older module of the other context (stream's `$server_name`, http's `$bytes_sent`) is
 * left out: the table does not tell http from stream.
 */
const SINCE: [NginxVersion, string[]][] = ([
  ['1.13.2', ['sent_trailer_']], ['1.13.5', ['ssl_client_escaped_cert']],
  ['1.13.10', ['upstream_trailer_', 'ssl_preread_alpn_protocols']], ['1.15.2', ['ssl_preread_protocol']],
  ['1.15.3', ['ssl_early_data']], ['1.17.6', ['limit_conn_status', 'limit_req_status', 'proxy_protocol_server_addr', 'proxy_protocol_server_port']],
  ['1.19.10', ['connection_time']], ['1.21.4', ['ssl_alpn_protocol']], ['1.21.5', ['ssl_curve']],
  ['1.23.2', ['proxy_protocol_tlv_']], ['1.25.0', ['http3']],
  ['1.29.3', ['request_port', 'is_request_port', 'ssl_sigalg', 'ssl_client_sigalg']],
  ['1.29.4', ['ssl_ech_outer_server_name', 'ssl_ech_status']], ['1.31.2', ['ssl_sigalgs']],
] as [string, string[]][]).map(([v, names]) => {
  const [major, minor, patch] = v.split('.').map(Number);
  return [{ major, minor, patch } as NginxVersion, names];
});

/**
 * Variables whose release differs between http and stream: stream's `$server_name` came with stream's
 * `server_name` in 1.25.5 (ngx_stream_variables.c of release-1.25.5; nginx 1.22 -t: `unknown "server_name"
 * variable`), http's is as old as http.
 */
const SINCE_IN: Partial<Record<VariableFamily, [NginxVersion, string[]][]>> = {
  stream: [[{ major: 1, minor: 25, patch: 5 } as NginxVersion, ['server_name']]],
};

/**
 * The release that brought one of nginx's own variables, when it is newer than `version`; in `family`'s table
 * when given (where a name's release differs between http and stream).
 */
export function variableNewerThan(name: string, version: NginxVersion, family?: VariableFamily): NginxVersion | undefined {
  const n = name.toLowerCase();
  for (const [since, names] of family ? SINCE_IN[family] ?? [] : []) {
    if (names.includes(n)) return versionAtLeast(version, since.major, since.minor, since.patch) ? undefined : since;
  }
  for (const [since, names] of SINCE) {
    if (names.some((v) => (v.endsWith('_') ? n.startsWith(v) : n === v))) {
      return versionAtLeast(version, since.major, since.minor, since.patch) ? undefined : since;
    }
  }
  return undefined;
}

/** Whether the docs call the variable NGINX Plus only (`$upstream_queue_time`, `$upstream_last_server_name`…). */
export function isPlusOnlyVariable(name: string): boolean {
  return official().plus.has(name.toLowerCase());
}

/**
 * A variable nginx (or a common module) provides itself, exactly or as part of a prefixed family, in any
 * spelling (nginx lower-cases names): in `family`'s table (http's or stream's), or in either when no family
 * is given. Versions and NGINX Plus are not asked here: see variableNewerThan and isPlusOnlyVariable.
 */
export function isOfficialVariable(name: string, family?: VariableFamily): boolean {
  if (/^\d+$/.test(name)) return true; // regex captures $1…$9
  const o = official();
  const n = name.toLowerCase();
  const want = familyBit(family);
  const bits = o.names.get(n);
  if (bits !== undefined && bits & want) return true;
  for (const [p, b] of o.prefixes) if (b & want && n.startsWith(p)) return true;
  return false;
}
