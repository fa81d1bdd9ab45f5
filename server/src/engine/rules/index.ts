// Every rule, in the order their findings are reported. Adding a rule: one module, one line here (and, for a
// security rule, its tags and severity in security.ts).

import { Rule } from './rule';
import { withSecurityMetadata } from './security';
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
import { missingEvents } from './missing-events';
import { passInvalidUrl } from './pass-invalid-url';
import { missingListen } from './missing-listen';
import { unknownVariable } from './unknown-variable';
import { upstreamNoServers } from './upstream-no-servers';
import { upstreamTlsNoTrustedCa } from './upstream-tls-no-trusted-ca';
import { tlsWeakProtocols } from './tls-weak-protocols';
import { tlsWeakCiphers } from './tls-weak-ciphers';
import { tlsCertWithoutKey } from './tls-cert-without-key';
import { clientCertNotEnforced } from './client-cert-not-enforced';
import { clientCertNoCa } from './client-cert-no-ca';
import { listenSslNoCertificate } from './listen-ssl-no-certificate';
import { upstreamTlsNameMismatch } from './upstream-tls-name-mismatch';
import { upstreamTlsNoSni } from './upstream-tls-no-sni';
import { upstreamTlsMixedVerification } from './upstream-tls-mixed-verification';
import { tlsSettingWithoutEffect } from './tls-setting-without-effect';
import { plaintextToTlsPort } from './plaintext-to-tls-port';
import { certificateUnreadable } from './certificate-unreadable';
import { certificateExpired } from './certificate-expired';
import { certificateExpiresSoon } from './certificate-expires-soon';
import { certificateKeyMismatch } from './certificate-key-mismatch';
import { trustedCaNotCa } from './trusted-ca-not-ca';
import { upstreamTlsUntrustedIssuer } from './upstream-tls-untrusted-issuer';
import { upstreamTlsChainTooDeep } from './upstream-tls-chain-too-deep';
import { upstreamTlsNameNotInCertificate } from './upstream-tls-name-not-in-certificate';
import { upstreamClientCertRejected } from './upstream-client-cert-rejected';
import { upstreamUnreachable } from './upstream-unreachable';

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
  missingEvents,
  passInvalidUrl,
  missingListen,
  unknownVariable,
  upstreamNoServers,
  upstreamTlsUnverified,
  upstreamTlsNoTrustedCa,
  tlsWeakProtocols,
  tlsWeakCiphers,
  tlsCertWithoutKey,
  clientCertNotEnforced,
  clientCertNoCa,
  listenSslNoCertificate,
  upstreamTlsNameMismatch,
  upstreamTlsNoSni,
  upstreamTlsMixedVerification,
  tlsSettingWithoutEffect,
  plaintextToTlsPort,
  certificateUnreadable,
  certificateKeyMismatch,
  certificateExpired,
  certificateExpiresSoon,
  trustedCaNotCa,
  upstreamTlsUntrustedIssuer,
  upstreamTlsChainTooDeep,
  upstreamTlsNameNotInCertificate,
  upstreamClientCertRejected,
  upstreamUnreachable,
].map(withSecurityMetadata);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
