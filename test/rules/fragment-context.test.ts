// A fragment nobody includes gets the context in which it is valid when there is one (nested blocks
// count: an `if` holding `add_header` is a location's), and an error never rests on a guessed context alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { Workspace } from '../../server/src/engine/workspace';

function alone(text: string) {
  const ws = new Workspace(memoryFileSystem({ '/w/snippet.conf': text }), defaultSettings(), { candidates: () => [] });
  return ws.analyzeFile('/w/snippet.conf');
}

test('an if holding add_header with server-or-location settings is inferred as a location, and nothing is reported', () => {
  const r = alone('root /var/www;\nif ($request_method = OPTIONS) {\n    add_header Access-Control-Allow-Origin *;\n    return 204;\n}\n');
  assert.equal(r.inferred, 'http/location');
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error').map((f) => f.message), []);
});

test('when no context fits, "not allowed here" in a guessed context is a warning that says it is a guess', () => {
  const r = alone('ssl_verify_client on;\nif ($x) {\n    add_header A b;\n}\nproxy_ssl_verify on;\n');
  const f = r.findings.filter((x) => x.ruleId === 'directive-not-allowed-here');
  assert.ok(f.length >= 1, 'reported');
  for (const x of f) {
    assert.equal(x.severity, 'warning');
    assert.match(x.message, /as inferred/);
  }
});

test('a declared context is not a guess: the error stays', () => {
  const r = alone('# nginx-context: server\nif ($x) {\n    add_header A b;\n}\n');
  const f = r.findings.find((x) => x.ruleId === 'directive-not-allowed-here');
  assert.equal(f?.severity, 'error');
});
