// Settings that look like protection but do nothing where they are.

import { lineNumber } from '../model/describe';
import { LDir } from '../model/model';
import { isFlagOn, TlsUse, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective, upstreamSuffixes } from '../knowledge/tls-directives';
import { directiveSpan, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

const VERIFY_ONLY = upstreamSuffixes((r) => !!r.verifyOnly);

export const tlsSettingWithoutEffect: Rule = {
  id: 'tls-setting-without-effect',
  defaultSeverity: 'hint',
  title: 'TLS setting that has no effect here',
  nginxRejects: false,
  reads: readsTlsAnd(TLS_USE_INPUTS),
  explanation: `A trusted CA file, verify depth or CRL only matter once \`*_ssl_verify on\` is in effect: where
verification is off they are never read, and the config looks safer than it is. In a stream server, every
\`proxy_ssl_*\` setting is ignored unless \`proxy_ssl on\` is set, and then the connection to the upstream is not
encrypted at all: that one is a warning.`,
  cases: {
    messages: {
      verifyOff: /^\w+ has no effect: \w+_ssl_verify is off/,
      noProxySsl: /^proxy_ssl_verify is ignored: "proxy_ssl on" is not set/,
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
    ],
    invalid: [
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
    ],
  },
  check(ctx) {
    const reported = new Set<LDir>();
    // A setting inherited by several uses has an effect if any of them verifies (a server's trusted CA serves
    // the location that verifies even when another location does not): only the settings that no verifying
    // use reads are reported, each with the first use that shows it idle.
    const read = new Set<LDir>();
    const idle = new Map<LDir, { name: string; use: TlsUse }>();
    const useList = tlsUses(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      const verifies = isFlagOn(ctx.model.first(tlsDirective(use.family, 'verify'), use.block));
      // A use whose scheme comes from a variable may be TLS: what it would read counts as read.
      const counts = verifies || !use.certain;
      for (const s of VERIFY_ONLY) {
        const name = tlsDirective(use.family, s);
        const ld = ctx.model.first(name, use.block);
        if (!ld) continue;
        if (counts) read.add(ld);
        else if (!idle.has(ld)) idle.set(ld, { name, use });
      }
    }
    for (const [ld, { name, use }] of idle) {
      if (read.has(ld)) continue;
      reported.add(ld);
      ctx.report({ message: `${name} has no effect: ${tlsDirective(use.family, 'verify')} is off for "${use.url}" (line ${lineNumber(use.pass)}), so the upstream certificate is not checked at all.`, ...directiveSpan(ld) });
    }
    // Stream servers that configure upstream TLS without switching it on.
    const ldList = ctx.model.named('proxy_pass');
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.block.kind !== 'stream/server') continue;
      if (isFlagOn(ctx.model.first('proxy_ssl', ld.block))) continue;
      const settings = ld.block.items.filter((x) => x.name.startsWith('proxy_ssl_'));
      if (!settings.length || reported.has(settings[0])) continue;
      reported.add(settings[0]);
      ctx.report({
        severity: 'warning',
        message: `${settings.map((s) => s.name).join(', ')} ${settings.length > 1 ? 'are' : 'is'} ignored: "proxy_ssl on" is not set, so the connection to ${ld.d.args[0]?.value} is plain TCP, not TLS.`,
        ...directiveSpan(settings[0]),
      });
    }
  },
};
