/**
 * The contract between the approvals module and the host. The approvals module handles the
 * Power Automate approvals connector actions (shared_approvals) as effects, keeps approvals in the
 * store, notifies people, and, when an approval completes, hands the outcome back to the waiting
 * run through the host's CallbackSink.
 */
import type { FastifyPluginAsync } from 'fastify';

/** Implemented by the host: delivers a webhook/approval callback to the run waiting on `key` (exactly once). */
export interface CallbackSink {
  deliverCallback(key: string, payload: unknown): Promise<boolean>;
}
export type { FastifyPluginAsync };
