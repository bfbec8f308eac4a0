/**
 * Machine groups and machines: registration keys (one per group, rotatable), machine credentials
 * (handed out once when an agent registers, stored hashed), and what the API shows of a machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hashSecret } from '../auth/secrets.js';
import { bearerToken } from '../auth/authenticate.js';
import type { AgentInfo, DesktopSession, Machine, MachineGroup, Store } from '../store/index.js';
import { DesktopError } from './errors.js';
import { STATUS } from './status.js';
import type { DesktopTiming } from './types.js';

/** Prefixes make a leaked secret recognisable: fbk_ a group's registration key, fbm_ a machine credential. */
function newSecret(prefix: 'fbk' | 'fbm'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export type MachineStatus = 'online' | 'offline' | 'busy';

export class Machines {
  constructor(
    private readonly store: Store,
    private readonly timing: DesktopTiming,
    private readonly now: () => number,
  ) {}

  async createGroup(environmentId: string, name: string): Promise<{ group: MachineGroup; registrationKey: string }> {
    const registrationKey = newSecret('fbk');
    const group = await this.store.desktop.createMachineGroup({
      id: randomUUID(),
      environmentId,
      name,
      keyHash: hashSecret(registrationKey),
    });
    return { group, registrationKey };
  }

  /** A new registration key; the old one stops working (machines already registered keep theirs). */
  async rotateKey(groupId: string): Promise<string> {
    const registrationKey = newSecret('fbk');
    if (!(await this.store.desktop.setMachineGroupKey(groupId, hashSecret(registrationKey)))) {
      throw new DesktopError('NotFound', `Machine group '${groupId}' does not exist.`, groupId);
    }
    return registrationKey;
  }

  async register(
    registrationKey: string,
    input: { name: string; attended: boolean; agent: AgentInfo },
  ): Promise<{ machine: Machine; group: MachineGroup; credential: string; replaced: boolean }> {
    const group = await this.store.desktop.findMachineGroup({ keyHash: hashSecret(registrationKey) });
    if (!group) throw new DesktopError('Unauthorized', 'The registration key is not valid.');
    const credential = newSecret('fbm');
    const { machine, replaced } = await this.store.desktop.registerMachine({
      id: randomUUID(),
      groupId: group.id,
      name: input.name,
      credentialHash: hashSecret(credential),
      attended: input.attended,
      agent: input.agent,
    });
    return { machine, group, credential, replaced };
  }

  /** The machine an agent's `Authorization: Bearer fbm_...` names; null when unknown or removed. */
  async authenticate(authorization: string | undefined): Promise<Machine | null> {
    const token = bearerToken(authorization);
    if (!token?.startsWith('fbm_')) return null;
    return (await this.store.desktop.findMachineByCredential(hashSecret(token))) ?? null;
  }

  statusOf(machine: Machine, held: readonly DesktopSession[]): MachineStatus {
    if (this.now() - machine.lastSeenAt > this.timing.offlineAfterMs) return 'offline';
    return held.some((s) => s.status === STATUS.Running) ? 'busy' : 'online';
  }

  async view(machine: Machine, group?: MachineGroup): Promise<Record<string, unknown>> {
    const held = await this.store.desktop.machineSessions(machine.id);
    const running = held.find((s) => s.status === STATUS.Running);
    return {
      id: machine.id,
      name: machine.name,
      machineGroupId: machine.groupId,
      machineGroupName: group?.name ?? null,
      environmentId: group?.environmentId ?? null,
      status: this.statusOf(machine, held),
      attended: machine.attended,
      currentSessionId: running?.id ?? null,
      lastSeenAt: new Date(machine.lastSeenAt).toISOString(),
      registeredAt: new Date(machine.registeredAt).toISOString(),
      agentVersion: machine.agent.version ?? null,
      osUser: machine.agent.osUser ?? null,
      platform: machine.agent.platform ?? null,
    };
  }
}

export function groupView(group: MachineGroup, registrationKey?: string): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    environmentId: group.environmentId,
    createdAt: new Date(group.createdAt).toISOString(),
    keyRotatedAt: new Date(group.keyRotatedAt).toISOString(),
    ...(registrationKey ? { registrationKey } : {}),
  };
}
