// The trigger types the engine knows, by lower-cased name (type names match case-insensitively).
// Action types are in ../actions/registry.ts.

const triggerTypes = [
  'Request',
  'Manual',
  'Recurrence',
  'SlidingWindow',
  'Http',
  'HttpWebhook',
  'ApiConnection',
  'ApiConnectionWebhook',
  'ApiConnectionNotification',
  'OpenApiConnection',
  'OpenApiConnectionWebhook',
  'OpenApiConnectionNotification',
  'ServiceProvider',
  'Batch',
  'EventGrid',
  'HttpListener',
];
const triggerTable = new Map(triggerTypes.map((n) => [n.toLowerCase(), n]));

export function triggerType(type: string): string | undefined {
  return triggerTable.get(type.toLowerCase());
}

/** Triggers whose caller waits on the HTTP connection (a Response action can answer them). */
export function isPushRequestTrigger(type: string): boolean {
  const t = type.toLowerCase();
  return t === 'request' || t === 'manual' || t === 'httpwebhook' || t.endsWith('webhook') || t === 'httplistener';
}
