/**
 * What the import route answers and a list shows: `{name, apiId, operations, triggers, warnings}`
 * (issue #14), without schemas. Actions and triggers are listed apart, as a designer shows them.
 */
import type { ConnectorWarning } from './errors.js';
import type { Connector, HttpMethod, TriggerInfo } from './model.js';

export interface OperationSummary {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary?: string;
  deprecated: boolean;
  /** False when it cannot run here (custom code, an unsupported policy template). */
  supported: boolean;
}

export interface TriggerSummary extends OperationSummary {
  kind: TriggerInfo['kind'];
  cardinality: TriggerInfo['cardinality'];
}

export interface ConnectorSummary {
  name: string;
  apiId: string;
  title: string;
  operations: OperationSummary[];
  triggers: TriggerSummary[];
  warnings: ConnectorWarning[];
}

export function summarizeConnector(connector: Connector): ConnectorSummary {
  const blocked = new Set(
    connector.warnings
      .filter(
        (w) =>
          w.code === 'CustomCodeNotSupported' ||
          w.code === 'UnsupportedPolicyTemplate' ||
          w.code === 'UnknownPolicyTemplate',
      )
      .flatMap((w) => w.operations ?? connector.operations.map((o) => o.operationId)),
  );
  const operations: OperationSummary[] = [];
  const triggers: TriggerSummary[] = [];
  for (const o of connector.operations) {
    const base: OperationSummary = {
      operationId: o.operationId,
      method: o.method,
      path: o.path,
      ...(o.summary !== undefined ? { summary: o.summary } : {}),
      deprecated: o.deprecated,
      supported: !o.customCode && !blocked.has(o.operationId),
    };
    if (o.trigger) triggers.push({ ...base, kind: o.trigger.kind, cardinality: o.trigger.cardinality });
    else operations.push(base);
  }
  return {
    name: connector.name,
    apiId: connector.apiId,
    title: connector.title,
    operations,
    triggers,
    warnings: connector.warnings,
  };
}
