/**
 * Handing an ended approval's outcome on, in the background: to a run through the CallbackSink
 * (exactly once in the host; retried a few times while the run's callback is not registered yet)
 * and to linked host applications over signed HTTP (at least once; retried on a network error,
 * 408, 429 or 5xx). Every attempt under way and every retry timer is tracked, so that a stop waits
 * for the attempts and drops the timers. What to deliver, and to whom, is the service's (service.ts).
 */
import { isRetryableStatus } from '../effects/http-status.js';
import { callbackSignatureHeaders } from '../util/callback-signature.js';
import type { ApprovalOutputs, ApprovalsLogger, CallbackSink } from './types.js';

/** Delays of the attempts to post an outcome to a linked host that failed or was unavailable (ms). */
const HOST_RETRY_DELAYS = [1_000, 5_000, 30_000, 120_000, 600_000];

/** Delays of the redelivery attempts when the run's callback is not registered yet (ms). */
const REDELIVERY_DELAYS = [200, 1000, 5000, 30000];

export interface DeliveryDeps {
  callbacks: CallbackSink;
  fetch: typeof fetch;
  now: () => number;
  log: ApprovalsLogger;
  /** Signs linked-host posts (x-flowbridge-signature). */
  hostSigningSecret: string;
  hostRetryDelaysMs?: number[];
  /** A host acknowledged the outcome (2xx): recorded with the approval, so that a resume skips it. */
  hostNotified(id: string, url: string, status: number): Promise<void>;
  /** Each attempt to post to a host, for the audit log. */
  audit(id: string, details: { url: string; result: string; attempt: number }): Promise<void>;
}

export class OutcomeDelivery {
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: DeliveryDeps) {}

  /** Delivers `payload` to the run waiting under callback `key`; false from the sink means "not waiting (yet)". */
  toRun(key: string, payload: unknown, attempt = 0): void {
    if (this.closed) return;
    const task = this.deps.callbacks
      .deliverCallback(key, payload)
      .then((delivered) => {
        if (!delivered) this.later(REDELIVERY_DELAYS[attempt], () => this.toRun(key, payload, attempt + 1));
      })
      .catch((error: unknown) => this.deps.log.warn({ key, err: String(error) }, 'approval callback delivery failed'));
    this.track(task);
  }

  /** Signed POST to a host application: `x-flowbridge-signature: sha256=HMAC(secret, "<timestamp>.<body>")`. */
  toHost(id: string, url: string, status: string, outputs: ApprovalOutputs): void {
    this.track(this.post(id, url, status, outputs, 0));
  }

  private async post(
    id: string,
    url: string,
    status: string,
    outputs: ApprovalOutputs,
    attempt: number,
  ): Promise<void> {
    if (this.closed) return;
    const body = JSON.stringify({ approvalId: id, status, outcome: outputs.outcome, outputs });
    const timestamp = this.deps.now();
    let result: string;
    let retry = false;
    try {
      const res = await this.deps.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...callbackSignatureHeaders(this.deps.hostSigningSecret, timestamp, body),
        },
        body,
      });
      await res.arrayBuffer();
      result = String(res.status);
      if (res.ok) await this.deps.hostNotified(id, url, res.status);
      retry = isRetryableStatus(res.status);
    } catch (error) {
      result = `error: ${String(error)}`;
      retry = true;
    }
    await this.deps.audit(id, { url, result, attempt: attempt + 1 });
    if (retry) {
      const delay = (this.deps.hostRetryDelaysMs ?? HOST_RETRY_DELAYS)[attempt];
      this.later(delay, () => this.track(this.post(id, url, status, outputs, attempt + 1)));
    }
  }

  /** Runs `fn` after `delay` ms (none when undefined: no attempts left), unless stopped by then. */
  private later(delay: number | undefined, fn: () => void): void {
    if (delay === undefined || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private track(task: Promise<unknown>): void {
    const settled = task.catch(() => undefined);
    this.tasks.add(settled);
    void settled.finally(() => this.tasks.delete(settled));
  }

  /** Resolves once every attempt under way has settled. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  /** No more attempts: retry timers are dropped, and the attempts under way awaited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.idle();
  }
}
