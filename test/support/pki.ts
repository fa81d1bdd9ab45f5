// A throwaway PKI made with openssl: a CA the proxy trusts, one nobody trusts, and server and client
// certificates issued by each. EC P-256 keeps it fast.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Pki {
  dir: string;
  rootCa: string;
  evilCa: string;
  /** Server certificates for localhost, backend and upstream.test. */
  server: { cert: string; key: string };
  evilServer: { cert: string; key: string };
  client: { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const key = (n: string) => openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${n}.key`]);
  for (const ca of ['rootca', 'evilca']) {
    key(ca);
    openssl(dir, ['req', '-x509', '-new', '-key', `${ca}.key`, '-days', '30', '-subj', `/CN=${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${ca}.crt`]);
  }
  const leaf = (name: string, ca: string, san: string) => {
    key(name);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nsubjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  };
  const names = 'DNS:localhost,DNS:backend,DNS:upstream.test';
  leaf('server', 'rootca', names);
  leaf('evil', 'evilca', names);
  leaf('client', 'rootca', 'DNS:client');
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    rootCa: p('rootca.crt'),
    evilCa: p('evilca.crt'),
    server: { cert: p('server.crt'), key: p('server.key') },
    evilServer: { cert: p('evil.crt'), key: p('evil.key') },
    client: { cert: p('client.crt'), key: p('client.key') },
  };
}

/** Whether openssl can be run (the certificate tests make their PKI with it). */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The files rules' examples name (CASE_FILES), made with openssl: a root, an intermediate, a server
 * certificate with DNS and IP names and its chain, one from a CA not among the files, a client certificate, a stray key, an expired certificate
 * (2020) and one that expires in 5 days, and a text file that is not PEM. Returns name → path.
 */
export function makeCasePki(dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const key = (n: string) => openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${n}.key`]);
  key('root');
  openssl(dir, ['req', '-x509', '-new', '-key', 'root.key', '-days', '3650', '-subj', '/CN=Test Root',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.crt']);
  const issue = (name: string, ca: string, ext: string, days: number, cn = name) => {
    key(name);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', String(days), '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  };
  issue('intermediate', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n', 3650, 'Test Intermediate');
  issue('server', 'root', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:backend.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n', 825, 'backend.test');
  issue('client', 'root', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:client.test\nextendedKeyUsage=clientAuth\n', 825, 'client.test');
  issue('expiring', 'root', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:soon.test\n', 5, 'soon.test');
  issue('deep', 'intermediate', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:backend.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n', 825, 'backend.test');
  fs.writeFileSync(path.join(dir, 'deep-chain.crt'), fs.readFileSync(path.join(dir, 'deep.crt'), 'utf8') + fs.readFileSync(path.join(dir, 'intermediate.crt'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'server-chain.crt'), fs.readFileSync(path.join(dir, 'server.crt'), 'utf8') + fs.readFileSync(path.join(dir, 'intermediate.crt'), 'utf8'));
  // A server certificate from a CA no case trusts (its root is not among the files): untrusted wherever it is presented.
  key('other-root');
  openssl(dir, ['req', '-x509', '-new', '-key', 'other-root.key', '-days', '3650', '-subj', '/CN=Other Root',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'other-root.crt']);
  issue('other', 'other-root', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:default.test\nextendedKeyUsage=serverAuth\n', 825, 'default.test');
  key('stray');
  // An expired certificate: `openssl ca` takes explicit start and end dates (OpenSSL 3.0's x509 cannot).
  key('expired');
  openssl(dir, ['req', '-new', '-key', 'expired.key', '-subj', '/CN=expired.test', '-out', 'expired.csr']);
  fs.mkdirSync(path.join(dir, 'ca-db'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ca-db/index.txt'), '');
  fs.writeFileSync(path.join(dir, 'ca-db/serial'), '1000\n');
  fs.writeFileSync(path.join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = test', '[test]', 'dir = ./ca-db', 'database = $dir/index.txt', 'serial = $dir/serial',
    'new_certs_dir = $dir', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
    'x509_extensions = leaf', '[any]', 'commonName = supplied', '[leaf]', 'basicConstraints = CA:FALSE', 'subjectAltName = DNS:expired.test', '',
  ].join('\n'));
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'root.crt', '-keyfile', 'root.key', '-in', 'expired.csr',
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext', '-out', 'expired.crt']);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate\n');
  for (const f of fs.readdirSync(dir)) if (f.includes('.')) fs.chmodSync(path.join(dir, f), 0o644);
  const p = (f: string) => path.join(dir, f);
  return {
    'root-ca': p('root.crt'), 'intermediate-ca': p('intermediate.crt'), 'server-cert': p('server.crt'), 'server-key': p('server.key'),
    'server-chain': p('server-chain.crt'), 'deep-chain': p('deep-chain.crt'), 'deep-key': p('deep.key'), 'other-cert': p('other.crt'), 'other-key': p('other.key'), 'client-cert': p('client.crt'), 'client-key': p('client.key'), 'stray-key': p('stray.key'),
    'expired-cert': p('expired.crt'), 'expired-key': p('expired.key'), 'expiring-cert': p('expiring.crt'), 'expiring-key': p('expiring.key'),
    'not-pem': p('notes.txt'),
  };
}
