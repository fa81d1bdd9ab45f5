// Every rule, in the order their findings are reported. Adding a rule: one module, one line here.

import { Rule } from './rule';
import { syntaxError } from './syntax-error';
import { includeNotFound } from './include-not-found';
import { includeCycle } from './include-cycle';
import { includeLimit } from './include-limit';
import { unknownDirective } from './unknown-directive';
import { directiveNotAllowedHere } from './directive-not-allowed-here';
import { directiveArgs } from './directive-args';
import { directiveInvalidValue } from './directive-invalid-value';
import { directiveDuplicate } from './directive-duplicate';
import { upstreamTlsUnverified } from './upstream-tls-unverified';
import { upstreamTlsNoTrustedCa } from './upstream-tls-no-trusted-ca';

export const RULES: readonly Rule[] = [
  syntaxError,
  includeNotFound,
  includeCycle,
  includeLimit,
  unknownDirective,
  directiveNotAllowedHere,
  directiveArgs,
  directiveInvalidValue,
  directiveDuplicate,
  upstreamTlsUnverified,
  upstreamTlsNoTrustedCa,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
