// The engine's CertificateParser in a browser (the web language server), on @peculiar/x509: pure JavaScript,
// no Node built-ins. It answers what node/node-certificates.ts answers from OpenSSL, in the same words
// (test/certificates/parsers.test.ts runs both over one PKI), synchronously, because the engine asks
// synchronously and WebCrypto only answers with promises. So what WebCrypto would do is done here:
// SHA-2 digests (sha2.ts) and signature checks (signatures.ts); private keys are read with the ASN.1 schemas
// @peculiar/x509 is built on.
//
// Keys that do not carry their public half get it derived (Ed25519 in ed25519.ts, DSA's g^x); the others
// (Ed448, X25519/X448, DH) have no `publicKeyId`, so certificate-key-mismatch says nothing about them, as
// for an encrypted key. And `issued` checks names, key
// identifiers and key usage always, the signature for RSA PKCS#1 v1.5, ECDSA P-256/P-384 (what CAs use) and
// Ed25519; for other signatures (RSA-PSS, DSA, Ed448, P-521) it stops at the names and identifiers.

// tsyringe (under @peculiar/x509) needs the Reflect metadata API before it loads; the lite build leaves out
// the Map/WeakMap fallbacks for engines without them (every browser VS Code runs in has them).
import 'reflect-metadata/lite';
import { AuthorityKeyIdentifierExtension, BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, Name, SubjectKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { RSAPrivateKey, RSAPublicKey } from '@peculiar/asn1-rsa';
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import type { CertificateInfo, CertificateParser, KeyInfo } from '../engine';
import { bigintOf, children, content, encode, hex, oidString, pemDecode, readTlv } from './der';
import { ed25519PublicKey } from './ed25519';
import { sha256 } from './sha2';
import { verifySignature } from './signatures';

const OID = {
  rsa: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  dsa: '1.2.840.10040.4.1',
  ec: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  dh: '1.2.840.113549.1.3.1',
};
const KEY_TYPES: Record<string, string> = {
  [OID.rsa]: 'RSA', [OID.rsaPss]: 'RSA-PSS', [OID.dsa]: 'DSA', [OID.ec]: 'EC', [OID.ed25519]: 'Ed25519',
  [OID.ed448]: 'Ed448', [OID.x25519]: 'X25519', [OID.x448]: 'X448', [OID.dh]: 'DH',
};
/** OpenSSL's curve names and sizes (node:crypto reports `namedCurve` in OpenSSL's words). */
const CURVES: Record<string, { name: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'prime256v1', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
};
/** Sizes node reports for keys without a modulus or curve. */
const FIXED_BITS: Record<string, number> = { [OID.ed25519]: 256, [OID.ed448]: 456 };

/** OpenSSL's short names of name attributes, so that subjects read as node:crypto prints them. */
const NAME_ATTRIBUTES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title', '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode', '2.5.4.42': 'GN', '2.5.4.43': 'initials', '2.5.4.46': 'dnQualifier', '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier', '1.2.840.113549.1.9.1': 'emailAddress', '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID', '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL', '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

/** A value as OpenSSL's RFC 2253 escaping writes it (node:crypto's subject and issuer strings). */
function escapeValue(v: string): string {
  let s = v.replace(/[,+"\\<>;]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (/^[# ]/.test(s)) s = '\\' + s;
  if (/ $/.test(s) && s.length > 1) s = s.slice(0, -1) + '\\ ';
  return s;
}

/** `C=US, O=Example, CN=x`: the name in certificate order, as node/node-certificates.ts writes it. */
function nameText(der: Uint8Array): string {
  const parts: string[] = [];
  for (const rdn of new Name(der.slice(), NAME_ATTRIBUTES).toJSON()) {
    parts.push(Object.entries(rdn).flatMap(([k, vs]) => vs.map((v) => `${k}=${escapeValue(v)}`)).join(' + '));
  }
  return parts.join(', ');
}

/** OpenSSL's text for an IP SAN: dotted IPv4, IPv6 as eight upper-case groups without compression. */
function ipText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) return Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16).toUpperCase()).join(':');
  return '<invalid>';
}

function altNames(extValue: Uint8Array): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const n of children(extValue, readTlv(extValue, 0))) {
    const v = content(extValue, n);
    // [2] dNSName (IA5String), [7] iPAddress (OCTET STRING), both implicitly tagged.
    if (n.tag === 0x82) dns.push(String.fromCharCode(...v));
    else if (n.tag === 0x87) ip.push(ipText(v));
  }
  return { dns, ip };
}

interface KeyFacts { keyType: string; keySize?: number; curve?: string }

/** Type, size and curve of a SubjectPublicKeyInfo, in node:crypto's words. */
function spkiFacts(spki: Uint8Array): KeyFacts {
  const [alg, key] = children(spki, readTlv(spki, 0));
  const [oidT, params] = children(spki, alg);
  const oid = oidString(content(spki, oidT));
  const keyType = KEY_TYPES[oid] ?? oid;
  if (oid === OID.rsa || oid === OID.rsaPss) {
    const pub = AsnConvert.parse(content(spki, key).subarray(1), RSAPublicKey);
    return { keyType, keySize: bitLength(new Uint8Array(pub.modulus)), curve: undefined };
  }
  if (oid === OID.ec && params?.tag === 0x06) {
    const c = CURVES[oidString(content(spki, params))];
    return { keyType, keySize: c?.bits, curve: c?.name ?? oidString(content(spki, params)) };
  }
  if (oid === OID.dsa && params) {
    const [p] = children(spki, params);
    return { keyType, keySize: bitLength(content(spki, p)), curve: undefined };
  }
  return { keyType, keySize: FIXED_BITS[oid], curve: undefined };
}

function bitLength(unsigned: Uint8Array): number {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  if (i === unsigned.length) return 0;
  return (unsigned.length - i - 1) * 8 + unsigned[i].toString(2).length;
}

/** What equals for a certificate and its private key: the SHA-256 of the DER public key, as node's keyId. */
function keyId(spki: Uint8Array): string {
  return hex(sha256(spki));
}

const u8 = (b: ArrayBuffer | ArrayBufferView): Uint8Array => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
const SEQUENCE = 0x30;
const NULL = new Uint8Array([0x05, 0x00]);
/** A BIT STRING of whole bytes. */
const bitString = (b: Uint8Array) => encode(0x03, new Uint8Array([0]), b);
const oidDer = (oid: string) => u8(AsnConvert.serialize(new ECParameters({ namedCurve: oid })));

/** The SubjectPublicKeyInfo OpenSSL writes for an RSA key (parameters NULL). */
function rsaSpki(modulus: ArrayBuffer, exponent: ArrayBuffer): Uint8Array {
  const pub = u8(AsnConvert.serialize(new RSAPublicKey({ modulus, publicExponent: exponent })));
  return encode(SEQUENCE, encode(SEQUENCE, oidDer(OID.rsa), NULL), bitString(pub));
}

/** An EC key's SubjectPublicKeyInfo, when the private key carries its public point (OpenSSL writes it). */
function ecFacts(k: ECPrivateKey, curveOid: string | undefined): KeyFacts & { publicKeyId?: string } {
  const c = curveOid ? CURVES[curveOid] : undefined;
  const facts = { keyType: 'EC', keySize: c?.bits, curve: c?.name ?? curveOid };
  if (!k.publicKey || !curveOid) return facts;
  const spki = encode(SEQUENCE, encode(SEQUENCE, oidDer(OID.ec), oidDer(curveOid)), bitString(u8(k.publicKey)));
  return { ...facts, publicKeyId: keyId(spki) };
}

/** A DSA key's facts and the digest of its SubjectPublicKeyInfo (parameters p, q, g; the key y as an INTEGER). */
function dsaFacts(p: Uint8Array, q: Uint8Array, g: Uint8Array, y: Uint8Array): KeyFacts & { publicKeyId: string } {
  const int = (b: Uint8Array) => encode(0x02, b);
  const spki = encode(SEQUENCE, encode(SEQUENCE, oidDer(OID.dsa), encode(SEQUENCE, int(p), int(q), int(g))), bitString(int(y)));
  return { keyType: 'DSA', keySize: bitLength(p), curve: undefined, publicKeyId: keyId(spki) };
}

/** The content bytes of a DER INTEGER for a non-negative value (a leading zero byte when the top bit is set). */
function bytesToInteger(v: bigint): Uint8Array {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = '00' + h;
  return Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

function privateKeyFacts(label: string, der: Uint8Array): KeyFacts & { publicKeyId?: string } {
  if (label === 'RSA PRIVATE KEY') {
    const k = AsnConvert.parse(der, RSAPrivateKey);
    return { keyType: 'RSA', keySize: bitLength(new Uint8Array(k.modulus)), curve: undefined, publicKeyId: keyId(rsaSpki(k.modulus, k.publicExponent)) };
  }
  if (label === 'EC PRIVATE KEY') {
    const k = AsnConvert.parse(der, ECPrivateKey);
    return ecFacts(k, k.parameters?.namedCurve);
  }
  if (label === 'PRIVATE KEY') {
    const info = AsnConvert.parse(der, PrivateKeyInfo);
    const alg = info.privateKeyAlgorithm.algorithm;
    const inner = u8(info.privateKey.buffer);
    if (alg === OID.rsa || alg === OID.rsaPss) {
      const k = AsnConvert.parse(inner, RSAPrivateKey);
      // The public key carries the private key's algorithm identifier as it is (RSA-PSS keeps its parameters).
      const algT = children(der, readTlv(der, 0))[1];
      const algDer = der.subarray(algT.start, algT.end);
      const pub = u8(AsnConvert.serialize(new RSAPublicKey({ modulus: k.modulus, publicExponent: k.publicExponent })));
      return { keyType: KEY_TYPES[alg], keySize: bitLength(new Uint8Array(k.modulus)), curve: undefined, publicKeyId: keyId(encode(SEQUENCE, algDer, bitString(pub))) };
    }
    if (alg === OID.ec) {
      const params = info.privateKeyAlgorithm.parameters;
      const curve = params ? AsnConvert.parse(params, ECParameters).namedCurve : undefined;
      return ecFacts(AsnConvert.parse(inner, ECPrivateKey), curve);
    }
    if (alg === OID.ed25519) {
      // CurvePrivateKey: an OCTET STRING holding the 32-byte seed, from which the public key is derived.
      const seed = content(inner, readTlv(inner, 0));
      if (seed.length !== 32) throw new Error('bad Ed25519 private key');
      const spki = encode(SEQUENCE, encode(SEQUENCE, oidDer(OID.ed25519)), bitString(ed25519PublicKey(seed)));
      return { keyType: 'Ed25519', keySize: 256, curve: undefined, publicKeyId: keyId(spki) };
    }
    if (alg === OID.dsa) {
      // The private key is x alone; the public key is y = g^x mod p, with p, q, g from the algorithm's parameters.
      const algT = children(der, readTlv(der, 0))[1];
      const paramsT = children(der, algT)[1];
      const [p, q, g] = children(der, paramsT).map((t) => content(der, t));
      const x = content(inner, readTlv(inner, 0));
      return dsaFacts(p, q, g, bytesToInteger(modPow(bigintOf(g), bigintOf(x), bigintOf(p))));
    }
    return { keyType: KEY_TYPES[alg] ?? alg, keySize: FIXED_BITS[alg], curve: undefined };
  }
  if (label === 'DSA PRIVATE KEY') {
    // OpenSSL's traditional form: version, p, q, g, y (public), x.
    const [, p, q, g, y] = children(der, readTlv(der, 0)).map((t) => content(der, t));
    return dsaFacts(p, q, g, y);
  }
  throw new Error(`unsupported key type (${label})`);
}

/** What `issued` needs beyond the plain data: raw parts of the certificate, kept beside it. */
interface Raw {
  subject: Uint8Array;
  issuer: Uint8Array;
  /** The names folded as OpenSSL compares them (case and inner spaces), for names encoded differently. */
  subjectFolded: string;
  issuerFolded: string;
  keyType: string;
  spki: Uint8Array;
  tbs: Uint8Array;
  sigAlg: string;
  signature: Uint8Array;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** keyUsage when present: whether it allows signing certificates. */
  certSign?: boolean;
}

const raws = new WeakMap<CertificateInfo, Raw>();

/** OpenSSL compares canonical forms of names (case and inner spaces folded): the one-line text folded likewise. */
const fold = (name: string) => name.toLowerCase().replace(/\s+/g, ' ');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** X509_check_issued: names, key identifiers, the issuer's key usage, and a key that fits the signature. */
function likelyIssued(i: Raw, s: Raw): boolean {
  if (i.subjectFolded !== s.issuerFolded && !sameBytes(i.subject, s.issuer)) return false;
  if (s.authorityKeyId && i.subjectKeyId && s.authorityKeyId !== i.subjectKeyId) return false;
  if (i.certSign === false) return false;
  const keyType = i.keyType;
  const sigKey = s.sigAlg.startsWith('1.2.840.10045.4.') ? 'EC' : s.sigAlg.startsWith('1.2.840.113549.1.1.') ? (s.sigAlg === '1.2.840.113549.1.1.10' ? 'RSA-PSS' : 'RSA') : s.sigAlg === OID.ed25519 ? 'Ed25519' : s.sigAlg === OID.ed448 ? 'Ed448' : undefined;
  return !sigKey || sigKey === keyType || (sigKey === 'RSA-PSS' && keyType === 'RSA');
}

function colonHex(b: Uint8Array): string {
  return hex(b).toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

export const webCertificateParser: CertificateParser = {
  certificate(pem) {
    const { der: whole } = pemDecode(pem);
    // A TRUSTED CERTIFICATE block carries trust settings after the certificate: the certificate is the first element.
    const top = readTlv(whole, 0);
    const der = whole.subarray(0, top.end);
    const x = new X509Certificate(der.slice());
    const [tbsT, sigAlgT, sigT] = children(der, top);
    const tbsParts = children(der, tbsT);
    // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject, subjectPublicKeyInfo…
    const o = tbsParts[0].tag === 0xa0 ? 1 : 0;
    const issuer = der.subarray(tbsParts[o + 2].start, tbsParts[o + 2].end);
    const subject = der.subarray(tbsParts[o + 4].start, tbsParts[o + 4].end);
    const spki = der.subarray(tbsParts[o + 5].start, tbsParts[o + 5].end);
    const bc = x.getExtension(BasicConstraintsExtension);
    const ku = x.getExtension(KeyUsagesExtension);
    const certSign = ku ? (ku.usages & KeyUsageFlags.keyCertSign) !== 0 : undefined;
    const san = x.getExtension('2.5.29.17');
    const { dns, ip } = san ? altNames(u8(san.value)) : { dns: [], ip: [] };
    const subjectText = nameText(subject);
    const issuerText = nameText(issuer);
    const facts = spkiFacts(spki);
    const raw: Raw = {
      subject,
      issuer,
      subjectFolded: fold(subjectText),
      issuerFolded: fold(issuerText),
      keyType: facts.keyType,
      spki,
      tbs: der.subarray(tbsT.start, tbsT.end),
      sigAlg: oidString(content(der, children(der, sigAlgT)[0])),
      signature: content(der, sigT).subarray(1),
      subjectKeyId: x.getExtension(SubjectKeyIdentifierExtension)?.keyId.toLowerCase(),
      authorityKeyId: x.getExtension(AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase(),
      certSign,
    };
    const info: CertificateInfo = {
      subject: subjectText,
      issuer: issuerText,
      // Whole bytes in upper-case hex as OpenSSL's BN_bn2hex writes them, which writes zero as "0".
      serial: /^0+$/.test(x.serialNumber) ? '0' : x.serialNumber.toUpperCase(),
      notBefore: x.notBefore.getTime(),
      notAfter: x.notAfter.getTime(),
      // X509_check_ca's answer 1, as node's `ca`: CA:TRUE, and keyCertSign when a key usage is given.
      isCa: !!bc?.ca && certSign !== false,
      // Names and key identifiers, as node:crypto's checkIssued(itself); the signature is checked only in chains.
      selfSigned: likelyIssued(raw, raw),
      dnsNames: dns,
      ipAddresses: ip,
      fingerprint256: colonHex(sha256(der)),
      ...facts,
      publicKeyId: keyId(spki),
    };
    raws.set(info, raw);
    return info;
  },
  privateKey(pem): KeyInfo {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)) return { keyType: 'encrypted', encrypted: true };
    const { label, der } = pemDecode(pem);
    return { ...privateKeyFacts(label, der), encrypted: false };
  },
  issued(issuer, subject) {
    const i = raws.get(issuer);
    const s = raws.get(subject);
    if (!i || !s || !likelyIssued(i, s)) return false;
    // A signature this parser cannot check (see above) leaves the answer to the names and key identifiers.
    return verifySignature(s.sigAlg, s.tbs, s.signature, i.spki) ?? true;
  },
};
