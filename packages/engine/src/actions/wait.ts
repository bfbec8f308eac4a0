// Wait (spec §6.15): a timer for an interval or until a timestamp.
import type { ActionHost, Frame, Rec } from '../run/host.js';
import { addInterval } from '../run/timing.js';
import { define } from './types.js';
import type { ActionType } from './types.js';
import { numeric, prop } from './values.js';

function runWait(host: ActionHost, rec: Rec, frame: Frame): void {
  const ev = host.eval('inputs', rec, frame);
  if (!ev) return;
  rec.inputs = ev.value;
  const interval = prop(ev.value, 'interval');
  const until = prop(ev.value, 'until');
  let dueAt: number | undefined;
  if (interval !== undefined && until === undefined) {
    const count =
      numeric(prop(interval, 'count') ?? null) ??
      (typeof prop(interval, 'count') === 'string' ? Number(prop(interval, 'count')) : undefined);
    const unit = prop(interval, 'unit');
    if (count !== undefined && Number.isFinite(Number(count)) && typeof unit === 'string')
      dueAt = addInterval(host.now, Number(count), unit);
  } else if (until !== undefined && interval === undefined) {
    const ts = prop(until, 'timestamp');
    if (typeof ts === 'string') {
      const t = Date.parse(ts);
      if (!Number.isNaN(t)) dueAt = t;
    }
  }
  if (dueAt === undefined) {
    host.settle(rec, frame, 'Failed', {
      error: {
        code: 'InvalidInput',
        message: 'Wait needs either interval {count, unit} or until {timestamp} with valid values.',
      },
    });
    return;
  }
  if (dueAt <= host.now) {
    host.settle(rec, frame, 'Succeeded', { code: 'OK' });
    return;
  }
  const w = host.wait(rec, frame);
  rec.status = 'Waiting';
  host.touch(rec);
  host.timer(w, `${host.runId}:${rec.path}#wait`, dueAt, () => host.settleWaiting(w, 'Succeeded', { code: 'OK' }));
}

export const waitActions: ActionType[] = [define({ name: 'Wait', kind: 'wait', run: runWait })];
