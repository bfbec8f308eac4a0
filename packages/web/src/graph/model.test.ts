import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, isInstantTrigger, triggerSummary, unwrapDefinition, type GraphNode } from './model.js';
import { layoutGraph } from './layout.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Button', inputs: { schema: { type: 'object' } } } },
  actions: {
    Init: { type: 'InitializeVariable', inputs: {} },
    Check: {
      type: 'If',
      runAfter: { Init: ['Succeeded'] },
      expression: {},
      actions: { Yes: { type: 'Compose', inputs: 1 } },
      else: { actions: { No: { type: 'Compose', inputs: 2 } } },
    },
    Route: {
      type: 'Switch',
      runAfter: { Check: ['Succeeded', 'Failed'] },
      expression: '@x',
      cases: { One: { case: 1, actions: { A1: { type: 'Compose' } } }, Two: { case: 'two', actions: {} } },
      default: { actions: { D: { type: 'Compose' } } },
    },
    Loop: {
      type: 'Foreach',
      foreach: '@triggerBody()',
      runAfter: { route: ['Skipped'] },
      actions: {
        Step: { type: 'Http' },
        Again: { type: 'Until', runAfter: { Step: [] }, actions: { Poll: { type: 'Http' } } },
      },
    },
    Wrap: { type: 'Scope', runAfter: { Loop: ['TimedOut', 'Failed'] }, actions: {} },
  },
};

const find = (n: GraphNode, id: string): GraphNode | undefined =>
  n.id === id ? n : n.children.map((c) => find(c, id)).find(Boolean);

test('containers hold what they run: Scope, If with both branches, Switch cases and default, Foreach, Until', () => {
  const g = buildGraph(definition);
  assert.equal(g.count, 13);
  assert.deepEqual(
    g.root.children.map((c) => [c.name, c.kind]),
    [
      ['manual', 'trigger'],
      ['Init', 'action'],
      ['Check', 'container'],
      ['Route', 'container'],
      ['Loop', 'container'],
      ['Wrap', 'container'],
    ],
  );
  assert.deepEqual(
    find(g.root, 'a:Check')!.children.map((b) => [b.name, b.children.map((c) => c.name)]),
    [
      ['True', ['Yes']],
      ['False', ['No']],
    ],
  );
  const route = find(g.root, 'a:Route')!;
  assert.equal(route.arrange, 'row');
  assert.deepEqual(
    route.children.map((b) => [b.name, b.detail ?? null, b.children.length]),
    [
      ['One', '= 1', 1],
      ['Two', '= "two"', 0],
      ['Default', null, 1],
    ],
  );
  const loop = find(g.root, 'a:Loop')!;
  assert.deepEqual([loop.detail, loop.children.map((c) => c.name)], ['@triggerBody()', ['Step', 'Again']]);
  assert.equal(find(g.root, 'a:Poll')?.kind, 'action');
  assert.equal(g.ids.get('Poll'), 'a:Poll');
});

test('runAfter edges between siblings, labelled when they wait for more than Succeeded; firsts hang from the trigger', () => {
  const g = buildGraph(definition);
  const edges = g.root.edges.map((e) => [e.source, e.target, e.label ?? '']);
  assert.deepEqual(edges, [
    ['t:manual', 'a:Init', ''],
    ['a:Init', 'a:Check', ''],
    ['a:Check', 'a:Route', 'Succeeded, Failed'],
    ['a:Route', 'a:Loop', 'Skipped'],
    ['a:Loop', 'a:Wrap', 'TimedOut, Failed'],
  ]);
  assert.deepEqual(
    find(g.root, 'a:Loop')!.edges.map((e) => [e.source, e.target, e.label ?? '']),
    [['a:Step', 'a:Again', '']],
  );
});

test('every wrapper unwraps to the same graph', () => {
  const wrappers = [
    definition,
    { definition, kind: 'Stateful' },
    { properties: { definition, connectionReferences: {} } },
    { resources: [{ type: 'x', properties: {} }, { properties: { definition } }] },
    { clientdata: JSON.stringify({ properties: { definition } }) },
    JSON.stringify(definition),
  ];
  for (const w of wrappers) assert.equal(buildGraph(w).count, 13);
  assert.equal(unwrapDefinition(42), null);
  assert.equal(buildGraph({ nothing: true }).count, 0);
});

test('trigger summary and instant flows', () => {
  assert.deepEqual(triggerSummary(definition), {
    name: 'manual',
    type: 'Request',
    kind: 'Button',
    schema: { type: 'object' },
  });
  const cases: Array<[{ type: string; kind: string | null } | null, boolean]> = [
    [{ type: 'Request', kind: 'Button' }, true],
    [{ type: 'Request', kind: null }, true],
    [{ type: 'Request', kind: 'Http' }, false],
    [{ type: 'Recurrence', kind: null }, false],
    [null, false],
  ];
  for (const [summary, instant] of cases) assert.equal(isInstantTrigger(summary), instant, JSON.stringify(summary));
});

test('layout: children sit inside their container; siblings do not overlap', () => {
  const { placed, width, height } = layoutGraph(buildGraph(definition).root);
  assert.equal(placed.length, 13 + 5); // actions and trigger, plus 5 branches (True, False, One, Two, Default)
  const byId = new Map(placed.map((p) => [p.id, p]));
  for (const p of placed) {
    if (p.parentId) {
      const parent = byId.get(p.parentId)!;
      assert.ok(placed.indexOf(parent) < placed.indexOf(p), `${p.parentId} comes before ${p.id}`);
      assert.ok(
        p.x >= 0 && p.y >= 0 && p.x + p.width <= parent.width && p.y + p.height <= parent.height,
        `${p.id} inside`,
      );
    } else {
      assert.ok(
        p.x >= 0 && p.y >= 0 && p.x + p.width <= width + 0.01 && p.y + p.height <= height + 0.01,
        `${p.id} inside`,
      );
    }
  }
  for (const a of placed)
    for (const b of placed) {
      if (a === b || a.parentId !== b.parentId) continue;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.id} and ${b.id} overlap`);
    }
  // The chain runs top to bottom.
  assert.ok(byId.get('a:Init')!.y < byId.get('a:Check')!.y);
  assert.ok(byId.get('t:manual')!.y < byId.get('a:Init')!.y);
});

test('a 200-action flow lays out', () => {
  const actions: Record<string, unknown> = {};
  for (let i = 0; i < 200; i++) {
    actions[`A${i}`] = {
      type: i % 20 === 5 ? 'Scope' : 'Compose',
      ...(i > 0 ? { runAfter: { [`A${i - 1}`]: ['Succeeded'] } } : {}),
      ...(i % 20 === 5 ? { actions: { [`In${i}`]: { type: 'Compose' } } } : {}),
    };
  }
  const g = buildGraph({ triggers: { t: { type: 'Request' } }, actions });
  assert.equal(g.count, 211);
  const { placed } = layoutGraph(g.root);
  assert.equal(placed.length, 211);
});

test('layout: parallel branches (one action waited for by two) sit side by side, joins below both', () => {
  const g = buildGraph({
    triggers: { t: { type: 'Request' } },
    actions: {
      A: { type: 'Compose' },
      B: { type: 'Compose', runAfter: { A: ['Succeeded'] } },
      C: { type: 'Compose', runAfter: { A: ['Failed'] } },
      D: { type: 'Compose', runAfter: { B: ['Succeeded'], C: ['Succeeded'] } },
    },
  });
  const at = new Map(layoutGraph(g.root).placed.map((p) => [p.id, p]));
  const [a, b, c, d] = ['a:A', 'a:B', 'a:C', 'a:D'].map((id) => at.get(id)!);
  assert.equal(b!.y, c!.y);
  assert.ok(Math.abs(b!.x - c!.x) >= b!.width, 'B and C side by side');
  assert.ok(a!.y < b!.y && b!.y < d!.y);
});
