/**
 * The CRM application: its records, its connector (the host kit) and its link to Flowbridge. Every
 * change made here, from a page or by a flow's action, is told to the flows that subscribed.
 */
import { randomBytes } from 'node:crypto';
import {
  sqliteStore,
  verifySignature,
  type ConnectorHost,
  type DeliveryOutcome,
  type RetryOptions,
} from '@flowbridge/sdk';
import type { CrmConfig } from './config.js';
import { crmConnector, recordView } from './connector.js';
import { emissionsOf, TRIGGERS } from './events.js';
import { FlowbridgeLink } from './flowbridge.js';
import { Records, type Change, type CrmError, type Result } from './records.js';

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface AppOptions {
  config: CrmConfig;
  /** The address Flowbridge reaches this CRM at (known once it listens). */
  publicUrl: string;
  log: Logger;
  retry?: RetryOptions;
}

/** What an approval callback settled, or why it was refused (`Unsigned`: the signature did not check). */
export type SettleOutcome =
  | { ok: true; status: string; changed: boolean }
  | { ok: false; error: CrmError | { code: 'Unsigned' | 'NotConfigured' | 'InvalidBody'; message: string } };

export class CrmApp {
  readonly records: Records;
  readonly host: ConnectorHost;
  readonly flowbridge: FlowbridgeLink | undefined;
  readonly apiKey: string;

  constructor(private readonly options: AppOptions) {
    const { config, publicUrl } = options;
    this.records = new Records(config.dataFile);
    this.apiKey = config.apiKey ?? this.records.setting('apiKey', () => randomBytes(24).toString('base64url'));
    this.host = crmConnector({
      records: this.records,
      baseUrl: `${publicUrl}/connector`,
      publicUrl,
      apiKey: this.apiKey,
      store: sqliteStore(config.dataFile),
      apply: (result) => this.apply(result),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.flowbridge = config.flowbridgeToken
      ? new FlowbridgeLink({
          url: config.flowbridgeUrl,
          token: config.flowbridgeToken,
          host: this.host,
          apiKey: this.apiKey,
        })
      : undefined;
  }

  /** After a change: its trigger events go out (with the kit's retries) while the caller moves on. */
  apply(result: Result<Change>): Result<Change> {
    if (!result.ok) return result;
    for (const e of emissionsOf(result.value)) {
      void this.host
        .emit(e.opId, e.payload, { parameters: e.parameters })
        .then((outcomes) => this.logOutcomes(e.opId, outcomes))
        .catch((err: unknown) => this.options.log.warn({ opId: e.opId, err: String(err) }, 'emit failed'));
    }
    return result;
  }

  /** "For a selected record": runs the chosen instant flow on this record. */
  async runInstant(table: 'customers', id: number, flowId: string): Promise<{ ok: boolean; message: string }> {
    const found = this.records.find(table, id);
    if (!found.ok) return { ok: false, message: found.error.message };
    const record = recordView(table, found.value.row, this.options.publicUrl);
    const outcomes = await this.host.emit(TRIGGERS.instant, { table, id, record }, { flowId });
    this.logOutcomes(TRIGGERS.instant, outcomes);
    if (outcomes.length === 0)
      return { ok: false, message: 'That flow is not subscribed to this CRM (is it turned on?).' };
    const failed = outcomes.find((o) => o.status !== 'delivered');
    if (failed) return { ok: false, message: `The flow could not be started: ${failed.error ?? failed.status}.` };
    return { ok: true, message: `Started ${outcomes[0]?.flowName ?? 'the flow'}.` };
  }

  /**
   * Flowbridge's signed callback when an approval linked to request `id` ended: verified with the
   * shared signing secret over the exact body, then the request is settled (once: redeliveries of
   * the same approval change nothing).
   */
  async settleFromApproval(
    id: number,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): Promise<SettleOutcome> {
    const secret = this.options.config.signingSecret;
    if (!secret) return { ok: false, error: { code: 'NotConfigured', message: 'CRM_SIGNING_SECRET is not set.' } };
    const check = await verifySignature(secret, headers, body);
    if (!check.ok) return { ok: false, error: { code: 'Unsigned', message: `${check.code}: ${check.message}` } };
    let parsed: { approvalId?: unknown; outcome?: unknown; status?: unknown; outputs?: { responses?: unknown } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return { ok: false, error: { code: 'InvalidBody', message: 'The body is not JSON.' } };
    }
    if (typeof parsed.approvalId !== 'string') {
      return { ok: false, error: { code: 'InvalidBody', message: 'The body has no approvalId.' } };
    }
    const settled = this.records.settle(id, {
      approvalId: parsed.approvalId,
      approved: parsed.outcome === 'Approve',
      decidedBy: responders(parsed.outputs?.responses),
    });
    if (!settled.ok) return settled;
    if (settled.value) this.apply({ ok: true, value: settled.value });
    const row = this.records.get('requests', id);
    return { ok: true, status: String(row?.status), changed: settled.value !== null };
  }

  private logOutcomes(opId: string, outcomes: DeliveryOutcome[]): void {
    for (const o of outcomes) {
      const fields = { opId, flowId: o.flowId, status: o.status, attempts: o.attempts, httpStatus: o.httpStatus };
      if (o.status === 'delivered') this.options.log.info(fields, 'event delivered');
      else this.options.log.warn({ ...fields, error: o.error }, 'event not delivered');
    }
  }

  /**
   * Once listening: the events an earlier run of the CRM had not delivered when it stopped (the
   * kit keeps them in the data file until they settle) go out now.
   */
  resumeDeliveries(): void {
    void this.host
      .resumeDeliveries()
      .then((outcomes) => this.logOutcomes('resumed', outcomes))
      .catch((err: unknown) => this.options.log.warn({ err: String(err) }, 'resuming deliveries failed'));
  }

  /** Deliveries still waiting for a retry stay in the data file: the next start sends them. */
  async close(): Promise<void> {
    await this.host.store.close?.();
    this.records.close();
  }
}

/** "ann@example.com, bob@example.com" from an approval's responses (who answered). */
function responders(responses: unknown): string {
  if (!Array.isArray(responses)) return '';
  const emails = responses.map((r: unknown) => {
    const responder =
      typeof r === 'object' && r !== null ? (r as { responder?: { email?: unknown } }).responder : undefined;
    return typeof responder?.email === 'string' ? responder.email : '';
  });
  return emails.filter((e) => e !== '').join(', ');
}
