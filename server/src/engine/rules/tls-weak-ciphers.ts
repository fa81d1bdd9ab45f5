// Cipher lists that let in ciphers without encryption, authentication or adequate strength.

import { argSpan, Rule } from './rule';
import { tlsFact } from '../knowledge/tls-directives';
import { conf } from './case-text';

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
nginx's defaults (\`HIGH:!aNULL:!MD5\` for servers, \`DEFAULT\` upstream) are safe with current OpenSSL.`,
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
    ],
  },
  check(ctx) {
    for (const ld of ctx.model.all) {
      if (tlsFact(ld.d.name)?.value !== 'ciphers' || ld.d.args.length !== 1 || ld.block.kind === 'raw') continue;
      const weak = weakCipherElements(ld.d.args[0].value);
      if (!weak.length) continue;
      ctx.report({ ...argSpan(ld, 0), message: `The cipher list allows weak or unauthenticated ciphers: ${weak.join(', ')}.` });
    }
  },
};
