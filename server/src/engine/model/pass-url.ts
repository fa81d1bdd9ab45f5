// The address of a pass directive, split the way nginx's URL parser splits it. The one place that knows the
// shape `scheme://host:port/path`; rules and features read the parts instead of slicing strings.

export interface PassUrl {
  /** Lower-cased scheme without `://` (`https`, `grpcs`…), or null when the address has none. */
  scheme: string | null;
  /** Everything after `scheme://` (the whole address when there is no scheme). */
  rest: string;
  /** `host:port` (or `unix:/path`), up to the first `/` of `rest` (all of it for unix sockets). */
  hostPort: string;
  host: string;
  port: number | null;
  /** The URI part from the first `/` after the host, or null when there is none. */
  path: string | null;
  /** The address contains variables: nginx resolves it per request. */
  hasVariables: boolean;
}

/** Where `scheme://` ends in `url` (the index of its `:`), or -1 without one. A scheme is a letter, then letters, digits, `+`, `.` or `-`. */
function schemeEnd(url: string): number {
  const first = url.charCodeAt(0) | 0x20;
  if (first < 97 || first > 122) return -1;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 58) return url.charCodeAt(i + 1) === 47 && url.charCodeAt(i + 2) === 47 ? i : -1;
    const l = c | 0x20;
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45)) return -1;
  }
  return -1;
}

/** Schemes as nginx's pass directives write them: the usual ones are recognised in place, not sliced and lower-cased. */
const SCHEMES = ['http', 'https', 'grpc', 'grpcs', 'uwsgi', 'suwsgi'];

/** The scheme ending at `end`, lower-cased. */
function schemeOf(url: string, end: number): string {
  for (let i = 0; i < SCHEMES.length; i++) {
    const s = SCHEMES[i];
    if (s.length === end && url.startsWith(s)) return s;
  }
  return url.slice(0, end).toLowerCase();
}

/** The URL's scheme lower-cased (`https`…), or null without one: `parsePassUrl(url).scheme` with nothing else made. */
export function passScheme(url: string): string | null {
  const end = schemeEnd(url);
  return end > 0 ? schemeOf(url, end) : null;
}

export function parsePassUrl(url: string): PassUrl {
  const end = schemeEnd(url);
  const scheme = end > 0 ? schemeOf(url, end) : null;
  const rest = end > 0 ? url.slice(end + 3) : url;
  let hostPort = rest;
  let path: string | null = null;
  if (!rest.startsWith('unix:')) {
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      hostPort = rest.slice(0, slash);
      path = rest.slice(slash);
    }
  }
  const { host, port } = splitHostPort(hostPort);
  return { scheme, rest, hostPort, host, port, path, hasVariables: url.includes('$') };
}

/** What a TLS use reads of its pass URL: `parsePassUrl`'s scheme, host and port, and where variables are. */
export interface PassTarget {
  scheme: string | null;
  host: string;
  port: number | null;
  /** `host:port` holds a variable. */
  hostHasVariables: boolean;
  /** The URL holds a variable anywhere. */
  hasVariables: boolean;
}

/**
 * `parsePassUrl`'s scheme, host and port, with one string made (the host): asked for every pass directive of a
 * big config, where the other parts were garbage. Written into `into` when given (a caller's loop reuses one).
 */
export function passTarget(url: string, into?: PassTarget): PassTarget {
  const end = schemeEnd(url);
  const scheme = end > 0 ? schemeOf(url, end) : null;
  const from = end > 0 ? end + 3 : 0;
  let to = url.length;
  const unix = url.startsWith('unix:', from);
  if (!unix) {
    const slash = url.indexOf('/', from);
    if (slash >= 0) to = slash;
  }
  const dollar = url.indexOf('$');
  const inHost = dollar < 0 ? -1 : url.indexOf('$', from);
  const hostHasVariables = inHost >= 0 && inHost < to;
  let host: string;
  let port: number | null = null;
  if (unix || url.charCodeAt(from) === 91 /* [ */) {
    // Sockets and IPv6 literals are rare: read as splitHostPort reads them.
    ({ host, port } = splitHostPort(url.slice(from, to)));
  } else {
    const colon = url.lastIndexOf(':', to - 1);
    const digits = colon >= from ? digitsAt(url, colon + 1, to) : -1;
    if (digits >= 0) {
      host = url.slice(from, colon);
      port = digits;
    } else host = url.slice(from, to);
  }
  if (!into) return { scheme, host, port, hostHasVariables, hasVariables: dollar >= 0 };
  into.scheme = scheme;
  into.host = host;
  into.port = port;
  into.hostHasVariables = hostHasVariables;
  into.hasVariables = dollar >= 0;
  return into;
}

/** `host:port`, `[v6]:port` or `unix:…` split; a port only when it is all digits. */
export function splitHostPort(addr: string): { host: string; port: number | null } {
  if (addr.startsWith('unix:')) return { host: addr, port: null };
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    const rest = addr.slice(close + 1);
    return { host: addr.slice(0, close + 1), port: rest.startsWith(':') ? parseInt(rest.slice(1), 10) || null : null };
  }
  const i = addr.lastIndexOf(':');
  if (i < 0) return { host: addr, port: null };
  const port = digitsAt(addr, i + 1, addr.length);
  return port >= 0 ? { host: addr.slice(0, i), port } : { host: addr, port: null };
}

/**
 * The number `text` writes from `from` to `to` when that is all ASCII digits (at least one), else -1: the
 * port of every pass address, read in place (a slice and a regular expression each were garbage per address).
 */
function digitsAt(text: string, from: number, to: number): number {
  if (from >= to) return -1;
  let n = 0;
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  // Past 2^53 the sum above rounds differently from parseInt: such a "port" is read as parseInt reads it.
  return n <= Number.MAX_SAFE_INTEGER ? n : parseInt(text.slice(from, to), 10);
}

/**
 * An address as nginx's URL parser reads it when a pass directive names its upstream (after the directive has
 * stripped the scheme it knows): a unix socket, `[v6]:port` or `host:port`, and the URI part where the
 * directive allows one (`proxy_pass` only). `error` is nginx's own word for an address it refuses, which it
 * reports as `<error> in upstream "<address>"`.
 */
export interface UpstreamAddress {
  error: string | null;
  unix: boolean;
  /** The name of the implicit upstream: the host (`[v6]` with brackets), or the socket path without `unix:`. */
  host: string;
  /** null: no port written (nginx's `no_port`). */
  port: number | null;
  /** The URI part (from the first `/` or `?`, or after the socket path's `:`); empty when there is none. */
  uri: string;
}

/** Linux's `sun_path`: a socket path and its terminating NUL fit in 108 bytes. */
const SUN_PATH = 108;

/**
 * `into`: an object to fill and return instead of a new one, for a caller that reads the answer at once (a rule
 * reading every pass address of a big config).
 */
export function parseUpstreamAddress(addr: string, uriPart: boolean, into?: UpstreamAddress): UpstreamAddress {
  const out: UpstreamAddress = into ?? { error: null, unix: false, host: '', port: null, uri: '' };
  if (into) {
    out.error = null;
    out.unix = false;
    out.host = '';
    out.port = null;
    out.uri = '';
  }
  if (addr.length >= 5 && addr.charCodeAt(4) === 58 && addr.slice(0, 4).toLowerCase() === 'unix') {
    out.unix = true;
    let path = addr.slice(5);
    if (uriPart) {
      const colon = path.indexOf(':');
      if (colon >= 0) { out.uri = path.slice(colon + 1); path = path.slice(0, colon); }
    }
    out.host = path;
    if (path === '') out.error = 'no path in the unix domain socket';
    else if (utf8Length(path) + 1 > SUN_PATH) out.error = 'too long path in the unix domain socket';
    return out;
  }
  if (addr.startsWith('[')) {
    // An IPv6 address: only `/` starts a URI here, and anything after `]` other than `:port` is refused.
    const close = addr.indexOf(']', 1);
    if (close < 0) return failed(out, 'invalid host');
    let last = addr.length;
    const slash = addr.indexOf('/', close + 1);
    if (slash >= 0) {
      if (!uriPart) return failed(out, 'invalid host');
      out.uri = addr.slice(slash);
      last = slash;
    }
    if (close + 1 < last) {
      if (addr[close + 1] !== ':') return failed(out, 'invalid host');
      out.port = portOf(addr, close + 2, last);
      if (out.port === null) return failed(out, 'invalid port');
    }
    if (close === 1) return failed(out, 'no host');
    out.host = addr.slice(0, close + 1);
    if (!isInet6(addr.slice(1, close))) out.error = 'invalid IPv6 address';
    return out;
  }
  // host[:port][/uri or ?args]: the port starts at the first `:` (so a bare `::1` has the port `:1`).
  let last = addr.length;
  let colon = addr.indexOf(':');
  const slash = addr.indexOf('/');
  const query = addr.indexOf('?');
  const uri = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
  if (uri >= 0) {
    if (!uriPart) return failed(out, 'invalid host');
    out.uri = addr.slice(uri);
    last = uri;
    if (uri < colon) colon = -1;
  }
  if (colon >= 0) {
    out.port = portOf(addr, colon + 1, last);
    if (out.port === null) return failed(out, 'invalid port');
    last = colon;
  }
  if (last === 0) return failed(out, 'no host');
  out.host = addr.slice(0, last);
  return out;
}

/** `out` refused with nginx's word for it. */
function failed(out: UpstreamAddress, error: string): UpstreamAddress {
  out.error = error;
  return out;
}

/** A port as nginx reads one (`text` from `from` to `to`): digits only, 1 to 65535 (leading zeros allowed); null otherwise. */
function portOf(text: string, from: number, to: number): number | null {
  const n = digitsAt(text, from, to);
  return n >= 1 && n <= 65535 ? n : null;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);

/**
 * Whether nginx takes `text` (between the brackets) as an IPv6 address: hex groups of up to four digits, one
 * `::`, and an IPv4 address in place of the last two groups.
 */
export function isInet6(text: string): boolean {
  if (text === '') return false;
  let i = text[0] === ':' ? 1 : 0;
  let groups = 8;
  let nibbles = 0;
  let zero = false;
  /** Where the text after the last `:` starts (an IPv4 tail), or -1. */
  let tail = -1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) {
      if (nibbles) {
        tail = i + 1;
        if (--groups) { nibbles = 0; continue; }
      } else if (!zero) {
        tail = i + 1;
        zero = true;
        continue;
      }
      return false;
    }
    if (c === 46 && nibbles) {
      if (groups < 2 || tail < 0 || !isInet4(text.slice(tail))) return false;
      groups--;
      break;
    }
    if (++nibbles > 4 || !isHex(c)) return false;
  }
  if (nibbles === 0 && !zero) return false;
  // Groups still missing after the last one: only a "::" fills them, and a "::" that stands for none is refused.
  return groups - 1 > 0 ? zero : !zero;
}

/** Whether nginx reads `text` as a dotted IPv4 address (four decimal numbers up to 255; not 255.255.255.255). */
function isInet4(text: string): boolean {
  let addr = 0;
  let octet = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (octet > 255) return false;
    } else if (c === 46) {
      addr = addr * 256 + octet;
      octet = 0;
      dots++;
    } else return false;
  }
  // 255.255.255.255 is the value that means "not an address" (INADDR_NONE).
  return dots === 3 && addr * 256 + octet !== 0xffffffff;
}
