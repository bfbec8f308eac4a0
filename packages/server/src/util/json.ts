/**
 * Facts about JSON values the server checks everywhere (request bodies, stored documents, action
 * inputs): the engine defines them once; the server imports them from here.
 */
export { isRecord } from '@flowbridge/engine';
