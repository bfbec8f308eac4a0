// Scenario cases written from the spec (definition, trigger body, mocked effects, expected run
// result subset), one JSON file per topic. Each run is also replayed from its recorded events
// and must give the same records and result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replay, unsupportedEffect } from '../index.js';
import { runDefinition } from '../test-support/harness.js';
import type { HarnessOptions, MockSpec } from '../test-support/harness.js';
import { subsetMismatch } from '../test-support/subset.js';

interface Scenario {
  name: string;
  definition: Record<string, unknown>;
  triggerBody?: unknown;
  parameters?: Record<string, unknown>;
  appSettings?: Record<string, string>;
  mocks?: Record<string, MockSpec>;
  callbacks?: Record<string, unknown>;
  noConnectorHost?: boolean;
  expect: { status: string; effects?: number; timers?: number[]; [k: string]: unknown };
}

const dir = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const all: Array<[string, Scenario]> = files.flatMap((f) =>
  (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario[]).map((s) => [f, s] as [string, Scenario]),
);

test('there are at least 40 scenarios', () => {
  assert.ok(all.length >= 40, `only ${all.length} scenarios`);
});

for (const [file, s] of all) {
  test(`${file}: ${s.name}`, () => {
    const definition = s.definition.triggers
      ? s.definition
      : { triggers: { manual: { type: 'Request', kind: 'Http' } }, ...s.definition };
    const opts: HarnessOptions = {};
    if (s.triggerBody !== undefined) opts.triggerBody = s.triggerBody;
    if (s.parameters) opts.parameters = s.parameters;
    if (s.appSettings) opts.appSettings = s.appSettings;
    if (s.mocks) opts.mocks = s.mocks;
    if (s.callbacks) opts.callbacks = s.callbacks;
    if (s.noConnectorHost)
      opts.defaultEffect = (c) =>
        c.actionType === 'Http'
          ? { status: 'Succeeded', outputs: { statusCode: 200, headers: {}, body: {} } }
          : unsupportedEffect(c.actionType);
    const r = runDefinition(definition, opts);
    const { effects, timers, ...expected } = s.expect;
    const mismatch = subsetMismatch(expected, r.result);
    assert.equal(mismatch, undefined, `${mismatch}\n${JSON.stringify(r.result, null, 1).slice(0, 4000)}`);
    if (effects !== undefined) {
      const n = r.commands.filter((c) => c.kind === 'effect' && c.operation !== 'unsubscribe').length;
      assert.equal(n, effects, 'number of effect commands');
    }
    if (timers !== undefined) assert.deepEqual(r.timerDelays, timers);
    const again = replay(r.workflow, r.init, r.events);
    assert.deepEqual(again.run.result(), r.result, 'replay gives the same result');
    assert.deepEqual(again.step.records, r.records, 'replay gives the same records');
  });
}
