// TLS to a named host without SNI: a host serving several names shows its default certificate.

import { directiveSetter } from '../fixes/edits';
import { anchorIn, checkedName } from '../model/verification';
import { tlsSettings } from '../model/tls-settings';
import { editsSharedText, isFlagOnAt, isFlagUnknownAt, isIpLiteral, settingsBlock, TlsUse, tlsUses, usesSharing } from '../model/tls-uses';
import { Fix } from '../types';
import { tlsDirective } from '../knowledge/tls-directives';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsNoSni: Rule = {
  id: 'upstream-tls-no-sni',
  defaultSeverity: 'information',
  title: 'No SNI sent to a named TLS upstream',
  nginxRejects: false,
  safeFixes: true,
  locality: 'server',
  explanation: `nginx sends no Server Name Indication to upstreams unless \`proxy_ssl_server_name on\` is set. CDNs,
load balancers and any server hosting several names then answer with their default certificate, or refuse
the handshake: with verification on that is a 502, without it you may silently talk to the wrong site.`,
  cases: {
    messages: {
      noSni: /^No SNI is sent to /,
    },
    valid: [
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_server_name on;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          proxy_pass https://10.0.0.1;
        `,
        context: 'http/location',
      },
      {
        // A variable is no flag value: nginx refuses it (directive-invalid-value), SNI is not "off here".
        config: conf`
          map $uri $sni { default on; }
          server {
              location / {
                  proxy_pass https://a.example.com;
                  proxy_ssl_server_name $sni;
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
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'noSni' }],
      },
    ],
  },
  check(ctx) {
    // One fix function for every finding, made from its use when asked (see RuleFinding.about): a closure in
    // the loop would take the loop's variables into a context made for every use, reported or not.
    const fix = (use: TlsUse): Fix[] => {
      const snName = tlsDirective(use.family, 'server_name');
      const block = settingsBlock(use.block);
      const setter = directiveSetter(ctx.model, block, anchorIn(block, use.pass));
      setter.set(snName, 'on');
      const edits = setter.edits();
      // Other passes that read the same setting (an `if` branch, a suppressed one), or a file included at
      // several places: switching SNI on there is the user's call (a legacy backend may reset on SNI). So it
      // is where what cannot be seen may set it (an include not read, the config around a file read alone).
      const shared = usesSharing(ctx.model, use, block, [snName]).length > 0 || editsSharedText(ctx.model, block, [snName]) || ctx.model.partlyUnknown(use.block);
      return edits.length ? [{ title: `Send SNI (${snName} on)`, edits, isPreferred: true, safe: !shared }] : [];
    };
    const useList = tlsUses(ctx.model);
    const settings = tlsSettings(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!use.certain) continue;
      const name = checkedName(ctx.model, use);
      if (!name || isIpLiteral(name) || name.includes('$')) continue;
      // The group's own name (by default or as `$proxy_host`): upstream-tls-name-mismatch says what is wrong with it.
      if (use.group && !name.includes('.') && name === use.host) continue;
      const snName = tlsDirective(use.family, 'server_name');
      const sni = settings.at(use, 'server_name');
      // A variable there is not "off": nginx refuses it (directive-invalid-value), and the fix would overwrite it.
      if (isFlagOnAt(ctx.model.store, sni) || isFlagUnknownAt(ctx.model.store, sni)) continue;
      ctx.report({
        message: `No SNI is sent to "${name}" (${snName} is ${sni >= 0 ? 'off here' : 'off by default'}): a server hosting several names may present the wrong certificate.`,
        about: use,
        fixes: fix,
        ...argSpan(use.pass, 0),
      });
    }
  },
};
