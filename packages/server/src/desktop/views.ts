/** What our own API (/api/v1) shows of a session. */
import type { DesktopSession } from '../store/index.js';
import { statusLabel } from './status.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function sessionView(s: DesktopSession): Record<string, unknown> {
  return {
    id: s.id,
    flowId: s.flowId,
    flowVersion: s.flowVersion,
    environmentId: s.environmentId,
    status: statusLabel(s.status),
    statuscode: s.status,
    runMode: s.runMode === 1 ? 'attended' : 'unattended',
    priority: s.priority,
    machineGroupId: s.groupId,
    machineId: s.startedAt === null ? null : s.machineId,
    targetMachineId: s.targetMachineId,
    connectionName: s.connectionName,
    inputs: s.inputs,
    outputs: s.outputs,
    errorCode: s.errorCode,
    errorMessage: s.errorMessage,
    timeout: s.timeoutSeconds,
    cancelRequested: s.cancelRequested,
    callbackUrl: s.callbackUrl,
    runId: s.runId,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
    startedAt: iso(s.startedAt),
    completedAt: iso(s.completedAt),
  };
}
