// In-memory engine speed: actions per second for a 10-action linear Compose chain, and for a
// Foreach over 1,000 items at the default concurrency of 20. The reference is the floor: the
// same expressions evaluated directly with the expression package, without the executor.
import { compileWorkflow, Run, type RunInit } from '@flowbridge/engine';
import { compileValue, type WorkflowContext } from '@flowbridge/expression';
import { compare, type BenchResult } from './types.js';

const chainActions: Record<string, unknown> = {};
for (let i = 0; i < 10; i++) {
  chainActions[`Step_${i}`] = {
    type: 'Compose',
    inputs: i === 0 ? "@triggerBody()?['n']" : `@add(outputs('Step_${i - 1}'), 1)`,
    runAfter: i === 0 ? {} : { [`Step_${i - 1}`]: ['Succeeded'] },
  };
}
const chain = { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: chainActions };
const loop = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Loop: {
      type: 'Foreach',
      foreach: "@triggerBody()?['items']",
      actions: { Double: { type: 'Compose', inputs: "@mul(items('Loop'), 2)" } },
    },
  },
};

let seq = 0;
function runOnce(workflow: ReturnType<typeof compileWorkflow>, body: unknown): string {
  const init: RunInit = {
    runId: `bench-${seq++}`,
    workflow: { id: 'wf', name: 'bench' },
    trigger: { name: 'manual', outputs: { headers: {}, body }, startTime: '2025-01-01T00:00:00Z' },
    now: 1_735_689_600_000,
  };
  const { step } = Run.start(workflow, init);
  if (!step.done) throw new Error('the benchmark flow should finish without the host');
  return step.status;
}

/** Actions per second over `ms` milliseconds of whole runs. */
function actionsPerSecond(fn: () => void, actionsPerRun: number, ms: number): number {
  const warm = performance.now() + ms / 4;
  while (performance.now() < warm) fn();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    runs++;
  }
  return (runs * actionsPerRun * 1000) / (performance.now() - start);
}

export async function run(): Promise<BenchResult[]> {
  const chainWorkflow = compileWorkflow(chain);
  const loopWorkflow = compileWorkflow(loop);
  const items = Array.from({ length: 1000 }, (_, i) => i);

  // The floor: the same ten expressions, compiled once, evaluated in a chain by hand.
  const exprs = Object.values(chainActions).map((a) => compileValue((a as { inputs: unknown }).inputs));
  const floorChain = (): void => {
    let last: unknown = null;
    const ctx: WorkflowContext = {
      trigger: () => ({ outputs: { body: { n: 1 } } }),
      action: () => ({ outputs: last as never }),
    };
    for (const e of exprs) last = e.evaluate(ctx);
  };
  const loopExpr = compileValue("@mul(items('Loop'), 2)");
  const floorLoop = (): void => {
    for (const item of items) loopExpr.evaluate({ item: () => item });
  };

  const chainRate = actionsPerSecond(() => runOnce(chainWorkflow, { n: 1 }), 10, 2000);
  const chainFloor = actionsPerSecond(floorChain, 10, 1000);
  const loopRate = actionsPerSecond(() => runOnce(loopWorkflow, { items }), 1001, 3000);
  const loopFloor = actionsPerSecond(floorLoop, 1001, 1000);
  return [
    compare('10-action chain', chainRate, 'actions/s', chainFloor, 'bare expression evaluation'),
    compare('Foreach 1,000 items, concurrency 20', loopRate, 'actions/s', loopFloor, 'bare expression evaluation'),
  ];
}
