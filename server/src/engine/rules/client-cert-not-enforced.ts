// `ssl_verify_client optional` lets clients without a certificate in: nothing is enforced unless the
// config checks $ssl_client_verify itself.

import { insertDirectives, setArguments } from '../fixes/edits';
import { serverTls, SERVER_INPUTS } from '../model/servers';
import { ConfigModel, LBlock, LDir } from '../model/model';
import { argSpan, readsTlsAnd, Rule } from './rule';
import { versionAtLeast } from '../knowledge/tls';
import { CLIENT_CA_FROM_TRUSTED_SINCE } from '../knowledge/tls-directives';
import { conf } from './case-text';

/** Directives through which $ssl_client_verify can refuse a request, here or in the backend it is passed to. */
const ENFORCING = new Set(['if', 'proxy_set_header', 'fastcgi_param', 'grpc_set_header', 'uwsgi_param', 'scgi_param', 'set', 'js_set', 'perl_set', 'access_by_lua_block', 'access_by_lua', 'access_by_lua_file']);

const OPTIONAL = new Set(['optional', 'optional_no_ca']);

function checksVerify(model: ConfigModel, block: LBlock): boolean {
  const stack: LBlock[] = [block];
  while (stack.length) {
    const b = stack.pop()!;
    const itList = b.items;
    for (let itIndex = 0; itIndex < itList.length; itIndex++) {
      const it = itList[itIndex];
      if (ENFORCING.has(it.name) && it.d.args.some((a) => a.value.includes('$ssl_client_verify'))) return true;
      if (it.d.lua && it.name.startsWith('access_by_lua') && it.file.tree.text.slice(it.d.lua.start, it.d.lua.end).includes('ssl_client_verify')) return true;
      if (it.child) stack.push(it.child);
    }
  }
  // A map at http level can turn $ssl_client_verify into a variable the server checks.
  return model.named('map').some((ld) => ld.d.args[0]?.value.includes('$ssl_client_verify'));
}

export const clientCertNotEnforced: Rule = {
  id: 'client-cert-not-enforced',
  defaultSeverity: 'warning',
  title: 'Optional client certificate that nothing enforces',
  nginxRejects: false,
  reads: readsTlsAnd(SERVER_INPUTS, ENFORCING, ['map']),
  explanation: `With \`ssl_verify_client optional\` nginx asks for a client certificate, rejects an invalid one, and lets a
client that sends none straight through with \`$ssl_client_verify\` = \`NONE\`; \`optional_no_ca\` even lets
untrusted certificates through. Unless something checks \`$ssl_client_verify\` (an \`if\` returning 403, a map,
or the backend receiving it in a header; showing it in a response or a log does not count), the "mutual TLS"
authenticates nobody. Use \`ssl_verify_client on\`,
or refuse requests where \`$ssl_client_verify\` is not \`SUCCESS\`.`,
  cases: {
    messages: {
      notEnforced: /^ssl_verify_client optional(_no_ca)? lets clients without a/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_client_certificate ca.crt;
              ssl_verify_client optional;
              if ($ssl_client_verify != SUCCESS) { return 403; }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_client_certificate ca.crt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_client_certificate ca.crt;
              ssl_verify_client optional_no_ca;
              add_header X-Client-Verify $ssl_client_verify;
          }
        `,
        context: 'http',
        errors: [{ line: 6, column: 23, messageId: 'notEnforced' }],
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_trusted_certificate ca.crt;
              ssl_verify_client optional_no_ca;
          }
        `,
        context: 'http',
        nginxVersion: '1.22',
        errors: [{ line: 6, column: 23, messageId: 'notEnforced' }],
        fixed: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_trusted_certificate ca.crt;
              ssl_verify_client on;
              ssl_client_certificate ca.crt;
          }
        `,
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_client_certificate ca.crt;
              ssl_verify_client optional;
          }
        `,
        context: 'http',
        errors: [{ line: 6, column: 23, messageId: 'notEnforced' }],
        fixed: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_client_certificate ca.crt;
              ssl_verify_client on;
          }
        `,
      },
    ],
  },
  check(ctx) {
    // Only an optional mode lets clients through: without one anywhere, no server needs looking at (a keystroke
    // in a header re-runs this rule on every server of a big config otherwise).
    if (!ctx.model.named('ssl_verify_client').some((ld) => OPTIONAL.has(ld.arg(0).toLowerCase()))) return;
    const seen = new Set<LDir>();
    const sList = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < sList.length; sIndex++) {
      const s = sList[sIndex];
      if (s.family !== 'http' || !s.listenSsl) continue;
      const mode = ctx.model.first('ssl_verify_client', s.block);
      const value = mode?.d.args[0]?.value.toLowerCase();
      if (!mode || !value || !OPTIONAL.has(value)) continue;
      if (checksVerify(ctx.model, s.block)) continue;
      const key = mode.block === s.block ? mode : s.ld;
      if (seen.has(key)) continue;
      seen.add(key);
      const guard = insertDirectives(s.block, ['if ($ssl_client_verify != SUCCESS) { return 403; }'], mode.block === s.block ? mode : undefined);
      const fixes = [];
      if (mode.block === s.block) {
        // `on` needs the CA that issues client certificates: ssl_client_certificate, or in newer nginx
        // ssl_trusted_certificate too ("no ssl_client_certificate for ssl_verify_client" before that).
        const client = ctx.model.lookup('ssl_client_certificate', s.block)?.length ?? 0;
        const trusted = ctx.model.first('ssl_trusted_certificate', s.block);
        const edits = [setArguments(mode, 'on')];
        let ok = client > 0 || (trusted !== undefined && versionAtLeast(ctx.settings.nginxVersion, ...CLIENT_CA_FROM_TRUSTED_SINCE));
        if (!ok && trusted?.d.args[0]) {
          const add = insertDirectives(s.block, [`ssl_client_certificate ${argText(trusted)};`], mode);
          if (add) { edits.push(add); ok = true; }
        }
        if (ok) fixes.push({ title: 'Require a valid client certificate (ssl_verify_client on)', edits, isPreferred: true, safe: false });
      }
      if (guard) fixes.push({ title: 'Refuse requests without a verified client certificate (403)', edits: [guard], isPreferred: mode.block !== s.block, safe: false });
      ctx.report({
        ...(mode.block === s.block ? argSpan(mode, 0) : argSpan(s.listenSsl ?? s.ld, 0)),
        message: `ssl_verify_client ${value} lets clients without a ${value === 'optional_no_ca' ? 'trusted ' : ''}certificate through, and nothing in this server checks $ssl_client_verify: no client is actually required to authenticate.`,
        fixes,
      });
    }
  },
};

/** The first argument of a directive as written (quotes kept). */
function argText(ld: LDir): string {
  const a = ld.d.args[0];
  return ld.file.tree.text.slice(a.start, a.end);
}
