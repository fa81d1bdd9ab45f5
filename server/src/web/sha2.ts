// SHA-256, SHA-384 and SHA-512 (FIPS 180-4), synchronous. The engine asks for fingerprints, key digests and
// signature checks synchronously, and a browser's WebCrypto only digests asynchronously, so the web
// certificate parser hashes here. Certificates are a few kilobytes: plain code is fast enough.
//
// The round constants and initial values are derived as the standard defines them (fractional parts of
// square and cube roots of the first primes), with exact integer roots, rather than written out as tables.

function primes(count: number): bigint[] {
  const out: bigint[] = [];
  for (let n = 2; out.length < count; n++) if (out.every((p) => n % Number(p) !== 0)) out.push(BigInt(n));
  return out;
}

/** floor(x^(1/k)) by Newton's method on integers. */
function iroot(x: bigint, k: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

/** The first `bits` bits of the fractional part of p^(1/k). */
function fraction(p: bigint, k: bigint, bits: bigint): bigint {
  return iroot(p << (bits * k), k) & ((1n << bits) - 1n);
}

const P80 = primes(80);
const K256 = Uint32Array.from(P80.slice(0, 64), (p) => Number(fraction(p, 3n, 32n)));
const H256 = Uint32Array.from(P80.slice(0, 8), (p) => Number(fraction(p, 2n, 32n)));
const K512 = P80.map((p) => fraction(p, 3n, 64n));
const H512 = P80.slice(0, 8).map((p) => fraction(p, 2n, 64n));
const H384 = P80.slice(8, 16).map((p) => fraction(p, 2n, 64n));

/** The message, its 1 bit, zeros and its length in bits: a whole number of `block`-byte blocks. */
function pad(data: Uint8Array, block: number, lengthBytes: number): Uint8Array {
  const total = Math.ceil((data.length + 1 + lengthBytes) / block) * block;
  const out = new Uint8Array(total);
  out.set(data);
  out[data.length] = 0x80;
  let bits = BigInt(data.length) * 8n;
  for (let i = total - 1; bits > 0n; i--, bits >>= 8n) out[i] = Number(bits & 0xffn);
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  const m = pad(data, 64, 8);
  const h = Uint32Array.from(H256);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  const out = new Uint8Array(32);
  h.forEach((x, i) => { out[4 * i] = x >>> 24; out[4 * i + 1] = x >>> 16; out[4 * i + 2] = x >>> 8; out[4 * i + 3] = x; });
  return out;
}

/** SHA-512 on BigInt words: slow next to SHA-256, and used only for signature checks of SHA-384/512 certificates. */
function sha512Family(data: Uint8Array, iv: bigint[], outBytes: number): Uint8Array {
  const M = (1n << 64n) - 1n;
  const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & M;
  const m = pad(data, 128, 16);
  const h = [...iv];
  const w: bigint[] = new Array(80);
  for (let off = 0; off < m.length; off += 128) {
    for (let i = 0; i < 16; i++) {
      let x = 0n;
      for (let j = 0; j < 8; j++) x = (x << 8n) | BigInt(m[off + 8 * i + j]);
      w[i] = x;
    }
    for (let i = 16; i < 80; i++) {
      const s0 = rotr(w[i - 15], 1n) ^ rotr(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
      const s1 = rotr(w[i - 2], 19n) ^ rotr(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 80; i++) {
      const t1 = (hh + (rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n)) + ((e & f) ^ (~e & M & g)) + K512[i] + w[i]) & M;
      const t2 = ((rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & M;
      hh = g; g = f; f = e; e = (d + t1) & M; d = c; c = b; b = a; a = (t1 + t2) & M;
    }
    [a, b, c, d, e, f, g, hh].forEach((x, i) => (h[i] = (h[i] + x) & M));
  }
  const out = new Uint8Array(64);
  h.forEach((x, i) => { for (let j = 0; j < 8; j++) out[8 * i + j] = Number((x >> BigInt(56 - 8 * j)) & 0xffn); });
  return out.slice(0, outBytes);
}

export const sha384 = (data: Uint8Array): Uint8Array => sha512Family(data, H384, 48);
export const sha512 = (data: Uint8Array): Uint8Array => sha512Family(data, H512, 64);
