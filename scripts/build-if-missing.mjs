// The `prepare` script: a checkout installed as a package (pre-commit runs `npm install -g git+file://<repo>`,
// which runs `prepare` after installing the dev dependencies) or packed (`npm pack`/`npm publish`) needs
// dist/cli.js and dist/server.js, the package's bins: build them when missing. An existing build is kept.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!['dist/cli.js', 'dist/server.js', 'dist/core.js'].every((f) => existsSync(f))) {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
