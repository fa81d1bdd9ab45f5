// Where nginx opens TLS connections to upstreams, and which settings apply there.

import { UpstreamFamily } from '../knowledge/tls';
import { ConfigModel, DirStore, LBlock, LDir, UpstreamGroup } from './model';
import { own } from '../own';
import { readsTlsAnd } from '../knowledge/tls-directives';
import { parsePassUrl, PassTarget, passTarget, splitHostPort } from './pass-url';
import { serverInfoOf } from './servers';

export interface TlsUse {
  family: UpstreamFamily;
  /** The pass directive (`proxy_pass`, `grpc_pass`, `uwsgi_pass`, stream `proxy_pass`). */
  pass: LDir;
  url: string;
  /** True when the connection is certainly TLS; false when nginx only prepares for it (URL with variables). */
  certain: boolean;
  /** Host part (without port) when it is literal; null when it contains variables. */
  host: string | null;
  port: number | null;
  group: UpstreamGroup | undefined;
  /** The block whose effective `*_ssl_*` settings apply. */
  block: LBlock;
  /** The stream `proxy_ssl on` that switches TLS on, if stream. */
  enabler: LDir | null;
  /** The `set $var https` a `$var://…` URL took its scheme from, or the `map` whose values give it (`proxy_pass $backend`). */
  schemeFrom: LDir | null;
}

/** Pass directives of http and the scheme that makes their connection TLS. */
const HTTP_PASS: Record<string, { family: UpstreamFamily; tls: string }> = {
  proxy_pass: { family: 'proxy', tls: 'https' },
  grpc_pass: { family: 'grpc', tls: 'grpcs' },
  uwsgi_pass: { family: 'uwsgi', tls: 'suwsgi' },
};

const PASS_NAMES = Object.keys(HTTP_PASS);
const PASS_NAME_SET = new Set(PASS_NAMES);

/**
 * The directives the list of TLS uses rests on (besides TLS directives themselves): the pass directives,
 * `set` (variables in a URL), `listen` (`$scheme` in a server that only listens with TLS), and the upstream
 * groups they name.
 */
export const TLS_USE_INPUTS: readonly string[] = [...PASS_NAMES, 'set', 'map', 'upstream', 'server', 'keepalive', 'listen'];

/** Whether the list of TLS uses can rest on directives named `name`. */
export const readsTlsUseInput = readsTlsAnd(TLS_USE_INPUTS);

// Asked several times for each TLS use of a big config: read character by character, without regular expressions.
export function isIpLiteral(host: string): boolean {
  return isDottedQuad(host) || host.startsWith('[') || isBareIpv6(host);
}

/** Four groups of one to three ASCII digits joined by dots (`/^\d{1,3}(\.\d{1,3}){3}$/`). */
function isDottedQuad(s: string): boolean {
  let groups = 1;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return false;
    } else if (c === 46 && digits > 0 && groups < 4) {
      groups++;
      digits = 0;
    } else return false;
  }
  return groups === 4 && digits > 0;
}

/** Hex digits and colons only, with a colon after the first character (`/^[0-9a-f:]+:[0-9a-f:]*$/i`). */
function isBareIpv6(s: string): boolean {
  let colon = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if (c === 58) colon ||= i > 0;
    else if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
  }
  return colon;
}

/**
 * Every pass directive that makes nginx build an upstream TLS context: https/grpcs/suwsgi URLs, proxy_pass
 * URLs with variables (their scheme is only known per request), and stream proxy_pass under `proxy_ssl on`.
 */
const cache = new WeakMap<ConfigModel, TlsUse[]>();

export function tlsUses(model: ConfigModel): TlsUse[] {
  let hit = cache.get(model);
  if (!hit) cache.set(model, (hit = model.carried(cache, readsTlsUseInput) ?? findTlsUses(model)));
  return hit;
}

function findTlsUses(model: ConfigModel): TlsUse[] {
  const out: TlsUse[] = [];
  // One answer object for every pass: what a use keeps of it is copied out.
  const target: PassTarget = { scheme: null, host: '', port: null, hostHasVariables: false, hasVariables: false };
  const ldList = model.namedAny(PASS_NAMES);
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    const name = ld.name;
    const spec = own(HTTP_PASS, name);
    if (!spec || ld.argc < 1) continue;
    const kind = ld.block.kind;
    if (kind === 'stream/server' && name === 'proxy_pass') {
      const on = model.effective('proxy_ssl', ld.block);
      const enabler = on.found[on.found.length - 1];
      if (!isFlagOn(enabler)) continue;
      const url = ld.arg(0);
      const hasVar = url.includes('$');
      const { host, port } = splitHostPort(url);
      out.push({
        family: 'stream', pass: ld, url, certain: true, host: hasVar ? null : host, port,
        group: hasVar ? undefined : model.upstream('stream', host), block: ld.block, enabler, schemeFrom: null,
      });
      continue;
    }
    if (!(kind === 'http/location' || kind === 'http/if-location' || kind === 'http/limit_except')) continue;
    // Most addresses have no variable: no resolution (and no answer object) for them.
    let url = ld.arg(0);
    let schemeFrom: LDir | null = null;
    if (url.includes('$')) ({ url, from: schemeFrom } = resolveSetVariables(model, ld, url));
    let parsed = passTarget(url, target);
    let mapped: MapCandidates | null = null;
    if (parsed.scheme === null && parsed.hasVariables && (mapped = mapCandidates(model, url, spec.tls)) !== null) {
      // A scheme a map gives (`proxy_pass $backend;`): some requests go to its TLS values. The use is the first
      // of them; its host is theirs when they all name one, else not known here.
      url = mapped.url;
      parsed = passTarget(url, target);
      schemeFrom = mapped.map;
    }
    let certain: boolean;
    if (parsed.scheme === spec.tls) certain = true;
    // The scheme may come from a variable: nginx prepares TLS for every such location (grpc_pass and uwsgi_pass
    // too, whatever scheme they are written with: their handlers set it up for any URL with variables).
    else if (parsed.hasVariables) certain = false;
    else continue;
    const hostHasVar = parsed.hostHasVariables || (mapped !== null && mapped.hosts.size > 1);
    const { host, port } = parsed;
    out.push({
      family: spec.family, pass: ld, url, certain, host: hostHasVar ? null : host, port,
      group: hostHasVar ? undefined : model.upstream('http', host), block: ld.block, enabler: null, schemeFrom,
    });
  }
  return out;
}


/**
 * For pass directives asked in document order: whether each is the pass of one of `uses` (made from the pass
 * directives in that order, one at most per pass), walked alongside them: no set of the TLS passes is made.
 */
export function isUsePass(uses: readonly TlsUse[]): (pass: LDir) => boolean {
  let next = 0;
  return (pass) => {
    while (next < uses.length && uses[next].pass.at < pass.at) next++;
    return next < uses.length && uses[next].pass === pass;
  };
}

/**
 * The other TLS uses that would read a value of one of `names` written into `block`: uses in `block` itself,
 * in its `if`/`limit_except` blocks and in nested locations that do not set the name themselves. A fix that
 * sets a directive there for one use changes what each of these connects with.
 */
export function usesSharing(model: ConfigModel, use: TlsUse, block: LBlock, names: readonly string[]): TlsUse[] {
  // Asked for every finding's fixes: a location holding no other pass (the common case) is told by its own few
  // directives, without the config-wide index.
  if (!holdsOtherPass(block, use.pass)) return [];
  const under = usesUnder(model).get(block);
  if (!under) return [];
  const out: TlsUse[] = [];
  for (const u of under) {
    if (u === use) continue;
    for (const n of names) {
      if (model.first(n, u.block) === model.first(n, block)) { out.push(u); break; }
    }
  }
  return out;
}

/**
 * Whether a fix writing `names` into `block` edits text that is expanded at more than one place: the block's
 * own text (where an insertion goes) or a directive of those names in it lives in a file included several
 * times. The edit then changes every place that includes that file, which one finding cannot vouch for.
 */
export function editsSharedText(model: ConfigModel, block: LBlock, names: readonly string[]): boolean {
  // Asked for every finding's fixes: most configs expand each file once, which the model knows already.
  if (model.expansions === model.files.size) return false;
  const home = block.owner?.file.path ?? model.rootFile?.path;
  if (home !== undefined && model.timesExpanded(home) > 1) return true;
  for (const n of names) {
    const here = model.inBlock(block, n)[0];
    if (here && model.timesExpanded(here.file.path) > 1) return true;
  }
  return false;
}

/**
 * Whether setting `names` in `block` for `use` would change them for a use that reaches another backend: a CA,
 * name, client certificate or depth chosen for this backend would make that one fail.
 */
export function changesAnotherBackend(model: ConfigModel, use: TlsUse, block: LBlock, names: readonly string[]): boolean {
  return usesSharing(model, use, block, names).some((u) => !sameBackend(u, use));
}

/** Whether two uses reach the same backend: one upstream group, or one host and port. */
function sameBackend(a: TlsUse, b: TlsUse): boolean {
  if (a.group || b.group) return a.group === b.group;
  return a.host !== null && a.host.toLowerCase() === b.host?.toLowerCase() && (a.port ?? 443) === (b.port ?? 443);
}

/** Whether `block` or a block inside it holds a pass directive other than `pass` (an explicit stack: no recursion on input depth). */
function holdsOtherPass(block: LBlock, pass: LDir): boolean {
  const stack: LBlock[] = [block];
  while (stack.length) {
    const items = stack.pop()!.items;
    for (let i = 0; i < items.length; i++) {
      const ld = items[i];
      if (ld !== pass && PASS_NAME_SET.has(ld.name)) return true;
      if (ld.child) stack.push(ld.child);
    }
  }
  return false;
}

/** Each block a fix may write into (up to the server), and the uses below it: asked once per fix. */
function usesUnder(model: ConfigModel): Map<LBlock, TlsUse[]> {
  let hit = underCache.get(model);
  if (!hit) {
    hit = new Map();
    for (const u of tlsUses(model)) {
      for (let b: LBlock | null = u.block; b; b = b.parent) {
        const list = hit.get(b);
        if (list) list.push(u);
        else hit.set(b, [u]);
        if (b.kind === 'http/server' || b.kind === 'stream/server') break;
      }
    }
    underCache.set(model, hit);
  }
  return hit;
}
const underCache = new WeakMap<ConfigModel, Map<LBlock, TlsUse[]>>();

/** The TLS uses in `block` and the blocks below it, up to the server (none: an empty list). */
export function usesBelow(model: ConfigModel, block: LBlock): readonly TlsUse[] {
  return usesUnder(model).get(block) ?? [];
}

/** The block a fix should edit for a pass: never `if`/`limit_except` (nginx forbids `*_ssl_*` there). */
export function settingsBlock(block: LBlock): LBlock {
  let b = block;
  while ((b.kind === 'http/if-location' || b.kind === 'http/limit_except') && b.parent) b = b.parent;
  return b;
}

/** Whether the directive at store index `x` (-1: none) is a flag set `on` (any case), read in place. */
export function isFlagOnAt(s: DirStore, x: number): boolean {
  return x >= 0 && s.argc(x) === 1 && s.argIsLower(x, 0, 'on');
}

/**
 * Whether the directive at store index `x` (-1: none; then false) is a flag that says neither `on` nor `off` as
 * written. nginx reads a flag when it loads the config and refuses anything else there, a variable (`$v`,
 * `${VERIFY}`) included: it is never evaluated per request. directive-invalid-value reports such a value; a
 * rule that would conclude "off" from it stays silent instead, and offers no fix that overwrites it (a
 * template placeholder is the user's to fill in). So does a flag with other than one argument
 * (directive-args reports it): most often a missing `;` that made the next directive its arguments
 * (`proxy_ssl_verify on` then `proxy_ssl_trusted_certificate …;`), and what the user meant is not known.
 */
export function isFlagUnknownAt(s: DirStore, x: number): boolean {
  return x >= 0 && !(s.argc(x) === 1 && (s.argIsLower(x, 0, 'on') || s.argIsLower(x, 0, 'off')));
}

export function isFlagOn(ld: LDir | undefined): ld is LDir {
  return !!ld && isFlagOnAt(ld.store, ld.at);
}

/** A flag in effect that holds neither `on` nor `off` (see isFlagUnknownAt); false when none is set. */
export function isFlagUnknown(ld: LDir | undefined): ld is LDir {
  return !!ld && isFlagUnknownAt(ld.store, ld.at);
}

/**
 * The pass URL with the variables the config gives a literal value by `set` filled in: the nearest block
 * around the pass (itself, then outward) that sets the variable, its last `set` (what nginx holds when the
 * pass runs, `if` branches aside). A variable nothing sets literally (`$host`, a `map`) stays as written.
 * `$scheme` is https in a server that only listens with TLS. `from` is the `set` the scheme came from, for a URL
 * that starts with a variable.
 */
function resolveSetVariables(model: ConfigModel, ld: LDir, url: string): { url: string; from: LDir | null } {
  if (!url.includes('$')) return { url, from: null };
  let from: LDir | null = null;
  let out = url;
  // Twice: a value may itself name a set variable (`set $url "$proto://api";`); no deeper, and no cycles.
  for (let round = 0; round < 2 && out.includes('$'); round++) {
    const first = round === 0;
    out = out.replace(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole: string, braced: string | undefined, plain: string | undefined, at: number) => {
      const name = braced ?? plain!;
      const set = setOf(model, ld.block, '$' + name);
      if (!set) return name === 'scheme' && onlyTlsServer(model, ld.block) ? 'https' : whole;
      if (first && at === 0) from = set;
      return set.d.args[1].value;
    });
  }
  // Only a scheme that is a word counts as one (`set $p "https"`), as nginx's URL parser takes it.
  if (from && !/^[a-z]+:\/\//i.test(out)) from = null;
  return { url: out, from };
}

interface MapCandidates {
  /** The first TLS value, with the rest of the pass URL after the variable. */
  url: string;
  /** The hosts of every TLS value. */
  hosts: Set<string>;
  map: LDir;
}

/**
 * A pass URL that starts with a variable an http-level `map` defines, read with each of the map's literal
 * values in its place (`default` and included entries too; a value with variables is not known here): the
 * values that make it a `tls` URL (https, grpcs, suwsgi), if any.
 */
function mapCandidates(model: ConfigModel, url: string, tls: string): MapCandidates | null {
  const variable = leadingVariable(url);
  const mapped = variable ? mapValues(model, variable.name) : null;
  if (!variable || !mapped) return null;
  const rest = url.slice(variable.length);
  let first: string | null = null;
  const hosts = new Set<string>();
  for (const value of mapped.values) {
    const candidate = value + rest;
    const parsed = parsePassUrl(candidate);
    if (parsed.scheme !== tls) continue;
    first ??= candidate;
    // A host with a variable in it (`https://api$suffix`, or `$request_uri` run into it) is not known here.
    hosts.add(parsed.hostPort.includes('$') ? '$' : parsed.host.toLowerCase());
  }
  return first === null ? null : { url: first, hosts, map: mapped.map };
}

/** The variable `text` starts with (`$name` or `${name}`): its name, and how many characters it takes. */
export function leadingVariable(text: string): { name: string; length: number } | null {
  const m = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(text);
  return m ? { name: m[1] ?? m[2], length: m[0].length } : null;
}

/**
 * The values an http-level `map` gives `variable` (`default` included), as written (variables in them are the
 * caller's to judge), those of files it includes among them (the model expands them into its body). Of several
 * maps of one variable, nginx uses the last.
 */
export function mapValues(model: ConfigModel, variable: string): { map: LDir; values: string[] } | null {
  // nginx matches variable names case-insensitively.
  const name = '$' + variable.toLowerCase();
  // The whole config's maps: a server's findings re-run alone (a scoped model) still read them.
  const maps = model.whole.named('map');
  for (let i = maps.length - 1; i >= 0; i--) {
    const map = maps[i];
    if (map.block.kind !== 'http' || map.argc !== 2 || !map.child || map.arg(1).toLowerCase() !== name) continue;
    const values: string[] = [];
    for (const entry of map.child.items) {
      // `hostnames;` and `volatile;` have no value; `include` names a file whose entries follow it here.
      if (entry.argc !== 1 || entry.name === 'include') continue;
      values.push(entry.arg(0));
    }
    return { map, values };
  }
  return null;
}

/** Whether `block` lies in an http server all of whose sockets speak TLS: there `$scheme` is always https. */
function onlyTlsServer(model: ConfigModel, block: LBlock): boolean {
  let b: LBlock | null = block;
  while (b && b.kind !== 'http/server') b = b.parent;
  return !!b && !!serverInfoOf(model, b)?.onlyTls;
}

/**
 * The `set` of `variable` in effect at a directive of `block`: the last one in the nearest block that has one
 * (names compared without case, as nginx does).
 */
function setOf(model: ConfigModel, block: LBlock, variable: string): LDir | null {
  const name = variable.toLowerCase();
  for (let b: LBlock | null = block; b; b = b.parent) {
    const sets = model.inBlock(b, 'set');
    for (let i = sets.length - 1; i >= 0; i--) {
      const x = sets[i];
      if (x.argc === 2 && x.arg(0).toLowerCase() === name) return x;
    }
  }
  return null;
}
