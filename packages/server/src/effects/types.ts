/**
 * Shapes shared by the effect executors. An effect performs ONE attempt of an action with
 * side effects and reports what happened; retries, timers and timeouts are the engine's
 * decisions. Nothing here knows about the CLI or the store, so the durable server reuses them.
 */
import type { Command, EffectResult } from '@flowbridge/engine';
import { isRecord } from '../util/json.js';

/** The engine's `effect` command (packages/engine API.md), as the executors see it. */
export type EffectCommand = Extract<Command, { kind: 'effect' }>;

/** What one attempt produced; fed back to the engine as an `effectResult` event. */
export type { EffectResult };

/** Error codes the effect executors produce (HTTP status codes map to their reason names). */
export type EffectErrorCode =
  | 'ConnectionFailed'
  /** The outbound policy refused the host or an address it resolved to (outbound-policy.ts). */
  | 'OutboundDenied'
  /** Too many redirects, or one to a Location that is not http(s). */
  | 'InvalidRedirect'
  | 'RequestTimeout'
  | 'ActionTimedOut'
  | 'UnsupportedAuthentication'
  | 'InvalidHttpInputs'
  | 'InvalidContent'
  | 'HttpStatusFailure'
  | 'InlineCodeScriptRuntimeFailure'
  | 'InlineCodeScriptTimeout'
  | 'InlineCodeScriptMemoryLimitExceeded'
  | 'InlineCodeScriptTooLong'
  | 'InlineCodeInvalidInputs'
  | 'InlineCodeResultNotSerializable'
  | 'WorkflowNotFound'
  | 'InvalidWorkflowInputs'
  | 'ChildWorkflowFailed'
  | 'InvalidWebhookInputs'
  | 'ConnectorNotAvailable'
  | 'UnsupportedActionType'
  | 'EffectFailed';

/** What an executor may know about the run it works for; all of it injected by the host. */
export interface EffectContext {
  runId: string;
  workflow: { id: string; name: string; version?: string };
  /** Epoch ms; the host's clock, so tests can control it. */
  now: () => number;
  /** Aborted when the host gives up on the attempt (run cancelled, process stopping). */
  signal?: AbortSignal;
}

export type EffectExecutor = (command: EffectCommand, context: EffectContext) => Promise<EffectResult>;

/** A failed result with a code from our closed union. */
export function failed(
  code: EffectErrorCode,
  message: string,
  extra: Partial<Omit<EffectResult, 'status' | 'error'>> = {},
): EffectResult {
  return { status: 'Failed', error: { code, message }, ...extra };
}

export { isRecord };

/** Case-insensitive property lookup: WDL property names are matched without case (spec intro). */
export function prop(object: unknown, name: string): unknown {
  if (!isRecord(object)) return undefined;
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}
