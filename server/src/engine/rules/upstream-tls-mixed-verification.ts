// Locations reaching one upstream peer with different verification, while TLS sessions or keepalive
// connections are shared per peer: the weakest location decides for all of them.

import { tlsSettings } from '../model/tls-settings';
import { describeEffective, lineNumber, valueOf } from '../model/describe';
import { isFlagOn, settingsBlock, TlsUse, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective, UpstreamFamily } from '../knowledge/tls-directives';
import { ConfigModel, DirStore, UpstreamGroup } from '../model/model';
import { directiveSetter } from '../fixes/edits';
import { anchorIn } from '../model/verification';
import { argSpan, configNames, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

/** The settings whose values make two uses of one peer verify alike. */
const SIGNATURE = ['verify', 'trusted_certificate', 'verify_depth', 'crl'] as const;

/** A peer reached from several locations: its uses, and where the first of them is in the list of uses. */
interface Peer {
  first: number;
  uses: TlsUse[];
}

/** Files use `at` of `uses` under `key`: a lone use is kept as its index, a peer made at the second. */
function add<K>(map: Map<K, number | Peer>, key: K, uses: readonly TlsUse[], at: number, peers: Peer[]): void {
  const had = map.get(key);
  if (had === undefined) map.set(key, at);
  else if (typeof had !== 'number') had.uses.push(uses[at]);
  else {
    const peer = { first: had, uses: [uses[had], uses[at]] };
    map.set(key, peer);
    peers.push(peer);
  }
}

/**
 * Whether two directives' arguments are written the same, compared in place: then their values are the
 * same too, without a string made for each (most locations of a big config spell their settings alike).
 */
function writtenAlike(s: DirStore, a: number, b: number): boolean {
  const start = s.argStart(a, 0), length = s.lastArgEnd(a) - start;
  const bStart = s.argStart(b, 0);
  if (s.argc(a) !== s.argc(b) || s.lastArgEnd(b) - bStart !== length) return false;
  const aText = s.file(a).tree.text, bText = s.file(b).tree.text;
  for (let i = 0; i < length; i++) if (aText.charCodeAt(start + i) !== bText.charCodeAt(bStart + i)) return false;
  return true;
}

/**
 * Whether all `uses` have the first one's signature setting by setting (the same directive, or values equal
 * but for case): what most peers share, found without spelling a signature per use. Settings alike one by
 * one make equal signatures; anything else is left to the signatures themselves.
 */
function verifyAlike(model: ConfigModel, uses: TlsUse[]): boolean {
  const first = uses[0];
  const settings = tlsSettings(model);
  // A setting the config never names is unset for every use: alike, without a lookup per use. (The uses of
  // a peer are of one family.)
  const parts = SIGNATURE.filter((s) => configNames(model, tlsDirective(first.family, s)));
  const firstAt = parts.map((suffix) => settings.at(first, suffix));
  const firstValues: (string | undefined)[] = [];
  for (let k = 1; k < uses.length; k++) {
    const u = uses[k];
    if (u.block === first.block && u.family === first.family) continue;
    for (let i = 0; i < parts.length; i++) {
      // The same directive in effect (most uses of a peer): compared as indices, no object made.
      const bAt = settings.at(u, parts[i]);
      if (bAt === firstAt[i]) continue;
      const aAt = firstAt[i];
      if (aAt < 0 || bAt < 0) return false;
      if (writtenAlike(model.store, aAt, bAt)) continue;
      const va = (firstValues[i] ??= valueOf(model.store.dir(aAt)));
      const vb = valueOf(model.store.dir(bAt));
      if (va !== vb && va.toLowerCase() !== vb.toLowerCase()) return false;
    }
  }
  return true;
}

export const upstreamTlsMixedVerification: Rule = {
  id: 'upstream-tls-mixed-verification',
  defaultSeverity: 'warning',
  title: 'One upstream reached with different verification settings',
  nginxRejects: false,
  reads: readsTlsAnd(TLS_USE_INPUTS),
  explanation: `nginx keeps TLS state per upstream peer, not per location: with \`proxy_ssl_session_reuse on\` (the
default) a session negotiated by one location is resumed by another without verifying the certificate again,
and with \`keepalive\` in the upstream group an idle connection opened by one location is reused by another
with no handshake at all. If two locations reach the same peer with different \`*_ssl_verify\`, trusted CA,
depth or CRL, the stricter one can end up on a connection the laxer one accepted. Give them identical
settings, or turn \`proxy_ssl_session_reuse off\` and keep keepalive out of that group.`,
  cases: {
    messages: {
      mixed: /is also reached from line \d+(?:, \d+)*(?: and \d+ more)? with different verification settings/,
    },
    valid: [
      {
        config: conf`
          server {
              location /a { proxy_pass https://a.example.com; proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.crt; }
              location /b { proxy_pass https://a.example.com; proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.crt; }
          }
        `,
        context: 'http',
      },
      {
        // Settings in effect from the server for two locations (one use inside an `if`), written again with
        // the same values (another case) in a third that names the same peer with its port: one signature.
        config: conf`
          server {
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate ca.crt;
              location /a { proxy_pass https://a.example.com; }
              location /b { if ($http_x) { proxy_pass https://a.example.com; } }
              location /c { proxy_pass https://a.example.com:443; proxy_ssl_verify ON; }
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        // Two locations take the server's settings; a third, inside one of them, turns verification off.
        config: conf`
          upstream up { server 10.0.0.1:443; }
          server {
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate ca.crt;
              location /a { proxy_pass https://up; }
              location /b {
                  proxy_pass https://up;
                  location /b/c { proxy_ssl_verify off; proxy_pass https://up; }
              }
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 30, messageId: 'mixed' }, { line: 7, column: 20, messageId: 'mixed' }, { line: 8, column: 58, messageId: 'mixed' }],
      },
      {
        config: conf`
          server {
              location /a { proxy_pass https://a.example.com; }
              location /b { proxy_pass https://a.example.com/b; proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.crt; }
          }
        `,
        context: 'http',
        errors: [{ line: 2, column: 30, messageId: 'mixed' }, { line: 3, column: 30, messageId: 'mixed' }],
        fixed: conf`
          server {
              location /a { proxy_pass https://a.example.com; proxy_ssl_session_reuse off; }
              location /b { proxy_pass https://a.example.com/b; proxy_ssl_session_reuse off; proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.crt; }
          }
        `,
      },
    ],
  },
  check(ctx) {
    // Uses by peer: per family, the upstream group (one object per name, as nginx matches names) or the host
    // and port. Nested maps rather than a key string per use, and a lone use kept as itself: most peers of a
    // big config are reached from one location, and those are all that is made for them.
    const byGroup = new Map<UpstreamFamily, Map<UpstreamGroup, number | Peer>>();
    const byHost = new Map<UpstreamFamily, Map<number, Map<string, number | Peer>>>();
    const peers: Peer[] = [];
    const useList = tlsUses(ctx.model);
    const settings = tlsSettings(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!use.certain || !use.host) continue;
      if (use.group) {
        let groups = byGroup.get(use.family);
        if (!groups) byGroup.set(use.family, (groups = new Map()));
        add(groups, use.group, useList, useIndex, peers);
      } else {
        let ports = byHost.get(use.family);
        if (!ports) byHost.set(use.family, (ports = new Map()));
        const port = use.port ?? 443;
        let hosts = ports.get(port);
        if (!hosts) ports.set(port, (hosts = new Map()));
        add(hosts, use.host.toLowerCase(), useList, useIndex, peers);
      }
    }
    // Reported in the order of their first uses (document order), whatever map each peer is filed in.
    peers.sort((a, b) => a.first - b.first);
    for (const { uses } of peers) {
      if (verifyAlike(ctx.model, uses)) continue;
      const sig = (u: TlsUse) => {
        let out = '';
        for (let i = 0; i < SIGNATURE.length; i++) {
          const ld = settings.get(u, SIGNATURE[i]);
          out += (i ? '|' : '') + (ld ? valueOf(ld).toLowerCase() : '');
        }
        return out;
      };
      const shared = (u: TlsUse) => {
        const reuse = settings.get(u, 'session_reuse');
        return !reuse || isFlagOn(reuse) || !!u.group?.keepalive;
      };
      // Each use's signature once; the other lines are those of the other signatures (not a scan per use).
      const sigOf = new Map(uses.map((u) => [u, sig(u)]));
      const bySig = new Map<string, TlsUse[]>();
      for (const u of uses) {
        const list = bySig.get(sigOf.get(u)!);
        if (list) list.push(u);
        else bySig.set(sigOf.get(u)!, [u]);
      }
      if (bySig.size < 2 || !uses.some(shared)) continue;
      const MAX_LINES = 5;
      for (const u of uses) {
        const mine = sigOf.get(u)!;
        const others: number[] = [];
        let more = 0;
        // The first lines of the other signatures, and a count of the rest (not a walk over them: a group
        // reached from thousands of locations split two ways would make this quadratic).
        for (const [s, list] of bySig) {
          if (s === mine) continue;
          const shown = Math.min(list.length, MAX_LINES - others.length);
          for (let i = 0; i < shown; i++) others.push(lineNumber(list[i].pass));
          more += list.length - shown;
        }
        if (!others.length) continue;
        const reuseName = tlsDirective(u.family, 'session_reuse');
        ctx.report({
          fixes: () => {
            const block = settingsBlock(u.block);
            const setter = directiveSetter(ctx.model, block, anchorIn(block, u.pass));
            setter.set(reuseName, 'off');
            const edits = setter.edits();
            return edits.length && !u.group?.keepalive ? [{ title: `Do not resume TLS sessions here (${reuseName} off)`, edits, isPreferred: true, safe: false }] : [];
          },
          message: `"${u.url}" is also reached from line ${others.join(', ')}${more ? ` and ${more} more` : ''} with different verification settings (here: ${describeEffective(ctx.model, tlsDirective(u.family, 'verify'), u.block, ctx.settings.nginxVersion)}). TLS sessions${u.group?.keepalive ? ' and keepalive connections' : ''} are shared per upstream peer, so the laxest location decides for all.`,
          ...argSpan(u.pass, 0),
        });
      }
    }
  },
};
