// Certificate signature checks for the web certificate parser, synchronous: the engine's `issued` question is
// synchronous and WebCrypto's verify is not. RSA PKCS#1 v1.5 and ECDSA on P-256 and P-384 with SHA-256/384/512
// (what CAs issue), and Ed25519; anything else (RSA-PSS, DSA, Ed448, P-521, compressed points) answers `undefined`:
// not checked.
// These only verify public data (no secret is involved), so plain BigInt arithmetic without constant time is fine.

import { bigintOf, bytesOf, children, content, oidString, readTlv } from './der';
import { ed25519Verify } from './ed25519';
import { sha256, sha384, sha512 } from './sha2';

type Hash = (d: Uint8Array) => Uint8Array;

const HASH_OF_OID: Record<string, Hash> = {
  '2.16.840.1.101.3.4.2.1': sha256,
  '2.16.840.1.101.3.4.2.2': sha384,
  '2.16.840.1.101.3.4.2.3': sha512,
};

const RSA: Record<string, string> = {
  '1.2.840.113549.1.1.11': '2.16.840.1.101.3.4.2.1',
  '1.2.840.113549.1.1.12': '2.16.840.1.101.3.4.2.2',
  '1.2.840.113549.1.1.13': '2.16.840.1.101.3.4.2.3',
};
const ECDSA: Record<string, Hash> = {
  '1.2.840.10045.4.3.2': sha256,
  '1.2.840.10045.4.3.3': sha384,
  '1.2.840.10045.4.3.4': sha512,
};

const ED25519 = '1.3.101.112';

interface Curve { p: bigint; a: bigint; n: bigint; g: [bigint, bigint]; bytes: number }

const P256_P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const P384_P = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n;
/** NIST's P-256 and P-384 (SP 800-186), named by their OIDs as a public key carries them. */
const CURVES: Record<string, Curve> = {
  '1.2.840.10045.3.1.7': {
    p: P256_P,
    a: P256_P - 3n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    g: [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n],
    bytes: 32,
  },
  '1.3.132.0.34': {
    p: P384_P,
    a: P384_P - 3n,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    g: [
      0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
      0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    ],
    bytes: 48,
  },
};

function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

function modInv(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  return mod(v, m);
}

/** Jacobian coordinates (X/Z², Y/Z³): additions without a modular inverse each. Z = 0 is the point at infinity. */
type J = [bigint, bigint, bigint];

function double(c: Curve, [x, y, z]: J): J {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const p = c.p;
  const yy = (y * y) % p;
  const s = (4n * x * yy) % p;
  const z2 = (z * z) % p;
  const m = mod(3n * x * x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, p), (2n * y * z) % p];
}

function add(c: Curve, a: J, b: J): J {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const p = c.p;
  const z1z1 = (a[2] * a[2]) % p;
  const z2z2 = (b[2] * b[2]) % p;
  const u1 = (a[0] * z2z2) % p;
  const u2 = (b[0] * z1z1) % p;
  const s1 = (a[1] * b[2] * z2z2) % p;
  const s2 = (b[1] * a[2] * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(c, a) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = (h * h) % p;
  const hhh = (hh * h) % p;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
  return [x3, mod(r * (u1 * hh - x3) - s1 * hhh, p), (h * a[2] * b[2]) % p];
}

function multiply(c: Curve, k: bigint, pt: J): J {
  let r: J = [0n, 1n, 0n];
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    r = double(c, r);
    if ((k >> i) & 1n) r = add(c, r, pt);
  }
  return r;
}

function verifyEcdsa(curve: Curve, hash: Hash, signed: Uint8Array, sig: Uint8Array, point: Uint8Array): boolean | undefined {
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 4) return undefined;
  const q: J = [bigintOf(point.subarray(1, 1 + curve.bytes)), bigintOf(point.subarray(1 + curve.bytes)), 1n];
  let r: bigint, s: bigint;
  try {
    const [rt, st] = children(sig, readTlv(sig, 0));
    r = bigintOf(content(sig, rt));
    s = bigintOf(content(sig, st));
  } catch {
    return false;
  }
  const n = curve.n;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const digest = hash(signed);
  // The digest's leftmost bits, as many as n has.
  const nBits = n.toString(2).length;
  let e = bigintOf(digest);
  if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits);
  const w = modInv(s, n);
  const sum = add(curve, multiply(curve, mod(e * w, n), [curve.g[0], curve.g[1], 1n]), multiply(curve, mod(r * w, n), q));
  if (sum[2] === 0n) return false;
  const zInv = modInv(sum[2], curve.p);
  const x = (sum[0] * zInv * zInv) % curve.p;
  return x % n === r;
}

function verifyRsa(hashOid: string, signed: Uint8Array, sig: Uint8Array, rsaPublicKey: Uint8Array): boolean {
  try {
    const [nt, et] = children(rsaPublicKey, readTlv(rsaPublicKey, 0));
    const n = bigintOf(content(rsaPublicKey, nt));
    const e = bigintOf(content(rsaPublicKey, et));
    const k = Math.ceil(n.toString(2).length / 8);
    if (sig.length !== k) return false;
    const em = bytesOf(modPow(bigintOf(sig), e, n), k);
    // EMSA-PKCS1-v1_5: 00 01 FF…FF 00 DigestInfo.
    if (em[0] !== 0 || em[1] !== 1) return false;
    let i = 2;
    while (i < em.length && em[i] === 0xff) i++;
    if (i < 10 || em[i] !== 0) return false;
    const info = em.subarray(i + 1);
    const top = readTlv(info, 0);
    if (top.end !== info.length) return false;
    const [alg, digest] = children(info, top);
    const [oid] = children(info, alg);
    if (oidString(content(info, oid)) !== hashOid) return false;
    const expected = HASH_OF_OID[hashOid](signed);
    const got = content(info, digest);
    return got.length === expected.length && got.every((x, j) => x === expected[j]);
  } catch {
    return false;
  }
}

/**
 * Whether `sig` over `signed` verifies with the key of `spki` under the signature algorithm `algOid`:
 * `undefined` when the algorithm or key is not one this module checks.
 */
export function verifySignature(algOid: string, signed: Uint8Array, sig: Uint8Array, spki: Uint8Array): boolean | undefined {
  try {
    const [alg, key] = children(spki, readTlv(spki, 0));
    const [keyOid, params] = children(spki, alg);
    const keyType = oidString(content(spki, keyOid));
    // A BIT STRING: its first byte counts the unused bits (0 for keys).
    const keyBits = content(spki, key).subarray(1);
    if (RSA[algOid]) return keyType === '1.2.840.113549.1.1.1' ? verifyRsa(RSA[algOid], signed, sig, keyBits) : false;
    if (ECDSA[algOid]) {
      if (keyType !== '1.2.840.10045.2.1' || !params || params.tag !== 0x06) return false;
      const curve = CURVES[oidString(content(spki, params))];
      return curve ? verifyEcdsa(curve, ECDSA[algOid], signed, sig, keyBits) : undefined;
    }
    if (algOid === ED25519) return keyType === ED25519 ? ed25519Verify(keyBits, signed, sig) : false;
    return undefined;
  } catch {
    return false;
  }
}
