// The typed REST client of @flowbridge/sdk (README "Typed client").
export { createFlowbridgeClient, triggerQuery } from './client.js';
export type { FlowbridgeClient, FlowbridgeClientOptions, TriggerQuery } from './client.js';
export { FlowbridgeAuthError, TOKEN_PATH } from './token.js';
export type { ClientCredentials } from './token.js';
export type { components, operations, paths } from './api-types.js';
