// The few DER facts the web certificate parser needs byte-exact, where a schema library re-encodes or converts:
// the signed part of a certificate as it was signed, its signature bits, raw subjectAltName entries, and DER
// written back for a public key (its digest must equal OpenSSL's). Everything else is @peculiar/x509's.

export interface Tlv {
  tag: number;
  /** Offsets into the buffer: the whole element, and its content. */
  start: number;
  contentStart: number;
  end: number;
}

export function readTlv(b: Uint8Array, at: number): Tlv {
  if (at + 2 > b.length) throw new Error('truncated DER');
  const tag = b[at];
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not used here');
  let len = b[at + 1];
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++];
  }
  if (p + len > b.length) throw new Error('truncated DER');
  return { tag, start: at, contentStart: p, end: p + len };
}

/** The elements inside a constructed element. */
export function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.end; ) {
    const t = readTlv(b, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function content(b: Uint8Array, t: Tlv): Uint8Array {
  return b.subarray(t.contentStart, t.end);
}

export function oidString(bytes: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const x of bytes) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) { parts.push(v); v = 0; }
  }
  if (parts.length === 0) return '';
  const first = parts[0] < 80 ? Math.floor(parts[0] / 40) : 2;
  return [first, parts[0] - first * 40, ...parts.slice(1)].join('.');
}

export function encode(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const lenBytes: number[] = [];
  if (len < 0x80) lenBytes.push(len);
  else {
    for (let l = len; l > 0; l = Math.floor(l / 256)) lenBytes.unshift(l % 256);
    lenBytes.unshift(0x80 | lenBytes.length);
  }
  const out = new Uint8Array(1 + lenBytes.length + len);
  out[0] = tag;
  out.set(lenBytes, 1);
  let p = 1 + lenBytes.length;
  for (const x of parts) { out.set(x, p); p += x.length; }
  return out;
}

export function bigintOf(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const x of bytes) v = (v << 8n) | BigInt(x);
  return v;
}

export function bytesOf(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const x of bytes) s += x.toString(16).padStart(2, '0');
  return s;
}

/** The bytes of the first PEM block of `pem`, with its label and headers (`Proc-Type: …`). */
export function pemDecode(pem: string): { label: string; der: Uint8Array; headers: string } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('not a PEM block');
  let body = m[2];
  let headers = '';
  const blank = /\r?\n\s*\r?\n/.exec(body);
  if (/^\s*[A-Za-z-]+:/.test(body) && blank) {
    headers = body.slice(0, blank.index);
    body = body.slice(blank.index + blank[0].length);
  }
  const b64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) throw new Error('bad base64 in the PEM block');
  const bin = atob(b64);
  const der = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
  return { label: m[1], der, headers };
}
