// @flowbridge/sdk: what a host application needs to plug into Flowbridge (README "Host kit").
export const sdkVersion = '0.1.0';

// The typed REST client (client/).
export * from './client/index.js';
