// Real nginx for tests: `nginx -t` as an oracle, and servers started on free loopback ports in their own
// folders, waited for by polling and stopped by process id.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** Whether nginx can be used; in CI (NGINX_TLS_REQUIRE_NGINX=1) its absence is a failure, not a skip. */
export function nginxAvailable(): boolean {
  const ok = fs.existsSync(NGINX);
  if (!ok && process.env.NGINX_TLS_REQUIRE_NGINX === '1') throw new Error(`nginx is required but ${NGINX} does not exist`);
  return ok;
}

export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // nginx workers run as an unprivileged user when started by root: let them read what we write.
  fs.chmodSync(d, 0o755);
  return d;
}

export interface TestResult {
  ok: boolean;
  output: string;
  errors: { message: string; file?: string; line?: number }[];
}

export function nginxTest(conf: string, prefix = path.dirname(conf) + '/'): TestResult {
  const r = spawnSync(NGINX, ['-t', '-q', '-c', conf, '-p', prefix, '-e', 'stderr'], { encoding: 'utf8', timeout: 60000 });
  const output = (r.stdout ?? '') + (r.stderr ?? '');
  const errors = output.split('\n').filter((l) => /\[emerg\]/.test(l)).map((l) => {
    const m = /\[emerg\]\s+(?:\d+#\d+:\s+)?(.*?)(?: in (\S+):(\d+))?$/.exec(l)!;
    return { message: m[1], file: m[2], line: m[3] ? parseInt(m[3], 10) : undefined };
  });
  return { ok: r.status === 0, output, errors };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A port on 127.0.0.1 that refuses connections for the whole test: a low one nothing here listens on, checked
 * to refuse now (freePort() only lends an ephemeral port, which another test's freePort() may hand out and a
 * server then take while it is meant to stay closed). Falls back to freePort() if every candidate answers.
 */
export async function refusedPort(): Promise<number> {
  for (const port of [1, 9, 11, 13, 17]) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(false); });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
    });
    if (refused) return port;
  }
  return freePort();
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface RunningNginx {
  pid: number;
  dir: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Writes `dir/nginx.conf`: the standard preamble (pid, logs, temp paths in `dir`) and then `body`. */
export function writeNginxConf(dir: string, body: string, preamble = ''): string {
  const conf = path.join(dir, 'nginx.conf');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  fs.chmodSync(logs, 0o777);
  fs.writeFileSync(conf, `${preamble}daemon off;\nmaster_process on;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${logs}/error.log info;\nevents { worker_connections 64; }\n${body}`);
  return conf;
}

/**
 * Starts nginx in the foreground (so we own its pid) on `dir/nginx.conf`, and waits until every port in
 * `ports` accepts connections.
 */
export async function startNginx(dir: string, ports: number[]): Promise<RunningNginx> {
  const conf = path.join(dir, 'nginx.conf');
  const logs = path.join(dir, 'logs');
  const t = nginxTest(conf, dir + '/');
  if (!t.ok) throw new Error('nginx -t failed before start:\n' + t.output + '\n' + fs.readFileSync(conf, 'utf8'));
  const child = spawn(NGINX, ['-c', conf, '-p', dir + '/', '-e', `${logs}/error.log`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGQUIT');
    const t2 = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t2);
  };
  try {
    await waitFor(async () => {
      if (exited) throw new Error('nginx exited: ' + stderr + readLog(logs));
      for (const p of ports) if (!(await canConnect(p))) return false;
      return true;
    }, `nginx on ports ${ports.join(', ')}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid: child.pid!, dir, errorLog: () => readLog(logs), stop };
}

function readLog(logs: string): string {
  try { return fs.readFileSync(path.join(logs, 'error.log'), 'utf8'); } catch { return ''; }
}
