/**
 * The connector effects: approvals (start and wait, create, wait for) and Office 365 send mail.
 * A start-and-wait approval's id derives from the effect's idempotency key, so an effect the host
 * re-issues after a crash finds the approval it already created instead of creating (and mailing)
 * a second one.
 */
import { createHash } from 'node:crypto';
import type { EffectCommand, EffectContext, EffectResult } from '../effects/types.js';
import { parseConnectorCall, type MailSpec } from './inputs.js';
import { plainMail } from './notify.js';
import type { ApprovalService } from './service.js';
import { ApiError } from '../util/api-errors.js';
import type { ApprovalEffectErrorCode } from './types.js';

export function approvalIdFor(idempotencyKey: string): string {
  const h = createHash('sha256').update(`approval:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The engine's callback key for a webhook action (packages/engine API.md). */
export function callbackKeyFor(runId: string, path: string): string {
  return `${runId}:${path}`;
}

function failure(code: ApprovalEffectErrorCode, message: string, retryable = false): EffectResult {
  return { status: 'Failed', error: { code, message }, ...(retryable ? { retryable } : {}) };
}

export function createEffectHandler(service: ApprovalService) {
  const { now } = service.deps;
  const times = (start: number): { startTime: string; endTime: string } => ({
    startTime: new Date(start).toISOString(),
    endTime: new Date(now()).toISOString(),
  });
  const ok = (start: number, statusCode: number, body?: unknown): EffectResult => ({
    status: 'Succeeded',
    outputs: { statusCode, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body }) },
    ...times(start),
  });

  return (command: EffectCommand, context: EffectContext): Promise<EffectResult> | null => {
    const call = parseConnectorCall(command);
    if (call === null) return null;
    return (async (): Promise<EffectResult> => {
      const start = now();
      if (command.operation === 'unsubscribe') {
        // Sent after the callback (nothing left to do) or when the action timed out (the approval expires).
        await service.expireForAction(context.runId, command.path);
        return ok(start, 200);
      }
      if ('invalid' in call) return failure(call.invalid.code, call.invalid.message);
      if (call.connector === 'office365') return sendMail(call.mail, command, context, start);
      if (call.operation === 'waitFor') {
        try {
          await service.addWaiter(call.approvalName, callbackKeyFor(context.runId, command.path));
        } catch (error) {
          if (error instanceof ApiError && error.code === 'NotFound') {
            return failure('ApprovalNotFound', `There is no approval '${call.approvalName}'.`);
          }
          throw error;
        }
        return ok(start, 200, { name: call.approvalName });
      }
      const waits = call.operation === 'startAndWait';
      const loaded = await service.create({
        id: approvalIdFor(command.idempotencyKey),
        spec: call.spec,
        runId: context.runId,
        path: command.path,
        callbackKey: waits ? callbackKeyFor(context.runId, command.path) : null,
        workflow: { id: context.workflow.id, name: context.workflow.name },
        actor: `run/${context.runId}`,
      });
      const { spec, requestDate } = loaded.details;
      return ok(start, waits ? 201 : 200, {
        name: loaded.approval.id,
        title: spec.title,
        details: spec.details,
        itemLink: spec.itemLink,
        itemLinkDescription: spec.itemLinkDescription,
        requestDate,
        approvalType: spec.approvalType,
        assignedTo: spec.assignedTo.join(';'),
      });
    })();
  };

  async function sendMail(
    mail: MailSpec,
    command: EffectCommand,
    context: EffectContext,
    start: number,
  ): Promise<EffectResult> {
    const mailer = service.deps.mailer;
    if (!mailer) {
      return failure(
        'MailNotConfigured',
        `Action '${command.actionName}' sends mail, but no SMTP server is configured (FLOWBRIDGE_SMTP_URL).`,
      );
    }
    try {
      await mailer.send(plainMail(mail, command.idempotencyKey));
    } catch (error) {
      return failure(
        'MailSendFailed',
        `Sending the mail failed: ${error instanceof Error ? error.message : String(error)}`,
        true,
      );
    }
    await service.records.auditTarget(`run/${context.runId}`, 'mail.send', `action/${command.idempotencyKey}`, {
      to: mail.to,
      subject: mail.subject,
    });
    return ok(start, 200);
  }
}
