// Proves that lint enforces DESIGN §1's import directions: a forbidden import fails, an allowed one passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
// @ts-expect-error: the lint configuration is plain JavaScript without types
import { serverFolders, typeAwareRules } from '../eslint.config.js';

// The snippets below are linted without a TypeScript program, so the type-aware rules are off.
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: Object.fromEntries(Object.keys(typeAwareRules as Record<string, unknown>).map((rule) => [rule, 'off'])),
  },
});

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const cases: Array<{ file: string; code: string; forbidden: boolean }> = [
  { file: 'packages/expression/src/x.ts', code: "import '@flowbridge/engine';\n", forbidden: true },
  { file: 'packages/expression/src/x.ts', code: "import '../../../engine/src/index.js';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '../../../engine/src/index.js';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '../../server/src/index.js';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import 'node:fs';\n", forbidden: true },
  { file: 'packages/expression/src/x.ts', code: "import 'node:http';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '@flowbridge/expression';\n", forbidden: false },
  { file: 'packages/server/src/x.ts', code: "import '@flowbridge/engine';\nimport 'node:fs';\n", forbidden: false },
  // Folders inside packages/server (eslint.config.js `serverFolders`): dependencies point down.
  { file: 'packages/server/src/store/x.ts', code: "import '../host/run-host.js';\n", forbidden: true },
  { file: 'packages/server/src/store/x.ts', code: "import '../auth/index.js';\n", forbidden: true },
  { file: 'packages/server/src/store/x.ts', code: "import '../runtime.js';\n", forbidden: true },
  {
    file: 'packages/server/src/store/x.ts',
    code: "import '../util/json.js';\nimport './types.js';\n",
    forbidden: false,
  },
  { file: 'packages/server/src/store/x.ts', code: "import '../../../engine/src/index.js';\n", forbidden: true },
  { file: 'packages/server/src/effects/x.ts', code: "import '../approvals/index.js';\n", forbidden: true },
  { file: 'packages/server/src/effects/x.ts', code: "import '../util/json.js';\n", forbidden: false },
  { file: 'packages/server/src/util/x.ts', code: "import '../store/index.js';\n", forbidden: true },
  { file: 'packages/server/src/util/x.ts', code: "import './json.js';\n", forbidden: false },
  { file: 'packages/server/src/secrets/x.ts', code: "import '../store/index.js';\n", forbidden: true },
  { file: 'packages/server/src/secrets/x.ts', code: "import '../util/json.js';\n", forbidden: false },
  { file: 'packages/server/src/connectors/x.ts', code: "import '../store/index.js';\n", forbidden: true },
  { file: 'packages/server/src/connectors/x.ts', code: "import '../host/run-host.js';\n", forbidden: true },
  { file: 'packages/server/src/auth/x.ts', code: "import '../http/app.js';\n", forbidden: true },
  { file: 'packages/server/src/auth/x.ts', code: "import '../store/index.js';\n", forbidden: false },
  { file: 'packages/server/src/host/x.ts', code: "import '../http/app.js';\n", forbidden: true },
  { file: 'packages/server/src/host/x.ts', code: "import '../cli/main.js';\n", forbidden: true },
  {
    file: 'packages/server/src/host/x.ts',
    code: "import '../store/index.js';\nimport '../effects/index.js';\n",
    forbidden: false,
  },
  { file: 'packages/server/src/runtime.ts', code: "import './http/app.js';\n", forbidden: true },
  { file: 'packages/server/src/runtime.ts', code: "import './cli/main.js';\n", forbidden: true },
  {
    file: 'packages/server/src/runtime.ts',
    code: "import './host/run-host.js';\nimport './auth/index.js';\n",
    forbidden: false,
  },
  { file: 'packages/server/src/http/x.ts', code: "import '../cli/main.js';\n", forbidden: true },
  {
    file: 'packages/server/src/http/x.ts',
    code: "import '../runtime.js';\nimport '../host/run-host.js';\n",
    forbidden: false,
  },
  {
    file: 'packages/server/src/cli/x.ts',
    code: "import '../http/app.js';\nimport '../runtime.js';\n",
    forbidden: false,
  },
  // Tests and their helpers assemble every layer.
  { file: 'packages/server/src/store/x.test.ts', code: "import '../host/run-host.js';\n", forbidden: false },
  { file: 'packages/server/src/auth/test-harness.ts', code: "import '../http/app.js';\n", forbidden: false },
];

for (const c of cases) {
  test(`${c.file}: ${c.code.trim()} is ${c.forbidden ? 'forbidden' : 'allowed'}`, async () => {
    const ids = await ruleIds(c.code, c.file);
    assert.equal(ids.includes('no-restricted-imports'), c.forbidden, `lint said: ${ids.join(', ')}`);
  });
}

// Large libraries load on first use (eslint.config.js `loadedLazily`): a value import is an error,
// a type import is fine, and tests may import them.
const lazyCases: Array<{ file: string; code: string; forbidden: boolean }> = [
  { file: 'packages/expression/src/x.ts', code: "import { DOMParser } from '@xmldom/xmldom';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import { Ajv } from 'ajv';\n", forbidden: true },
  { file: 'packages/server/src/x.ts', code: "import nodemailer from 'nodemailer';\n", forbidden: true },
  { file: 'packages/server/src/x.ts', code: "import type { Transporter } from 'nodemailer';\n", forbidden: false },
  { file: 'packages/server/src/x.test.ts', code: "import nodemailer from 'nodemailer';\n", forbidden: false },
];

for (const c of lazyCases) {
  test(`lazy: ${c.file}: ${c.code.trim()} is ${c.forbidden ? 'forbidden' : 'allowed'}`, async () => {
    const ids = await ruleIds(c.code, c.file);
    assert.equal(ids.includes('@typescript-eslint/no-restricted-imports'), c.forbidden, `lint said: ${ids.join(', ')}`);
  });
}

// A new folder (or module at the root) of packages/server/src needs its row in `serverFolders`,
// else lint holds nothing against it and nothing keeps the layers below from importing it.
test('every folder of packages/server/src has a row in serverFolders', () => {
  const src = new URL('../packages/server/src/', import.meta.url);
  const names = readdirSync(src, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')))
    .map((entry) => entry.name.replace(/\.ts$/, ''));
  const rows = Object.keys(serverFolders as Record<string, unknown>);
  assert.deepEqual(
    names.filter((name) => !rows.includes(name)),
    [],
    'add it to serverFolders in eslint.config.js',
  );
});
