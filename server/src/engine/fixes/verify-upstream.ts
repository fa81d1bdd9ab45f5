// The fix for an unverified upstream: verification on, a CA to trust, SNI, and the name to check when the
// default one (an upstream group's name) cannot match a certificate. Each directive goes where nginx allows
// it (never `if`/`limit_except`), and an existing one is changed instead of duplicated.

import { ConfigModel, LBlock, LDir } from '../model/model';
import { editsSharedText, isFlagOn, isFlagUnknown, isIpLiteral, leadingVariable, mapValues, settingsBlock, TlsUse, usesSharing } from '../model/tls-uses';
import { parsePassUrl, splitHostPort } from '../model/pass-url';
import { anchorIn, isLocalName, knownCaFiles, unmatchableName, verificationName } from '../model/verification';
import { lineNumber } from '../model/describe';
import { tlsDirective } from '../knowledge/tls-directives';
import { Fix, TextEdit } from '../types';
import { directiveSetter, quoteIfNeeded } from './edits';
import { isSystemCaBundle, publiclyCertifiable } from '../knowledge/public-names';

/** `only`: the preferred fix alone (the one that trusts the configured CA), without the alternatives. */
export function verifyFixes(model: ConfigModel, settings: { trustedCertificate: string }, use: TlsUse, only?: 'preferred'): Fix[] {
  // What every variant shares is worked out once (the name nginx checks): they differ only in the CA they
  // trust.
  const block = settingsBlock(use.block);
  let naming: Naming | undefined;
  // Other passes that read what the fix writes there (an `if` branch, a nested location) are switched with it:
  // the fix says so, and is not one `check --fix` applies unasked (one of them may be unverified on purpose).
  const names = (SET_NAMES[use.family] ??= SET.map((s) => tlsDirective(use.family, s)));
  const sharing = usesSharing(model, use, block, names);
  let also = sharing.length ? ` (also for the ${sharing.length > 1 ? 'passes on lines' : 'pass on line'} ${[...new Set(sharing.map((u) => lineNumber(u.pass)))].join(', ')})` : '';
  // Text included at several places changes all of them: the same, said as the file.
  if (editsSharedText(model, block, names)) also += ` (edits a file included at several places)`;
  // Verification against a name no certificate can pass (an IP address, a group's name) turns a working
  // proxy into one that fails every handshake (measured: 502): the fix is the first step, not one to apply
  // unasked, and says what is left to do.
  let publicNote = '';
  if (use.host !== null) {
    naming = verificationName(model, use);
    const checked = naming.suggestion ?? naming.name;
    const nameDirective = tlsDirective(use.family, 'name');
    if (!naming.suggestion && checked !== null && unmatchableName(use, checked)) {
      also += ` (then set ${nameDirective} to the name in the certificate)`;
    } else if (checked !== null && isLocalName(checked)) {
      // The public bundle and a name no public CA certifies (`localhost`, a container's, `.internal`): the
      // backend's certificate is from a private CA, and trusting the bundle fails (measured: 502). Said on the
      // fixes that trust such a bundle; the config's own CAs are the other choices.
      publicNote = ` (no public CA certifies "${checked}": trust the CA that does, or set ${nameDirective})`;
    }
  }
  // A map's https values to several hosts: each backend is checked against the CA written here, which the
  // config cannot vouch for all of them.
  if (use.schemeFrom?.name === 'map' && use.host === null) also += ` (every https value of the map on line ${lineNumber(use.schemeFrom)} is checked against it)`;
  else if (use.host === null) also += hostMapNote(model, use);
  // What cannot be seen may set verification itself: an include the editor cannot read (a generated
  // `verify.conf`), or the config that includes a file read on its own. The fix would override it.
  if (model.partlyUnknown(use.block)) {
    also += model.hasUnreadInclude(use.block) ? ' (an include here could not be read: it may already set this)' : ' (this file is read without the config that includes it, which may set this)';
  }
  const where: Where = { block, anchor: anchorIn(block, use.pass), naming: () => (naming ??= verificationName(model, use)), also, publicNote };
  const fixes: Fix[] = [];
  const main = verifyFix(model, use, where, settings.trustedCertificate, true);
  if (main) fixes.push(main);
  if (only === 'preferred') return fixes;
  // The user's other choice: a CA the config already trusts elsewhere (a private CA for internal upstreams).
  for (const ca of knownCaFiles(model).filter((c) => c !== settings.trustedCertificate).slice(0, 3)) {
    const alt = verifyFix(model, use, where, ca, false);
    if (alt) fixes.push(alt);
  }
  return fixes;
}

type Naming = { name: string | null; suggestion: string | null };

/** What a verification fix may set. */
const SET = ['verify', 'trusted_certificate', 'name', 'server_name'] as const;
/** The same, spelt for each family (asked once per finding). */
const SET_NAMES: Partial<Record<TlsUse['family'], string[]>> = {};

interface Where {
  block: LBlock;
  anchor: LDir | undefined;
  naming: () => Naming;
  /** For the title: the other places the fix switches too, or what is left to do ('' when none: then it is safe). */
  also: string;
  /** The same, for a fix that trusts a bundle of public CAs (the name is one no public CA certifies). */
  publicNote: string;
}

function verifyFix(model: ConfigModel, use: TlsUse, where: Where, trusted: string, preferred: boolean): Fix | null {
  const { block } = where;
  const setter = directiveSetter(model, block, where.anchor);
  const ensure = (suffix: string, value: string, ifUnset: boolean) => setter.set(tlsDirective(use.family, suffix), value, { ifUnset });
  const rest = () => {
    ensure('trusted_certificate', quoteIfNeeded(trusted), preferred);
    const naming = where.naming();
    // A suggestion means the name in effect is the group's (by default or as `$proxy_host`): it is replaced.
    if (naming.suggestion) ensure('name', naming.suggestion, false);
    const checked = naming.suggestion ?? naming.name;
    if (checked && !isIpLiteral(checked)) {
      const sni = model.first(tlsDirective(use.family, 'server_name'), block);
      // A variable there (`${SNI}`) is the user's to fill in: not overwritten with `on`.
      if (!isFlagOn(sni) && !isFlagUnknown(sni)) ensure('server_name', 'on', false);
    }
  };
  ensure('verify', 'on', false);
  // The CA the fix leaves in effect: the preferred one keeps a CA file already set around the pass.
  const existing = preferred ? model.first(tlsDirective(use.family, 'trusted_certificate'), block) : undefined;
  const inEffect = existing && existing.argc === 1 ? existing.arg(0) : trusted;
  const note = where.also + (isSystemCaBundle(inEffect) ? where.publicNote : '');
  const title = titleOf(tlsDirective(use.family, 'verify'), trusted, preferred) + note;
  const safe = preferred && !note;
  // Turning verification on edits something: the fix exists, and the rest of it is planned with its edits
  // (a fix's steps only add edits). Otherwise the whole plan decides whether there is a fix at all.
  if (setter.willEdit()) {
    return new LazyEditsFix(title, () => {
      rest();
      return setter.edits();
    }, preferred, safe);
  }
  rest();
  if (!setter.willEdit()) return null;
  return new LazyEditsFix(title, () => setter.edits(), preferred, safe);
}

/**
 * The fix's title, one string per verification directive, CA and kind of fix: tens of thousands of findings
 * share a handful, and the JSON and SARIF writers remember the quoted text of a string they see again.
 */
function titleOf(verifyName: string, trusted: string, preferred: boolean): string {
  // Keyed by the strings themselves (the table's name, the setting's or the config's path): no key is made.
  let byCa = TITLES.get(verifyName);
  if (!byCa) TITLES.set(verifyName, (byCa = new Map()));
  let pair = byCa.get(trusted);
  if (!pair) {
    // CA paths come from configs: a long-running server keeps only so many.
    if (byCa.size >= 256) byCa.clear();
    byCa.set(trusted, (pair = [
      `Verify the upstream certificate against ${trusted} (a CA this config already trusts)`,
      `Verify the upstream certificate: ${verifyName} on, trusted CA ${trusted}`,
    ]));
  }
  return pair[preferred ? 1 : 0];
}
const TITLES = new Map<string, Map<string, [string, string]>>();

/**
 * A fix whose edits' text is made when first read: JSON output and fix menus list every finding's fixes by
 * title, and making the text of tens of thousands of insertions nobody reads was a tenth of such a run. A
 * class, not an object literal with a getter: V8 makes those on a slow path, which cost more than the edits.
 */
class LazyEditsFix implements Fix {
  #edits: TextEdit[] | undefined;
  /** Holds the model until the edits are made, and is let go then: `check --fix` drops an analysis (and its
   * model) before parsing the fixed text, keeping only the chosen fixes. */
  #make: (() => TextEdit[]) | undefined;
  readonly safe: boolean;
  constructor(readonly title: string, make: () => TextEdit[], readonly isPreferred: boolean, safe: boolean) {
    this.#make = make;
    this.safe = safe;
  }
  get edits(): TextEdit[] {
    if (this.#edits === undefined) {
      this.#edits = this.#make!();
      this.#make = undefined;
    }
    return this.#edits;
  }
  /** Serialised as the plain fix it stands for. */
  toJSON(): Fix {
    return { title: this.title, edits: this.edits, isPreferred: this.isPreferred, safe: this.safe };
  }
}

/**
 * A host a map gives (`https://$pool`): nginx checks the certificate against the value. A value no certificate
 * can carry (an upstream group's name, an IP address) or no public CA certifies needs its name set first.
 */
function hostMapNote(model: ConfigModel, use: TlsUse): string {
  const host = parsePassUrl(use.url).host;
  const nameDirective = tlsDirective(use.family, 'name');
  // A literal tail after the variables (`$svc.internal`, `$ns.svc.cluster.local`) ends every name checked.
  const tail = /\.[A-Za-z0-9.-]+$/.exec(host.replace(/:\d+$/, ''));
  if (tail && !publiclyCertifiable('x' + tail[0])) return ` (no public CA certifies a name ending in "${tail[0]}": trust the CA that does, or set ${nameDirective})`;
  const variable = leadingVariable(host);
  const mapped = variable ? mapValues(model, variable.name) : null;
  if (!mapped) return '';
  const odd = mapped.values.filter((v) => {
    if (v.includes('$')) return false;
    const h = splitHostPort(v).host;
    return model.upstream('http', h) !== undefined || isIpLiteral(h) || isLocalName(h);
  });
  return odd.length ? ` (the map on line ${lineNumber(mapped.map)} gives the host "${odd[0]}": set ${nameDirective} to the name in its certificate)` : '';
}
