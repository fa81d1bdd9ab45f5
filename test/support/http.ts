// A bounded HTTP GET for tests.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

type Reply = { status: number; body: string };

function collect(resolve: (r: Reply) => void) {
  return (res: http.IncomingMessage) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  };
}

export function get(url: string, timeoutMs = 15000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, collect(resolve));
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout: ' + url)));
    req.on('error', reject);
  });
}

/** An HTTPS GET that does not check the server (the tests are about what nginx checks), optionally with a client certificate. */
export function getTls(url: string, opts: { cert?: string; key?: string } = {}, timeoutMs = 15000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      agent: false, rejectUnauthorized: false, servername: 'localhost',
      cert: opts.cert ? fs.readFileSync(opts.cert) : undefined, key: opts.key ? fs.readFileSync(opts.key) : undefined,
    }, collect(resolve));
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout: ' + url)));
    req.on('error', reject);
  });
}
