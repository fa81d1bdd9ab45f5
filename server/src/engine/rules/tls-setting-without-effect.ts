// Settings that look like protection but do nothing where they are.

import { tlsSettings } from '../model/tls-settings';
import { lineRef } from '../model/describe';
import { DirStore, LBlock, LDir } from '../model/model';
import { isFlagOn, isFlagOnAt, isFlagUnknownAt, isFlagUnknown, isUsePass, TlsUse, tlsUses, TLS_USE_INPUTS, usesBelow } from '../model/tls-uses';
import { tlsDirective, tlsFact, UpstreamFamily, upstreamSuffixes } from '../knowledge/tls-directives';
import { configNames, directiveSpan, readsTlsAnd, Rule } from './rule';
import { specIn, takesArgCount } from '../knowledge/directives';
import { conf } from './case-text';

const VERIFY_ONLY = upstreamSuffixes((r) => !!r.verifyOnly);
const HTTP_PASSES = ['proxy_pass', 'grpc_pass', 'uwsgi_pass'];
const HTTP_PASS_BLOCKS = new Set(['http/location', 'http/if-location', 'http/limit_except']);

/**
 * Whether nginx takes the directive's argument count. One it refuses (usually a missing `;` that swallowed the
 * next line: `proxy_ssl_verify on proxy_set_header Host $host;`) is directive-args' to report: nginx stops
 * there, and what it would or would not do with the setting says nothing more.
 */
function wellFormed(ld: LDir): boolean {
  const spec = specIn(ld.name, ld.block.kind);
  return !spec || takesArgCount(spec, ld.argc);
}

/**
 * The upstream TLS settings of `prefix` (`proxy_ssl_`…) directly in `block`, not yet reported and taken by
 * nginx: the block's other directives (most of a location) are read from the store, not made into objects.
 */
function upstreamSettings(s: DirStore, block: LBlock, prefix: string, reported: Set<LDir>): LDir[] {
  const out: LDir[] = [];
  for (let x = block.first; x >= 0; x = s.next[x]) {
    const name = s.name(x);
    if (!name.startsWith(prefix) || tlsFact(name)?.side !== 'upstream') continue;
    const ld = s.dir(x);
    if (!reported.has(ld) && wellFormed(ld)) out.push(ld);
  }
  return out;
}

export const tlsSettingWithoutEffect: Rule = {
  id: 'tls-setting-without-effect',
  defaultSeverity: 'hint',
  title: 'TLS setting that has no effect here',
  nginxRejects: false,
  reads: readsTlsAnd(TLS_USE_INPUTS),
  explanation: `A trusted CA file, verify depth or CRL only matter once \`*_ssl_verify on\` is in effect: where
verification is off they are never read, and the config looks safer than it is. In a stream server, every
\`proxy_ssl_*\` setting is ignored unless \`proxy_ssl on\` is set, and then the connection to the upstream is not
encrypted at all: that one is a warning. A \`proxy_ssl_*\` setting written in \`stream {}\` is reported when none of
the servers that inherit it (those with a \`proxy_pass\` that do not set it themselves) has \`proxy_ssl on\`. In http,
the same holds for a location whose pass connects without TLS (\`proxy_pass http://…\`, \`grpc_pass grpc://…\`,
\`uwsgi_pass host:port\`): nginx makes no TLS connection there, so its own \`*_ssl_*\` settings are read by
nothing (\`proxy_ssl_verify on\` there does not even need a CA), unless a TLS pass nested in it inherits them.`,
  cases: {
    messages: {
      verifyOff: /^\w+ has no effect: \w+_ssl_verify is off/,
      noProxySsl: /^(proxy_ssl_\w+, )*proxy_ssl_\w+ (is|are) ignored: "proxy_ssl on" is not set/,
      plainPass: /^(\w+_ssl_\w+, )*\w+_ssl_\w+ (is|are) ignored: "\w+_pass [^"]*" \(line \d+\) connects without TLS/,
    },
    valid: [
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
        `,
        context: 'http/location',
      },
      {
        // A plain pass whose settings serve the TLS pass of the location nested in it.
        config: conf`
          server {
              location / {
                  proxy_pass http://127.0.0.1:8080;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
                  location /api { proxy_pass https://127.0.0.1:8443; }
              }
          }
        `,
        context: 'http',
      },
      {
        // The server's CA is read by the location that verifies: it has an effect, though /plain ignores it.
        config: conf`
          server {
              listen 80;
              proxy_ssl_trusted_certificate ca.crt;
              location /plain { proxy_pass https://a.example.com; }
              location /checked {
                  proxy_pass https://b.example.com;
                  proxy_ssl_verify on;
              }
          }
        `,
        context: 'http',
      },
      {
        // Settings in stream {} serve the server that switches TLS on, though the other one ignores them.
        config: conf`
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
          server { listen 127.0.0.1:5000; proxy_pass 127.0.0.1:5443; proxy_ssl on; }
          server { listen 127.0.0.1:5001; proxy_pass 127.0.0.1:5444; }
        `,
        context: 'stream',
      },
      {
        // Variables are no flag values: nginx refuses both (directive-invalid-value). Neither is "off".
        config: conf`
          map $uri $on { default on; }
          server {
              location / {
                  proxy_pass https://a.example.com;
                  proxy_ssl_verify $on;
                  proxy_ssl_trusted_certificate ca.crt;
              }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          map $remote_addr $on { default on; }
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl $on;
              proxy_ssl_verify on;
          }
        `,
        context: 'stream',
      },
      {
        // A `;` missing after the flag: nginx stops at its argument count (directive-args), not at its effect.
        config: conf`
          proxy_pass http://127.0.0.1:8080;
          proxy_ssl_verify on
          proxy_set_header Host $host;
        `,
        context: 'http/location',
      },
    ],
    invalid: [
      {
        // A plain pass: nginx makes no TLS connection, so verification "on" checks nothing (and needs no CA).
        config: conf`
          server {
              location / {
                  proxy_pass http://127.0.0.1:8080;
                  proxy_ssl_verify on;
                  proxy_ssl_server_name on;
              }
              location /grpc {
                  grpc_pass grpc://127.0.0.1:50051;
                  grpc_ssl_verify on;
                  grpc_ssl_trusted_certificate ca.crt;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 9, messageId: 'plainPass' }, { line: 9, column: 9, messageId: 'plainPass' }],
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_trusted_certificate ca.crt;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'verifyOff' }],
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl_verify on;
          }
        `,
        context: 'stream',
        errors: [{ line: 4, column: 5, messageId: 'noProxySsl' }],
      },
      {
        // Written in stream {}, read by servers none of which switches TLS on: reported once, where it is written.
        config: conf`
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
          server { listen 127.0.0.1:5000; proxy_pass 127.0.0.1:5443; }
          server { listen 127.0.0.1:5001; proxy_pass 127.0.0.1:5444; }
        `,
        context: 'stream',
        errors: [{ line: 1, column: 1, messageId: 'noProxySsl' }],
      },
    ],
  },
  check(ctx) {
    const reported = new Set<LDir>();
    // A setting inherited by several uses has an effect if any of them verifies (a server's trusted CA serves
    // the location that verifies even when another location does not): only the settings that no verifying
    // use reads are reported, each with the first use that shows it idle. Those idle somewhere are found
    // first; only if there are any do the verifying uses take back what they read (a set of everything they
    // read was most of this loop's work).
    // By store index: most settings read are never reported, and need no object.
    const idle = new Map<number, TlsUse>();
    // Per family, the settings the config names at all: only those are looked up around each use.
    const present = new Map<UpstreamFamily, string[]>();
    const presentIn = (family: UpstreamFamily) => VERIFY_ONLY.filter((s) => configNames(ctx.model, tlsDirective(family, s)));
    const settings = tlsSettings(ctx.model);
    const useList = tlsUses(ctx.model);
    // A use whose scheme comes from a variable may be TLS: what it would read counts as read. So does one
    // whose verification is neither on nor off (a variable nginx refuses): nothing here says it is off.
    const counts = (use: TlsUse) => {
      const verify = settings.at(use, 'verify');
      return !use.certain || isFlagOnAt(ctx.model.store, verify) || isFlagUnknownAt(ctx.model.store, verify);
    };
    let anyCounts = false;
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      let names = present.get(use.family);
      if (!names) present.set(use.family, (names = presentIn(use.family)));
      if (!names.length) continue;
      if (counts(use)) { anyCounts = true; continue; }
      for (let i = 0; i < names.length; i++) {
        const x = settings.at(use, names[i]);
        if (x >= 0 && !idle.has(x)) idle.set(x, use);
      }
    }
    for (let useIndex = 0; idle.size && anyCounts && useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      const names = present.get(use.family)!;
      if (!names.length || !counts(use)) continue;
      for (let i = 0; i < names.length; i++) {
        const x = settings.at(use, names[i]);
        if (x >= 0) idle.delete(x);
      }
    }
    for (const [x, use] of idle) {
      const ld = ctx.model.store.dir(x);
      if (!wellFormed(ld)) continue;
      const name = ld.name;
      reported.add(ld);
      ctx.report({ message: `${name} has no effect: ${tlsDirective(use.family, 'verify')} is off for "${use.url}" (${lineRef(use.pass, ld)}), so the upstream certificate is not checked at all.`, ...directiveSpan(ld) });
    }
    // A location whose pass connects without TLS (`proxy_pass http://…`, `grpc_pass grpc://…`, `uwsgi_pass
    // host:port`): its own `*_ssl_*` settings of that family are never read unless a TLS use below it reads
    // them (a nested location, an `if` with its own pass). nginx makes no upstream TLS context there at all:
    // `proxy_ssl_verify on` does not even need a CA. The same mistake as stream without `proxy_ssl on`.
    const passes = ctx.model.namedAny(HTTP_PASSES);
    const tlsPass = isUsePass(useList);
    for (let i = 0; i < passes.length; i++) {
      const pass = passes[i];
      if (tlsPass(pass) || pass.argc < 1 || !HTTP_PASS_BLOCKS.has(pass.block.kind)) continue;
      const prefix = pass.name.slice(0, pass.name.indexOf('_')) + '_ssl_';
      const settings = upstreamSettings(ctx.model.store, pass.block, prefix, reported);
      if (!settings.length) continue;
      const below = usesBelow(ctx.model, pass.block);
      const idleHere = settings.filter((x) => !below.some((u) => ctx.model.first(x.name, u.block) === x));
      if (!idleHere.length) continue;
      for (const x of idleHere) reported.add(x);
      ctx.report({
        severity: 'warning',
        message: `${idleHere.map((x) => x.name).join(', ')} ${idleHere.length > 1 ? 'are' : 'is'} ignored: "${pass.name} ${pass.arg(0)}" (${lineRef(pass, idleHere[0])}) connects without TLS, so nothing here is encrypted or verified.`,
        ...directiveSpan(idleHere[0]),
      });
    }
    // Stream servers that configure upstream TLS without switching it on. A server's own settings are judged
    // with that server; a setting written in stream {} is read by every server that does not set it itself,
    // and is ignored only when none of those servers switches proxy_ssl on.
    const shared = new Map<LDir, { readers: LDir[]; read: boolean }>();
    const seen = new Set<LBlock>();
    const aroundCache = new Map<LBlock, LDir[]>();
    const ldList = ctx.model.named('proxy_pass');
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.block.kind !== 'stream/server' || seen.has(ld.block)) continue;
      seen.add(ld.block);
      const enabler = ctx.model.first('proxy_ssl', ld.block);
      // `proxy_ssl $on;` is refused by nginx (directive-invalid-value), not "not set": nothing here says it is off.
      const on = isFlagOn(enabler) || isFlagUnknown(enabler);
      for (let b = ld.block.parent; b; b = b.parent) {
        let around = aroundCache.get(b);
        // Once per block: a stream {} with many servers is not scanned again for each of them.
        if (!around) aroundCache.set(b, (around = b.items.filter((x) => x.name.startsWith('proxy_ssl_') && wellFormed(x))));
        for (const item of around) {
          if (ctx.model.first(item.name, ld.block) !== item) continue;
          const entry = shared.get(item) ?? { readers: [], read: false };
          shared.set(item, entry);
          entry.readers.push(ld);
          if (on) entry.read = true;
        }
      }
      if (on) continue;
      const settings = ld.block.items.filter((x) => x.name.startsWith('proxy_ssl_') && wellFormed(x));
      if (!settings.length || reported.has(settings[0])) continue;
      reported.add(settings[0]);
      ctx.report({
        severity: 'warning',
        message: `${settings.map((s) => s.name).join(', ')} ${settings.length > 1 ? 'are' : 'is'} ignored: "proxy_ssl on" is not set, so the connection to ${ld.d.args[0]?.value} is plain TCP, not TLS.`,
        ...directiveSpan(settings[0]),
      });
    }
    // The idle shared settings of one block, reported together on the first of them.
    const idleByBlock = new Map<LBlock, LDir[]>();
    for (const [ld, { read }] of shared) {
      if (read || reported.has(ld)) continue;
      const list = idleByBlock.get(ld.block);
      if (list) list.push(ld);
      else idleByBlock.set(ld.block, [ld]);
    }
    for (const [block, settings] of idleByBlock) {
      // In document order, whichever server first read each of them.
      settings.sort((x, y) => block.items.indexOf(x) - block.items.indexOf(y));
      reported.add(settings[0]);
      const readBy = new Set(settings.flatMap((x) => shared.get(x)!.readers));
      const readers = ldList.filter((r) => readBy.has(r));
      const shown = readers.slice(0, 3).map((r) => `${r.d.args[0]?.value} (${lineRef(r, settings[0])})`).join(', ');
      const more = readers.length > 3 ? ` and ${readers.length - 3} more` : '';
      ctx.report({
        severity: 'warning',
        message: `${settings.map((x) => x.name).join(', ')} ${settings.length > 1 ? 'are' : 'is'} ignored: "proxy_ssl on" is not set in any stream server that inherits ${settings.length > 1 ? 'them' : 'it'}, so the ${readers.length > 1 ? 'connections' : 'connection'} to ${shown}${more} ${readers.length > 1 ? 'are' : 'is'} plain TCP, not TLS.`,
        ...directiveSpan(settings[0]),
      });
    }
  },
};
