// Static results (spec §1.5): an action that enables one in runtimeConfiguration takes its
// outcome from the definition's staticResults instead of running.
import { isRecord } from '../json.js';
import { getProp } from './load.js';
import type { ActionNode } from './model.js';
import type { Reporter } from './report.js';

export function attachStaticResult(
  a: Reporter,
  node: ActionNode,
  staticResults: Record<string, unknown> | undefined,
): void {
  const rc = getProp(node.def, 'runtimeConfiguration');
  const sr = isRecord(rc) ? getProp(rc, 'staticResult') : undefined;
  if (!isRecord(sr)) return;
  const enabled = String(getProp(sr, 'staticResultOptions') ?? '').toLowerCase() === 'enabled';
  if (!enabled) return;
  const name = getProp(sr, 'name');
  const entry = typeof name === 'string' && staticResults ? getProp(staticResults, name) : undefined;
  if (!isRecord(entry)) {
    a.err(
      node.pointer + '/runtimeConfiguration/staticResult/name',
      'InvalidProperty',
      `Static result ${JSON.stringify(name)} of '${node.name}' is not defined in staticResults.`,
    );
    return;
  }
  node.staticResult = {
    status: String(getProp(entry, 'status') ?? 'Succeeded'),
    outputs: getProp(entry, 'outputs'),
    error: getProp(entry, 'error'),
  };
}
