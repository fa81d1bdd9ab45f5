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
