// The engine's CertificateParser on node:crypto (OpenSSL, the library nginx itself uses).

import { createHash, createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateInfo, CertificateParser, KeyInfo } from '../engine';

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256, 'P-256': 256, 'P-384': 384, 'P-521': 521 };
const KEY_TYPES: Record<string, string> = { rsa: 'RSA', 'rsa-pss': 'RSA-PSS', dsa: 'DSA', ec: 'EC', ed25519: 'Ed25519', ed448: 'Ed448', x25519: 'X25519', x448: 'X448', dh: 'DH' };

function keyFacts(k: KeyObject): { keyType: string; keySize?: number; curve?: string } {
  const type = k.asymmetricKeyType ?? 'unknown';
  const d = k.asymmetricKeyDetails ?? {};
  const curve = d.namedCurve;
  const keySize = d.modulusLength ?? (curve ? CURVE_BITS[curve] : type === 'ed25519' ? 256 : type === 'ed448' ? 456 : undefined);
  return { keyType: KEY_TYPES[type] ?? type, keySize, curve };
}

function keyId(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** OpenSSL's one-per-line names (`C=US\nCN=x`) on one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function altNames(x: X509Certificate): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const part of (x.subjectAltName ?? '').split(/, (?=[A-Za-z ]+:)/)) {
    const m = /^([A-Za-z ]+):(.*)$/.exec(part.trim());
    if (!m) continue;
    let v = m[2];
    if (v.startsWith('"')) { try { v = JSON.parse(v) as string; } catch { /* as is */ } }
    if (m[1] === 'DNS') dns.push(v);
    else if (m[1] === 'IP Address') ip.push(v);
  }
  return { dns, ip };
}

const handles = new WeakMap<CertificateInfo, X509Certificate>();

export const nodeCertificateParser: CertificateParser = {
  certificate(pem) {
    const x = new X509Certificate(pem);
    const { dns, ip } = altNames(x);
    const info: CertificateInfo = {
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      serial: x.serialNumber,
      notBefore: Date.parse(x.validFrom),
      notAfter: Date.parse(x.validTo),
      isCa: x.ca,
      // Names and key identifiers (OpenSSL's check); the signature is only checked where a chain is built.
      selfSigned: x.checkIssued(x),
      dnsNames: dns,
      ipAddresses: ip,
      fingerprint256: x.fingerprint256,
      ...keyFacts(x.publicKey),
      publicKeyId: keyId(x.publicKey),
    };
    handles.set(info, x);
    return info;
  },
  privateKey(pem): KeyInfo {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)) return { keyType: 'encrypted', encrypted: true };
    const k = createPrivateKey({ key: pem, format: 'pem' });
    const pub = createPublicKey(k);
    return { ...keyFacts(k), publicKeyId: keyId(pub), encrypted: false };
  },
  issued(issuer, subject) {
    const i = handles.get(issuer);
    const s = handles.get(subject);
    return !!i && !!s && s.checkIssued(i) && safeVerify(s, i.publicKey);
  },
};

function safeVerify(x: X509Certificate, key: KeyObject): boolean {
  try {
    return x.verify(key);
  } catch {
    return false;
  }
}
