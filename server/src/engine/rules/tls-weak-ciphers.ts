// Cipher lists that let in ciphers without encryption, authentication or adequate strength.

import { argSpan, Rule } from './rule';
import { tlsFact, tlsNamesWithValue } from '../knowledge/tls-directives';
import { conf } from './case-text';
import { LDir } from '../model/model';
import { TextEdit } from '../types';

/**
 * The list the fix writes: nginx's own default for ssl_ciphers (since 1.0.5). Every OpenSSL nginx builds with
 * (and LibreSSL, BoringSSL) knows these names, so nginx -t accepts it at any version; HIGH has no RC4, single
 * DES or export suites, and no 3DES since OpenSSL 1.1.0. TLS 1.3 suites are not set by this directive.
 */
export const STRONG_CIPHERS = 'HIGH:!aNULL:!MD5';

/** Replaces the cipher list argument and nothing else: its quotes (if any), comments and layout stay. */
function replaceCipherList(ld: LDir, list: string): TextEdit {
  const arg = ld.d.args[0];
  const text = ld.file.tree.text.slice(arg.start, arg.end);
  const q = text[0] === '"' || text[0] === "'" ? text[0] : '';
  return { path: ld.file.path, start: arg.start, end: arg.end, newText: q + list + q };
}

const WEAK = /^(RC4|DES|3DES|IDEA|SEED|NULL|eNULL|aNULL|ADH|AECDH|EXP|EXPORT|EXPORT40|EXPORT56|MD5|LOW|DES-CBC3-SHA)$|(^|-)(RC4|DES|NULL|EXP|EXPORT|MD5|ADH|AECDH)(-|$)/i;

export function weakCipherElements(list: string): string[] {
  const out: string[] = [];
  for (const raw of list.split(/[:, ]+/)) {
    if (!raw || raw.startsWith('!') || raw.startsWith('-')) continue;
    const el = raw.replace(/^\+/, '');
    if (/^@SECLEVEL=0$/i.test(el)) { out.push(el); continue; }
    if (el.split('+').some((part) => WEAK.test(part))) out.push(el);
  }
  return out;
}

export const tlsWeakCiphers: Rule = {
  id: 'tls-weak-ciphers',
  defaultSeverity: 'warning',
  title: 'Weak ciphers allowed',
  nginxRejects: false,
  locality: 'server',
  explanation: `The cipher list lets in suites that are broken or provide no protection: RC4, single and triple DES,
NULL (no encryption), anonymous key exchange (aNULL/ADH: no authentication), export-grade, MD5-based, or
\`@SECLEVEL=0\`, which re-enables everything OpenSSL otherwise refuses. Exclusions such as \`!aNULL\` are fine.
nginx's defaults (\`HIGH:!aNULL:!MD5\` for servers, \`DEFAULT\` upstream) are safe with current OpenSSL.

The fix replaces the list with \`HIGH:!aNULL:!MD5\` (nginx's server default, which every nginx version and every
OpenSSL accepts), changing only the argument: comments, quotes and layout stay. It is not applied by fix-all:
clients or backends that speak only the suites taken away stop connecting, so the choice is yours.`,
  cases: {
    messages: {
      weak: /^The cipher list allows weak or unauthenticated ciphers: /,
    },
    valid: [
      {
        config: conf`
          ssl_ciphers HIGH:!aNULL:!MD5:!RC4:!3DES;
        `,
        context: 'http/server',
      },
    ],
    invalid: [
      {
        config: conf`
          ssl_ciphers RC4-SHA:HIGH;
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 13, messageId: 'weak' }],
      },
      {
        config: conf`
          proxy_ssl_ciphers DEFAULT:@SECLEVEL=0;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 19, messageId: 'weak' }],
      },
      {
        config: conf`
          ssl_ciphers "HIGH:aNULL:DES-CBC3-SHA";
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 13, messageId: 'weak' }],
      },
      { config: 'ssl_ciphers   "RC4-SHA:HIGH"  ;  # legacy clients\n', context: 'http/server', errors: [{ line: 1, column: 15, messageId: 'weak' }], fixed: 'ssl_ciphers   "HIGH:!aNULL:!MD5"  ;  # legacy clients\n' },
      { config: 'proxy_ssl_ciphers EXP-RC4-MD5:DEFAULT;\n', context: 'http/location', errors: [{ line: 1, column: 19, messageId: 'weak' }], fixed: 'proxy_ssl_ciphers HIGH:!aNULL:!MD5;\n' },
    ],
  },
  check(ctx) {
    const ldList = ctx.model.namedAny(tlsNamesWithValue('ciphers'));
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.d.args.length !== 1 || ld.block.kind === 'raw') continue;
      const weak = weakCipherElements(ld.d.args[0].value);
      if (!weak.length) continue;
      ctx.report({
        message: `The cipher list allows weak or unauthenticated ciphers: ${weak.join(', ')}.`,
        // nginx's own default only on the server side: upstream connections default to OpenSSL's DEFAULT.
        fixes: () => [{ title: `Use the cipher list ${STRONG_CIPHERS} (nginx's default${tlsFact(ld.name)?.side === 'upstream' ? ' for servers' : ''})`, edits: [replaceCipherList(ld, STRONG_CIPHERS)], isPreferred: true, safe: false }],
        ...argSpan(ld, 0),
      });
    }
  },
};
