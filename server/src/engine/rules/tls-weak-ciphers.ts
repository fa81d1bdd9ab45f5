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

// How OpenSSL reads the list nginx hands to SSL_CTX_set_cipher_list (TLS 1.3 suites are set elsewhere):
// elements split at `:`, `,`, `;` or a space (a tab is no separator: the list fails to load); each element
// is one or more names joined by `+` (the suites in all of them); a leading `!` removes matching suites
// for good, `-` removes those added so far (a later element adds them again), `+` moves suites already in
// the list to its end and adds none. Names and aliases are compared case by case: `rc4` or `enull` match
// nothing, and OpenSSL skips a name it does not know without a word.

/** The separators between the elements of a cipher list. */
const SEPARATOR = /[:,; ]/;

/**
 * The aliases that stand for weak suites only, in every OpenSSL nginx builds with, each with the weak groups
 * its suites all belong to. Broad groups are not here: ALL, DEFAULT, HIGH, MEDIUM and COMPLEMENTOFDEFAULT
 * mix strong suites with weak ones, and which weak ones depends on the OpenSSL version and build (DEFAULT
 * had RC4 and 3DES before 1.1.0, and ALL's extra suites on OpenSSL 3 built without the legacy ciphers are
 * the anonymous ones only, which its default security level refuses to negotiate). Calling them weak
 * everywhere would be wrong on current versions; the explicit names below are weak wherever they exist.
 */
const WEAK_ALIASES = new Map<string, string[]>(Object.entries({
  RC4: ['RC4'], RC2: ['RC2'], DES: ['DES'], '3DES': ['3DES'], IDEA: ['IDEA'], SEED: ['SEED'], MD5: ['MD5'], LOW: ['LOW'],
  eNULL: ['eNULL'], NULL: ['eNULL'], COMPLEMENTOFALL: ['eNULL'],
  aNULL: ['aNULL'], ADH: ['ADH', 'aNULL'], AECDH: ['AECDH', 'aNULL'],
  EXP: ['EXP'], EXPORT: ['EXP'], EXPORT40: ['EXPORT40', 'EXP'], EXPORT56: ['EXPORT56', 'EXP'],
}));

/** Aliases that name the same suites as another: an exclusion by either removes what the other adds. */
const SAME_AS = new Map(Object.entries({ NULL: 'eNULL', EXPORT: 'EXP', COMPLEMENTOFALL: 'eNULL' }));

/** The weak groups a suite name (OpenSSL's spelling, `-`-separated) belongs to. */
function suiteGroups(name: string): string[] {
  const t = name.split('-');
  const out: string[] = [];
  if (t[0] === 'ADH' || t[0] === 'AECDH') out.push(t[0], 'aNULL');
  const exp = t[0].startsWith('EXP');
  if (exp) out.push('EXP');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 'NULL') out.push('eNULL');
    else if (t[i] === 'RC4' || t[i] === 'RC2' || t[i] === 'IDEA' || t[i] === 'SEED' || t[i] === '3DES') out.push(t[i]);
    else if (t[i] === 'DES') out.push(...(t[i + 1] === 'CBC3' ? ['3DES'] : exp ? ['DES'] : ['DES', 'LOW']));
  }
  if (t.length > 1 && t[t.length - 1] === 'MD5') out.push('MD5');
  return out;
}

/** The groups an element's suites all belong to: its own names (so that an exclusion naming them matches) and the weak ones. */
function groupsOf(el: string): { all: Set<string>; weak: boolean } {
  const all = new Set<string>();
  let weak = false;
  for (const part of el.split('+')) {
    all.add(SAME_AS.get(part) ?? part);
    const groups = WEAK_ALIASES.get(part) ?? (part.includes('-') ? suiteGroups(part) : []);
    for (const g of groups) all.add(g);
    if (groups.length) weak = true;
  }
  return { all, weak };
}

/** The elements of a cipher list that add weak suites (or lower the security level to 0), as written. */
export function weakCipherElements(list: string): string[] {
  const els = list.split(SEPARATOR).filter((e) => e !== '');
  const out: string[] = [];
  let seclevel: string | undefined;
  for (let i = 0; i < els.length; i++) {
    const el = els[i];
    // The last @SECLEVEL wins. Another spelling (`@seclevel=0`) is an error that makes nginx -t fail, not a
    // weak list: that is for the rules about values nginx rejects, not this one.
    if (/^@SECLEVEL=[0-5]$/.test(el)) seclevel = el;
    if ('!-+@'.includes(el[0])) continue;
    const { all, weak } = groupsOf(el);
    if (!weak) continue;
    // Taken away by a `!` anywhere or a `-` after it that matches all its suites: every name the exclusion
    // joins is a group they all belong to. Exclusions not modelled here (`!kRSA`, `!SSLv3`) leave it reported.
    const removed = els.some((x, j) => (x[0] === '!' || (x[0] === '-' && j > i)) && x.length > 1 && x.slice(1).split('+').every((p) => all.has(SAME_AS.get(p) ?? p)));
    if (!removed) out.push(el);
  }
  if (seclevel === '@SECLEVEL=0') out.push(seclevel);
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
\`@SECLEVEL=0\`, which re-enables everything OpenSSL otherwise refuses. nginx's defaults (\`HIGH:!aNULL:!MD5\` for
servers, \`DEFAULT\` upstream) are safe with current OpenSSL.

The list is read as OpenSSL reads it, and only what it adds counts: \`!aNULL\` anywhere, or \`-aNULL\` after them,
takes suites away; \`+RC4\` only moves suites already listed to the end; names are case-sensitive, so \`rc4\` or
\`enull\` match nothing. Broad groups (\`ALL\`, \`DEFAULT\`, \`HIGH\`) are not reported: which weak suites they hold,
if any, depends on the OpenSSL version and build.

The fix replaces the list with \`HIGH:!aNULL:!MD5\` (nginx's server default, which every nginx version and every
OpenSSL accepts), changing only the argument: comments, quotes and layout stay. It is not applied by fix-all:
clients or backends that speak only the suites taken away stop connecting, so the choice is yours.`,
  cases: {
    messages: {
      weak: /^The cipher list asks for weak or unauthenticated ciphers: /,
    },
    valid: [
      {
        config: conf`
          ssl_ciphers HIGH:!aNULL:!MD5:!RC4:!3DES;
        `,
        context: 'http/server',
      },
      // `+` only moves suites already in the list (here none) to its end.
      { config: 'ssl_ciphers HIGH:!aNULL:!MD5:+RC4;\n', context: 'http/server' },
      // OpenSSL compares names case by case and skips those it does not know.
      { config: 'ssl_ciphers "HIGH:!aNULL:!MD5:rc4-sha:enull";\n', context: 'http/server' },
      // `!` removes for good, suites added after it too.
      { config: 'ssl_ciphers HIGH:!aNULL:!MD5:ADH-AES256-SHA:NULL-MD5;\n', context: 'http/server' },
      // `-` after an element takes away what it added.
      { config: 'ssl_ciphers aNULL:HIGH:-aNULL:!MD5;\n', context: 'http/server' },
      // The last @SECLEVEL wins.
      { config: 'proxy_ssl_ciphers "DEFAULT:@SECLEVEL=0:@SECLEVEL=2";\n', context: 'http/location' },
      // Not a weak list but one OpenSSL refuses ("invalid command": nginx -t fails), so not this rule's; a
      // fragment, which the live nginx -t test leaves out.
      { config: '# nginx-context: server\nssl_ciphers "HIGH:!aNULL:@seclevel=0";\n' },
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
      // `;` separates elements as `:` does.
      { config: 'ssl_ciphers "HIGH:!aNULL;eNULL";\n', context: 'http/server', errors: [{ line: 1, column: 13, messageId: 'weak' }] },
      // `-` before an element does not keep out what it adds.
      { config: 'ssl_ciphers HIGH:-aNULL:aNULL;\n', context: 'http/server', errors: [{ line: 1, column: 13, messageId: 'weak' }] },
      // The suites outside ALL: those without encryption.
      { config: 'ssl_ciphers HIGH:!aNULL:!MD5:COMPLEMENTOFALL;\n', context: 'http/server', errors: [{ line: 1, column: 13, messageId: 'weak' }] },
      { config: 'ssl_ciphers HIGH:!aNULL:PSK-3DES-EDE-CBC-SHA:IDEA-CBC-SHA;\n', context: 'http/server', errors: [{ line: 1, column: 13, messageId: 'weak' }] },
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
        // "Asks for": an OpenSSL built without them (OpenSSL 3's default has no RC4 or single DES) skips the
        // names, but the list still lets them in wherever the library has them.
        message: `The cipher list asks for weak or unauthenticated ciphers: ${weak.join(', ')}. Any OpenSSL that still has them offers them.`,
        // nginx's own default only on the server side: upstream connections default to OpenSSL's DEFAULT.
        fixes: () => [{ title: `Use the cipher list ${STRONG_CIPHERS} (nginx's default${tlsFact(ld.name)?.side === 'upstream' ? ' for servers' : ''})`, edits: [replaceCipherList(ld, STRONG_CIPHERS)], isPreferred: true, safe: false }],
        ...argSpan(ld, 0),
      });
    }
  },
};
