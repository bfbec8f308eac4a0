// The action types the engine knows, by lower-cased name (type names match case-insensitively:
// `Foreach`/`foreach` both appear in real exports). Trigger types: ./trigger-types.ts.

/** How the executor treats an action type. */
export type ActionKind =
  | 'builtin' // pure computation inside the engine
  | 'container' // owns nested action maps
  | 'effect' // one request/response effect for the host (with retries and async polling)
  | 'webhook' // subscribe effect → await callback → unsubscribe effect
  | 'wait'; // timer

const builtins = [
  'Compose',
  'InitializeVariable',
  'SetVariable',
  'IncrementVariable',
  'DecrementVariable',
  'AppendToArrayVariable',
  'AppendToStringVariable',
  'ParseJson',
  'Query',
  'Select',
  'Join',
  'Table',
  'Terminate',
  'Response',
  'Expression',
];
const containers = ['If', 'Switch', 'Foreach', 'Until', 'Scope'];
const webhooks = ['HttpWebhook', 'ApiConnectionWebhook', 'OpenApiConnectionWebhook'];
// Everything the host performs: HTTP, child workflows, inline code and every connector family
// seen in real definitions. They are valid structure even when no host handles them.
const effects = [
  'Http',
  'Workflow',
  'JavaScriptCode',
  'ApiConnection',
  'OpenApiConnection',
  'ServiceProvider',
  'Function',
  'InvokeFunction',
  'ApiManagement',
  'Xslt',
  'Liquid',
  'XmlValidation',
  'XmlParse',
  'XmlCompose',
  'FlatFileEncoding',
  'FlatFileDecoding',
  'CSharpScriptCode',
  'PowerShellCode',
  'ChunkText',
  'ParseDocument',
  'Agent',
  'IntegrationAccountArtifactLookup',
  'RosettaNetEncode',
  'RosettaNetDecode',
  'RosettaNetWaitForResponse',
  'SendToBatch',
  'BatchSend',
  'AppendToFile',
  'ApiConnectionNotification',
  'Batch',
  'SwiftMTEncode',
  'SwiftMTDecode',
  'HL7Encode',
  'HL7Decode',
  'EdifactEncode',
  'EdifactDecode',
  'X12Encode',
  'X12Decode',
  'AS2Encode',
  'AS2Decode',
  'DataMapper',
];

const actionTable = new Map<string, { name: string; kind: ActionKind }>();
for (const n of builtins) actionTable.set(n.toLowerCase(), { name: n, kind: 'builtin' });
for (const n of containers) actionTable.set(n.toLowerCase(), { name: n, kind: 'container' });
for (const n of webhooks) actionTable.set(n.toLowerCase(), { name: n, kind: 'webhook' });
for (const n of effects) actionTable.set(n.toLowerCase(), { name: n, kind: 'effect' });
actionTable.set('wait', { name: 'Wait', kind: 'wait' });

/** The canonical type name and executor kind of an action type, or undefined when unknown. */
export function actionType(type: string): { name: string; kind: ActionKind } | undefined {
  return actionTable.get(type.toLowerCase());
}
