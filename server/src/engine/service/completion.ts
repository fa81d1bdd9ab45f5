// Completion at a cursor, from the config model: directive names valid in the block, values of flags and
// keyword choices, upstream group names after a TLS scheme, variable names after `$`.

import { getVariables, Format } from '@nginx/reference-lib';
import { BlockKind, kindLabel } from '../knowledge/contexts';
import { allDirectives, DirectiveSpec, isAllowedIn, specIn } from '../knowledge/directives';
import { tlsFact } from '../knowledge/tls-directives';
import { ConfigModel, LBlock, LDir } from '../model/model';
import { FileSystem } from '../model/filesystem';
import { join } from '../model/paths';

export interface CompletionEntry {
  label: string;
  kind: 'directive' | 'value' | 'upstream' | 'variable' | 'file';
  detail?: string;
  documentation?: string;
  /** Snippet text (`${1:…}` placeholders) when the entry inserts more than its label. */
  snippet?: string;
  /** Offset range the entry replaces. */
  replaceStart: number;
  replaceEnd: number;
  sortText?: string;
}

const WORD = /[A-Za-z0-9_]/;

/** The innermost block of `file` whose braces contain `offset`, in model terms. */
export function blockAt(model: ConfigModel, path: string, offset: number): LBlock | null {
  let best: LDir | null = null;
  // Only the directives of the file with a block are made into objects.
  const s = model.store;
  for (let x = model.from; x < model.to; x++) {
    if (s.kid[x] < 0 || s.file(x).path !== path) continue;
    const ld = s.dir(x);
    if (!ld.d.block) continue;
    const b = ld.d.block;
    const close = b.close < 0 ? Infinity : b.close;
    if (b.open < offset && offset <= close && (!best || ld.d.block.open > best.d.block!.open)) best = ld;
  }
  if (best) return best.child;
  // Top level of this file: the block its first directive sits in (the includer's, or a fragment's).
  const first = model.inFile(path).find((ld) => ld.d.parent.owner === null);
  return first ? first.block : model.top;
}

let variableNames: { name: string; doc: string }[] | null = null;
function variables(): { name: string; doc: string }[] {
  if (!variableNames) {
    const seen = new Set<string>();
    variableNames = [];
    for (const v of getVariables(Format.Markdown)) {
      const name = v.name.replace(/^\$/, '');
      if (seen.has(name) || name.endsWith('_NAME')) continue;
      seen.add(name);
      variableNames.push({ name, doc: v.description });
    }
  }
  return variableNames;
}

function argumentSnippet(spec: DirectiveSpec): string {
  if (spec.isBlock) {
    const m = spec.syntax[0]?.match(/\*`([^`]+)`\*/);
    return `${spec.name} ${m ? '${1:' + m[1] + '} ' : ''}{\n\t$0\n}`;
  }
  if (spec.values) return `${spec.name} \${1|${spec.values.join(',')}|};`;
  const first = spec.syntax[0] ?? '';
  const params = [...first.matchAll(/\*`([^`]+)`\*/g)].map((m) => m[1]).slice(0, spec.minArgs || 1);
  if (spec.maxArgs === 0) return `${spec.name};`;
  return `${spec.name} ${params.map((p, i) => '${' + (i + 1) + ':' + p + '}').join(' ')};`;
}

/** Directives whose argument is a file path: `include` and every TLS file. */
const isPathDirective = (name: string): boolean => name === 'include' || tlsFact(name)?.value === 'file';

export function completions(model: ConfigModel, path: string, text: string, offset: number, fs?: FileSystem): CompletionEntry[] {
  // The statement being typed: from the last `;`, `{` or `}` (outside quotes/comments, roughly) to the cursor.
  let s = offset;
  while (s > 0) {
    const c = text[s - 1];
    if (c === ';' || c === '{' || c === '}' || c === '\n' && /^\s*#/.test(text.slice(s, offset))) break;
    s--;
  }
  const statement = text.slice(s, offset);
  if (/(^|\n)\s*#[^\n]*$/.test(statement)) return [];
  const block = blockAt(model, path, offset);
  if (!block) return [];
  const wordStart = (() => {
    let w = offset;
    while (w > 0 && WORD.test(text[w - 1])) w--;
    return w;
  })();

  // `$…`: variable names.
  const dollar = /\$\{?([A-Za-z0-9_]*)$/.exec(statement);
  if (dollar) {
    const start = offset - dollar[1].length;
    const own = new Set<string>();
    const ldList = model.namedAny(['set', 'map', 'geo', 'split_clients']);
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.d.args.length) {
        const v = ld.d.args[ld.name === 'set' ? 0 : ld.d.args.length - 1]?.value;
        if (v?.startsWith('$')) own.add(v.slice(1));
      }
    }
    return [
      ...[...own].map((name) => ({ label: name, kind: 'variable' as const, detail: 'set in this config', replaceStart: start, replaceEnd: offset, sortText: '0' + name })),
      ...variables().filter((v) => !own.has(v.name)).map((v) => ({ label: v.name, kind: 'variable' as const, documentation: v.doc, replaceStart: start, replaceEnd: offset, sortText: '1' + v.name })),
    ];
  }

  const words = statement.trim().split(/\s+/).filter(Boolean);
  const atName = words.length === 0 || (words.length === 1 && !/\s$/.test(statement));
  if (atName) {
    if (block.kind === 'raw' || block.kind === 'opaque') return [];
    const out: CompletionEntry[] = [];
    for (const [name] of allDirectives()) {
      const spec = specIn(name, block.kind);
      if (!spec || !isAllowedIn(spec, block.kind)) continue;
      out.push({
        label: name,
        kind: 'directive',
        detail: `${spec.module} — ${kindLabel(block.kind as BlockKind)}`,
        documentation: spec.description,
        snippet: argumentSnippet(spec),
        replaceStart: wordStart,
        replaceEnd: offset,
        sortText: (/_ssl_|^ssl_/.test(name) ? '0' : '1') + name,
      });
    }
    return out;
  }

  const name = words[0];
  const spec = specIn(name, block.kind);
  const current = /\s$/.test(statement) ? '' : words[words.length - 1];
  const replaceStart = offset - current.length;
  const value = (label: string, doc?: string): CompletionEntry => ({ label, kind: 'value', documentation: doc, replaceStart, replaceEnd: offset });

  // Pass directives: group names after the scheme.
  const scheme = /^(https?|grpcs?|suwsgi|uwsgi):\/\/([A-Za-z0-9_.-]*)$/i.exec(current);
  if (scheme && /_pass$/.test(name)) {
    const start = offset - scheme[2].length;
    const family = block.kind.startsWith('stream') ? 'stream' : 'http';
    return [...model.upstreams().values()]
      .filter((g) => g.family === family)
      .map((g) => ({ label: g.name, kind: 'upstream' as const, detail: `upstream: ${g.servers.map((x) => x.host + (x.port ? ':' + x.port : '')).join(', ')}`, replaceStart: start, replaceEnd: offset }));
  }
  if (name === 'proxy_pass' && block.kind.startsWith('stream') && words.length <= 2) {
    return [...model.upstreams().values()].filter((g) => g.family === 'stream').map((g) => ({ label: g.name, kind: 'upstream' as const, replaceStart, replaceEnd: offset }));
  }
  if (/_pass$/.test(name) && words.length <= 2 && !current.includes('/')) {
    const schemes = name === 'grpc_pass' ? ['grpcs://', 'grpc://'] : name === 'uwsgi_pass' ? ['suwsgi://', 'uwsgi://'] : name === 'proxy_pass' ? ['https://', 'http://'] : [];
    return schemes.map((x) => value(x));
  }
  if (isPathDirective(name) && words.length <= 2 && fs?.listDir) {
    // File paths, relative ones against the main config's folder as nginx resolves them.
    const typed = current.replace(/^["']/, '');
    const slash = typed.lastIndexOf('/');
    const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
    const dir = dirPart.startsWith('/') ? dirPart : join(model.prefix, dirPart || '.');
    const start = offset - (typed.length - dirPart.length);
    return fs.listDir(dir)
      .filter((e) => !e.startsWith('.'))
      .map((e) => ({ label: e, kind: 'file' as const, replaceStart: start, replaceEnd: offset, sortText: (e.endsWith('/') ? '1' : '0') + e }));
  }
  if (!spec) return [];
  if (/(^|_)ssl_protocols$/.test(name)) {
    const used = new Set(words.slice(1).map((w) => w.toLowerCase()));
    return ['TLSv1.2', 'TLSv1.3'].filter((p) => !used.has(p.toLowerCase())).map((p) => value(p));
  }
  if (spec.values && words.length <= 2) return spec.values.map((v) => value(v));
  return [];
}
