// Every action type the host performs (./requests.ts runs them all): HTTP, child workflows,
// inline code and every connector family seen in real definitions. They are valid structure even
// where no host handles them; a host dispatches on the family.
import { beginEffect, beginWebhook } from './requests.js';
import { define } from './types.js';
import type { ActionType, EffectFamily } from './types.js';

interface RequestRules {
  /** inputs.retryPolicy applies (else no retries). */
  retries?: boolean;
  /** A 202 + Location answer is polled (spec §6.13). */
  polls?: boolean;
}

function effect(name: string, family: EffectFamily, rules: RequestRules = {}): ActionType {
  const type: ActionType = define({
    name,
    kind: 'effect',
    effect: family,
    retryPolicy: rules.retries ?? false,
    asyncPolling: rules.polls ?? false,
    timeout: true,
    run: (host, rec, frame) => beginEffect(host, rec, frame, type),
  });
  return type;
}

/** Subscribe, wait for the callback, unsubscribe (spec §6.14); the subscribe follows its retryPolicy. */
function webhook(name: string, family: EffectFamily): ActionType {
  const type: ActionType = define({
    name,
    kind: 'webhook',
    effect: family,
    retryPolicy: true,
    timeout: true,
    run: (host, rec, frame) => beginWebhook(host, rec, frame, type),
  });
  return type;
}

const request = { retries: true, polls: true };

export const effectActions: ActionType[] = [
  effect('Http', 'http', request),
  effect('Workflow', 'workflow', { retries: true }),
  effect('JavaScriptCode', 'javascript'),
  effect('ApiConnection', 'connector', request),
  effect('OpenApiConnection', 'connector', request),
  effect('ServiceProvider', 'connector', { retries: true }),
  effect('Function', 'connector', request),
  effect('InvokeFunction', 'connector', { retries: true }),
  effect('ApiManagement', 'connector', request),
  effect('ApiConnectionNotification', 'connector'),
  webhook('HttpWebhook', 'httpWebhook'),
  webhook('ApiConnectionWebhook', 'connector'),
  webhook('OpenApiConnectionWebhook', 'connector'),
  ...[
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
  ].map((name) => effect(name, 'platform')),
];
