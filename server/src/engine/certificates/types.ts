// What the engine knows about a certificate or a key: plain data, so that rules, hovers and findings never
// see a crypto library. The parser behind `CertificateParser` is given by the adapter (node:crypto in the
// CLI and the language server; a WebCrypto one can sit beside it for a browser build).

export interface CertificateInfo {
  /** `CN=backend.test, O=Example` */
  subject: string;
  issuer: string;
  serial: string;
  /** Milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  /** basicConstraints CA:TRUE. */
  isCa: boolean;
  selfSigned: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  /** `AB:CD:…`, upper-case hex pairs. */
  fingerprint256: string;
  /** `RSA`, `EC`, `Ed25519`… */
  keyType: string;
  /** Bits for RSA/DSA; the curve's size for EC. */
  keySize?: number;
  /** The EC curve (`prime256v1`). */
  curve?: string;
  /** Equal for a certificate and the private key of its public key (a digest of the public key). */
  publicKeyId: string;
}

export interface KeyInfo {
  keyType: string;
  keySize?: number;
  curve?: string;
  /** Absent for an encrypted key (nginx needs ssl_password_file to read it; so do we). */
  publicKeyId?: string;
  encrypted: boolean;
}

export interface CertificateParser {
  /** One PEM block (`-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----`). Throws when it is not one. */
  certificate(pem: string): CertificateInfo;
  /** One PEM private key block (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8). Throws when it cannot be read. */
  privateKey(pem: string): KeyInfo;
  /** Whether `issuer` signed `subject` (names match and the signature verifies). */
  issued(issuer: CertificateInfo, subject: CertificateInfo): boolean;
}

/** What a file named by a certificate, key or CA directive holds. */
export interface PemFile {
  path: string;
  certificates: CertificateInfo[];
  keys: KeyInfo[];
  crls: number;
  /** PEM blocks of DH parameters (what `ssl_dhparam` reads). */
  dhParameters: number;
  /** The sizes in bytes the file can have, as far as its text tells (what `ssl_session_ticket_key` checks). */
  sizes: readonly number[];
  /** PEM blocks that could not be parsed, in words. */
  broken: string[];
}
