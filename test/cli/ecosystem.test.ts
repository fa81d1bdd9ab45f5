// The entry points a linter is expected to have: the pre-commit hook (.pre-commit-hooks.yaml) invoked as
// pre-commit invokes it, and the composite GitHub Action (action.yml) whose run steps are executed here as
// the runner executes them (bash --noprofile --norc -eo pipefail, env from the step, $GITHUB_OUTPUT), with
// each step's `if:` evaluated as the runner evaluates it.
//
// The `uses:` steps (actions/setup-node, github/codeql-action/upload-sarif, actions/upload-artifact) are not run: they are other
// repositories' JavaScript actions that download Node.js and post to the GitHub API with the job's token,
// and here there is no network, no GitHub runner and no token. What can be checked offline is checked
// instead: whether each would run, that every input it is given is one it declares, and that what it is
// given is what it needs: the SARIF file the check step wrote, valid against the SARIF 2.1.0 schema, whose
// result paths resolve in the workspace as upload-sarif resolves them (against checkout_path, by default
// the workspace).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

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
 * A step's `if:` as the runner evaluates it, for the part of the expression language action.yml uses:
 * contexts (`inputs.x`, `steps.id.outputs.x`), '…' strings, `==`, `!=`, `!`, `&&`, `||`, parentheses and the
 * status functions. Anything else throws, so a new construct in action.yml fails here instead of being
 * guessed at. Without `if:` a step runs when no earlier step failed (the implicit `success()`).
 */
function evalIf(cond: string | undefined, lookup: (name: string) => string, failed: boolean): boolean {
  if (cond === undefined) return !failed;
  const src = cond.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');
  const tokens = src.match(/\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*)/gy);
  assert.equal(tokens?.join(''), src.replace(/\s+$/, ''), `if: ${cond}: an expression this test does not read`);
  const toks = tokens!.map((t) => t.trim());
  let k = 0;
  let usesStatus = false;
  const value = (v: unknown): string | boolean => (typeof v === 'boolean' ? v : String(v));
  const truthy = (v: string | boolean) => (typeof v === 'boolean' ? v : v !== '');
  // GitHub compares strings case-insensitively; booleans against strings by coercion (not used here).
  const equal = (x: string | boolean, y: string | boolean) => String(x).toLowerCase() === String(y).toLowerCase();
  const primary = (): string | boolean => {
    const t = toks[k++];
    if (t === '!') return !truthy(primary());
    if (t === '(') {
      const v = or();
      assert.equal(toks[k++], ')', cond);
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (toks[k] === '(') {
      assert.equal(toks[k + 1], ')', `${t}(…) takes no arguments here`);
      k += 2;
      usesStatus = true;
      if (t === 'always') return true;
      if (t === 'success') return !failed;
      if (t === 'failure') return failed;
      throw new Error(`if: function ${t}() this test does not know`);
    }
    return value(lookup(t));
  };
  const cmp = (): string | boolean => {
    let v = primary();
    while (toks[k] === '==' || toks[k] === '!=') {
      const op = toks[k++];
      const w = primary();
      v = op === '==' ? equal(v, w) : !equal(v, w);
    }
    return v;
  };
  const and = (): string | boolean => {
    let v = cmp();
    while (toks[k] === '&&') {
      k++;
      const w = cmp();
      v = truthy(v) ? w : v;
    }
    return v;
  };
  const or = (): string | boolean => {
    let v = and();
    while (toks[k] === '||') {
      k++;
      const w = and();
      v = truthy(v) ? v : w;
    }
    return v;
  };
  const result = truthy(or());
  assert.equal(k, toks.length, `if: ${cond}: read to its end`);
  // A condition without a status function is ANDed with success() by the runner.
  return usesStatus ? result : result && !failed;
}

/**
 * Runs the action's `run` steps in order as the runner would, each only when its `if:` holds; `uses` steps
 * are recorded with whether they would run and their `with` (expressions substituted), not run. Returns the
 * status of each run step, the outputs of each step, the uses steps and the action's outputs.
 */
function runAction(inputs: Record<string, string>, cwd: string) {
  const a = action();
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.inputs)) values[k] = inputs[k] ?? v.default ?? '';
  const outputs: Record<string, Record<string, string>> = {};
  const lookup = (e: string): string => {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([\w-]+)$/.exec(e))) return values[m[1]] ?? '';
    if (e === 'github.action_path') return ROOT;
    if (e === 'github.workspace') return cwd;
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e))) return outputs[m[1]]?.[m[2]] ?? '';
    throw new Error(`expression the test does not know: ${e}`);
  };
  const expr = (s: string) => s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => lookup(e));
  const statuses: Record<string, number | null> = {};
  const uses: { uses: string; ran: boolean; with: Record<string, string> }[] = [];
  let failed = false;
  for (const [i, step] of a.runs.steps.entries()) {
    const id = step.id ?? `step${i}`;
    const ran = evalIf(step.if, lookup, failed);
    if (step.uses) {
      uses.push({
        uses: step.uses,
        ran,
        with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v))])),
      });
      continue;
    }
    if (!ran) continue;
    assert.equal(step.shell, 'bash', `${id}: a composite run step names its shell`);
    assert.doesNotMatch(step.run!, /\$\{\{/, `${id}: inputs reach the script through env, never spliced into it`);
    const outFile = path.join(dir, `github-output-${id}-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(outFile, '');
    const script = path.join(dir, `step-${id}.sh`);
    fs.writeFileSync(script, step.run!);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GITHUB_OUTPUT: outFile,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: cwd,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expr(String(v));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 120000,
    });
    statuses[id] = r.status;
    if (r.status !== 0) failed = true;
    outputs[id] = readOutputs(outFile);
    (outputs[id] as Record<string, string>)['#log'] = r.stdout + r.stderr;
  }
  const actionOutputs = Object.fromEntries(Object.entries(a.outputs).map(([k, v]) => [k, expr(v.value)]));
  return { statuses, outputs, uses, actionOutputs };
}

/**
 * The inputs the used actions declare, from their action.yml (github/codeql-action upload-sarif/action.yml
 * and actions/setup-node action.yml, read at github/codeql-action@03e7845 and actions/setup-node@02041c0;
 * actions/upload-artifact action.yml at its v4 tag, ea165f8 = v4.6.2).
 * Only the names matter here: an input the action does not declare is ignored by the runner with a warning,
 * so a misspelt `sarif_file` would upload the default `../results` instead of our log.
 */
const DECLARED_INPUTS: Record<string, string[]> = {
  'github/codeql-action/upload-sarif': [
    'sarif_file',
    'checkout_path',
    'ref',
    'sha',
    'token',
    'matrix',
    'category',
    'wait-for-processing',
  ],
  'actions/setup-node': [
    'always-auth',
    'node-version',
    'architecture',
    'check-latest',
    'registry-url',
    'scope',
    'token',
    'version',
  ],
  'actions/upload-artifact': [
    'name',
    'path',
    'if-no-files-found',
    'retention-days',
    'compression-level',
    'overwrite',
    'include-hidden-files',
  ],
};

const SARIF_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
);

/**
 * What upload-sarif would be handed by this run, checked as far as can be offline: the file exists relative to
 * the workspace (the runner's working directory), is SARIF 2.1.0 by the official schema, and every result's
 * path resolves to a file in the workspace (upload-sarif relativises against checkout_path, the workspace).
 */
function checkUpload(run: ReturnType<typeof runAction>, ws: string) {
  const upload = run.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif@'))!;
  assert.ok(upload.ran, 'the upload step runs');
  assert.equal(upload.with.sarif_file, run.outputs.check['sarif-file'], 'it uploads the file the check step wrote');
  const file = path.resolve(ws, upload.with.sarif_file);
  assert.ok(fs.existsSync(file), `${file} exists`);
  const sarif = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
  };
  // The official schema has a pattern that is not valid with the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(SARIF_SCHEMA);
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
  for (const r of sarif.runs[0].results) {
    const uri: string = r.locations[0].physicalLocation.artifactLocation.uri;
    assert.ok(!path.isAbsolute(uri) && fs.existsSync(path.join(ws, uri)), `${uri} is a file of the workspace`);
  }
  return { upload, sarif };
}

test('action.yml: a composite action whose steps check, upload SARIF and fail the job', () => {
  const a = action();
  assert.equal(a.runs.using, 'composite');
  for (const k of [
    'paths',
    'nginx-version',
    'fail-on',
    'args',
    'sarif-file',
    'upload-sarif',
    'category',
    'version',
    'report',
    'report-artifact',
  ])
    assert.ok(a.inputs[k], k);
  assert.equal(a.inputs.report.default, '', 'no report unless asked for');
  // The HTML report: written by the `report` run step, attached by upload-artifact (a pinned major version)
  // only when that step wrote it, before the step that fails the job.
  const ids = a.runs.steps.map((s) => s.id);
  const artifact = a.runs.steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.match(a.runs.steps[artifact]?.uses ?? '', /^actions\/upload-artifact@v\d+$/);
  assert.match(a.runs.steps[artifact].if ?? '', /steps\.report\.outputs\.report-file != ''/);
  assert.deepEqual(a.runs.steps[artifact].with, {
    name: '${{ inputs.report-artifact }}',
    path: '${{ steps.report.outputs.report-file }}',
    'if-no-files-found': 'error',
  });
  assert.ok(
    ids.indexOf('check') < ids.indexOf('report') &&
      ids.indexOf('report') < artifact &&
      artifact < ids.indexOf('result'),
  );
  const upload = a.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload, 'uploads with github/codeql-action/upload-sarif');
  assert.match(upload!.if ?? '', /always\(\)/, 'uploads even when the check step reported findings');
  for (const s of a.runs.steps.filter((x) => x.uses)) {
    const name = s.uses!.replace(/@.*$/, '');
    assert.ok(DECLARED_INPUTS[name], `${name}: the inputs it declares are known to this test`);
    for (const k of Object.keys(s.with ?? {})) assert.ok(DECLARED_INPUTS[name].includes(k), `${name} declares ${k}`);
  }
  // The Node.js the action sets up runs the package: its major version meets package.json's engines.node.
  const setupNode = a.runs.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
  const engines = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node as string;
  assert.ok(Number(setupNode.with!['node-version']) >= Number(/^>=(\d+)$/.exec(engines)![1]), engines);
});

test('the if: reader refuses what it does not know and follows the runner on what it does', () => {
  // This reader decides which uses steps "would run" in the tests below: it must be able to say no.
  const look = (n: string) => ({ 'inputs.upload-sarif': 'true', 'steps.check.outputs.exit-code': '2' })[n] ?? '';
  assert.equal(evalIf("${{ always() && inputs.upload-sarif == 'true' }}", look, true), true);
  assert.equal(evalIf("${{ always() && steps.check.outputs.exit-code != '2' }}", look, false), false);
  assert.equal(evalIf("inputs.upload-sarif == 'TRUE'", look, false), true, 'strings compare case-insensitively');
  assert.equal(evalIf("inputs.upload-sarif == 'true'", look, true), false, 'implicit success()');
  assert.equal(evalIf(undefined, look, true), false);
  assert.equal(evalIf('!(failure() || inputs.nothing)', look, false), true);
  assert.throws(() => evalIf("contains(inputs.args, 'x')", look, false));
  assert.throws(() => evalIf('inputs.a > 1', look, false));
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
  const { upload } = checkUpload(failing, ws);
  assert.equal(upload.with.category, 'nginx-tls-proxy');
  assert.equal(failing.statuses.result, 1, 'the last step fails the job');
  assert.equal(failing.actionOutputs['exit-code'], '1');

  const passing = runAction(
    { paths: 'nginx', 'fail-on': 'error', 'sarif-file': 'out/x.sarif', args: '--rule upstream-tls-no-sni=off' },
    ws,
  );
  assert.equal(passing.outputs.check['exit-code'], '0', passing.outputs.check['#log']);
  assert.equal(passing.statuses.result, 0);
  assert.equal(checkUpload(passing, ws).upload.with.sarif_file, 'out/x.sarif');
  const x = JSON.parse(fs.readFileSync(path.join(ws, 'out/x.sarif'), 'utf8'));
  assert.ok(
    !x.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'upstream-tls-no-sni'),
    'args reach the check',
  );

  const broken = runAction({ paths: 'missing-dir', 'fail-on': 'none', 'sarif-file': 'broken.sarif' }, ws);
  assert.equal(broken.outputs.check['exit-code'], '2');
  assert.equal(broken.statuses.result, 2);
  // A usage or I/O error leaves no SARIF log worth uploading (it would replace the last good analysis).
  assert.equal(broken.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif'))!.ran, false);

  const noUpload = runAction({ paths: 'nginx', 'upload-sarif': 'false', 'fail-on': 'warning' }, ws);
  assert.equal(noUpload.outputs.check['exit-code'], '1');
  assert.equal(noUpload.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif'))!.ran, false);
  assert.ok(noUpload.uses.find((u) => u.uses.startsWith('actions/setup-node'))!.ran, 'setup-node always runs first');
  // Without `report` neither the report step nor the artifact upload runs.
  assert.equal(noUpload.statuses.report, undefined);
  assert.equal(noUpload.uses.find((u) => u.uses.startsWith('actions/upload-artifact@'))!.ran, false);
  assert.equal(noUpload.actionOutputs['report-file'], '');
});

test("the action's report step, executed as a script: a self-contained HTML report, attached as an artifact", () => {
  const ws = path.join(dir, 'workspace-report');
  write('workspace-report/nginx/nginx.conf', UNVERIFIED);
  write('workspace-report/-odd/nginx.conf', CLEAN.replace('return 200;', 'proxy_pass https://b.example.com;'));
  const artifact = (r: ReturnType<typeof runAction>) =>
    r.uses.find((u) => u.uses.startsWith('actions/upload-artifact@'))!;

  const run = runAction(
    { paths: 'nginx/\n-odd\n', 'fail-on': 'warning', 'nginx-version': '1.26', report: 'out/nginx-tls-report.html' },
    ws,
  );
  assert.equal(run.outputs.check['exit-code'], '1', run.outputs.check['#log']);
  assert.equal(run.statuses.report, 0, run.outputs.report?.['#log']);
  assert.equal(run.outputs.report['report-file'], 'out/nginx-tls-report.html');
  assert.equal(run.actionOutputs['report-file'], 'out/nginx-tls-report.html');
  const up = artifact(run);
  assert.ok(up.ran, 'the artifact upload runs');
  assert.deepEqual(up.with, {
    name: 'nginx-tls-report',
    path: 'out/nginx-tls-report.html',
    'if-no-files-found': 'error',
  });
  // upload-artifact resolves `path` against the workspace (the runner's working directory).
  const html = fs.readFileSync(path.join(ws, up.with.path), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/,
  );
  assert.doesNotMatch(
    html,
    /<script|<link|<iframe|<object|<embed|<img|@import|url\(/i,
    'self-contained: nothing to fetch',
  );
  for (const m of html.matchAll(/\s(?:src|href|xlink:href|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi))
    assert.fail(`an attribute loads ${m[1]}`);
  assert.match(html, /<svg role="img"/, 'the diagram');
  // Both paths are in it, the one that starts with "-" too (after `--`), and the findings of the check.
  assert.match(html, /nginx\/nginx\.conf/);
  assert.match(html, /-odd\/nginx\.conf/);
  assert.match(html, /a\.example\.com/);
  assert.match(html, /b\.example\.com/);
  assert.match(html, /upstream-tls-unverified/);
  assert.match(html, /upstream-tls-no-sni/);
  assert.equal(run.statuses.result, 1, 'the findings still fail the job, after the upload');

  // The options of `args` that the report knows reach it (a rule turned off is not in it); the others do not.
  const quiet = runAction(
    {
      paths: 'nginx',
      'fail-on': 'none',
      args: '--trusted-ca /etc/ssl/certs/ca-certificates.crt --rule=upstream-tls-no-sni=off --fail-on none',
      report: 'quiet.html',
      'report-artifact': 'tls',
    },
    ws,
  );
  assert.equal(quiet.statuses.report, 0, quiet.outputs.report?.['#log']);
  assert.deepEqual(artifact(quiet).with, { name: 'tls', path: 'quiet.html', 'if-no-files-found': 'error' });
  const q = fs.readFileSync(path.join(ws, 'quiet.html'), 'utf8');
  assert.match(q, /upstream-tls-unverified/);
  assert.doesNotMatch(q, /upstream-tls-no-sni/);
  assert.equal(quiet.statuses.result, 0);

  // A check that could not read the paths: no report step, no upload, the job fails on the check's exit code.
  const broken = runAction({ paths: 'missing-dir', report: 'broken.html' }, ws);
  assert.equal(broken.outputs.check['exit-code'], '2');
  assert.equal(broken.statuses.report, undefined);
  assert.equal(artifact(broken).ran, false);
  assert.ok(!fs.existsSync(path.join(ws, 'broken.html')));
  assert.equal(broken.statuses.result, 2);
});
