// The TLS map's inventory (issue 16) through the language service: on every rule case, the seed's example
// and a config with inheritance, includes, groups, grpc and stream. Every value and origin is checked
// against the hover's "In effect here" text for the same pass directive, and the findings on each use
// against diagnose.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLanguageService, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import type { BlockKind, FileSystem, LanguageService, TlsInventoryUse } from '../../server/src/engine';
import { parseVersion, RULES } from '../support/engine';

const ROOT = path.resolve(__dirname, '../..');
const SEED_EXAMPLE = path.join(ROOT, 'examples/seed-complete-example/nginx.conf');
const MULTI = path.join(ROOT, 'test/inventory/fixtures/multi');
const SEEDS = path.resolve(ROOT, '../shared/seeds');

/** The directive a hover line names → the inventory field it shows, with how the value reads. */
const HOVER_FIELDS: Record<string, { field: keyof TlsInventoryUse; read: (u: TlsInventoryUse) => string | null }> = {
  verify: { field: 'verify', read: (u) => (u.verify ? 'on' : 'off') },
  trusted_certificate: { field: 'trustedCertificate', read: (u) => u.trustedCertificate },
  verify_depth: { field: 'verifyDepth', read: (u) => (u.verifyDepth === null ? null : String(u.verifyDepth)) },
  name: { field: 'name', read: (u) => u.name },
  server_name: { field: 'sni', read: (u) => (u.sni ? 'on' : 'off') },
  protocols: { field: 'protocols', read: (u) => u.protocols.join(' ') },
};

const ORIGIN_KEY: Record<string, string> = { verify: 'verify', trusted_certificate: 'trustedCertificate', verify_depth: 'verifyDepth', name: 'name', server_name: 'sni', protocols: 'protocols' };

function nodeFs(): FileSystem {
  return {
    readFile: (p) => { try { return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined; } catch { return undefined; } },
    glob: () => [],
  };
}

/** Asserts that every use agrees with the hover on its pass directive; returns how many lines were compared. */
function agreesWithHover(service: LanguageService, uses: TlsInventoryUse[], where: string): number {
  let compared = 0;
  for (const u of uses) {
    const h = service.hover(u.file, u.start);
    assert.ok(h, `${where}: a hover on ${u.directive} at line ${u.line}`);
    const lines = h.markdown.split('**In effect here**')[1]?.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2)) ?? [];
    assert.ok(lines.length >= 6, `${where}: the hover lists the settings in effect:\n${h.markdown}`);
    for (const line of lines) {
      // The inventory's own description of the spot is the hover's, word for word.
      assert.ok(u.effective.includes(line), `${where}:${u.line}: "${line}" not among\n${u.effective.join('\n')}`);
      const m = /^([a-z]+)_ssl_([a-z_]+): (.*?)(?: — (.*))?(?:; not set in .*)?$/.exec(line);
      assert.ok(m, `${where}: hover line "${line}"`);
      const spec = HOVER_FIELDS[m[2]];
      if (!spec) continue;
      const origin = u.origins[ORIGIN_KEY[m[2]] as keyof TlsInventoryUse['origins']];
      const set = /^set in /.test(m[4] ?? '');
      assert.equal(origin !== 'default', set, `${where}:${u.line}: origin of ${m[2]} (${JSON.stringify(origin)}) vs "${line}"`);
      if (origin !== 'default') {
        assert.ok(m[4].includes(`at ${path.basename(origin.file)}:${origin.line}`), `${where}:${u.line}: ${m[2]} from ${origin.file}:${origin.line} vs "${line}"`);
      }
      const shown = m[3].replace(/ \+ /g, ' ');
      const value = spec.read(u);
      if (m[2] === 'name' && !set) {
        // Not set: nginx checks the host of the URL (the hover names where it comes from); the inventory
        // says which host that is.
        assert.ok(u.name === null || u.url.includes(u.name) || u.servers.some((s) => s.startsWith(u.name + ':')), `${u.name} from ${u.url}`);
        continue;
      }
      // A flag nginx refuses (a variable, directive-invalid-value): the inventory's boolean can only say it is not on.
      if ((m[2] === 'verify' || m[2] === 'server_name') && !/^(on|off)$/i.test(shown)) continue;
      if (shown === 'not set') assert.equal(value, null, `${where}:${u.line}: ${line}`);
      // The hover shows a flag as written (`ON`), the inventory what nginx makes of it (nginx reads on and off
      // in any case).
      else if (m[2] === 'verify' || m[2] === 'server_name') assert.equal(value, shown.toLowerCase(), `${where}:${u.line}: ${line}`);
      else assert.equal(value, shown, `${where}:${u.line}: ${line}`);
      compared++;
    }
  }
  return compared;
}

/** The directive suffix of each field, as nginx names them (proxy_ssl_…, grpc_ssl_…, uwsgi_ssl_…). */
const FIELD_SUFFIX: Record<string, string> = {
  verify: 'verify', trustedCertificate: 'trusted_certificate', verifyDepth: 'verify_depth', name: 'name', sni: 'server_name',
  clientCertificate: 'certificate', clientCertificateKey: 'certificate_key', protocols: 'protocols', ciphers: 'ciphers', sessionReuse: 'session_reuse',
};

/**
 * A use's findings are those that lie in its pass directive, and those in the directive each of its settings
 * comes from (found here from the origin's line in the text, not from the model), and no others.
 */
function findingsMatch(service: LanguageService, uses: TlsInventoryUse[], file: string, context?: BlockKind): void {
  const all = service.diagnose(file, { context, scope: 'config' }).findings;
  for (const u of uses) {
    const got = new Set(u.findings.map((f) => f.id));
    const onPass = all.filter((f) => f.path === u.file && f.start >= u.start && f.end <= u.end);
    for (const f of onPass) assert.ok(got.has(f.id), `${f.id} on the pass directive, line ${u.line}`);
    const settingLines = new Set<string>();
    const prefix = u.directive.slice(0, u.directive.indexOf('_'));
    for (const [field, o] of Object.entries(u.origins)) {
      if (o === 'default') continue;
      settingLines.add(`${o.file}:${o.line}`);
      const lineText = (service.textOf(o.file) ?? '').split('\n')[o.line - 1] ?? '';
      const name = `${prefix}_ssl_${FIELD_SUFFIX[field]}`;
      const col = lineText.search(new RegExp(`(^|[\\s;{])${name}\\s`));
      assert.ok(col >= 0, `${name} on ${o.file}:${o.line}`);
      const semi = lineText.indexOf(';', col);
      const inIt = all.filter((f) => f.path === o.file && f.range.start.line === o.line - 1 && f.range.start.character >= col && f.range.end.line === o.line - 1 && (semi < 0 || f.range.end.character <= semi + 1));
      for (const f of inIt) assert.ok(got.has(f.id), `${f.id} on ${name} (${o.file}:${o.line}) is a finding of the use on line ${u.line}`);
    }
    for (const f of u.findings) {
      const full = all.find((x) => x.id === f.id)!;
      const onItsPass = onPass.some((x) => x.id === f.id);
      assert.ok(onItsPass || settingLines.has(`${full.path}:${full.range.start.line + 1}`), `${f.id} is neither on the pass (line ${u.line}) nor on a setting in effect`);
    }
  }
}

test('every rule case: the inventory agrees with the hover and diagnose on each TLS use', () => {
  let uses = 0;
  let compared = 0;
  for (const rule of RULES) {
    for (const c of [...rule.cases.valid, ...rule.cases.invalid]) {
      const file = '/cases/nginx.conf';
      const settings = defaultSettings({ nginxVersion: parseVersion(c.nginxVersion ?? '1.30') });
      const service = createLanguageService({ fs: memoryFileSystem({ [file]: c.config }), settings, candidates: () => [file] });
      const context = c.context ?? 'main';
      const inv = service.inventory(file, { context });
      for (const u of inv) {
        assert.equal(typeof u.verify, 'boolean');
        assert.equal(typeof u.sni, 'boolean');
        assert.ok(u.state === (u.verify ? (u.clientCertificate ? 'mutual' : 'verified') : 'unverified'));
        assert.ok(u.reason.length > 10);
      }
      uses += inv.length;
      compared += agreesWithHover(service, inv, `${rule.id}`);
      findingsMatch(service, inv, file, context);
      if (rule.id === 'upstream-tls-unverified' || rule.id === 'upstream-tls-no-sni') {
        // Each of these findings sits on a use, and makes it unverified (or, for SNI, says so).
        const mine = service.diagnose(file, { context, scope: 'config' }).findings.filter((f) => f.ruleId === rule.id);
        assert.equal(mine.length > 0, (c.errors ?? []).length > 0);
        for (const f of mine) {
          const u = inv.find((x) => x.findings.some((y) => y.id === f.id));
          assert.ok(u, `${rule.id} on line ${f.range.start.line + 1} belongs to a use`);
          if (rule.id === 'upstream-tls-unverified') assert.equal(u.state, 'unverified');
          else assert.equal(u.sni, false);
        }
      }
    }
  }
  assert.ok(uses >= 30, `rule cases give many TLS uses (${uses})`);
  assert.ok(compared >= 150, `hover lines compared (${compared})`);
});

test("the seed's complete example: mutual TLS to the group, every value with its line", () => {
  const service = createLanguageService({ fs: nodeFs(), candidates: () => [SEED_EXAMPLE] });
  const inv = service.inventory(SEED_EXAMPLE);
  assert.equal(inv.length, 1);
  const u = inv[0];
  const at = (line: number) => ({ file: SEED_EXAMPLE, line });
  assert.equal(u.line, 13);
  assert.equal(u.directive, 'proxy_pass');
  assert.equal(u.url, 'https://backend.example.com');
  assert.equal(u.upstream, 'backend.example.com');
  assert.deepEqual(u.servers, ['backend1.example.com:443', 'backend2.example.com:443']);
  assert.equal(u.server?.label, 'www.example.com (80)');
  assert.equal(u.location?.label, '/upstream');
  assert.equal(u.verify, true);
  assert.equal(u.trustedCertificate, '/etc/nginx/trusted_ca_cert.crt');
  assert.equal(u.verifyDepth, 2);
  assert.equal(u.name, 'backend.example.com');
  assert.equal(u.sni, false);
  assert.equal(u.clientCertificate, '/etc/nginx/client.pem');
  assert.equal(u.clientCertificateKey, '/etc/nginx/client.key');
  assert.deepEqual(u.protocols, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  assert.equal(u.ciphers, 'HIGH:!aNULL:!MD5');
  assert.equal(u.sessionReuse, true);
  assert.equal(u.state, 'mutual');
  assert.deepEqual(u.origins, {
    verify: at(19), trustedCertificate: at(18), verifyDepth: at(20), name: 'default', sni: 'default',
    clientCertificate: at(14), clientCertificateKey: at(15), protocols: at(16), ciphers: at(17), sessionReuse: at(21),
  });
  assert.deepEqual(u.findings.map((f) => f.ruleId), ['upstream-tls-no-sni', 'tls-weak-protocols']);
  assert.ok(agreesWithHover(service, inv, 'seed example') >= 5);
  findingsMatch(service, inv, SEED_EXAMPLE);
});

test('the seed text itself (../shared/seeds): its complete example gives the same inventory', (t) => {
  if (!fs.existsSync(SEEDS)) return t.skip('../shared/seeds is absent (the seed document lives outside the repository)');
  const text = fs.readdirSync(SEEDS).map((f) => fs.readFileSync(path.join(SEEDS, f), 'utf8')).join('\n');
  const m = /Complete example\n(http \{.*)\n/.exec(text);
  if (!m) return t.skip('no "Complete example" in the seed text');
  // One line in the document: "#..." would comment out the rest of it.
  const config = 'events {}\n' + m[1].replace(/#\.\.\./g, '') + '\n';
  const file = '/seed/nginx.conf';
  const service = createLanguageService({ fs: memoryFileSystem({ [file]: config }), candidates: () => [file] });
  const inv = service.inventory(file);
  assert.equal(inv.length, 1);
  const ours = createLanguageService({ fs: nodeFs(), candidates: () => [SEED_EXAMPLE] }).inventory(SEED_EXAMPLE)[0];
  for (const k of ['directive', 'url', 'upstream', 'servers', 'verify', 'trustedCertificate', 'verifyDepth', 'name', 'sni', 'clientCertificate', 'clientCertificateKey', 'protocols', 'ciphers', 'sessionReuse', 'state'] as const) {
    assert.deepEqual(inv[0][k], ours[k], k);
  }
  agreesWithHover(service, inv, 'seed text');
  findingsMatch(service, inv, file);
});

test('inheritance, an include, groups, grpc and stream: values, origins and states', () => {
  const main = path.join(MULTI, 'nginx.conf');
  const inc = path.join(MULTI, 'tls-defaults.conf');
  const service = createLanguageService({ fs: nodeFs(), candidates: () => [main, inc] });
  const inv = service.inventory(main);
  assert.deepEqual(inv.map((u) => [u.line, u.directive, u.family, u.state]), [
    [13, 'proxy_pass', 'proxy', 'unverified'],
    [15, 'proxy_pass', 'proxy', 'verified'],
    [21, 'proxy_pass', 'proxy', 'mutual'],
    [27, 'grpc_pass', 'grpc', 'unverified'],
    [33, 'proxy_pass', 'stream', 'verified'],
  ]);
  const [root, api, mutual, grpc, stream] = inv;
  // Inherited from the server, and from an included file at http level.
  assert.deepEqual(root.origins.trustedCertificate, { file: main, line: 12 });
  assert.deepEqual(root.origins.protocols, { file: inc, line: 2 });
  assert.deepEqual(root.protocols, ['TLSv1.2', 'TLSv1.3']);
  assert.equal(root.sessionReuse, false);
  assert.deepEqual(root.origins.sessionReuse, { file: inc, line: 3 });
  assert.deepEqual(root.servers, ['10.0.0.1:443', '10.0.0.2:443']);
  assert.deepEqual(root.findings.map((f) => f.ruleId), ['upstream-tls-unverified']);
  assert.match(root.reason, /not verified/);
  assert.equal(api.name, 'api.internal');
  assert.deepEqual(api.origins.name, { file: main, line: 17 });
  assert.equal(api.sni, true);
  assert.deepEqual(api.findings, []);
  assert.equal(mutual.clientCertificate, '/etc/ssl/client.pem');
  assert.match(mutual.reason, /mutual TLS/);
  // grpc reads grpc_ssl_*: the server's proxy_ssl_trusted_certificate does not apply to it.
  assert.equal(grpc.trustedCertificate, null);
  assert.equal(grpc.origins.trustedCertificate, 'default');
  assert.deepEqual(grpc.protocols, ['TLSv1.2', 'TLSv1.3']);
  assert.equal(grpc.origins.protocols, 'default');
  assert.deepEqual(grpc.findings.map((f) => f.ruleId).sort(), ['upstream-tls-no-sni', 'upstream-tls-unverified']);
  assert.equal(stream.server?.label, 'listen 5000');
  assert.equal(stream.location, null);
  assert.deepEqual(stream.servers, ['db.example.com:5432']);
  assert.equal(stream.upstream, null);
  assert.ok(agreesWithHover(service, inv, 'multi') >= 25);
  findingsMatch(service, inv, main);
  // Asked from the included file, the inventory is its main config's.
  assert.deepEqual(service.inventory(inc).map((u) => u.line), inv.map((u) => u.line));
});

test('protocol defaults follow the nginx version; an edit is seen at once', () => {
  const file = '/v/nginx.conf';
  const text = 'events {}\nhttp {\n    server {\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n';
  const old = createLanguageService({ fs: memoryFileSystem({ [file]: text }), settings: defaultSettings({ nginxVersion: parseVersion('1.22') }), candidates: () => [file] });
  assert.deepEqual(old.inventory(file)[0].protocols, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  const now = createLanguageService({ fs: memoryFileSystem({ [file]: text }), candidates: () => [file] });
  assert.equal(now.inventory(file)[0].state, 'unverified');
  now.setText(file, text.replace('https://a.example.com;', 'https://a.example.com; proxy_ssl_verify on; proxy_ssl_trusted_certificate /ca.pem;'));
  const after = now.inventory(file)[0];
  assert.equal(after.state, 'verified');
  assert.deepEqual(after.findings.map((f) => f.ruleId), ['upstream-tls-no-sni']);
});
