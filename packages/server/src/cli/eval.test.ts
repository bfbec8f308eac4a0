import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { captureIO } from './test-support.js';

const capture = (stdin: string[] = []) => captureIO({ stdin });

test('eval prints the JSON value and exits 0', async () => {
  const cases: Array<[string, string]> = [
    ['@add(1,2)', '3'],
    ["Hi @{'x'}", '"Hi x"'],
    ['plain', '"plain"'],
    ["@float('5')", '5.0'],
    ["@createArray(1, 'a', null)", '[1,"a",null]'],
  ];
  for (const [expression, expected] of cases) {
    const io = capture();
    assert.equal(await main(['eval', expression], io), 0);
    assert.equal(io.out, `${expected}\n`);
  }
});

test('eval prints the error JSON to stderr and exits 1', async () => {
  const io = capture();
  assert.equal(await main(['eval', "@int('x')"], io), 1);
  const error = JSON.parse(io.err) as { code: string; message: string };
  assert.equal(error.code, 'InvalidArgument');
  const syntax = capture();
  assert.equal(await main(['eval', '@concat('], syntax), 1);
  assert.equal((JSON.parse(syntax.err) as { code: string }).code, 'InvalidTemplate');
});

test('eval without an expression is a usage error', async () => {
  const io = capture();
  assert.equal(await main(['eval'], io), 2);
});

test('eval --context reads parameters, variables, trigger, outputs and items', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-eval-'));
  try {
    const file = join(dir, 'context.json');
    writeFileSync(
      file,
      JSON.stringify({
        parameters: { myAge: 42 },
        variables: { n: 2 },
        triggerBody: { name: 'Ann' },
        outputs: { Get: { statusCode: 200, body: { v: [1, 2] } } },
        items: { Loop: { id: 9 } },
      }),
    );
    const cases: Array<[string, string]> = [
      ["@parameters('myAge')", '42'],
      ["@add(variables('n'), 1)", '3'],
      ['@triggerBody().name', '"Ann"'],
      ['@triggerOutputs().body.name', '"Ann"'],
      ["@body('Get').v[1]", '2'],
      ["@outputs('Get').statusCode", '200'],
      ["@actions('Get').status", '"Succeeded"'],
      ["@items('Loop').id", '9'],
      ['@item().id', '9'],
    ];
    for (const [expression, expected] of cases) {
      const io = capture();
      assert.equal(await main(['eval', expression, '--context', file], io), 0, io.err);
      assert.equal(io.out, `${expected}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eval - answers one NDJSON line per input line and never crashes', async () => {
  const io = capture([
    '{"expression": "@add(1,2)"}',
    '{"expression": "@variables(\'x\')", "context": {"variables": {"x": [1.0]}}}',
    'not json',
    '{"expression": "@nope()"}',
    '',
    '{"expression": 5}',
    '{"expression": "@utcNow()"}',
  ]);
  assert.equal(await main(['eval', '-'], io), 0);
  const lines = io.out.trimEnd().split('\n');
  assert.equal(lines.length, 6);
  assert.deepEqual(JSON.parse(lines[0] as string), { value: 3 });
  assert.equal(lines[1], '{"value":[1.0]}');
  assert.equal((JSON.parse(lines[2] as string) as { error: { code: string } }).error.code, 'InvalidInput');
  assert.equal((JSON.parse(lines[3] as string) as { error: { code: string } }).error.code, 'UnknownFunction');
  assert.equal((JSON.parse(lines[4] as string) as { error: { code: string } }).error.code, 'InvalidInput');
  assert.ok(
    'value' in (JSON.parse(lines[5] as string) as object) || 'error' in (JSON.parse(lines[5] as string) as object),
  );
});
