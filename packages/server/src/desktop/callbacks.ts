/**
 * The completion callback of spec §13.4: when a session with a `callbackUrl` ends, its documented
 * body is POSTed there, signed as an extension (util/callback-signature.ts: the scheme approvals use
 * for linked hosts, which @flowbridge/sdk's verifySignature checks). Retried on 408, 5xx and
 * network errors (3 times, 1 s apart). The session row says whether it is still to be delivered,
 * so a restart sends what a previous process did not.
 */
import type { DesktopSession, Store } from '../store/index.js';
import { stateCode } from './status.js';
import type { DesktopLogger } from './types.js';
import { callbackSignatureHeaders } from '../util/callback-signature.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function callbackBody(session: DesktopSession): string {
  return JSON.stringify({
    statuscode: session.status,
    statecode: stateCode(session.status),
    startedon: iso(session.startedAt),
    completedon: iso(session.completedAt),
    flowsessionid: session.id,
  });
}

export class CallbackSender {
  private readonly inFlight = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly deps: {
      store: Store;
      secret: string;
      fetch: typeof fetch;
      now: () => number;
      retryDelaysMs: readonly number[];
      log?: DesktopLogger;
    },
  ) {}

  /** Sends the session's callback in the background (once per process at a time). */
  deliver(session: DesktopSession): void {
    if (!session.callbackUrl || this.closed || this.inFlight.has(session.id)) return;
    this.inFlight.add(session.id);
    const task = this.send(session, session.callbackUrl)
      .catch((err: unknown) => this.deps.log?.warn({ err, sessionId: session.id }, 'desktop callback failed'))
      .finally(() => {
        this.inFlight.delete(session.id);
        this.tasks.delete(task);
      });
    this.tasks.add(task);
  }

  /** At start: the callbacks of sessions that ended in the last `withinMs` and were not delivered. */
  async resume(withinMs = 7 * 24 * 3600 * 1000): Promise<void> {
    for (const s of await this.deps.store.desktop.pendingCallbacks(this.deps.now() - withinMs)) this.deliver(s);
  }

  async idle(): Promise<void> {
    while (this.tasks.size) await Promise.allSettled([...this.tasks]);
  }

  close(): void {
    this.closed = true;
  }

  private async send(session: DesktopSession, url: string): Promise<void> {
    const body = callbackBody(session);
    const delays = this.deps.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      const timestamp = this.deps.now();
      let outcome: 'delivered' | 'failed' | 'retry';
      try {
        const res = await this.deps.fetch(url, {
          method: 'POST',
          headers: {
            'user-agent': 'EnterpriseConnectors/1.0',
            'content-type': 'application/json; charset=utf-8',
            'x-ms-workflow-id': session.flowId,
            'x-ms-run-id': session.id,
            ...callbackSignatureHeaders(this.deps.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        outcome = res.ok ? 'delivered' : res.status === 408 || res.status >= 500 ? 'retry' : 'failed';
      } catch {
        outcome = 'retry';
      }
      const delay = delays[attempt];
      if (outcome === 'retry' && delay !== undefined && !this.closed) {
        await new Promise((r) => setTimeout(r, delay).unref());
        continue;
      }
      if (this.closed && outcome === 'retry') return; // the next start sends it again
      await this.deps.store.desktop.setCallbackState(session.id, outcome === 'delivered' ? 'delivered' : 'failed');
      this.deps.log?.info({ sessionId: session.id, outcome, attempts: attempt + 1 }, 'desktop callback');
      return;
    }
  }
}
