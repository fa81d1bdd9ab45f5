// The entry points a linter is expected to have: the pre-commit hook (.pre-commit-hooks.yaml) invoked as
// pre-commit invokes it, and the composite GitHub Action (action.yml) whose run steps are executed here as
// the runner executes them (bash --noprofile --norc -eo pipefail, env from the step, $GITHUB_OUTPUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const UNVERIFIED =
  'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n';
const CLEAN = 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { return 200; }\n    }\n}\n';
let dir = '';

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-eco-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

// ---- pre-commit ----

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  types?: string[];
  args?: string[];
}

function hooks(): Hook[] {
  return parseYaml(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
}

/** What pre-commit runs: the entry split like a shell, then `args`, then the matching files (relative). */
function runHook(h: Hook, repo: string, files: string[], args: string[] = []) {
  const [bin, ...rest] = h.entry.split(/\s+/);
  assert.ok(PKG.bin[bin], `the entry's program ${bin} is a bin of the npm package`);
  const re = new RegExp(h.files);
  const matched = files.filter((f) => re.test(f));
  const r = spawnSync(process.execPath, [path.join(ROOT, PKG.bin[bin]), ...rest, ...args, ...matched], {
    cwd: repo,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, matched };
}

test('.pre-commit-hooks.yaml: one node hook whose entry is the package bin and whose files are nginx configs', () => {
  const hs = hooks();
  assert.equal(hs.length, 1);
  const h = hs[0];
  assert.equal(h.id, 'nginx-tls-proxy');
  assert.equal(h.language, 'node');
  assert.match(h.entry, /^nginx-tls-proxy check\b/);
  assert.match(
    PKG.scripts.prepare ?? '',
    /build/,
    'pre-commit installs the repository with npm install -g git+file://…: prepare must build dist/',
  );
  const re = new RegExp(h.files);
  for (const f of [
    'nginx.conf',
    'etc/nginx/nginx.conf',
    'deploy/nginx-prod.conf',
    'conf.d/site.conf',
    'etc/nginx/conf.d/a.conf',
    'sites-enabled/default',
    'sites-available/example.com',
    'app.nginx',
    'x/app.nginxconf',
    'nginx/snippets/ssl.conf',
  ])
    assert.ok(re.test(f), f);
  for (const f of [
    'README.md',
    'src/app.conf',
    'package.json',
    'conf.d/notes.txt',
    'mynginx.conf.bak',
    'sites-enabled/sub/x',
  ])
    assert.ok(!re.test(f), f);
});

test('the hook, invoked as pre-commit would: fails on a staged config with a finding, passes on clean ones', () => {
  const h = hooks()[0];
  const repo = path.join(dir, 'hook-repo');
  write('hook-repo/nginx.conf', CLEAN);
  write('hook-repo/conf.d/ok.conf', 'server {\n    listen 8081;\n    location / { return 204; }\n}\n');
  write('hook-repo/README.md', '# not a config\n');
  const clean = runHook(h, repo, ['nginx.conf', 'conf.d/ok.conf', 'README.md']);
  assert.deepEqual(clean.matched, ['nginx.conf', 'conf.d/ok.conf']);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  write(
    'hook-repo/sites-enabled/api',
    'server {\n    listen 8082;\n    location / { proxy_pass https://api.example.com; }\n}\n',
  );
  const bad = runHook(h, repo, ['nginx.conf', 'sites-enabled/api', 'README.md']);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^sites-enabled\/api:3:\d+: warning: .*\[upstream-tls-unverified\]$/m);
  assert.doesNotMatch(bad.stdout, /\x1b\[/, 'no colour in a hook');
  const relaxed = runHook(h, repo, ['sites-enabled/api'], ['--fail-on', 'error', '--nginx-version', '1.26']);
  assert.equal(relaxed.status, 0, 'args from .pre-commit-config.yaml come before the files');
});

// ---- GitHub Action ----

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

function action(): Action {
  return parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;
}

function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = l.indexOf('=');
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

/**
 * Runs the action's `run` steps in order as the runner would; `uses` steps are recorded, not run. Returns
 * the status of each run step, the outputs of each step and the `with` of the uses steps (expressions
 * substituted).
 */
function runAction(inputs: Record<string, string>, cwd: string) {
  const a = action();
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.inputs)) values[k] = inputs[k] ?? v.default ?? '';
  const outputs: Record<string, Record<string, string>> = {};
  const expr = (s: string) =>
    s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.([\w-]+)$/.exec(e))) return values[m[1]] ?? '';
      if (e === 'github.action_path') return ROOT;
      if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e))) return outputs[m[1]]?.[m[2]] ?? '';
      throw new Error(`expression the test does not know: ${e}`);
    });
  const statuses: Record<string, number | null> = {};
  const uses: { uses: string; with: Record<string, string> }[] = [];
  for (const [i, step] of a.runs.steps.entries()) {
    const id = step.id ?? `step${i}`;
    if (step.uses) {
      uses.push({
        uses: step.uses,
        with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v))])),
      });
      continue;
    }
    assert.equal(step.shell, 'bash', `${id}: a composite run step names its shell`);
    assert.doesNotMatch(step.run!, /\$\{\{/, `${id}: inputs reach the script through env, never spliced into it`);
    const outFile = path.join(dir, `github-output-${id}-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(outFile, '');
    const script = path.join(dir, `step-${id}.sh`);
    fs.writeFileSync(script, step.run!);
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_OUTPUT: outFile, GITHUB_ACTION_PATH: ROOT };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expr(String(v));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 120000,
    });
    statuses[id] = r.status;
    outputs[id] = readOutputs(outFile);
    (outputs[id] as Record<string, string>)['#log'] = r.stdout + r.stderr;
  }
  const actionOutputs = Object.fromEntries(Object.entries(a.outputs).map(([k, v]) => [k, expr(v.value)]));
  return { statuses, outputs, uses, actionOutputs };
}

test('action.yml: a composite action whose steps check, upload SARIF and fail the job', () => {
  const a = action();
  assert.equal(a.runs.using, 'composite');
  for (const k of ['paths', 'nginx-version', 'fail-on', 'args', 'sarif-file', 'upload-sarif', 'category', 'version'])
    assert.ok(a.inputs[k], k);
  const upload = a.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload, 'uploads with github/codeql-action/upload-sarif');
  assert.match(upload!.if ?? '', /always\(\)/, 'uploads even when the check step reported findings');
});

test("the action's run steps, executed as a script: SARIF written, findings fail the job at fail-on", () => {
  const ws = path.join(dir, 'workspace');
  write('workspace/nginx/nginx.conf', UNVERIFIED);
  write('workspace/other/nginx.conf', CLEAN);

  const failing = runAction({ paths: 'nginx/\nother/\n', 'fail-on': 'warning', 'nginx-version': '1.26' }, ws);
  assert.equal(failing.statuses.setup, 0, failing.outputs.setup?.['#log']);
  assert.equal(failing.statuses.check, 0, failing.outputs.check['#log']);
  assert.equal(failing.outputs.check['exit-code'], '1');
  assert.match(failing.outputs.check['#log'], /nginx\/nginx\.conf:5:\d+: warning: .*\[upstream-tls-unverified\]/);
  const sarifPath = path.join(ws, failing.outputs.check['sarif-file']);
  const sarif = JSON.parse(fs.readFileSync(sarifPath, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'upstream-tls-unverified'));
  assert.equal(
    failing.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif'))!.with.sarif_file,
    failing.outputs.check['sarif-file'],
  );
  assert.equal(failing.statuses.result, 1, 'the last step fails the job');
  assert.equal(failing.actionOutputs['exit-code'], '1');

  const passing = runAction(
    { paths: 'nginx', 'fail-on': 'error', 'sarif-file': 'out/x.sarif', args: '--rule upstream-tls-no-sni=off' },
    ws,
  );
  assert.equal(passing.outputs.check['exit-code'], '0', passing.outputs.check['#log']);
  assert.equal(passing.statuses.result, 0);
  const x = JSON.parse(fs.readFileSync(path.join(ws, 'out/x.sarif'), 'utf8'));
  assert.ok(
    !x.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'upstream-tls-no-sni'),
    'args reach the check',
  );

  const broken = runAction({ paths: 'missing-dir', 'fail-on': 'none' }, ws);
  assert.equal(broken.outputs.check['exit-code'], '2');
  assert.equal(broken.statuses.result, 2);
});
