// Lint rules, including DESIGN §1's package boundaries: each package may import only the
// packages below it (expression <- engine <- server; sdk and web stand apart).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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

function boundaryRules(pkg, { pureCore }) {
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
