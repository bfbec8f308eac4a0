/**
 * The connector layer's pure core (issue #14): reading and importing Power Platform custom
 * connectors, connection values, and the HTTP requests their actions and triggers make.
 * Storage, routes and run-time wiring build on these.
 */
export type {
  ConnectionProblem,
  ConnectionProblemCode,
  ConnectorError,
  ConnectorErrorCode,
  ConnectorWarning,
  ConnectorWarningCode,
  Result,
} from './errors.js';
export type * from './model.js';
export { readConnectorJson, decodeText } from './read-json.js';
export { importConnector, importConnectorFiles, connectorName, apiIdOf, type ImportInput } from './import.js';
export { importConnectorFolder, findConnectorFiles } from './folder.js';
export { summarizeConnector, type ConnectorSummary, type OperationSummary, type TriggerSummary } from './summary.js';
export {
  validateConnection,
  parameterDefinitions,
  connectionValue,
  oauthValue,
  secretParameterNames,
  splitSecrets,
  type ConnectionValues,
  type OAuthConnectionValue,
  type ValidatedConnection,
} from './connection.js';
export type { BuiltRequest } from './draft.js';
export {
  buildOpenApiRequest,
  buildApiConnectionRequest,
  buildOperationRequest,
  findOperation,
  matchOperation,
  baseUrlOf,
} from './request.js';
export { buildSubscribeRequest, buildApiConnectionSubscribeRequest, buildUnsubscribeRequest } from './webhook.js';
export { buildPollRequest, pollOutcome, type PollState, type PollOutcome } from './polling.js';
export { applyResponsePolicies, policySupport, POLICY_TEMPLATES, type ConnectorResponse } from './policies.js';
