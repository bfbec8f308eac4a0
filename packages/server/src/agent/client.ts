/**
 * The agent's calls to the server. Failures are data: `Unreachable` (no answer, 5xx, 408, 429:
 * try again later), `Unauthorized` (the key or the machine credential is not valid: the machine was
 * removed, or the key rotated), `Rejected` (any other 4xx: this request will never succeed).
 */
export type CallErrorCode = 'Unreachable' | 'Unauthorized' | 'Rejected';

export class CallError extends Error {
  constructor(
    readonly code: CallErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export class AgentClient {
  credential: string | undefined;

  constructor(readonly server: string) {}

  async call<T>(path: string, body: unknown, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    // One signal for both the time limit and the caller's abort (AbortSignal.any is newer than Node 20.0).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timed out')), options.timeoutMs ?? 30_000);
    const onAbort = (): void => controller.abort(new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      return await this.send<T>(path, body, controller.signal);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async send<T>(path: string, body: unknown, signal: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.server}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.credential ? { authorization: `Bearer ${this.credential}` } : {}),
        },
        body: JSON.stringify(body ?? {}),
        signal,
      });
    } catch (error) {
      throw new CallError('Unreachable', `${this.server} is not reachable: ${(error as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON
    }
    if (res.status === 401) throw new CallError('Unauthorized', message, 401);
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      throw new CallError('Unreachable', `${this.server} answered ${res.status}: ${message}`, res.status);
    }
    throw new CallError('Rejected', message, res.status);
  }
}
