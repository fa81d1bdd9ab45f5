// The TLS map as a report (issue 16): JSON for tools, a Markdown table for a pull-request comment, and one
// self-contained HTML page (no scripts, nothing fetched) with a diagram servers → locations → upstreams →
// backends and the table. Paths are shown through `show` (the CLI: relative to the working directory).

import type { InventoryCertificate, InventoryField, InventoryOrigin, InventoryState, TlsInventoryUse } from '../engine';

export interface ReportUse {
  file: string;
  line: number;
  directive: string;
  url: string;
  upstream: string | null;
  servers: string[];
  verify: boolean;
  trustedCertificate: string | null;
  verifyDepth: number | null;
  name: string | null;
  sni: boolean;
  clientCertificate: string | null;
  clientCertificateKey: string | null;
  protocols: string[];
  ciphers: string;
  sessionReuse: boolean;
  /** Rule ids of the findings on the pass directive. */
  findings: string[];
  origins: Record<InventoryField, { file: string; line: number } | 'default'>;
  /**
   * The certificate the backend presents (its leaf), where the certificate checks know it — a server of the
   * same config with a readable `ssl_certificate`, or what `--probe` read — else null. `subject` and `issuer`
   * as `CN=…, O=…`; `notAfter` in ISO 8601 UTC. For a group, the first of its servers whose certificate is known.
   */
  backendCertificate: { subject: string; issuer: string; notAfter: string } | null;
}

export type ShowPath = (path: string) => string;

const keep: ShowPath = (p) => p;

/** Uses of several inventories (a CLI run over many files) once each, sorted by file and line. */
export function mergeInventories(lists: TlsInventoryUse[][]): TlsInventoryUse[] {
  const seen = new Set<string>();
  const out: TlsInventoryUse[] = [];
  for (const list of lists) {
    for (const u of list) {
      const key = u.file + '\0' + u.start + '\0' + u.effective.join('\0') + '\0' + u.server?.start + '\0' + u.location?.start;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(u);
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start));
}

function origin(o: InventoryOrigin, show: ShowPath): ReportUse['origins'][InventoryField] {
  return o === 'default' ? 'default' : { file: show(o.file), line: o.line };
}

export function toReportJson(uses: TlsInventoryUse[], show: ShowPath = keep): { uses: ReportUse[] } {
  return {
    uses: uses.map((u) => ({
      file: show(u.file),
      line: u.line,
      directive: u.directive,
      url: u.url,
      upstream: u.upstream,
      servers: u.servers,
      verify: u.verify,
      trustedCertificate: u.trustedCertificate,
      verifyDepth: u.verifyDepth,
      name: u.name,
      sni: u.sni,
      clientCertificate: u.clientCertificate,
      clientCertificateKey: u.clientCertificateKey,
      protocols: u.protocols,
      ciphers: u.ciphers,
      sessionReuse: u.sessionReuse,
      findings: [...new Set(u.findings.map((f) => f.ruleId))],
      origins: Object.fromEntries(Object.entries(u.origins).map(([k, o]) => [k, origin(o, show)])) as ReportUse['origins'],
      backendCertificate: u.backendCertificate ? { subject: u.backendCertificate.subject, issuer: u.backendCertificate.issuer, notAfter: u.backendCertificate.notAfter } : null,
    })),
  };
}

const STATE_WORD: Record<InventoryState, string> = { verified: 'verified', unverified: 'unverified', mutual: 'mutual TLS' };

function counts(uses: TlsInventoryUse[]): string {
  const n = { verified: 0, unverified: 0, mutual: 0 };
  for (const u of uses) n[u.state]++;
  return `${uses.length} TLS upstream use(s): ${n.verified} verified, ${n.mutual} mutual TLS, ${n.unverified} unverified`;
}

function where(u: TlsInventoryUse): string {
  const parts = [u.server?.label, u.location?.label].filter(Boolean);
  return parts.length ? parts.join(' › ') : u.family === 'stream' ? 'stream' : '—';
}

function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[`*_[\]<>]/g, (c) => '\\' + c).replace(/[\r\n]+/g, ' ');
}

/** `2028-03-01` of an ISO date: the day is what a reader of a report wants. */
const day = (iso: string) => iso.slice(0, 10);

const code = (s: string | null) => (s === null || s === '' ? '—' : '`' + s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ') + '`');

/** A Markdown table for a pull-request comment. */
export function reportMarkdown(uses: TlsInventoryUse[], show: ShowPath = keep): string {
  let out = '### TLS upstreams\n\n' + counts(uses) + '\n\n';
  if (!uses.length) return out;
  out += '| Where | Pass | Upstream → servers | TLS | Trusted CA | Name checked | SNI | Client certificate | Protocols | Backend certificate | Findings |\n';
  out += '|---|---|---|---|---|---|---|---|---|---|---|\n';
  for (const u of uses) {
    const state = u.state === 'unverified' ? '⚠️ unverified' : u.state === 'mutual' ? '🔐 mutual TLS' : '✅ verified';
    const upstream = (u.upstream ? code(u.upstream) + ' → ' : '') + (u.servers.length ? u.servers.map(code).join(', ') : '—');
    const findings = [...new Set(u.findings.map((f) => f.ruleId))].map(code).join(', ') || '—';
    const c = u.backendCertificate;
    const cert = c ? `${code(c.subject)} by ${code(c.issuer)}, expires ${day(c.notAfter)}` : '—';
    out += `| ${md(where(u))} (${code(show(u.file) + ':' + u.line)}) | ${code(u.directive + ' ' + u.url)} | ${upstream} | ${state}${u.certain ? '' : ' (scheme from a variable)'} | ${code(u.trustedCertificate)} | ${code(u.name)} | ${u.sni ? 'on' : 'off'} | ${code(u.clientCertificate)} | ${code(u.protocols.join(' '))} | ${cert} | ${findings} |\n`;
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function clip(s: string, n = 30): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

interface Node { key: string; label: string; title: string; y: number }

const EDGE_STYLE: Record<InventoryState | 'plain', { color: string; dash: string; width: number }> = {
  verified: { color: '#1a7f37', dash: '', width: 2 },
  mutual: { color: '#0550ae', dash: '', width: 4 },
  unverified: { color: '#cf222e', dash: '6 4', width: 2 },
  plain: { color: '#8c959f', dash: '', width: 1.5 },
};

/** The diagram: four columns of boxes, edges coloured, dashed and titled by state (readable in grey too). */
export function reportSvg(uses: TlsInventoryUse[], show: ShowPath = keep): string {
  const cols: Map<string, Node>[] = [new Map(), new Map(), new Map(), new Map()];
  const edges = new Map<string, { from: [number, string]; to: [number, string]; state: InventoryState | 'plain' }>();
  const node = (c: number, key: string, label: string, title: string) => {
    if (!cols[c].has(key)) cols[c].set(key, { key, label, title, y: 0 });
    return key;
  };
  const edge = (from: [number, string], to: [number, string], state: InventoryState | 'plain') => {
    edges.set(`${from[0]}:${from[1]}>${to[0]}:${to[1]}>${state}`, { from, to, state });
  };
  for (const u of uses) {
    const s = u.server
      ? node(0, 's' + u.server.file + ':' + u.server.start, 'server ' + u.server.label, `server ${u.server.label} (${show(u.server.file)}:${u.server.line})`)
      : node(0, 's-' + u.family, u.family === 'stream' ? 'stream' : 'http', u.family);
    const l = u.location
      ? node(1, 'l' + u.location.file + ':' + u.location.start, 'location ' + u.location.label, `location ${u.location.label} (${show(u.location.file)}:${u.location.line})`)
      : node(1, 'p' + u.file + ':' + u.start, u.directive, `${u.directive} ${u.url} (${show(u.file)}:${u.line})`);
    const upKey = u.upstream ? 'u' + u.upstream : 'h' + u.url;
    const up = node(2, upKey, u.upstream ? 'upstream ' + u.upstream : u.url, u.upstream ? `upstream ${u.upstream}` : u.url);
    edge([0, s], [1, l], 'plain');
    edge([1, l], [2, up], u.state);
    for (const b of u.servers) {
      // The backend's box names its certificate on hover when the use knows it (the same one as in the table).
      const c = u.backendCertificates.find((x) => x.backend === b || x.backend === b + ':443');
      const title = c ? `${b}: certificate ${c.subject}, issued by ${c.issuer}, expires ${day(c.notAfter)}` : b;
      edge([2, up], [3, node(3, 'b' + b, b, title)], u.state);
    }
  }
  const W = 270, BOX_W = 220, BOX_H = 30, GAP = 14, TOP = 40, LEFT = 10;
  let rows = 1;
  cols.forEach((c) => {
    let i = 0;
    for (const n of c.values()) n.y = TOP + i++ * (BOX_H + GAP);
    rows = Math.max(rows, c.size);
  });
  const height = TOP + rows * (BOX_H + GAP) + 10;
  const width = LEFT + 3 * W + BOX_W + 10;
  const heads = ['Servers', 'Locations', 'Upstreams', 'Backends'];
  let svg = `<svg role="img" aria-label="TLS upstream diagram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="diagram">`;
  svg += heads.map((h, i) => `<text x="${LEFT + i * W + BOX_W / 2}" y="20" text-anchor="middle" class="head">${h}</text>`).join('');
  const parallel = new Map<string, number>();
  for (const e of edges.values()) {
    const a = cols[e.from[0]].get(e.from[1])!;
    const b = cols[e.to[0]].get(e.to[1])!;
    // Two states on one pair of boxes (one upstream used verified and unverified): side by side, not on top.
    const pair = `${e.from[0]}:${e.from[1]}>${e.to[0]}:${e.to[1]}`;
    const k = parallel.get(pair) ?? 0;
    parallel.set(pair, k + 1);
    const shift = k * 6;
    const x1 = LEFT + e.from[0] * W + BOX_W, y1 = a.y + BOX_H / 2 + shift, x2 = LEFT + e.to[0] * W, y2 = b.y + BOX_H / 2 + shift;
    const st = EDGE_STYLE[e.state];
    const mx = (x1 + x2) / 2;
    svg += `<path class="edge ${e.state}" d="M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2} ${y2}" fill="none" stroke="${st.color}" stroke-width="${st.width}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}><title>${esc(e.state === 'plain' ? 'contains' : STATE_WORD[e.state])}</title></path>`;
  }
  cols.forEach((c, i) => {
    for (const n of c.values()) {
      const x = LEFT + i * W;
      svg += `<g class="node"><title>${esc(n.title)}</title><rect x="${x}" y="${n.y}" width="${BOX_W}" height="${BOX_H}" rx="5" fill="#f6f8fa" stroke="#57606a"/><text x="${x + 8}" y="${n.y + BOX_H / 2 + 4}">${esc(clip(n.label))}</text></g>`;
    }
  });
  return svg + '</svg>';
}

const FIELD_ROWS: [InventoryField, string][] = [
  ['verify', 'verify'], ['trustedCertificate', 'trusted CA'], ['verifyDepth', 'verify depth'], ['name', 'name checked'], ['sni', 'SNI'],
  ['clientCertificate', 'client certificate'], ['clientCertificateKey', 'client key'], ['protocols', 'protocols'], ['ciphers', 'ciphers'], ['sessionReuse', 'session reuse'],
];

function fieldValue(u: TlsInventoryUse, f: InventoryField): string {
  const v = u[f];
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (Array.isArray(v)) return v.join(' ');
  return v === null ? '—' : String(v);
}

function certificateHtml(c: InventoryCertificate | null): string {
  if (!c) return '';
  return `<div class="cert">backend certificate <code>${esc(c.subject)}</code>, issued by <code>${esc(c.issuer)}</code>, ` +
    `expires <time datetime="${esc(c.notAfter)}">${esc(day(c.notAfter))}</time> <span class="o">(${esc(c.backend)}, ${c.from === 'probe' ? 'probed' : 'from the config'})</span></div>`;
}

/** One self-contained HTML page: no script, no external resource, printable. */
export function reportHtml(uses: TlsInventoryUse[], show: ShowPath = keep, title = 'TLS upstreams'): string {
  const rows = uses.map((u) => {
    const settings = FIELD_ROWS.map(([f, label]) => {
      const o = u.origins[f];
      const from = o === 'default' ? 'default' : `${show(o.file)}:${o.line}`;
      return `<li><span class="k">${esc(label)}</span> <code>${esc(fieldValue(u, f))}</code> <span class="o">(${esc(from)})</span></li>`;
    }).join('');
    const findings = u.findings.map((f) => `<li class="${esc(f.severity)}"><code>${esc(f.ruleId)}</code> ${esc(f.message)}</li>`).join('');
    return `<tr class="${u.state}"><td>${esc(where(u))}<div class="o">${esc(show(u.file))}:${u.line}</div></td>` +
      `<td><code>${esc(u.directive)} ${esc(u.url)}</code>${u.upstream ? `<div>upstream <code>${esc(u.upstream)}</code></div>` : ''}<div class="o">${u.servers.map(esc).join(', ') || '—'}</div></td>` +
      `<td><span class="badge ${u.state}">${STATE_WORD[u.state]}</span><div class="reason">${esc(u.reason)}</div>${certificateHtml(u.backendCertificate)}</td>` +
      `<td><ul>${settings}</ul></td><td>${findings ? `<ul>${findings}</ul>` : '—'}</td></tr>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em; color: #1f2328; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.summary { color: #57606a; margin-bottom: 1em; }
.scroll { overflow-x: auto; margin: 1em 0; }
.diagram { display: block; }
.diagram text { font-size: 12px; fill: #1f2328; }
.diagram .head { font-weight: 600; font-size: 13px; }
.legend span { margin-right: 1.5em; white-space: nowrap; }
.legend svg { vertical-align: middle; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .4em .5em; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
ul { margin: 0; padding-left: 1.1em; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.o { color: #57606a; font-size: 12px; }
.badge { font-weight: 600; padding: 0 .4em; border-radius: 3px; border: 1px solid; }
.badge.verified { color: #1a7f37; } .badge.mutual { color: #0550ae; } .badge.unverified { color: #cf222e; }
.reason { font-size: 12px; margin-top: .3em; }
.cert { font-size: 12px; margin-top: .3em; }
li.error code { color: #cf222e; } li.warning code { color: #9a6700; }
@media print { body { margin: 0; } tr { break-inside: avoid; } .scroll { overflow: visible; break-after: page; } .diagram { max-width: 100%; height: auto; } }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="summary">${esc(counts(uses))}</div>
<div class="legend">${(['verified', 'mutual', 'unverified'] as InventoryState[]).map((s) => `<span><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="${EDGE_STYLE[s].color}" stroke-width="${EDGE_STYLE[s].width}"${EDGE_STYLE[s].dash ? ` stroke-dasharray="${EDGE_STYLE[s].dash}"` : ''}/></svg> ${STATE_WORD[s]}</span>`).join('')}</div>
<div class="scroll">${reportSvg(uses, show)}</div>
<table>
<thead><tr><th>Where</th><th>Pass and upstream</th><th>TLS</th><th>Settings in effect (origin)</th><th>Findings</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
