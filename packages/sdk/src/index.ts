// @flowbridge/sdk: what a host application needs to plug into Flowbridge (README "Host kit").
export const sdkVersion = '0.1.0';

// The host kit: createConnectorHost, its stores, the node:http adapter, signed callbacks.
export { createConnectorHost, type ConnectorHost } from './host/index.js';
export { memoryStore } from './host/store.js';
export { sqliteStore } from './host/sqlite-store.js';
export { toNodeHandler } from './host/node.js';
export { EVENT_ID_HEADER } from './host/delivery.js';
export { ConnectorHostError } from './host/types.js';
export type * from './host/types.js';
export {
  verifySignature,
  signBody,
  signatureHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type SignatureCheck,
  type SignatureFailure,
  type VerifyOptions,
  type HeaderSource,
} from './signature.js';

// The typed REST client (client/).
export * from './client/index.js';
