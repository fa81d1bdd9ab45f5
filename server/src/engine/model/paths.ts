// POSIX path helpers, so the engine needs no Node module (and could run in a browser one day).

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function normalize(p: string): string {
  const abs = isAbsolute(p);
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  return (abs ? '/' : '') + out.join('/');
}

export function join(a: string, b: string): string {
  return isAbsolute(b) ? normalize(b) : normalize(a + '/' + b);
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** glob(3) without brace expansion: `*`, `?`, `[…]`, and a leading dot only matched explicitly. */
export function globSegmentToRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += i === 0 ? '(?!\\.)[^/]*' : '[^/]*';
    else if (c === '?') re += i === 0 ? '(?!\\.)[^/]' : '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$');
  } catch {
    // A pattern glob(3) cannot match (a reversed range such as [b-a]) matches nothing.
    return /(?!)/;
  }
}

/** Whether `path` (absolute, normalised) is one `pattern` (glob(3), segment by segment as above) matches. */
export function globMatcher(pattern: string): (path: string) => boolean {
  const res = pattern.split('/').map((s) => globSegmentToRegExp(s));
  return (path) => {
    const parts = path.split('/');
    return parts.length === res.length && parts.every((s, i) => res[i].test(s));
  };
}
