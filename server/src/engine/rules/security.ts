// Security classification of the TLS rules for code scanning: tags (`security` and the CWE in CodeQL's
// `external/cwe/cwe-N` form), a security severity on GitHub's 0–10 scale (≥ 9 critical, 7–8.9 high, 4–6.9
// medium, < 4 low), and the CIS NGINX Benchmark recommendation a rule implements, only where a public copy of
// the benchmark's item confirms the number. Kept in one table so that every mapping and its source can be
// reviewed together; rules/index.ts applies it.
//
// CWE definitions: https://cwe.mitre.org/data/definitions/N.html
//   295 Improper Certificate Validation · 297 Improper Validation of Certificate with Host Mismatch
//   306 Missing Authentication for Critical Function · 319 Cleartext Transmission of Sensitive Information
//   326 Inadequate Encryption Strength · 327 Use of a Broken or Risky Cryptographic Algorithm
// CIS numbers, as published in Tenable's copies of the CIS audit items:
//   v2.0.1 4.1.10 https://www.tenable.com/audits/items/CIS_NGINX_v2.0.1_Level_2_Loadbalancer.audit:22406728cfbf453d3a04d2078e66b153
//   v2.1.0 4.1.4, 4.1.5 https://www.tenable.com/audits/CIS_NGINX_v2.1.0_Level_1_Loadbalancer
// The severities are this project's judgement (roughly the CVSS base score of the worst case), not taken
// from a source.

import type { Rule } from './rule';

export type SecurityMetadata = Pick<Rule, 'tags' | 'securitySeverity' | 'cis'>;

const cwe = (...n: number[]) => ['security', ...n.map((x) => `external/cwe/cwe-${x}`)];

const CIS_UPSTREAM_TRUSTED = {
  benchmark: 'CIS NGINX Benchmark v2.0.1',
  recommendation: '4.1.10 Ensure the upstream traffic server certificate is trusted',
  source:
    'https://www.tenable.com/audits/items/CIS_NGINX_v2.0.1_Level_2_Loadbalancer.audit:22406728cfbf453d3a04d2078e66b153',
};

export const SECURITY_METADATA: Readonly<Record<string, SecurityMetadata>> = {
  // Anyone on the path can present any certificate: a man in the middle (CVSS AV:N/AC:H/C:H/I:H ≈ 7.4).
  'upstream-tls-unverified': { tags: cwe(295), securitySeverity: 7.4, cis: CIS_UPSTREAM_TRUSTED },
  // Verification asked for but impossible (nginx -t fails): the config that follows is often "verify off".
  'upstream-tls-no-trusted-ca': { tags: cwe(295), securitySeverity: 5.0, cis: CIS_UPSTREAM_TRUSTED },
  // Checked against a name no certificate carries: every request fails, and the usual "fix" is verify off.
  'upstream-tls-name-mismatch': { tags: cwe(295, 297), securitySeverity: 4.0 },
  // No SNI: the upstream answers with its default certificate; unverified, that may be another site.
  'upstream-tls-no-sni': { tags: cwe(297), securitySeverity: 3.7 },
  // A TLS session resumed without the verification the other location asks for.
  'upstream-tls-mixed-verification': { tags: cwe(295), securitySeverity: 6.5 },
  'tls-weak-protocols': {
    tags: cwe(326, 327),
    securitySeverity: 5.9,
    cis: {
      benchmark: 'CIS NGINX Benchmark v2.1.0',
      recommendation: '4.1.4 Ensure only modern TLS protocols are used',
      source: 'https://www.tenable.com/audits/CIS_NGINX_v2.1.0_Level_1_Loadbalancer',
    },
  },
  // NULL and anonymous suites: no encryption or no authentication at all.
  'tls-weak-ciphers': {
    tags: cwe(327, 326),
    securitySeverity: 7.4,
    cis: {
      benchmark: 'CIS NGINX Benchmark v2.1.0',
      recommendation: '4.1.5 Disable weak ciphers',
      source: 'https://www.tenable.com/audits/CIS_NGINX_v2.1.0_Level_1_Loadbalancer',
    },
  },
  // Requests without a client certificate reach what mutual TLS was meant to protect.
  'client-cert-not-enforced': { tags: cwe(306), securitySeverity: 7.5 },
  // Client verification without a CA: nginx -t fails.
  'client-cert-no-ca': { tags: cwe(295), securitySeverity: 4.0 },
  // Verification settings that are never read, or a stream upstream in clear text despite its TLS settings.
  'tls-setting-without-effect': { tags: cwe(295, 319), securitySeverity: 3.7 },
  // HTTP to a TLS port: the request goes out unencrypted.
  'plaintext-to-tls-port': { tags: cwe(319), securitySeverity: 4.3 },
  // A TLS server that cannot start or cannot complete a handshake: availability, no weakness in CWE's sense.
  'tls-cert-without-key': { tags: ['security'], securitySeverity: 3.0 },
  'listen-ssl-no-certificate': { tags: ['security'], securitySeverity: 3.0 },
  // Certificates: an expired one is a validation weakness (CWE-298) once anything trusts it anyway; the
  // others predict a config nginx refuses or a handshake that fails (availability, no CWE weakness).
  'certificate-expired': { tags: cwe(298), securitySeverity: 5.3 },
  'certificate-expires-soon': { tags: cwe(298), securitySeverity: 3.1 },
  'certificate-key-mismatch': { tags: ['security'], securitySeverity: 3.0 },
  'certificate-unreadable': { tags: ['security'], securitySeverity: 3.0 },
  'trusted-ca-not-ca': { tags: ['security'], securitySeverity: 3.0 },
  'upstream-tls-untrusted-issuer': { tags: ['security'], securitySeverity: 3.0 },
  'upstream-tls-chain-too-deep': { tags: ['security'], securitySeverity: 3.0 },
  'upstream-tls-name-not-in-certificate': { tags: ['security'], securitySeverity: 3.0 },
  'upstream-client-cert-rejected': { tags: ['security'], securitySeverity: 3.0 },
};

/** The rule with its security metadata (rules without an entry are returned as they are). */
export function withSecurityMetadata(rule: Rule): Rule {
  const m = Object.prototype.hasOwnProperty.call(SECURITY_METADATA, rule.id) ? SECURITY_METADATA[rule.id] : undefined;
  return m ? { ...rule, ...m, tags: [...new Set([...(rule.tags ?? []), ...(m.tags ?? [])])] } : rule;
}
