import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { captureIO } from './test-support.js';

const capture = () => captureIO();

let dir: string;
let valid: string;
let invalid: string;
let broken: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowbridge-validate-'));
  valid = join(dir, 'valid.json');
  invalid = join(dir, 'invalid.json');
  broken = join(dir, 'broken.json');
  const triggers = { manual: { type: 'Request', kind: 'Http', inputs: {} } };
  await writeFile(
    valid,
    JSON.stringify({ definition: { triggers, actions: { A: { type: 'Compose', inputs: 1, runAfter: {} } } } }),
  );
  await writeFile(
    invalid,
    JSON.stringify({
      properties: {
        definition: { triggers, actions: { A: { type: 'Compose', inputs: 1, runAfter: { Missing: ['Succeeded'] } } } },
      },
    }),
  );
  await writeFile(broken, '{"definition":');
});
after(() => rm(dir, { recursive: true, force: true }));

test('validate: a valid file → exit 0', async () => {
  const io = capture();
  assert.equal(await main(['validate', valid], io), 0);
  assert.match(io.out, /valid\.json: valid/);
});

test('validate --json: one entry per file with pointer, code, message; exit 2 when any is invalid', async () => {
  const io = capture();
  const code = await main(['validate', valid, invalid, broken, join(dir, 'absent.json'), '--json'], io);
  assert.equal(code, 2);
  const reports = JSON.parse(io.out) as Array<{ file: string; valid: boolean; errors: Array<Record<string, string>> }>;
  assert.deepEqual(
    reports.map((r) => [r.file, r.valid]),
    [
      [valid, true],
      [invalid, false],
      [broken, false],
      [join(dir, 'absent.json'), false],
    ],
  );
  for (const r of reports) {
    for (const e of r.errors) assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'pointer']);
  }
  assert.deepEqual(reports[0]!.errors, []);
  assert.ok(reports[1]!.errors.some((e) => e.pointer!.startsWith('/properties/definition/actions/A/runAfter')));
  assert.equal(reports[2]!.errors[0]!.code, 'InvalidJson');
  assert.equal(reports[3]!.errors[0]!.code, 'UnreadableFile');
});

test('validate: text output lists pointers and codes', async () => {
  const io = capture();
  assert.equal(await main(['validate', invalid], io), 2);
  assert.match(io.out, /invalid\.json: \d+ errors?\n {2}\/properties\/definition\/actions\/A\/runAfter\S* {2}\w+: /);
});

test('validate with no files → exit 2 with usage', async () => {
  const io = capture();
  assert.equal(await main(['validate'], io), 2);
  assert.match(io.err, /Usage: flowbridge validate/);
});

test('validate --arm-parameters: ARM template expressions are evaluated; an unsupported function is named', async () => {
  const workflow = (inputs: string) => ({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    parameters: { name: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.Logic/workflows',
        properties: {
          definition: {
            triggers: { manual: { type: 'Request', kind: 'Http' } },
            actions: { A: { type: 'Compose', inputs } },
          },
        },
      },
    ],
  });
  const template = join(dir, 'arm.json');
  const listKeys = join(dir, 'arm-listkeys.json');
  const parameters = join(dir, 'arm.parameters.json');
  await writeFile(template, JSON.stringify(workflow("[concat('Hi ', parameters('name'))]")));
  await writeFile(listKeys, JSON.stringify(workflow("[listKeys('x', '2019-04-01').keys[0].value]")));
  await writeFile(parameters, JSON.stringify({ parameters: { name: { value: 'Ada' } } }));

  const missing = capture();
  assert.equal(await main(['validate', template], missing), 2);
  assert.match(missing.out, /\/resources\/0\/properties\/definition\/actions\/A\/inputs {2}ArmParameterMissing: /);
  const given = capture();
  assert.equal(await main(['validate', template, '--arm-parameters', parameters], given), 0, given.out);
  const unsupported = capture();
  assert.equal(await main(['validate', listKeys, '--json'], unsupported), 2);
  const [report] = JSON.parse(unsupported.out) as Array<{ errors: Array<Record<string, string>> }>;
  assert.equal(report!.errors[0]!.code, 'ArmUnsupportedFunction');
  assert.match(report!.errors[0]!.message!, /listKeys/);
});

test('validate and run: a file nested 50,000 deep is NestingTooDeep, not a stack overflow', async () => {
  const deep = join(dir, 'deep.json');
  const nested = '['.repeat(50_000) + ']'.repeat(50_000);
  await writeFile(deep, `{"definition":{"triggers":{},"actions":{"A":{"type":"Compose","inputs":${nested}}}}}`);
  const validate = capture();
  assert.equal(await main(['validate', deep, '--json'], validate), 2);
  assert.equal(JSON.parse(validate.out)[0].errors[0].code, 'NestingTooDeep');
  const run = capture();
  assert.equal(await main(['run', deep], run), 2);
  assert.match(run.err, /deeper than 1000 levels/);
});
