import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionTypeInfo, compileWorkflow, listActionTypes, validateDefinition } from '../index.js';
import type { ActionKind, EffectFamily } from '../index.js';

const cases: Array<{
  type: string;
  name?: string;
  kind?: ActionKind;
  effect?: EffectFamily;
  retryPolicy?: boolean;
  asyncPolling?: boolean;
}> = [
  { type: 'foreach', name: 'Foreach', kind: 'container' },
  { type: 'COMPOSE', name: 'Compose', kind: 'builtin' },
  { type: 'setvariable', name: 'SetVariable', kind: 'variable' },
  { type: 'Response', name: 'Response', kind: 'response' },
  { type: 'Terminate', name: 'Terminate', kind: 'terminate' },
  { type: 'wait', name: 'Wait', kind: 'wait' },
  { type: 'HTTP', name: 'Http', kind: 'effect', effect: 'http', retryPolicy: true, asyncPolling: true },
  { type: 'Workflow', kind: 'effect', effect: 'workflow', retryPolicy: true, asyncPolling: false },
  { type: 'JavaScriptCode', kind: 'effect', effect: 'javascript', retryPolicy: false, asyncPolling: false },
  { type: 'ServiceProvider', kind: 'effect', effect: 'connector', retryPolicy: true, asyncPolling: false },
  { type: 'ApiConnection', kind: 'effect', effect: 'connector', retryPolicy: true, asyncPolling: true },
  { type: 'HttpWebhook', kind: 'webhook', effect: 'httpWebhook', retryPolicy: true, asyncPolling: false },
  { type: 'openapiconnectionwebhook', name: 'OpenApiConnectionWebhook', kind: 'webhook', effect: 'connector' },
  { type: 'Xslt', kind: 'effect', effect: 'platform', retryPolicy: false },
  { type: 'NoSuchType' },
];

for (const c of cases) {
  test(`actionTypeInfo('${c.type}')`, () => {
    const info = actionTypeInfo(c.type);
    if (c.kind === undefined) return assert.equal(info, undefined);
    assert.ok(info);
    assert.equal(info.name, c.name ?? c.type);
    assert.equal(info.kind, c.kind);
    assert.equal(info.effect, c.effect);
    if (c.retryPolicy !== undefined) assert.equal(info.retryPolicy, c.retryPolicy);
    if (c.asyncPolling !== undefined) assert.equal(info.asyncPolling, c.asyncPolling);
  });
}

test('exactly the effect and webhook kinds name an effect family, and they all have limit.timeout', () => {
  for (const name of listActionTypes()) {
    const info = actionTypeInfo(name);
    assert.ok(info, name);
    const host = info.kind === 'effect' || info.kind === 'webhook';
    assert.equal(info.effect !== undefined, host, name);
    assert.equal(info.timeout, host, name);
  }
});

test('type names are unique without regard to case', () => {
  const names = listActionTypes();
  assert.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length);
  assert.ok(names.length >= 60);
});

test('every known type compiles into a definition; the registry decides which are refused in loops', () => {
  for (const name of listActionTypes()) {
    const inLoop = {
      triggers: { manual: { type: 'Request' } },
      actions: { Loop: { type: 'Foreach', foreach: '@createArray(1)', actions: { A: { type: name } } } },
    };
    const refused = validateDefinition(inLoop).some((e) => e.code === 'ActionNotAllowedInLoop');
    assert.equal(refused, actionTypeInfo(name)?.notInLoop, name);
  }
  assert.deepEqual(
    listActionTypes().filter((n) => actionTypeInfo(n)?.notInLoop),
    ['InitializeVariable', 'Response', 'Terminate'],
  );
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: { C: { type: 'compose', inputs: 1 } },
  });
  assert.equal(wf.byName.get('c')?.type, 'Compose');
});
