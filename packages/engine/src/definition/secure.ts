// Which inputs and outputs run history hides (spec §1.6): secureData on an action or trigger,
// inputs that read a secure parameter, and inputs that read outputs someone else secured.
import { isRecord } from '../json.js';
import { getProp } from './load.js';
import type { ActionNode, ParameterDecl, TriggerNode } from './model.js';
import { referencedParameters } from './parameters.js';
import { inputReads } from './references.js';

/** `runtimeConfiguration.secureData.properties`, lower-cased ('inputs', 'outputs'). */
export function secureDataProperties(rc: unknown): string[] {
  const secure = isRecord(rc) ? getProp(rc, 'secureData') : undefined;
  const props = isRecord(secure) ? getProp(secure, 'properties') : undefined;
  return Array.isArray(props) ? props.map((p) => String(p).toLowerCase()) : [];
}

/**
 * Marks the inputs of actions as secured where they read a secure parameter or secured outputs;
 * returns the lower-cased names of the secure parameters.
 */
export function maskSecuredInputs(
  byName: Map<string, ActionNode>,
  triggers: TriggerNode[],
  params: Map<string, ParameterDecl>,
): Set<string> {
  const secureParameterNames = new Set([...params.values()].filter((p) => p.secure).map((p) => p.name.toLowerCase()));
  // Inputs that read a secure parameter are masked in records, like secureData inputs.
  if (secureParameterNames.size > 0) {
    for (const node of byName.values()) {
      const refs = referencedParameters(getProp(node.def, 'inputs'));
      if ([...refs].some((r) => secureParameterNames.has(r))) node.secureInputs = true;
    }
  }
  maskSecuredReads(byName, triggers);
  return secureParameterNames;
}

/**
 * Inputs that use secured outputs (of an action, or of the trigger) are hidden in run history too,
 * as in Logic Apps, without turning on the reading action's own secureData.
 */
function maskSecuredReads(byName: Map<string, ActionNode>, triggers: TriggerNode[]): void {
  const securedActions = new Set([...byName.values()].filter((n) => n.secureOutputs).map((n) => n.lower));
  const securedTrigger = triggers.some((t) => t.secureOutputs);
  if (securedActions.size === 0 && !securedTrigger) return;
  for (const node of byName.values()) {
    if (node.secureInputs) continue;
    const reads = inputReads(node);
    if ((securedTrigger && reads.trigger) || [...reads.actions].some((n) => securedActions.has(n)))
      node.secureInputs = true;
  }
}
