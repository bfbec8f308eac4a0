/**
 * Routes an effect command to the executor of its action type's effect family (the engine's
 * action registry knows the family of every type). Connectors need a connector host this
 * executor does not have: unless a built-in handler takes the command they fail with
 * ConnectorNotAvailable (the CLI lets --mock replace them).
 */
import { actionTypeInfo, type EffectFamily } from '@flowbridge/engine';
import { performHttp, type HttpEffectOptions } from './http.js';
import { performHttpWebhook } from './httpwebhook.js';
import { performJavaScript, type JavaScriptEffectOptions } from './javascript.js';
import { performWorkflow, type WorkflowResolver } from './workflow.js';
import { failed, type EffectCommand, type EffectContext, type EffectExecutor, type EffectResult } from './types.js';

export interface EffectExecutorOptions {
  http?: HttpEffectOptions;
  javascript?: JavaScriptEffectOptions;
  workflowResolver?: WorkflowResolver;
  /**
   * Built-in connectors (approvals, mail, ...): tried in order for connector action types; each
   * returns null when the command is not one of its actions.
   */
  connectorHandlers?: ConnectorHandler[];
}

export type ConnectorHandler = (command: EffectCommand, context: EffectContext) => Promise<EffectResult> | null;

type Executor = (
  command: EffectCommand,
  context: EffectContext,
  options: EffectExecutorOptions,
) => Promise<EffectResult>;

const unsupported = (command: EffectCommand): EffectResult =>
  failed(
    'UnsupportedActionType',
    `Action '${command.actionName}' of type ${command.actionType} is not supported by this host.`,
  );

/**
 * One executor per effect family; the engine says which family an action type belongs to
 * (actionTypeInfo), so a new type of a known family needs nothing here.
 */
const executors: Record<EffectFamily, Executor> = {
  http: (command, context, options) => performHttp(command, context, options.http),
  httpWebhook: (command, context, options) => performHttpWebhook(command, context, options.http),
  javascript: (command, context, options) => performJavaScript(command, context, options.javascript),
  workflow: (command, context, options) =>
    performWorkflow(command, context, options.workflowResolver ? { resolver: options.workflowResolver } : {}),
  connector: async (command, context, options) => {
    for (const handler of options.connectorHandlers ?? []) {
      const handled = handler(command, context);
      if (handled !== null) return handled;
    }
    return failed(
      'ConnectorNotAvailable',
      `Action '${command.actionName}' uses a ${command.actionType} connector, which this host cannot call; provide a mock for it.`,
    );
  },
  platform: async (command) => unsupported(command),
};

export function createEffectExecutor(options: EffectExecutorOptions = {}): EffectExecutor {
  return async (command, context) => {
    const family = actionTypeInfo(command.actionType)?.effect;
    return family ? executors[family](command, context, options) : unsupported(command);
  };
}

export { performHttp, sendHttp } from './http.js';
export type { HttpEffectOptions, HttpRequestSpec } from './http.js';
export { performHttpWebhook, callbackPayload } from './httpwebhook.js';
// Every outbound request a flow causes (connectors, desktop-flow callbacks, ...) should go through
// an OutboundClient, so one policy (FLOWBRIDGE_OUTBOUND_DENY / _ALLOW) guards them all.
export { createOutboundClient, OutboundDeniedError, RedirectError } from './outbound.js';
export type { OutboundClient, OutboundClientOptions, OutboundRequest } from './outbound.js';
export { createOutboundPolicy, defaultOutboundPolicy, checkHost, checkAddresses } from './outbound-policy.js';
export type { OutboundPolicy, OutboundRefusal, OutboundRule } from './outbound-policy.js';
export { performJavaScript, runScript, defaultJavaScriptLimits } from './javascript.js';
export type { JavaScriptEffectOptions, JavaScriptLimits, WorkflowContextData } from './javascript.js';
export { performWorkflow } from './workflow.js';
export type {
  ChildWorkflowRequest,
  ChildWorkflowResponse,
  ChildWorkflowOutcome,
  WorkflowResolver,
} from './workflow.js';
export type { EffectCommand, EffectContext, EffectExecutor, EffectResult, EffectErrorCode } from './types.js';
