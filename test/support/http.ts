// A bounded HTTP GET for tests.

import * as http from 'node:http';

export function get(url: string, timeoutMs = 15000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout: ' + url)));
    req.on('error', reject);
  });
}

/** An HTTPS GET that does not check the server (the tests are about what nginx checks), optionally with a client certificate. */
export function getTls(url: string, opts: { cert?: string; key?: string } = {}, timeoutMs = 15000): Promise<{ status: number; body: string }> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const https = require('node:https') as typeof import('node:https');
  const fs = require('node:fs') as typeof import('node:fs');
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      agent: false, rejectUnauthorized: false, servername: 'localhost',
      cert: opts.cert ? fs.readFileSync(opts.cert) : undefined, key: opts.key ? fs.readFileSync(opts.key) : undefined,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout: ' + url)));
    req.on('error', reject);
  });
}
