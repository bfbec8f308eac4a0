import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performJavaScript, type JavaScriptEffectOptions } from './javascript.js';
import type { EffectCommand, EffectContext } from './types.js';

const context: EffectContext = { runId: 'r', workflow: { id: 'w', name: 'wf' }, now: () => 0 };
const workflowContext = {
  workflow: { name: 'wf' },
  trigger: { name: 'manual', outputs: { body: { x: 41, items: [1, 2, 3] } } },
  actions: { Compose: { name: 'Compose', status: 'Succeeded', outputs: 'composed' } },
};
const options: JavaScriptEffectOptions = { workflowContext: () => workflowContext };

function command(code: unknown, extra: Record<string, unknown> = {}): EffectCommand {
  return {
    kind: 'effect',
    id: 'e',
    path: 'Code',
    actionName: 'Code',
    actionType: 'JavaScriptCode',
    inputs: { code, ...extra },
    attempt: 1,
    idempotencyKey: 'r/Code/1',
  };
}

describe('JavaScriptCode effect', () => {
  const results: Array<{ name: string; code: string; body: unknown }> = [
    { name: 'reads the trigger', code: 'return workflowContext.trigger.outputs.body.x + 1;', body: 42 },
    { name: 'reads an action', code: "return workflowContext.actions.Compose.outputs + '!';", body: 'composed!' },
    {
      name: 'returns an object',
      code: 'const t = workflowContext.trigger.outputs.body; return { sum: t.items.reduce((a, b) => a + b, 0) };',
      body: { sum: 6 },
    },
    { name: 'no return → null', code: 'const a = 1;', body: null },
    { name: 'async result', code: 'return Promise.resolve(5).then((v) => v * 2);', body: 10 },
    { name: 'console is harmless', code: "console.log('x'); return 'ok';", body: 'ok' },
    {
      name: 'workflowContext is read-only',
      code: "'use strict'; try { workflowContext.trigger.outputs.body.x = 0; return 'mutated'; } catch (e) { return 'frozen'; }",
      body: 'frozen',
    },
    {
      name: 'no Node globals',
      code: "return typeof process + ',' + typeof require + ',' + typeof fetch;",
      body: 'undefined,undefined,undefined',
    },
  ];
  for (const c of results) {
    test(c.name, async () => {
      const result = await performJavaScript(command(c.code), context, options);
      assert.equal(result.status, 'Succeeded', JSON.stringify(result.error));
      assert.deepEqual(result.outputs, { body: c.body });
    });
  }

  test('uses workflowContext attached by the engine when present', async () => {
    const result = await performJavaScript(
      command('return workflowContext.workflow.name;', {
        workflowContext: { workflow: { name: 'attached' }, trigger: {}, actions: {} },
      }),
      context,
      options,
    );
    assert.deepEqual(result.outputs, { body: 'attached' });
  });

  const failures: Array<{ name: string; code: unknown; expected: string; limits?: JavaScriptEffectOptions['limits'] }> =
    [
      { name: 'thrown error', code: "throw new Error('boom');", expected: 'InlineCodeScriptRuntimeFailure' },
      { name: 'thrown string', code: "throw 'bad';", expected: 'InlineCodeScriptRuntimeFailure' },
      { name: 'syntax error', code: 'return (;', expected: 'InlineCodeScriptRuntimeFailure' },
      {
        name: 'rejected promise',
        code: "return Promise.reject(new Error('no'));",
        expected: 'InlineCodeScriptRuntimeFailure',
      },
      {
        name: 'infinite loop',
        code: 'while (true) {}',
        expected: 'InlineCodeScriptTimeout',
        limits: { timeoutMs: 200 },
      },
      {
        name: 'memory hog',
        code: "const a = []; let i = 0; while (true) a.push({ i: i++, s: 'abc' + i });",
        expected: 'InlineCodeScriptMemoryLimitExceeded',
        limits: { memoryLimitBytes: 4 * 1024 * 1024, timeoutMs: 10_000 },
      },
      {
        name: 'too long',
        code: 'return 1;'.repeat(20),
        expected: 'InlineCodeScriptTooLong',
        limits: { maxCodeLength: 100 },
      },
      { name: 'code missing', code: 42, expected: 'InlineCodeInvalidInputs' },
      {
        name: 'circular result',
        code: 'const o = {}; o.o = o; return o;',
        expected: 'InlineCodeResultNotSerializable',
      },
    ];
  for (const c of failures) {
    test(`${c.name} → ${c.expected}`, async () => {
      const result = await performJavaScript(command(c.code), context, { ...options, limits: c.limits ?? {} });
      assert.equal(result.status, 'Failed');
      assert.equal(result.error?.code, c.expected, result.error?.message);
    });
  }

  test('the thrown message is reported', async () => {
    const result = await performJavaScript(command("throw new TypeError('exact words');"), context, options);
    assert.match(result.error?.message ?? '', /TypeError: exact words/);
  });
});
