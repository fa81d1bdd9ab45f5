// PEM blocks of a file, found the way OpenSSL's PEM reader finds them: `-----BEGIN X-----` to
// `-----END X-----`, anything between blocks ignored.

export interface PemBlock {
  label: string;
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9. ]+)-----[\s\S]*?-----END \1-----/g;

export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) out.push({ label: m[1], text: m[0] });
  return out;
}

export const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);
export const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
export const CRL_LABELS = new Set(['X509 CRL']);
export const DH_PARAMETER_LABELS = new Set(['DH PARAMETERS', 'X9.42 DH PARAMETERS']);
