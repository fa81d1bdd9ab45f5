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

/** Schemes as nginx's pass directives write them: the usual ones are not lower-cased into a new string each. */
const SCHEMES = new Map(['http', 'https', 'grpc', 'grpcs', 'uwsgi', 'suwsgi'].map((x) => [x, x]));

export function parsePassUrl(url: string): PassUrl {
  const end = schemeEnd(url);
  let scheme: string | null = null;
  if (end > 0) {
    const raw = url.slice(0, end);
    scheme = SCHEMES.get(raw) ?? raw.toLowerCase();
  }
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
  const p = addr.slice(i + 1);
  return /^\d+$/.test(p) ? { host: addr.slice(0, i), port: parseInt(p, 10) } : { host: addr, port: null };
}
