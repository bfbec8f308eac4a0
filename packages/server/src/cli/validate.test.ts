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
