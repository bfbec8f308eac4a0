// The script runner with real processes: inputs in, outputs out, failures with stderr, and the
// process tree killed on cancel and timeout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputVariable, runScript, type ScriptOutcome, type ScriptSpec } from './runner.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbridge-runner-'));
let n = 0;
const spec = (language: string, script: string, extra: Partial<ScriptSpec> = {}): ScriptSpec => ({
  sessionId: `s${++n}`,
  language,
  script,
  inputs: { name: 'Ada', count: 3, 'two words': 'x y' },
  workDir: join(dir, `s${n}`),
  timeoutMs: 10_000,
  killGraceMs: 200,
  ...extra,
});

/** Whether any process runs with `marker` in its command line. */
function running(marker: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

describe('runScript', () => {
  const cases: Array<[name: string, s: ScriptSpec, expected: Partial<ScriptOutcome>, log?: RegExp]> = [
    [
      'bash: inputs as variables and as a file, outputs from the file',
      spec(
        'bash',
        'echo "hello $FLOWBRIDGE_INPUT_NAME"\n' +
          'n=$(node -e "console.log(require(process.env.FLOWBRIDGE_INPUTS).count + 1)")\n' +
          'echo "{\\"greeting\\": \\"hi $FLOWBRIDGE_INPUT_NAME\\", \\"n\\": $n, \\"w\\": \\"$FLOWBRIDGE_INPUT_TWO_WORDS\\"}" > "$FLOWBRIDGE_OUTPUTS"',
      ),
      { status: 'Succeeded', outputs: { greeting: 'hi Ada', n: 4, w: 'x y' } },
      /hello Ada/,
    ],
    [
      'node: an ES module script',
      spec(
        'node',
        "import { readFileSync, writeFileSync } from 'node:fs';\n" +
          'const inputs = JSON.parse(readFileSync(process.env.FLOWBRIDGE_INPUTS, "utf8"));\n' +
          'await new Promise((r) => setTimeout(r, 10));\n' +
          'writeFileSync(process.env.FLOWBRIDGE_OUTPUTS, JSON.stringify({ upper: inputs.name.toUpperCase() }));',
      ),
      { status: 'Succeeded', outputs: { upper: 'ADA' } },
    ],
    ['sh: no outputs file is no outputs', spec('sh', 'true'), { status: 'Succeeded', outputs: {} }],
    [
      'a failing exit: Failed with the tail of stderr',
      spec('bash', 'echo working\necho "disk full" >&2\nexit 3'),
      { status: 'Failed', errorCode: 'ScriptFailed', errorMessage: 'disk full' },
    ],
    [
      'outputs that are not a JSON object',
      spec('bash', 'echo "[1,2]" > "$FLOWBRIDGE_OUTPUTS"'),
      { status: 'Failed', errorCode: 'InvalidOutputs' },
    ],
    ['an unknown language', spec('cobol', 'DISPLAY'), { status: 'Failed', errorCode: 'UnsupportedLanguage' }],
    [
      'the agent registration key is not passed on',
      spec('bash', 'test -z "$FLOWBRIDGE_REGISTRATION_KEY" && test -n "$FLOWBRIDGE_SESSION_ID"'),
      { status: 'Succeeded' },
    ],
  ];
  for (const [name, s, expected, log] of cases) {
    it(name, async () => {
      process.env.FLOWBRIDGE_REGISTRATION_KEY = 'fbk_secret';
      let output = '';
      const outcome = await runScript({ ...s, onLog: (t) => (output += t) }).done;
      delete process.env.FLOWBRIDGE_REGISTRATION_KEY;
      for (const [k, v] of Object.entries(expected))
        assert.deepEqual(outcome[k as keyof ScriptOutcome], v, `${k}: ${JSON.stringify(outcome)}`);
      if (log) assert.match(output, log);
    });
  }

  it('names input variables FLOWBRIDGE_INPUT_<NAME>', () => {
    assert.equal(inputVariable('customer-id'), 'FLOWBRIDGE_INPUT_CUSTOMER_ID');
    assert.equal(inputVariable('Name'), 'FLOWBRIDGE_INPUT_NAME');
  });

  for (const reason of ['Cancelled', 'TimedOut'] as const) {
    it(`${reason}: the whole process tree is killed`, async () => {
      const marker = `${reason === 'Cancelled' ? 41 : 42}.${process.pid}`;
      const script = runScript(
        spec('bash', `sleep ${marker}1 &\nbash -c 'sleep ${marker}2' &\nsleep ${marker}3\n`, {
          timeoutMs: reason === 'TimedOut' ? 600 : 60_000,
        }),
      );
      const started = Date.now();
      while (!running(`sleep ${marker}3`) && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 50));
      assert.ok(running(`sleep ${marker}1`), 'the background child runs');
      if (reason === 'Cancelled') script.kill('Cancelled');
      const outcome = await script.done;
      assert.equal(outcome.status, reason);
      assert.equal(outcome.errorCode, reason);
      await new Promise((r) => setTimeout(r, 300));
      for (const i of [1, 2, 3]) assert.equal(running(`sleep ${marker}${i}`), false, `sleep ${marker}${i} was killed`);
    });
  }

  it('kills what a script leaves running when it exits', async () => {
    const marker = `43.${process.pid}`;
    const outcome = await runScript(spec('bash', `(sleep ${marker} &)\nsleep ${marker}1 &\nexit 0`)).done;
    assert.equal(outcome.status, 'Succeeded');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(running(`sleep ${marker}1`), false);
  });

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
