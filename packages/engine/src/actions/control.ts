// Actions that act on the run as a whole: Terminate ends it (spec §6.11), Response answers the
// trigger's caller (spec §6.12).
import type { Value } from '@flowbridge/expression';
import type { ActionNode } from '../definition/model.js';
import { getProp } from '../definition/load.js';
import { toJson, toJsonShared, toText } from '../expr.js';
import type { ActionHost, Frame, Rec } from '../run/host.js';
import { TERMINATE_STATUSES, statusNamed } from '../statuses.js';
import type { ErrorData } from '../types.js';
import { fail, withInputs } from './settle.js';
import { define } from './types.js';
import type { ActionType, DefinitionCheck } from './types.js';
import { isPlainObject, numeric, prop } from './values.js';

function terminate(host: ActionHost, rec: Rec, frame: Frame, inputs: Value): void {
  const raw = prop(inputs, 'runStatus');
  const status = statusNamed(TERMINATE_STATUSES, raw);
  if (!status)
    return fail(
      host,
      rec,
      frame,
      'InvalidInput',
      `Terminate runStatus must be Succeeded, Failed or Cancelled, not ${JSON.stringify(toJson(raw ?? null))}.`,
    );
  let error: ErrorData | null = null;
  if (status === 'Failed') {
    const re = prop(inputs, 'runError');
    const code = prop(re, 'code');
    const message = prop(re, 'message');
    error = {
      code: code === undefined || code === null ? 'Terminated' : toText(code),
      message:
        message === undefined || message === null ? 'The run was terminated with status Failed.' : toText(message),
    };
  }
  // The whole run stops with runStatus (spec §6.11), then the Terminate action itself succeeds.
  // Halting first matters: settling the last action of the top level finishes the run at once,
  // and the run's status must already be the Terminate's.
  host.halt(status, error);
  host.settle(rec, frame, 'Succeeded', { code: 'OK' });
}

function checkTerminate(node: ActionNode, c: DefinitionCheck): void {
  const inputs = c.inputs();
  const rs = inputs ? getProp(inputs, 'runStatus') : undefined;
  if (typeof rs !== 'string')
    c.err(node.pointer + '/inputs', 'MissingRequiredProperty', `Terminate '${node.name}' requires inputs.runStatus.`);
  else if (!rs.startsWith('@') && !statusNamed(TERMINATE_STATUSES, rs))
    c.err(
      node.pointer + '/inputs/runStatus',
      'InvalidProperty',
      `Terminate runStatus must be Succeeded, Failed or Cancelled, not '${rs}'.`,
    );
}

// Headers the service drops from a Response (spec §6.12).
const DROPPED = new Set(['allow', 'cookie', 'expires', 'last-modified', 'set-cookie', 'transfer-encoding']);
const KEPT_CONTENT = new Set(['content-disposition', 'content-encoding', 'content-type']);

function response(host: ActionHost, rec: Rec, frame: Frame, inputs: Value): void {
  if (host.responded)
    return fail(
      host,
      rec,
      frame,
      'ResponseAlreadySent',
      'The request has already been answered by another Response action.',
    );
  const rawCode = prop(inputs, 'statusCode');
  let statusCode = 200;
  if (rawCode !== undefined && rawCode !== null) {
    const n = typeof rawCode === 'string' ? Number(rawCode.trim()) : Number(numeric(rawCode));
    if (!Number.isInteger(n))
      return fail(
        host,
        rec,
        frame,
        'InvalidResponseStatusCode',
        `The Response status code ${JSON.stringify(toJson(rawCode))} is not an integer.`,
      );
    statusCode = n;
  }
  if (statusCode < 200 || statusCode > 599 || (statusCode >= 300 && statusCode < 400)) {
    return fail(
      host,
      rec,
      frame,
      'InvalidResponseStatusCode',
      `The Response status code ${statusCode} is not allowed: use 2xx, 4xx or 5xx.`,
    );
  }
  const headers: Record<string, string> = {};
  const rawHeaders = prop(inputs, 'headers');
  if (isPlainObject(rawHeaders)) {
    for (const [k, v] of Object.entries(rawHeaders)) {
      const lk = k.toLowerCase();
      if (DROPPED.has(lk) || (lk.startsWith('content-') && !KEPT_CONTENT.has(lk))) continue;
      headers[k] = v === null ? '' : toText(v);
    }
  }
  const bodyValue = prop(inputs, 'body');
  // Shared with the action's outputs (values never change in place): one walk, no copy.
  const body = bodyValue === undefined ? null : toJsonShared(bodyValue);
  host.respond(rec.path, { statusCode, headers, body });
  const outputs: Record<string, Value> = { statusCode, headers };
  if (bodyValue !== undefined) outputs.body = bodyValue;
  host.settle(rec, frame, 'Succeeded', { outputs, code: 'OK' });
}

export const controlActions: ActionType[] = [
  define({
    name: 'Terminate',
    kind: 'terminate',
    notInLoop: true,
    check: checkTerminate,
    run: withInputs(terminate),
  }),
  define({ name: 'Response', kind: 'response', notInLoop: true, run: withInputs(response) }),
];
