// The two CertificateParsers, node:crypto's (CLI, desktop server) and @peculiar/x509's (the web server), over
// the same openssl-made certificates and keys: every answer the rules use must be the same, so a config
// reads the same in vscode.dev as on the desktop. The PKI: the rules' case PKI and the handshake PKI of
// test/support/pki.ts, plus RSA (PKCS#8 and PKCS#1), RSA-PSS, DSA, P-384 with SHA-384, an RSA CA over an EC leaf, Ed25519,
// an encrypted key, a subject with characters OpenSSL escapes, IPv6 names, and CAs that copy another's name.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { webCertificateParser } from '../../server/src/web/web-certificates';
import { pemBlocks, CERTIFICATE_LABELS, KEY_LABELS } from '../../server/src/engine/certificates/pem';
import type { CertificateInfo } from '../../server/src/engine';
import { makeCasePki, makePki, opensslAvailable } from '../support/pki';

const skip = !opensslAvailable() && 'openssl is not installed: no test PKI can be made';
let dir = '';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: path.join(dir, 'extra'), stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Certificates and keys the shared PKIs do not have. */
function makeExtra(): void {
  const x = path.join(dir, 'extra');
  fs.mkdirSync(x);
  const write = (f: string, t: string) => fs.writeFileSync(path.join(x, f), t);
  // RSA: a CA with a PKCS#8 key, and the same kind of key in the traditional PKCS#1 form.
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa-ca.key', '-days', '30', '-subj', '/C=US/ST=Some State/O=Acme, Inc./CN=rsa ca/emailAddress=pki@acme.test',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'rsa-ca.crt']);
  openssl(['genrsa', '-traditional', '-out', 'rsa-pkcs1.key', '2048']);
  // An EC leaf signed by the RSA CA (an RSA signature to check), with IPv4 and IPv6 names.
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec-leaf.key']);
  openssl(['req', '-new', '-key', 'ec-leaf.key', '-subj', '/O=#hash; and \\+plus/CN= spaced ', '-out', 'ec-leaf.csr']);
  write('ec-leaf.ext', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nsubjectAltName=DNS:v6.test,IP:2001:db8::1,IP:10.1.2.3,IP:::ffff:1.2.3.4,email:ops@acme.test\n');
  openssl(['x509', '-req', '-in', 'ec-leaf.csr', '-CA', 'rsa-ca.crt', '-CAkey', 'rsa-ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'ec-leaf.ext', '-out', 'ec-leaf.crt']);
  // A name in UTF-8 (node:crypto prints it unescaped).
  openssl(['req', '-x509', '-new', '-key', 'ec-leaf.key', '-days', '30', '-utf8', '-subj', '/O=Bücher GmbH/CN=straße.test', '-out', 'utf8.crt']);
  // P-384 signing with SHA-384, a SEC1 ("EC PRIVATE KEY") key, over an RSA leaf.
  openssl(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'p384-ca.key']);
  openssl(['req', '-x509', '-new', '-key', 'p384-ca.key', '-sha384', '-days', '30', '-subj', '/CN=p384 ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', 'p384-ca.crt']);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa-leaf.key', '-subj', '/CN=rsa leaf', '-out', 'rsa-leaf.csr']);
  write('rsa-leaf.ext', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:rsa.test\n');
  openssl(['x509', '-req', '-sha384', '-in', 'rsa-leaf.csr', '-CA', 'p384-ca.crt', '-CAkey', 'p384-ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'rsa-leaf.ext', '-out', 'rsa-leaf.crt']);
  // RSA-PSS (its key keeps the PSS parameters) and DSA (PKCS#8 holds x alone; the traditional form holds y too).
  openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-out', 'pss.key']);
  openssl(['req', '-x509', '-new', '-key', 'pss.key', '-days', '30', '-subj', '/CN=pss', '-out', 'pss.crt']);
  openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', 'dsa-params.pem']);
  openssl(['genpkey', '-paramfile', 'dsa-params.pem', '-out', 'dsa.key']);
  openssl(['pkey', '-in', 'dsa.key', '-traditional', '-out', 'dsa-traditional.key']);
  openssl(['req', '-x509', '-new', '-key', 'dsa.key', '-days', '30', '-subj', '/CN=dsa', '-out', 'dsa.crt']);
  // Ed25519, and an encrypted key.
  openssl(['genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.key']);
  openssl(['req', '-x509', '-new', '-key', 'ed25519.key', '-days', '30', '-subj', '/CN=ed25519', '-out', 'ed25519.crt']);
  // An Ed25519 CA's leaf without key identifiers, and a second Ed25519 CA of the same name: only the signature differs.
  openssl(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed-forged.key', '-days', '30', '-subj', '/CN=ed25519',
    '-addext', 'subjectKeyIdentifier=none', '-addext', 'authorityKeyIdentifier=none', '-out', 'ed-forged.crt']);
  openssl(['req', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed-leaf.key', '-subj', '/CN=ed leaf', '-out', 'ed-leaf.csr']);
  write('ed-leaf.ext', 'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\nsubjectAltName=DNS:ed.test\n');
  openssl(['x509', '-req', '-in', 'ed-leaf.csr', '-CA', 'ed25519.crt', '-CAkey', 'ed25519.key', '-CAcreateserial', '-days', '30', '-extfile', 'ed-leaf.ext', '-out', 'ed-leaf.crt']);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes-128-cbc', '-pass', 'pass:secret', '-out', 'encrypted.key']);
  // A CA with the RSA CA's name and another key, and a leaf of the real one without key identifiers: only
  // the signature tells the two CAs apart.
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'forged-ca.key', '-days', '30', '-subj', '/C=US/ST=Some State/O=Acme, Inc./CN=rsa ca/emailAddress=pki@acme.test',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'subjectKeyIdentifier=none', '-addext', 'authorityKeyIdentifier=none', '-out', 'forged-ca.crt']);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'plain-leaf.key', '-subj', '/CN=plain leaf', '-out', 'plain-leaf.csr']);
  write('plain-leaf.ext', 'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\nsubjectAltName=DNS:plain.test\n');
  openssl(['x509', '-req', '-in', 'plain-leaf.csr', '-CA', 'rsa-ca.crt', '-CAkey', 'rsa-ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'plain-leaf.ext', '-out', 'plain-leaf.crt']);
}

interface Parsed { file: string; node: CertificateInfo; web: CertificateInfo }
const certs: Parsed[] = [];
const keys: { file: string; pem: string }[] = [];

before(() => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-parsers-'));
  makeCasePki(path.join(dir, 'case'));
  makePki(path.join(dir, 'handshake'));
  makeExtra();
  for (const sub of ['case', 'handshake', 'extra']) {
    for (const f of fs.readdirSync(path.join(dir, sub)).sort()) {
      const p = path.join(dir, sub, f);
      if (!fs.statSync(p).isFile()) continue;
      for (const b of pemBlocks(fs.readFileSync(p, 'latin1'))) {
        if (CERTIFICATE_LABELS.has(b.label)) certs.push({ file: `${sub}/${f}`, node: nodeCertificateParser.certificate(b.text), web: webCertificateParser.certificate(b.text) });
        else if (KEY_LABELS.has(b.label)) keys.push({ file: `${sub}/${f}`, pem: b.text });
      }
    }
  }
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/** Plain data as the engine sees it (an undefined field and a missing one are the same). */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

test('certificates: subject, issuer, serial, dates, CA flag, names, fingerprint, key facts and key digest are equal', (t) => {
  if (skip) return t.skip(skip);
  assert.ok(certs.length >= 20, `${certs.length} certificates`);
  for (const c of certs) assert.deepEqual(plain(c.web), plain(c.node), c.file);
  // The cases the parity is about are in the set.
  const by = (f: string) => certs.find((c) => c.file === f)!.web;
  assert.deepEqual(by('extra/ec-leaf.crt').ipAddresses, ['2001:DB8:0:0:0:0:0:1', '10.1.2.3', '0:0:0:0:0:FFFF:102:304']);
  assert.equal(by('case/expired.crt').notAfter, Date.UTC(2020, 1, 1));
  assert.equal(by('extra/utf8.crt').subject, 'O=Bücher GmbH, CN=straße.test');
  assert.equal(by('extra/rsa-ca.crt').keySize, 2048);
  assert.equal(by('extra/p384-ca.crt').curve, 'secp384r1');
  assert.ok(by('case/root.crt').isCa && !by('case/server.crt').isCa);
});

test('private keys: type, size, curve, encryption and the digest that pairs them with their certificate are equal', (t) => {
  if (skip) return t.skip(skip);
  assert.ok(keys.length >= 20, `${keys.length} keys`);
  const labels = new Set(keys.map((k) => /BEGIN ([A-Z ]+)-----/.exec(k.pem)![1]));
  for (const l of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) assert.ok(labels.has(l), l);
  for (const k of keys) {
    const node = plain(nodeCertificateParser.privateKey(k.pem));
    const web = plain(webCertificateParser.privateKey(k.pem));
    assert.deepEqual(web, node, k.file);
  }
  const key = (f: string) => webCertificateParser.privateKey(keys.find((k) => k.file === f)!.pem);
  const cert = (f: string) => certs.find((c) => c.file === f)!.web;
  assert.equal(key('case/server.key').publicKeyId, cert('case/server.crt').publicKeyId);
  assert.equal(key('extra/rsa-leaf.key').publicKeyId, cert('extra/rsa-leaf.crt').publicKeyId);
  assert.equal(key('extra/pss.key').publicKeyId, cert('extra/pss.crt').publicKeyId);
  assert.equal(key('extra/dsa.key').publicKeyId, cert('extra/dsa.crt').publicKeyId);
  assert.equal(key('extra/dsa-traditional.key').publicKeyId, cert('extra/dsa.crt').publicKeyId);
  // OpenSSL writes Ed25519 keys without their public half: the web parser derives it.
  assert.equal(key('extra/ed25519.key').publicKeyId, cert('extra/ed25519.crt').publicKeyId);
  assert.notEqual(key('case/stray.key').publicKeyId, cert('case/server.crt').publicKeyId);
  assert.equal(key('extra/encrypted.key').encrypted, true);
});

test('issued: the same answer for every pair of certificates (names, key identifiers, key usage and signature)', (t) => {
  if (skip) return t.skip(skip);
  let yes = 0;
  for (const i of certs) {
    for (const s of certs) {
      const node = nodeCertificateParser.issued(i.node, s.node);
      assert.equal(webCertificateParser.issued(i.web, s.web), node, `${i.file} issued ${s.file}`);
      if (node) yes++;
    }
  }
  assert.ok(yes >= 20, `${yes} issued pairs`);
  const cert = (f: string) => certs.find((c) => c.file === f)!;
  // Only the signature separates a forged CA from the real one; RSA, ECDSA P-384 and Ed25519 signatures are checked.
  assert.equal(webCertificateParser.issued(cert('extra/rsa-ca.crt').web, cert('extra/plain-leaf.crt').web), true);
  assert.equal(webCertificateParser.issued(cert('extra/forged-ca.crt').web, cert('extra/plain-leaf.crt').web), false);
  assert.equal(webCertificateParser.issued(cert('extra/p384-ca.crt').web, cert('extra/rsa-leaf.crt').web), true);
  assert.equal(webCertificateParser.issued(cert('extra/ed25519.crt').web, cert('extra/ed-leaf.crt').web), true);
  assert.equal(webCertificateParser.issued(cert('extra/ed-forged.crt').web, cert('extra/ed-leaf.crt').web), false);
});

test('what is not a certificate or a key is refused by both', (t) => {
  if (skip) return t.skip(skip);
  const bad = ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n'];
  for (const pem of bad) {
    assert.throws(() => nodeCertificateParser.certificate(pem));
    assert.throws(() => webCertificateParser.certificate(pem));
  }
  const badKey = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';
  assert.throws(() => nodeCertificateParser.privateKey(badKey));
  assert.throws(() => webCertificateParser.privateKey(badKey));
});

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

test('the system CA bundle (real-world roots: RSA up to 4096 bits, P-384, long names, serial 0): equal answers', (t) => {
  if (!fs.existsSync(SYSTEM_BUNDLE)) return t.skip(`${SYSTEM_BUNDLE} is absent (Debian's ca-certificates)`);
  const blocks = pemBlocks(fs.readFileSync(SYSTEM_BUNDLE, 'latin1')).filter((b) => CERTIFICATE_LABELS.has(b.label));
  const node = blocks.map((b) => nodeCertificateParser.certificate(b.text));
  const web = blocks.map((b) => webCertificateParser.certificate(b.text));
  for (let i = 0; i < blocks.length; i++) assert.deepEqual(plain(web[i]), plain(node[i]), node[i].subject);
  // Every pair: self-signed roots verify against themselves, cross-signed ones against their signer.
  let yes = 0;
  for (let i = 0; i < blocks.length; i++) {
    for (let j = 0; j < blocks.length; j++) {
      const want = nodeCertificateParser.issued(node[i], node[j]);
      assert.equal(webCertificateParser.issued(web[i], web[j]), want, `${node[i].subject} issued ${node[j].subject}`);
      if (want) yes++;
    }
  }
  assert.ok(yes >= blocks.length / 2, `${yes} issued pairs of ${blocks.length} certificates`);
});
