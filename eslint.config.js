// Lint rules, including DESIGN §1's package boundaries: each package may import only the
// packages below it (expression <- engine <- server; sdk and web stand apart).
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Which workspace packages each package may import (DESIGN §1, "may import"). */
export const allowedImports = {
  expression: [],
  engine: ['expression'],
  server: ['engine', 'expression'],
  sdk: [],
  web: ['sdk'],
};
const all = Object.keys(allowedImports);

/**
 * Large libraries that few processes need, and none at start (README "Performance"): their types
 * may be imported anywhere, their code is loaded where it is first used (dynamic import(), or
 * `createRequire(import.meta.url)(id)` where the caller is synchronous).
 */
export const loadedLazily = [
  'quickjs-emscripten',
  'nodemailer',
  'marked',
  '@xmldom/xmldom',
  'xpath',
  'luxon',
  'windows-iana',
  'ajv',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'undici',
];

/**
 * Files only tests and benchmarks use: left out of each package's dist (tsconfig.build.json, checked
 * by scripts/dist.test.ts) and free of the folder boundaries below (a test assembles every layer).
 */
export const testOnly = [
  '**/*.test.ts',
  '**/test-support/**',
  '**/test-fixtures/**',
  '**/test-support.ts',
  '**/test-harness.ts',
  '**/test-server.ts',
  '**/test-cli.ts',
  '**/e2e-support.ts',
  '**/bench-store.ts',
];

/**
 * Folder boundaries inside packages/server (CONTRIBUTING.md, "Where things go"): what each folder,
 * or module at the root of src/, may not import. Dependencies point down: util and secrets at the
 * bottom, then store and effects, the features (auth, approvals, connectors) and the run host; http
 * and cli at the top; runtime.ts, the composition root, builds everything below http and cli.
 */
const ours = [
  'util',
  'secrets',
  'store',
  'effects',
  'connectors',
  'runner',
  'auth',
  'approvals',
  'desktop',
  'agent',
  'connector-host',
  'host',
  'http',
  'cli',
  'config',
  'runtime',
  'runtime-config',
  'version',
  'index',
];
const allBut = (...kept) => ours.filter((name) => !kept.includes(name));
export const serverFolders = {
  util: { mayNotImport: allBut('util') },
  secrets: { mayNotImport: allBut('util', 'secrets') },
  version: { root: true, mayNotImport: allBut() },
  store: { mayNotImport: ['host', 'http', 'cli', 'auth', 'approvals', 'runner', 'runtime'] },
  effects: { mayNotImport: ['host', 'http', 'cli', 'auth', 'approvals', 'runner', 'runtime'] },
  config: { root: true, mayNotImport: ['host', 'http', 'cli', 'auth', 'approvals', 'runner', 'runtime'] },
  connectors: { mayNotImport: ['host', 'http', 'cli', 'store', 'runtime'] },
  auth: { mayNotImport: ['approvals', 'host', 'http', 'cli', 'runtime'] },
  approvals: { mayNotImport: ['host', 'http', 'cli', 'runtime'] },
  desktop: { mayNotImport: ['host', 'http', 'cli', 'runtime', 'connector-host'] },
  // The machine agent talks to the server over HTTP only: it may share types and the CLI's I/O.
  agent: { mayNotImport: ['host', 'http', 'runtime', 'desktop', 'connector-host', 'approvals', 'auth'] },
  // Connectors at run time sit at the level of http for now (their routes use the http context and
  // the trigger URL signer; they plug into runtime.ts's extension types): moving those two down is
  // open work (issue #14's note).
  'connector-host': { mayNotImport: ['cli'] },
  runner: { mayNotImport: ['host', 'http', 'cli', 'runtime'] },
  host: { mayNotImport: ['http', 'cli', 'runtime'] },
  runtime: { root: true, mayNotImport: ['http', 'cli', 'runtime-config'] },
  'runtime-config': { root: true, mayNotImport: ['http', 'cli'] },
  http: { mayNotImport: ['cli'] },
  cli: { mayNotImport: [] },
  index: { root: true, mayNotImport: [] }, // the package's entry: the CLI
};

/** The no-restricted-imports pattern for one server folder's forbidden neighbours. */
function folderPattern(folder, { root, mayNotImport }) {
  // From src/<folder>/**: '../host/x.js', '../runtime.js'; from src/<module>.ts: './http/x.js'.
  const prefix = root ? '\\./' : '(\\.\\./)+';
  return {
    regex: `^${prefix}(${mayNotImport.join('|')})(/|\\.js$)`,
    message: `packages/server/src/${folder} may not import ${mayNotImport.join(', ')} (CONTRIBUTING.md, "Where things go").`,
  };
}

/**
 * Type-aware rules (typescript-eslint's projectService), on non-test sources: a durable executor
 * must not drop a promise. scripts/boundaries.test.ts lints snippets without a program and turns
 * these off.
 */
export const typeAwareRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
};

function boundaryRules(pkg, { pureCore, extra = [] }) {
  const forbidden = all.filter((p) => p !== pkg && !allowedImports[pkg].includes(p));
  const patterns = [];
  if (forbidden.length) {
    patterns.push({
      group: forbidden.map((p) => `@flowbridge/${p}`).concat(forbidden.map((p) => `@flowbridge/${p}/*`)),
      message: `packages/${pkg} may not import this package (DESIGN §1: dependencies point down).`,
    });
  }
  // Reaching into another package by relative path bypasses the boundary.
  patterns.push({
    group: ['**/packages/*', '../../*/src/*', '../../../*/src/*'],
    message: 'Import other packages by their @flowbridge/* name, never by a relative path.',
  });
  if (pureCore) {
    // The pure core does no I/O: storage, clock and network come from the host.
    patterns.push({
      group: [
        'node:fs',
        'node:fs/*',
        'fs',
        'node:net',
        'node:http',
        'node:https',
        'node:child_process',
        'node:worker_threads',
        'node:vm',
        'pg',
        'better-sqlite3',
      ],
      message: `packages/${pkg} is the pure core and does no I/O (DESIGN §1).`,
    });
  }
  patterns.push(...extra);
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.flowbridge/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Tests read loosely typed JSON responses; `any` there keeps assertions readable.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...all.map((pkg) => ({
    files: [`packages/${pkg}/**/*.ts`, `packages/${pkg}/**/*.tsx`],
    rules: boundaryRules(pkg, { pureCore: pkg === 'expression' || pkg === 'engine' }),
  })),
  ...Object.entries(serverFolders)
    .filter(([, rule]) => rule.mayNotImport.length)
    .map(([folder, rule]) => ({
      files: [rule.root ? `packages/server/src/${folder}.ts` : `packages/server/src/${folder}/**/*.ts`],
      ignores: testOnly,
      rules: boundaryRules('server', { pureCore: false, extra: [folderPattern(folder, rule)] }),
    })),
  {
    // No import cycles, in any package: a cycle makes load order matter and hides a missing layer.
    files: ['packages/*/src/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'examples/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })] },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Examples (DESIGN §1, `examples/*`) use Flowbridge as any application does: @flowbridge/sdk and HTTP.
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@flowbridge/*', '!@flowbridge/sdk', '**/packages/*'],
              message: 'Examples may import @flowbridge/sdk only (DESIGN §1).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    ignores: testOnly,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    rules: typeAwareRules,
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: loadedLazily.map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Load it where it is first used, not at start (see loadedLazily in eslint.config.js).',
          })),
        },
      ],
    },
  },
  {
    // Tests of the pure core may read fixtures from disk; package directions still hold.
    files: [
      'packages/expression/**/*.test.ts',
      'packages/engine/**/*.test.ts',
      'packages/*/src/**/test-support/**/*.ts',
    ],
    rules: boundaryRules('engine', { pureCore: false }),
  },
);
