/**
 * Polling connector triggers (spec §14.2): only the scheduler leader polls. Each due trigger of an
 * enabled flow is polled with its durable state (the `Location` of the last answer, the
 * pollingtrigger values); 200 with items fires through the one trigger-firing path (batch: one run
 * per item), 202 or no items is a skipped evaluation, a failure a failed one (the trigger history
 * shows each). The new state is written after the runs exist and a stop waits for the poll under
 * way, so a restart between polls neither loses nor repeats an item. The next poll is at the
 * schedule's next occurrence (host/recurrence.ts), or later when the service says Retry-After.
 */
import type { Logger } from 'pino';
import { isRecord } from '@flowbridge/engine';
import {
  buildApiConnectionRequest,
  buildPollRequest,
  matchOperation,
  pollOutcome,
  type Connector,
  type PollState,
} from '../connectors/index.js';
import { buildFollowUpRequest } from '../connectors/webhook.js';
import { decodeBody } from '../effects/content.js';
import type { OutboundClient } from '../effects/index.js';
import { recordEvaluation, type FireOutcome, type TriggerFiring } from '../host/fire-trigger.js';
import { nextOccurrence, parseRecurrence } from '../host/recurrence.js';
import type { ConnectorTriggerRecord, Flow, Store } from '../store/index.js';
import { ConnectorHostError } from './errors.js';
import { connectionFor } from './flow-connections.js';
import type { ConnectorService } from './service.js';
import { compileVersion, connectorTriggers, evaluateInputs } from './trigger-inputs.js';

export interface PollerDeps {
  service: ConnectorService;
  store: Store;
  outbound: OutboundClient;
  fire: (firing: TriggerFiring) => Promise<FireOutcome>;
  now: () => number;
  log?: Logger | undefined;
  /** How often due triggers are looked for (ms; default 1000). */
  tickMs?: number;
}

const DEFAULT_INTERVAL_MS = 3 * 60_000;

export class ConnectorPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.deps.log?.warn({ err }, 'polling connector triggers failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.deps.tickMs ?? 1000);
    this.timer.unref();
  }

  /** Polls every due trigger once (tests call it directly). */
  async tick(): Promise<void> {
    const now = this.deps.now();
    for (const record of await this.deps.store.listConnectorTriggers({ kind: 'polling' })) {
      if (this.stopped && this.timer !== undefined) return;
      if (record.nextAt !== null && record.nextAt > now) continue;
      const flow = await this.deps.store.getFlow(record.flowId);
      if (!flow || flow.state !== 'Enabled') continue;
      await this.poll(flow, record);
    }
  }

  private async poll(flow: Flow, record: ConnectorTriggerRecord): Promise<void> {
    const { store, log } = this.deps;
    const version = await store.getFlowVersion(flow.id, flow.currentVersion);
    if (!version) return;
    const workflow = compileVersion(version);
    const trigger = connectorTriggers(workflow).find((t) => t.name === record.triggerName && t.kind === 'polling');
    if (!trigger) return;
    const state = (record.state ?? {}) as PollState;
    const now = this.deps.now();
    const interval = intervalAfter(trigger.recurrence, now);
    const again = (nextAt: number, newState: PollState = state) =>
      store.putConnectorTrigger({ ...record, state: newState, nextAt });
    try {
      const inputs = evaluateInputs(workflow, flow, trigger, undefined, this.deps.now);
      const { connector, values } = await connectionFor(this.deps.service, flow, inputs);
      const operationId = pollOperationId(connector, inputs);
      const built =
        trigger.type === 'apiconnection' && !hasOperationId(inputs)
          ? state.nextUrl
            ? buildFollowUpRequest(connector, state.nextUrl, values, 'GET', operationId)
            : buildApiConnectionRequest(connector, inputs, values)
          : buildPollRequest(connector, inputs, values, state);
      if (!built.ok) throw new ConnectorHostError(built.error.code, built.error.message);
      const response = await this.deps.outbound.request(built.value.url, {
        method: built.value.method,
        headers: { ...built.value.headers, 'x-ms-workflow-id': flow.id, 'x-ms-workflow-name': flow.name },
        ...(built.value.body !== undefined ? { body: built.value.body } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      if (response.status !== 200 && response.status !== 202)
        throw new ConnectorHostError('PollFailed', `The poll answered status ${response.status}.`);
      const body = decodeBody(bytes, response.headers.get('content-type') ?? undefined);
      const outcome = pollOutcome(connector, operationId, { statusCode: response.status, headers, body }, state, now);
      // 202 without a Location: nothing new yet, ask the same way again (no restart from the top).
      if (response.status === 202 && !outcome.state.nextUrl && state.nextUrl) outcome.state.nextUrl = state.nextUrl;
      const nextAt = Math.max(interval, now + (outcome.retryAfterSeconds ?? 0) * 1000);
      if (!outcome.fire) {
        await recordEvaluation(store, log, flow, trigger.name, now, 'Skipped');
        await again(nextAt, outcome.state);
        return;
      }
      const batch = connector.operations.find((o) => o.operationId === operationId)?.trigger?.cardinality === 'batch';
      const fired =
        trigger.hasSplitOn || !batch
          ? await this.deps.fire({
              flow,
              triggerName: trigger.name,
              outputs: { headers, body: trigger.hasSplitOn ? body : outcome.items[0] },
            })
          : await this.deps.fire({
              flow,
              triggerName: trigger.name,
              outputs: { headers, body: outcome.items },
              batch: true,
            });
      if (fired.kind === 'refused') {
        // The waiting queue is full: keep the state, the same items come again next time.
        await again(nextAt);
        return;
      }
      await again(nextAt, outcome.state);
    } catch (error) {
      const failure =
        error instanceof ConnectorHostError
          ? error.data
          : { code: 'PollFailed' as const, message: error instanceof Error ? error.message : String(error) };
      await recordEvaluation(store, log, flow, trigger.name, now, 'Failed', failure);
      await again(interval);
    }
  }
}

function hasOperationId(inputs: unknown): boolean {
  return isRecord(inputs) && isRecord(inputs.host) && typeof inputs.host.operationId === 'string';
}

/** `host.operationId`, or (Logic Apps ApiConnection) the operation its method and path match. */
function pollOperationId(connector: Connector, inputs: unknown): string {
  if (isRecord(inputs) && isRecord(inputs.host) && typeof inputs.host.operationId === 'string')
    return inputs.host.operationId;
  const method = isRecord(inputs) && typeof inputs.method === 'string' ? inputs.method : 'get';
  const path = isRecord(inputs) && typeof inputs.path === 'string' ? inputs.path : '';
  return matchOperation(connector, method, path)?.operation.operationId ?? '';
}

/** The next poll time after `now` by the trigger's recurrence (3 minutes when it has none). */
function intervalAfter(recurrence: unknown, now: number): number {
  if (recurrence === undefined) return now + DEFAULT_INTERVAL_MS;
  const parsed = parseRecurrence(recurrence);
  if ('error' in parsed) return now + DEFAULT_INTERVAL_MS;
  return nextOccurrence(parsed, now, now) ?? now + DEFAULT_INTERVAL_MS;
}
