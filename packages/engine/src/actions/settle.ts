// Building blocks of the built-in actions: most evaluate their inputs first and fail with a code.
import type { Value } from '@flowbridge/expression';
import type { ActionHost, Frame, Rec } from '../run/host.js';
import type { ActionRun } from './types.js';

/** An action that starts by evaluating its inputs (recorded as the action's inputs). */
export function withInputs(fn: (host: ActionHost, rec: Rec, frame: Frame, inputs: Value) => void): ActionRun {
  return (host, rec, frame) => {
    const ev = host.eval('inputs', rec, frame);
    if (!ev) return;
    rec.inputs = ev.value;
    fn(host, rec, frame, ev.value);
  };
}

export function fail(host: ActionHost, rec: Rec, frame: Frame, code: string, message: string, outputs?: Value): void {
  host.settle(
    rec,
    frame,
    'Failed',
    outputs === undefined ? { error: { code, message } } : { error: { code, message }, outputs },
  );
}
