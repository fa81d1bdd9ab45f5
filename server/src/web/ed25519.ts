// Ed25519 for the web certificate parser, synchronously (RFC 8032): the public key of a private key (OpenSSL
// writes Ed25519 keys in PKCS#8 without their public half, and certificate-key-mismatch compares public keys),
// and signature verification (`issued` on Ed25519-signed certificates). Only public data comes out and the key
// never leaves the worker, but this is not constant time: it is not meant for signing.
// The curve's constants are computed from their definitions (d = -121665/121666, the base point's y = 4/5).

import { sha512 } from './sha2';

const P = 2n ** 255n - 19n;

function mod(x: bigint): bigint {
  const r = x % P;
  return r < 0n ? r + P : r;
}

function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}

const inv = (x: bigint) => pow(x, P - 2n);
const D = mod(-121665n * inv(121666n));
const D2 = mod(2n * D);

/** The x with x² = (y² - 1)/(d·y² + 1) and the given low bit (RFC 8032, 5.1.3). */
function recoverX(y: bigint, odd: boolean): bigint {
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  if (mod(v * x * x) !== u) x = mod(x * pow(2n, (P - 1n) / 4n));
  if ((x & 1n) !== (odd ? 1n : 0n)) x = mod(-x);
  return x;
}

/** Extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, x·y = T/Z: one formula adds and doubles. */
type E = [bigint, bigint, bigint, bigint];

function add([x1, y1, z1, t1]: E, [x2, y2, z2, t2]: E): E {
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(t1 * D2 * t2);
  const d = mod(z1 * 2n * z2);
  const e = b - a, f = d - c, g = d + c, h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

const BY = mod(4n * inv(5n));
const BASE: E = (() => {
  const x = recoverX(BY, false);
  return [x, BY, 1n, mod(x * BY)];
})();

const ZERO: E = [0n, 1n, 1n, 0n];
/** The order of the base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function multiply(k: bigint, pt: E): E {
  let r = ZERO;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    r = add(r, r);
    if ((k >> i) & 1n) r = add(r, pt);
  }
  return r;
}

function littleEndian(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function encodePoint([X, Y, Z]: E): Uint8Array {
  const zi = inv(Z);
  const x = mod(X * zi);
  let y = mod(Y * zi);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn);
  if (x & 1n) out[31] |= 0x80;
  return out;
}

function decodePoint(b: Uint8Array): E | undefined {
  if (b.length !== 32) return undefined;
  const c = b.slice();
  const odd = (c[31] & 0x80) !== 0;
  c[31] &= 0x7f;
  const y = littleEndian(c);
  if (y >= P) return undefined;
  const x = recoverX(y, odd);
  // recoverX answers a root even where there is none: check that the point is on the curve.
  if (mod(-x * x + y * y - 1n - D * x * x * y * y) !== 0n) return undefined;
  return [x, y, 1n, mod(x * y)];
}

/** The 32-byte public key of a 32-byte Ed25519 private key (the seed). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const a = sha512(seed).slice(0, 32);
  a[0] &= 248;
  a[31] &= 127;
  a[31] |= 64;
  return encodePoint(multiply(littleEndian(a), BASE));
}

/** Whether `sig` is `pub`'s Ed25519 signature of `msg` (the cofactorless check: S·B = R + k·A). */
export function ed25519Verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const A = decodePoint(pub);
  const R = decodePoint(sig.subarray(0, 32));
  const S = littleEndian(sig.subarray(32));
  if (!A || !R || S >= L) return false;
  const both = new Uint8Array(64 + msg.length);
  both.set(sig.subarray(0, 32));
  both.set(pub, 32);
  both.set(msg, 64);
  const k = littleEndian(sha512(both)) % L;
  const left = encodePoint(multiply(S, BASE));
  const right = encodePoint(add(R, multiply(k, A)));
  return left.every((x, i) => x === right[i]);
}
