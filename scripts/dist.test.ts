// Proves that test and benchmark helpers (eslint.config.js `testOnly`) stay out of every package's
// dist: the build's program (tsconfig.build.json) holds none of them, and a built dist has none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: the lint configuration is plain JavaScript without types
import { testOnly } from '../eslint.config.js';

const patterns = testOnly as string[];
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const packages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'tsconfig.build.json')),
);

/** The `**` / `*` globs of `testOnly` as one regular expression over paths relative to src/. */
const testOnlyPath = new RegExp(
  `^(?:${patterns
    .map((glob) =>
      glob
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replaceAll('**/', '<any-dirs>')
        .replaceAll('/**', '<all-below>')
        .replaceAll('*', '[^/]*')
        .replaceAll('<any-dirs>', '(?:.*/)?')
        .replaceAll('<all-below>', '/.*'),
    )
    .join('|')})$`,
);

const matcherCases: Array<[string, boolean]> = [
  ['host/e2e-support.ts', true],
  ['http/test-support.ts', true],
  ['store/test-support/contract/support.ts', true],
  ['connectors/test-fixtures/x/y.json', true],
  ['store/bench-store.ts', true],
  ['host/test-cli.ts', true],
  ['runtime.test.ts', true],
  ['host/run-host.ts', false],
  ['store/index.ts', false],
  ['runner/mocks.ts', false],
];
for (const [path, expected] of matcherCases) {
  test(`testOnly ${expected ? 'takes' : 'leaves'} ${path}`, () => assert.equal(testOnlyPath.test(path), expected));
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const name of packages) {
  test(`packages/${name}: the build compiles no test or benchmark helper`, () => {
    const project = join(root, 'packages', name, 'tsconfig.build.json');
    const listed = spawnSync(process.execPath, [tsc, '-p', project, '--listFilesOnly'], { encoding: 'utf8' });
    const src = join(root, 'packages', name, 'src');
    const ours = listed.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((file) => file.startsWith(src + '/'))
      .map((file) => relative(src, file));
    assert.ok(ours.length > 0, `tsc listed no sources of packages/${name}: ${listed.stderr}`);
    assert.deepEqual(
      ours.filter((file) => testOnlyPath.test(file)),
      [],
      'imported by a non-test source, or missing from tsconfig.build.json exclude',
    );
  });

  test(`packages/${name}: dist holds no test or benchmark helper`, (t) => {
    const dist = join(root, 'packages', name, 'dist');
    if (!existsSync(dist)) return t.skip('not built');
    const found = readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .map((file) => file.split('\\').join('/'))
      .filter((file) => !file.startsWith('bundle/'))
      .filter((file) => testOnlyPath.test(file.replace(/\.(js|d\.ts|js\.map|d\.ts\.map)$/, '.ts')));
    assert.deepEqual(found, [], 'left from an older build? run `npm run build`');
  });
}
