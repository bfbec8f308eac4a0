// Runs every test file with Node's built-in runner. The file list is passed explicitly: Node 20
// does not expand globs for --test, and an empty list must fail rather than pass with 0 tests.
// Usage: npm test [-- <path filter> ...]   e.g. npm test -- packages/expression
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['packages', 'scripts', 'examples'];
const skip = new Set(['node_modules', 'dist', '.flowbridge']);
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (skip.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.test\.ts$/.test(entry)) files.push(relative(process.cwd(), path));
  }
}
for (const root of roots) walk(root);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files found', filters.length ? `matching ${filters.join(' ')}` : '');
  process.exit(1);
}
const args = ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec'];
if (process.env.TEST_CONCURRENCY) args.push(`--test-concurrency=${process.env.TEST_CONCURRENCY}`);
const result = spawnSync(process.execPath, [...args, ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
