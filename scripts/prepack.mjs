// `npm pack` / `npm publish` (and pre-commit, which installs this repository with `npm pack`): the package's
// bins are dist/cli.js and dist/server.js, so build them when a checkout has none. An existing build is kept.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!['dist/cli.js', 'dist/server.js', 'dist/core.js'].every((f) => existsSync(f))) {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
