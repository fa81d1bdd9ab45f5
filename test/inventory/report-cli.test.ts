// `nginx-tls-proxy report` as a separate process (the built dist/cli.js): JSON with the field names
// and types, the Markdown table against a snapshot, the HTML self-contained (no script, nothing to fetch)
// with its diagram, and that HTML opened in real headless Chromium: it renders, no request leaves the page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';

const ROOT = path.resolve(__dirname, '../..');
const SEED = 'examples/seed-complete-example/nginx.conf';
const MULTI = 'test/inventory/fixtures/multi';
const SNAPSHOT = path.join(ROOT, 'test/inventory/snapshots/report.md');
const RESULTS = path.join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
let dir = '';

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-report-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const origin = { oneOf: [{ const: 'default' }, { type: 'object', additionalProperties: false, required: ['file', 'line'], properties: { file: { type: 'string' }, line: { type: 'integer', minimum: 1 } } }] };
const nullableString = { type: ['string', 'null'] };
const backendCertificateSchema = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object', additionalProperties: false, required: ['subject', 'issuer', 'notAfter'],
      properties: { subject: { type: 'string', minLength: 1 }, issuer: { type: 'string', minLength: 1 }, notAfter: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$' } },
    },
  ],
};
const FIELDS = ['verify', 'trustedCertificate', 'verifyDepth', 'name', 'sni', 'clientCertificate', 'clientCertificateKey', 'protocols', 'ciphers', 'sessionReuse'];
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['uses'],
  properties: {
    uses: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'line', 'directive', 'url', 'upstream', 'servers', 'verify', 'trustedCertificate', 'verifyDepth', 'name', 'sni', 'clientCertificate', 'clientCertificateKey', 'protocols', 'ciphers', 'sessionReuse', 'findings', 'origins', 'backendCertificate'],
        properties: {
          file: { type: 'string' },
          line: { type: 'integer', minimum: 1 },
          directive: { type: 'string' },
          url: { type: 'string' },
          upstream: nullableString,
          servers: { type: 'array', items: { type: 'string', pattern: '^[^\\s]+$' } },
          verify: { type: 'boolean' },
          trustedCertificate: nullableString,
          verifyDepth: { type: ['integer', 'null'] },
          name: nullableString,
          sni: { type: 'boolean' },
          clientCertificate: nullableString,
          clientCertificateKey: nullableString,
          protocols: { type: 'array', items: { type: 'string' } },
          ciphers: { type: 'string' },
          sessionReuse: { type: 'boolean' },
          findings: { type: 'array', items: { type: 'string', pattern: '^[a-z]+(-[a-z]+)*$' } },
          origins: { type: 'object', additionalProperties: false, required: FIELDS, properties: Object.fromEntries(FIELDS.map((f) => [f, origin])) },
          backendCertificate: backendCertificateSchema,
        },
      },
    },
  },
};

test('report --format json: the issue\'s field names and types, paths relative to the working directory', () => {
  const r = cli(['report', SEED, MULTI, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { uses: { file: string; line: number; [k: string]: any }[] };
  const validate = new Ajv({ allErrors: true, strict: true }).compile(SCHEMA);
  assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors, null, 2));
  assert.equal(json.uses.length, 6);
  const seed = json.uses.find((u) => u.file === SEED)!;
  assert.deepEqual(
    { line: seed.line, verify: seed.verify, sni: seed.sni, verifyDepth: seed.verifyDepth, findings: seed.findings, verifyFrom: seed.origins.verify, sniFrom: seed.origins.sni },
    { line: 13, verify: true, sni: false, verifyDepth: 2, findings: ['upstream-tls-no-sni', 'tls-weak-protocols'], verifyFrom: { file: SEED, line: 19 }, sniFrom: 'default' },
  );
  const inc = json.uses.find((u) => u.file.endsWith('multi/nginx.conf') && u.line === 13)!;
  assert.deepEqual(inc.origins.protocols, { file: `${MULTI}/tls-defaults.conf`, line: 2 });
  // A folder and a file in it: each use once.
  const again = JSON.parse(cli(['report', MULTI, `${MULTI}/nginx.conf`, '--format', 'json']).stdout);
  assert.equal(again.uses.length, 5);
});

test('report --format markdown: a table for a pull-request comment (snapshot)', () => {
  const r = cli(['report', SEED, MULTI]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(cli(['report', SEED, MULTI, '--format', 'markdown']).stdout, r.stdout, 'markdown is the default');
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
    fs.writeFileSync(SNAPSHOT, r.stdout);
  }
  assert.ok(fs.existsSync(SNAPSHOT), 'snapshot missing: run with UPDATE_SNAPSHOTS=1');
  assert.equal(r.stdout, fs.readFileSync(SNAPSHOT, 'utf8'), 'the Markdown changed: check it, then UPDATE_SNAPSHOTS=1');
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| '));
  assert.equal(rows.length, 1 + 6);
  for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length, 13, row);
});

function htmlReport(title = 'TLS upstreams'): string {
  const out = path.join(dir, 'report.html');
  const r = cli(['report', SEED, MULTI, '--format', 'html', '--output', out, '--title', title]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  return out;
}

test('report --format html: one self-contained file, nothing to fetch, the diagram and the table', () => {
  const html = fs.readFileSync(htmlReport('TLS <map> of "tests"'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
  assert.doesNotMatch(html, /<script|<link|<iframe|<object|<embed|<img|@import|url\(/i);
  // No attribute names anything on a network (or anything at all but a fragment).
  for (const m of html.matchAll(/\s(?:src|href|xlink:href|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi)) assert.fail(`an attribute loads ${m[1]}`);
  assert.doesNotMatch(html.replace(/<td>[\s\S]*?<\/td>|<title>[\s\S]*?<\/title>|<text[^>]*>[^<]*<\/text>/g, ''), /https?:\/\//, 'URLs only as text of the config');
  assert.match(html, /<title>TLS &lt;map&gt; of &quot;tests&quot;<\/title>/);
  const svg = /<svg role="img"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  assert.ok(svg, 'the diagram');
  for (const head of ['Servers', 'Locations', 'Upstreams', 'Backends']) assert.ok(svg.includes(`>${head}</text>`), head);
  for (const state of ['verified', 'unverified', 'mutual']) assert.match(svg, new RegExp(`class="edge ${state}"`), state);
  assert.match(svg, /class="edge unverified"[^>]*stroke-dasharray/, 'unverified edges are dashed (readable in print)');
  assert.equal((html.match(/<tr class="/g) ?? []).length, 6);
  assert.match(html, /@media print/);
});

test('the HTML report in real headless Chromium: renders the diagram, no request leaves the page, prints', async (t) => {
  if (!fs.existsSync(CHROMIUM)) return t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  const { chromium } = await import('playwright-core');
  const file = htmlReport();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text()); });
    const url = 'file://' + file;
    await page.goto(url);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(requests.filter((r) => r !== url), [], 'no request but the page itself');
    assert.deepEqual(violations, []);
    const box = await page.locator('svg.diagram').boundingBox();
    assert.ok(box && box.width > 600 && box.height > 150, `the diagram is drawn (${JSON.stringify(box)})`);
    assert.equal(await page.locator('svg.diagram g.node').count(), 3 + 6 + 5 + 7, 'servers (two files), locations, upstreams, backends');
    assert.ok(await page.locator('svg.diagram path.edge.unverified').count() >= 2);
    assert.equal(await page.locator('table tbody tr').count(), 6);
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'report-html.png'), fullPage: true });
    await page.screenshot({ path: path.join(RESULTS, 'report-html-top.png') });
    if (process.env.NGINX_TLS_E2E_SCREENSHOTS === '1') fs.copyFileSync(path.join(RESULTS, 'report-html-top.png'), path.join(ROOT, 'docs/images/report-html.png'));
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: false });
    assert.ok(pdf.length > 5000 && pdf.subarray(0, 5).toString() === '%PDF-', 'prints to PDF');
    assert.deepEqual(requests.filter((r) => r !== url), []);
  } finally {
    await browser.close();
  }
});

test('report: usage errors exit 2 with one line; a config without upstream TLS gives an empty map', () => {
  const bad = cli(['report', SEED, '--format', 'xml']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format: "xml" is not json, markdown or html/);
  assert.match(cli(['report', SEED, '--bogus']).stderr, /unknown option --bogus/);
  assert.equal(cli(['report', path.join(dir, 'missing.conf')]).status, 2);
  const plain = path.join(dir, 'plain/nginx.conf');
  fs.mkdirSync(path.dirname(plain), { recursive: true });
  fs.writeFileSync(plain, 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { proxy_pass http://127.0.0.1:3000; }\n    }\n}\n');
  assert.deepEqual(JSON.parse(cli(['report', plain, '--format', 'json']).stdout), { uses: [] });
  assert.match(cli(['report', plain]).stdout, /^### TLS upstreams\n\n0 TLS upstream use\(s\)/);
  const html = cli(['report', plain, '--format', 'html']);
  assert.equal(html.status, 0);
  assert.match(html.stdout, /<svg role="img"/);
  assert.match(cli(['report', '--help']).stdout, /--format json\|markdown\|html/);
});
