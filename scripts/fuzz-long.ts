// The robustness properties at scale (not part of npm test):
//   npm run fuzz:long                          1 000 000 cases over all CPUs, fresh random seed
//   npx tsx scripts/fuzz-long.ts 5000000       more cases
//   FUZZ_SEED=123 npx tsx scripts/fuzz-long.ts  replay: worker k uses seed 123 + k (chunk seeds derive from it)
// The properties and generators are those of test/robustness/properties.ts. Each worker is a child process
// running its share in chunks of 20 000; a failing chunk is shrunk and printed with its seed, and the run
// goes on, so the total is reached even when a known bug keeps failing. Exit status 1 if anything failed.

import { fork } from 'node:child_process';
import * as os from 'node:os';
import fc from 'fast-check';
import { anyText, checkText, describeFailure } from '../test/robustness/properties';

const WORKER = '--fuzz-worker';

/**
 * Runs `runs` cases in chunks with seeds derived from `seed`: a failing chunk is shrunk and reported, and the
 * run goes on with the next chunk, so that one known bug does not hide the others (or the case count).
 */
function runWorker(seed: number, runs: number): void {
  const started = Date.now();
  const CHUNK = 20000;
  const failures: { seed: number; path?: string; input: string; error: string }[] = [];
  let passed = 0;
  for (let done = 0, k = 0; done < runs; k++) {
    const n = Math.min(CHUNK, runs - done);
    const chunkSeed = (seed * 7919 + k) % 2147483647;
    const out = fc.check(fc.property(anyText, (t) => { checkText(t); }), { numRuns: n, seed: chunkSeed });
    passed += out.numRuns - (out.failed ? 1 : 0);
    if (out.failed) failures.push({ seed: chunkSeed, path: out.counterexamplePath ?? undefined, input: out.counterexample![0] as string, error: describeFailure(out.errorInstance) });
    done += out.failed ? Math.max(1, out.numRuns) : n;
  }
  process.send!({ seed, passed, failures, ms: Date.now() - started });
}

async function main(): Promise<void> {
  const total = parseInt(process.argv[2] ?? '1000000', 10);
  const workers = Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, parseInt(process.env.FUZZ_WORKERS ?? '64', 10)));
  const base = process.env.FUZZ_SEED ? parseInt(process.env.FUZZ_SEED, 10) : Date.now() % 1_000_000_000;
  console.log(`fuzzing ${total} cases on ${workers} workers, seeds ${base}..${base + workers - 1} (FUZZ_SEED=${base} replays)`);
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: workers }, (_, k) => {
      const runs = Math.floor(total / workers) + (k < total % workers ? 1 : 0);
      return new Promise<any>((resolve, reject) => {
        const child = fork(__filename, [WORKER, String(base + k), String(runs)], { execArgv: ['--import', 'tsx'] });
        let msg: any;
        child.on('message', (m) => (msg = m));
        child.on('exit', (code) => (msg ? resolve(msg) : reject(new Error(`worker ${k} exited with ${code} and no result`))));
      });
    }),
  );
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failures = results.flatMap((r) => r.failures);
  const s = (Date.now() - started) / 1000;
  // The same bug found from several seeds: report each distinct message (digits blurred) once.
  const distinct = new Map<string, (typeof failures)[number]>();
  for (const f of failures) {
    const key = f.error.replace(/\d+/g, '#').replace(/\/\^.*\$\//s, '/…/');
    const prev = distinct.get(key);
    if (!prev || f.input.length < prev.input.length) distinct.set(key, f);
  }
  for (const f of distinct.values()) {
    console.error(`FAILED (chunk seed ${f.seed}, path ${f.path}): ${f.error}\n  minimal input: ${JSON.stringify(f.input)}`);
  }
  if (failures.length) process.exitCode = 1;
  console.log(`${failures.length ? `${failures.length} failing cases (${distinct.size} distinct)` : 'ok'}: ${passed} cases passed in ${s.toFixed(0)} s (${(passed / s).toFixed(0)}/s)`);
}

if (process.argv[2] === WORKER) runWorker(parseInt(process.argv[3], 10), parseInt(process.argv[4], 10));
else void main();
