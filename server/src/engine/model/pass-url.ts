// The address of a pass directive, split the way nginx's URL parser splits it. The one place that knows the
// shape `scheme://host:port/path`; rules and features read the parts instead of slicing strings.

import { splitHostPort } from './model';

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

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parsePassUrl(url: string): PassUrl {
  const m = SCHEME.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
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
  return { scheme: m ? m[1].toLowerCase() : null, rest, hostPort, host, port, path, hasVariables: url.includes('$') };
}
