/**
 * Routes an effect command to the executor for its action type. Connector families need a
 * connector host this executor does not have: they fail with ConnectorNotAvailable (the CLI
 * lets --mock replace them).
 */
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

const connectorTypes = new Set(
  [
    'ApiConnection',
    'ApiConnectionWebhook',
    'OpenApiConnection',
    'OpenApiConnectionWebhook',
    'ApiConnectionNotification',
    'ServiceProvider',
    'Function',
    'InvokeFunction',
    'ApiManagement',
  ].map((t) => t.toLowerCase()),
);

export function createEffectExecutor(options: EffectExecutorOptions = {}): EffectExecutor {
  return async (command, context) => {
    const type = command.actionType.toLowerCase();
    switch (type) {
      case 'http':
        return performHttp(command, context, options.http);
      case 'httpwebhook':
        return performHttpWebhook(command, context, options.http);
      case 'javascriptcode':
        return performJavaScript(command, context, options.javascript);
      case 'workflow':
        return performWorkflow(command, context, {
          ...(options.workflowResolver ? { resolver: options.workflowResolver } : {}),
        });
    }
    if (connectorTypes.has(type)) {
      for (const handler of options.connectorHandlers ?? []) {
        const handled = handler(command, context);
        if (handled !== null) return handled;
      }
      return failed(
        'ConnectorNotAvailable',
        `Action '${command.actionName}' uses a ${command.actionType} connector, which this host cannot call; provide a mock for it.`,
      );
    }
    return failed(
      'UnsupportedActionType',
      `Action '${command.actionName}' of type ${command.actionType} is not supported by this host.`,
    );
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
