// Compiles each workspace package to its dist/ folder, in dependency order, so that the
// `flowbridge` bin runs plain JavaScript and starts fast. Tests and typecheck read the sources.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const order = ['expression', 'engine', 'server'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const name of order) {
  const project = `packages/${name}/tsconfig.build.json`;
  if (!existsSync(project)) continue;
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build failed in packages/${name}`);
    process.exit(result.status ?? 1);
  }
}
