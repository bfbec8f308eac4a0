// What expressions read of how the run started: the trigger (trigger(), triggerBody()), the
// workflow (workflow()), the parameters (parameters()) and the app settings (appsetting()), built
// once per run from what the host gave.
import type { Value } from '@flowbridge/expression';
import type { Workflow } from '../definition/model.js';
import type { RunInit } from '../types.js';

export function triggerView(init: RunInit): Value {
  const t = init.trigger;
  const rec: Record<string, Value> = {
    name: t.name,
    inputs: (t.inputs ?? null) as Value,
    outputs: (t.outputs ?? null) as Value,
    startTime: t.startTime,
    endTime: t.startTime,
    status: 'Succeeded',
    trackingId: init.runId,
    originHistoryName: init.runId,
  };
  if (t.clientTrackingId !== undefined) rec.clientTrackingId = t.clientTrackingId;
  if (t.scheduledTime !== undefined) rec.scheduledTime = t.scheduledTime;
  return rec;
}

export function workflowView(init: RunInit): Value {
  const w = init.workflow;
  const v: Record<string, Value> = {
    id: w.id,
    name: w.name,
    type: 'Microsoft.Logic/workflows',
    run: { id: `${w.id}/runs/${init.runId}`, name: init.runId, type: 'Microsoft.Logic/workflows/runs' },
  };
  if (w.version !== undefined) v.version = w.version;
  return v;
}

/** What parameters('x') reads, by lower-cased name: the definition's values, overridden by the run's. */
export function parameterTable(workflow: Workflow, init: RunInit): Map<string, Value> {
  const params = new Map<string, Value>();
  for (const [lower, p] of workflow.parameters) params.set(lower, p.value as Value);
  for (const [k, v] of Object.entries(init.parameters ?? {})) params.set(k.toLowerCase(), v as Value);
  return params;
}

/** What appsetting('x') reads: the setting of that name, else of that name in another case. */
export function appSetting(settings: RunInit['appSettings'], name: string): string | undefined {
  if (!settings) return undefined;
  if (Object.hasOwn(settings, name)) return settings[name];
  const lower = name.toLowerCase();
  const key = Object.keys(settings).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : settings[key];
}
