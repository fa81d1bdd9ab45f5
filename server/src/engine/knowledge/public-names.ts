// What the public web PKI can vouch for: the system CA bundles distributions ship, and the names the CAs in
// them may not certify (the CA/Browser Forum's rules forbid internal names and reserved domains).

/** Where distributions keep the bundle of publicly trusted CAs (Debian/Ubuntu/Alpine, RHEL/Fedora, SUSE, macOS/BSD). */
const SYSTEM_CA_BUNDLES = new Set([
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/share/certs/ca-root-nss.crt',
  '/usr/local/etc/ssl/cert.pem',
  // Debian's OpenSSL directory links to the bundle.
  '/usr/lib/ssl/cert.pem',
  '/usr/lib/ssl/certs/ca-certificates.crt',
]);

/**
 * Last labels of names no public CA certifies: special-use and reserved domains (localhost, local, test,
 * example, invalid, internal, alt, home.arpa) and the private suffixes networks and service meshes commonly
 * use without a delegation (Kubernetes' `svc` short form, Consul, Docker).
 */
const PRIVATE_SUFFIXES = new Set(['localhost', 'local', 'localdomain', 'test', 'example', 'invalid', 'internal', 'alt', 'arpa', 'lan', 'home', 'corp', 'intranet', 'private', 'svc', 'consul', 'docker']);

/** Whether `file` is a distribution's bundle of publicly trusted CAs. */
export function isSystemCaBundle(file: string): boolean {
  return SYSTEM_CA_BUNDLES.has(file);
}

/**
 * Whether a public CA may certify the DNS name `name`: at least two labels, and a last one that is not a
 * reserved or private suffix. (IP addresses and names with variables are for the caller to rule out first.)
 */
export function publiclyCertifiable(name: string): boolean {
  // A fully qualified name's trailing dot names the same host.
  if (name.endsWith('.')) name = name.slice(0, -1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return !PRIVATE_SUFFIXES.has(name.slice(dot + 1).toLowerCase());
}
