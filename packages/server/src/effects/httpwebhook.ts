/**
 * HttpWebhook (spec §6.14): the subscribe and unsubscribe calls are plain HTTP requests made
 * with the Http effect; the engine waits for the callback between them, and the host delivers
 * it with `callbackPayload`.
 */
import { decodeBody, textOf } from './content.js';
import { sendHttp, type HttpEffectOptions, type HttpRequestSpec } from './http.js';
import { failed, isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from './types.js';

export async function performHttpWebhook(
  command: EffectCommand,
  context: EffectContext,
  options: HttpEffectOptions = {},
): Promise<EffectResult> {
  const operation = command.operation === 'unsubscribe' ? 'unsubscribe' : 'subscribe';
  // The engine may pass the whole action inputs or only the part for this operation.
  const part = prop(command.inputs, operation);
  const hasOwnRequest = prop(command.inputs, 'uri') !== undefined;
  const spec = isRecord(part) ? part : hasOwnRequest || operation === 'subscribe' ? command.inputs : undefined;
  if (spec === undefined || spec === null) {
    // Unsubscribe is optional in a definition: nothing to call is a success.
    const now = new Date(context.now()).toISOString();
    return { status: 'Succeeded', startTime: now, endTime: now };
  }
  if (!isRecord(spec) || typeof prop(spec, 'uri') !== 'string') {
    return failed('InvalidWebhookInputs', `The ${operation} of '${command.actionName}' needs a method and a uri.`);
  }
  const request: HttpRequestSpec = {
    method: textOf(prop(spec, 'method') ?? 'POST'),
    uri: textOf(prop(spec, 'uri')),
    headers: prop(spec, 'headers'),
    queries: prop(spec, 'queries'),
    body: prop(spec, 'body'),
    authentication: prop(spec, 'authentication'),
  };
  return sendHttp(request, command, context, options);
}

/** The callback's `{headers, body}` as the action outputs (spec §6.14). */
export function callbackPayload(
  headers: Record<string, string>,
  bytes: Uint8Array,
): { headers: Record<string, string>; body?: unknown } {
  const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const body = decodeBody(bytes, contentType);
  return body === undefined ? { headers } : { headers, body };
}
