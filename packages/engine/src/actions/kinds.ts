// What the engine tells about an action type (the public part of ./registry.ts).

/** How the executor treats an action type. */
export type ActionKind =
  | 'builtin' // pure computation inside the engine, finished within the step
  | 'variable' // reads or changes a run variable
  | 'response' // answers the trigger's caller
  | 'terminate' // ends the run
  | 'container' // owns nested action maps
  | 'wait' // a timer
  | 'effect' // one request for the host (with retries, async polling, timeouts)
  | 'webhook'; // a subscribe request, then a callback, then an unsubscribe request

/**
 * Which executor of the host performs an effect or webhook type. A host dispatches on this, so a
 * new type of an existing family needs no change in any host.
 */
export type EffectFamily =
  | 'http' // Http
  | 'httpWebhook' // HttpWebhook subscribe/unsubscribe
  | 'javascript' // inline JavaScript code
  | 'workflow' // a child workflow
  | 'connector' // managed and built-in connectors, Functions, API Management
  | 'platform'; // Logic Apps platform operations (integration account, B2B, scripts, AI) no host here runs

export interface ActionTypeInfo {
  /** The canonical spelling (`Foreach` for `foreach`): names match without regard to case. */
  readonly name: string;
  readonly kind: ActionKind;
  /** For effects and webhooks: which host executor performs them. */
  readonly effect?: EffectFamily;
  /** Whether a retry policy applies to its requests (408, 429, 5xx and connection failures). */
  readonly retryPolicy: boolean;
  /** Whether a 202 with a Location header is polled until the work is done (spec §6.13). */
  readonly asyncPolling: boolean;
  /** Whether limit.timeout bounds the action. */
  readonly timeout: boolean;
  /** Whether the action is refused inside Foreach and Until (spec §15). */
  readonly notInLoop: boolean;
}
