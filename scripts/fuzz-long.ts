// The property tests at scale: `npx tsx scripts/fuzz-long.ts [runs]` (default 1 000 000). Not part of npm test.
import fc from 'fast-check';
import { anyText, checkText } from '../test/robustness/properties';

const runs = parseInt(process.argv[2] ?? '1000000', 10);
const seed = Date.now() % 2147483647;
console.log(`fuzzing ${runs} cases, seed ${seed}`);
const started = Date.now();
fc.assert(fc.property(anyText, (t) => { checkText(t); }), { numRuns: runs, seed });
console.log(`ok: ${runs} cases in ${((Date.now() - started) / 1000).toFixed(0)} s`);
