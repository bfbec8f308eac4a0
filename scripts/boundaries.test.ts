// Proves that lint enforces DESIGN §1's import directions: a forbidden import fails, an allowed one passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const cases: Array<{ file: string; code: string; forbidden: boolean }> = [
  { file: 'packages/expression/src/x.ts', code: "import '@flowbridge/engine';\n", forbidden: true },
  { file: 'packages/expression/src/x.ts', code: "import '@flowbridge/server';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '@flowbridge/server';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '../../server/src/index.js';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import 'node:fs';\n", forbidden: true },
  { file: 'packages/expression/src/x.ts', code: "import 'node:http';\n", forbidden: true },
  { file: 'packages/engine/src/x.ts', code: "import '@flowbridge/expression';\n", forbidden: false },
  { file: 'packages/server/src/x.ts', code: "import '@flowbridge/engine';\nimport 'node:fs';\n", forbidden: false },
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
