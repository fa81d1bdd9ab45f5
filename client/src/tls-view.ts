// The "TLS upstreams" view in the Explorer (issue 16): server → location → upstream → backend, an icon per
// state (verified, unverified, mutual TLS), the reason on hover, a click to the directive. It asks the
// language server (`nginxTlsProxy/inventory`) and refreshes when diagnostics change, so it follows edits.
// The TLS report command shows the server's self-contained HTML in a webview without scripts.

import * as vscode from 'vscode';
// The common client type: the desktop client (Node) and the web client (a Web Worker) both show the view.
import type { BaseLanguageClient as LanguageClient } from 'vscode-languageclient';

type State = 'verified' | 'unverified' | 'mutual';

interface Pos { line: number; character: number }
interface LspRange { start: Pos; end: Pos }

/** What the server sends per TLS use (a subset of its fields). */
export interface InventoryItem {
  file: string;
  line: number;
  directive: string;
  url: string;
  family: string;
  upstream: string | null;
  servers: string[];
  state: State;
  reason: string;
  effective: string[];
  findings: { ruleId: string; message: string }[];
  server: { label: string } | null;
  location: { label: string } | null;
  uri: string;
  range: LspRange;
  serverUri?: string;
  serverRange?: LspRange;
  locationUri?: string;
  locationRange?: LspRange;
  upstreamUri?: string;
  upstreamLine?: number;
  /** The backend's certificate where the certificate checks know it (a server of the config, or a probe). */
  backendCertificate?: BackendCertificate | null;
  /** Each backend's certificate that is known (a server without one is absent). */
  backendCertificates?: BackendCertificate[];
}

interface BackendCertificate { subject: string; issuer: string; notAfter: string; backend: string; from: 'config' | 'probe' }

/** The backend certificate in words for a tooltip: subject, issuer, expiry (and days left), where it is known from. */
export function certificateText(c: BackendCertificate, now = Date.now()): string {
  const days = Math.floor((Date.parse(c.notAfter) - now) / 86400000);
  const left = days < 0 ? `expired ${-days} day${days === -1 ? '' : 's'} ago` : `${days} day${days === 1 ? '' : 's'} left`;
  return `Backend certificate of ${c.backend} (${c.from === 'probe' ? 'probed' : 'from the config'}): ${c.subject}, issued by ${c.issuer}, expires ${c.notAfter.slice(0, 10)} (${left})`;
}

export const VIEW_ID = 'nginxTlsProxy.tlsUpstreams';

const RANK: Record<State, number> = { unverified: 0, verified: 1, mutual: 2 };
const WORD: Record<State, string> = { verified: 'verified', unverified: 'unverified', mutual: 'mutual TLS' };

export function stateIcon(state: State): vscode.ThemeIcon {
  switch (state) {
    case 'verified': return new vscode.ThemeIcon('verified', new vscode.ThemeColor('testing.iconPassed'));
    case 'mutual': return new vscode.ThemeIcon('lock', new vscode.ThemeColor('charts.blue'));
    default: return new vscode.ThemeIcon('unverified', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
}

/** One node of the tree: its children are built with it (the whole inventory arrives in one answer). */
export class TlsNode extends vscode.TreeItem {
  children: TlsNode[] = [];
  constructor(label: string, readonly kind: 'server' | 'location' | 'upstream' | 'backend', readonly key: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = key;
    this.contextValue = 'nginxTlsProxy.' + kind;
  }
}

function open(uri: string, range: LspRange | { line: number }): vscode.Command {
  const r = 'start' in range ? range : { start: { line: range.line - 1, character: 0 }, end: { line: range.line - 1, character: 0 } };
  return {
    command: 'vscode.open',
    title: 'Go to the directive',
    arguments: [vscode.Uri.parse(uri), { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), preview: true } as vscode.TextDocumentShowOptions],
  };
}

function worst(states: State[]): State {
  return states.reduce((a, b) => (RANK[b] < RANK[a] ? b : a), 'mutual' as State);
}

/** The tree of the inventory: server → location (or the stream pass) → upstream → backend. */
export function buildTree(uses: InventoryItem[], rel: (file: string) => string = (f) => f): TlsNode[] {
  const roots = new Map<string, TlsNode>();
  const states = new Map<TlsNode, State[]>();
  const child = (parent: TlsNode | null, key: string, make: () => TlsNode): TlsNode => {
    const list = parent ? parent.children : [...roots.values()];
    let n = list.find((x) => x.key === key);
    if (!n) {
      n = make();
      if (parent) parent.children.push(n);
      else roots.set(key, n);
    }
    return n;
  };
  for (const u of uses) {
    const sKey = 's:' + (u.serverUri ?? u.family) + ':' + (u.serverRange?.start.line ?? -1);
    const server = child(null, sKey, () => {
      const n = new TlsNode(u.server ? 'server ' + u.server.label : u.family === 'stream' ? 'stream' : 'http', 'server', sKey);
      n.iconPath = new vscode.ThemeIcon('server');
      if (u.serverUri && u.serverRange) n.command = open(u.serverUri, u.serverRange);
      n.tooltip = u.serverUri ? `${rel(vscode.Uri.parse(u.serverUri).fsPath)}:${(u.serverRange?.start.line ?? 0) + 1}` : undefined;
      return n;
    });
    const lKey = sKey + '>l:' + (u.locationUri ? u.locationUri + ':' + u.locationRange!.start.line : u.uri + ':' + u.range.start.line);
    const location = child(server, lKey, () => {
      const n = new TlsNode(u.location ? 'location ' + u.location.label : `${u.directive} ${u.url}`, 'location', lKey);
      n.iconPath = new vscode.ThemeIcon(u.location ? 'symbol-namespace' : 'arrow-right');
      n.command = u.locationUri && u.locationRange ? open(u.locationUri, u.locationRange) : open(u.uri, u.range);
      return n;
    });
    // One node per pass directive: two passes in one location (if blocks) to one group are two edges.
    const uKey = lKey + '>u:' + u.uri + ':' + u.range.start.line + ':' + u.range.start.character;
    const upstream = child(location, uKey, () => {
      const n = new TlsNode(u.upstream ? 'upstream ' + u.upstream : u.url, 'upstream', uKey);
      n.description = WORD[u.state] + (u.findings.length ? ` · ${u.findings.length} finding${u.findings.length > 1 ? 's' : ''}` : '');
      n.iconPath = stateIcon(u.state);
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**${WORD[u.state]}** — `).appendText(u.reason);
      md.appendMarkdown('\n\n').appendCodeblock(`${u.directive} ${u.url};  # ${rel(vscode.Uri.parse(u.uri).fsPath)}:${u.line}`, 'nginx');
      md.appendMarkdown('\n\n' + u.effective.map((l) => '- ' + l.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&')).join('\n'));
      const known = u.backendCertificates ?? (u.backendCertificate ? [u.backendCertificate] : []);
      for (const c of known) md.appendMarkdown('\n\n').appendText(certificateText(c));
      if (u.findings.length) md.appendMarkdown('\n\n' + u.findings.map((f) => `- \`${f.ruleId}\` ` + f.message.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&')).join('\n'));
      n.tooltip = md;
      n.command = open(u.uri, u.range);
      return n;
    });
    for (const b of u.servers) {
      child(upstream, uKey + '>b:' + b, () => {
        const n = new TlsNode(b, 'backend', uKey + '>b:' + b);
        n.iconPath = stateIcon(u.state);
        n.description = WORD[u.state];
        // Each backend's node shows its own certificate (a server without a port is reached on 443).
        const c = (u.backendCertificates ?? []).find((x) => x.backend === b || x.backend === b + ':443');
        const cert = c ? '\n' + certificateText(c) : '';
        n.tooltip = `${b}: ${u.reason}${cert}`;
        n.command = u.upstreamUri && u.upstreamLine ? open(u.upstreamUri, { line: u.upstreamLine }) : open(u.uri, u.range);
        return n;
      });
    }
    for (const n of [server, location]) states.set(n, [...(states.get(n) ?? []), u.state]);
  }
  // Servers and locations: the weakest state below them as their description, expanded.
  for (const [n, s] of states) {
    const w = worst(s);
    n.description = `${s.length} upstream use${s.length > 1 ? 's' : ''}${w === 'unverified' ? ` · ${s.filter((x) => x === 'unverified').length} unverified` : ''}`;
  }
  const expand = (n: TlsNode) => {
    n.collapsibleState = n.children.length === 0 ? vscode.TreeItemCollapsibleState.None : n.kind === 'upstream' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
    n.children.forEach(expand);
  };
  const out = [...roots.values()];
  out.forEach(expand);
  return out;
}

export class TlsUpstreamsProvider implements vscode.TreeDataProvider<TlsNode> {
  private readonly changed = new vscode.EventEmitter<TlsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TlsNode[]> | null = null;
  /** The tree shown, as its signature: a refresh that finds the same tree leaves the view alone. */
  private shown: string | null = null;
  /** The last refresh asked for: an answer to an older one is dropped. */
  private asked = 0;
  private waits = 0;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  /**
   * Asks for the tree again and tells the view only when it changed, once the answer is in. The view redrew
   * on every change of diagnostics before, and a redraw that came while it was asking for a node's children
   * lost that request ("No tree item with id …"): the node stayed open and empty until the next edit.
   */
  refresh(): void {
    const ask = ++this.asked;
    const next = this.load();
    void next.then((roots) => {
      if (ask !== this.asked) return;
      const text = signature(roots);
      if (this.roots && text === this.shown) return;
      this.roots = next;
      this.shown = text;
      this.changed.fire(undefined);
    });
  }

  getTreeItem(n: TlsNode): vscode.TreeItem {
    return n;
  }

  getChildren(n?: TlsNode): vscode.ProviderResult<TlsNode[]> {
    if (n) return n.children;
    if (!this.roots) {
      const first: Promise<TlsNode[]> = this.load().then((roots) => {
        // Unless a refresh's answer came first and is what the view shows now.
        if (this.roots === first) this.shown = signature(roots);
        return roots;
      });
      this.roots = first;
    }
    return this.roots;
  }

  private async load(): Promise<TlsNode[]> {
    const c = this.client();
    if (!c || !c.isRunning()) {
      // The view can open before the language server is up: ask again shortly.
      if (this.waits++ < 60) setTimeout(() => this.refresh(), 1000);
      return [];
    }
    try {
      const r = await c.sendRequest<{ uses: InventoryItem[] }>('nginxTlsProxy/inventory', {});
      return buildTree(r.uses, (f) => vscode.workspace.asRelativePath(f));
    } catch {
      return [];
    }
  }
}

/** What the view shows of a tree, in one string: labels, descriptions, tooltips, icons, states, targets. */
function signature(nodes: TlsNode[]): string {
  const each = (n: TlsNode): unknown => [
    n.id, n.label, n.description, typeof n.tooltip === 'string' ? n.tooltip : n.tooltip?.value, n.iconPath, n.collapsibleState, n.command?.arguments, n.children.map(each),
  ];
  return JSON.stringify(nodes.map(each));
}

async function showReport(client: () => LanguageClient | undefined): Promise<void> {
  const c = client();
  if (!c) return;
  const r = await c.sendRequest<{ html: string }>('nginxTlsProxy/reportHtml', {});
  const panel = vscode.window.createWebviewPanel('nginxTlsProxy.tlsReport', 'TLS report', vscode.ViewColumn.Beside, { enableScripts: false, enableForms: false, localResourceRoots: [] });
  // The page carries its own policy (nothing may load, no script may run); the webview's is stricter still.
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src ${panel.webview.cspSource} data:">`;
  panel.webview.html = r.html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, csp);
}

/** Registers the view, its refresh and the report command; returns what to dispose. */
export function registerTlsView(client: () => LanguageClient | undefined): vscode.Disposable[] {
  const provider = new TlsUpstreamsProvider(client);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => provider.refresh(), 300);
  };
  return [
    view,
    vscode.languages.onDidChangeDiagnostics(soon),
    vscode.commands.registerCommand('nginxTlsProxy.refreshTlsUpstreams', () => provider.refresh()),
    vscode.commands.registerCommand('nginxTlsProxy.showTlsReport', () => showReport(client)),
    { dispose: () => timer && clearTimeout(timer) },
  ];
}
