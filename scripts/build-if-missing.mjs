// The `prepare` script: a checkout installed as a package (pre-commit runs `npm install -g git+file://<repo>`,
// which runs `prepare` in a clone) or packed (`npm pack`/`npm publish`) needs dist/cli.js and dist/server.js,
// the package's bins: build them when missing. An existing build is kept.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!['dist/cli.js', 'dist/server.js', 'dist/core.js'].every((f) => existsSync(f))) {
  if (!existsSync('node_modules/esbuild')) {
    // Under `npm install -g`, npm prepares the clone with the parent's global settings in the environment, so
    // the dev dependencies land elsewhere: install them here, locally, without scripts.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^npm_config_(global|prefix|location)$/i.test(k)),
    );
    const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
    const r = spawnSync(
      npm[0],
      [
        ...npm[1],
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--include=dev',
        '--location=project',
      ],
      { stdio: 'inherit', env },
    );
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
