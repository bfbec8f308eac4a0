// What the store keeps of desktop flows (store/desktop.ts): machine groups, machines and their
// agents, desktop flows with their versions, and the DesktopStore interface over them.
import type { DesktopSessionStore } from './desktop-sessions.js';

export interface MachineGroup {
  id: string;
  environmentId: string;
  name: string;
  keyHash: string;
  createdAt: number;
  keyRotatedAt: number;
}

/** What the agent told about itself when it registered. */
export interface AgentInfo {
  version?: string;
  osUser?: string;
  isRoot?: boolean;
  platform?: string;
}

export interface Machine {
  id: string;
  groupId: string;
  name: string;
  credentialHash: string;
  attended: boolean;
  agent: AgentInfo;
  registeredAt: number;
  lastSeenAt: number;
  removedAt: number | null;
}

export type DesktopLanguage = 'bash' | 'sh' | 'powershell' | 'python' | 'node';

export interface DesktopFlowVersion {
  flowId: string;
  version: number;
  language: DesktopLanguage;
  script: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  createdAt: number;
  createdBy: string | null;
}

export interface DesktopFlow {
  id: string;
  environmentId: string;
  name: string;
  currentVersion: number;
  ownerId: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewDesktopFlowVersion = Pick<DesktopFlowVersion, 'language' | 'script' | 'inputs' | 'outputs'> & {
  createdBy?: string | null;
};

export interface DesktopStore extends DesktopSessionStore {
  createMachineGroup(input: {
    id: string;
    environmentId: string;
    name: string;
    keyHash: string;
  }): Promise<MachineGroup>;
  getMachineGroup(id: string): Promise<MachineGroup | undefined>;
  findMachineGroup(query: {
    keyHash?: string;
    environmentId?: string;
    name?: string;
  }): Promise<MachineGroup | undefined>;
  listMachineGroups(environmentIds?: readonly string[]): Promise<MachineGroup[]>;
  setMachineGroupKey(id: string, keyHash: string): Promise<boolean>;

  /**
   * Registers a machine in a group. A machine of the same name already there (not removed) is the
   * same machine registering again (its state folder was lost): it gets the new credential, and
   * the old one stops working. `replaced` says so.
   */
  registerMachine(
    input: Pick<Machine, 'id' | 'groupId' | 'name' | 'credentialHash' | 'attended' | 'agent'>,
  ): Promise<{ machine: Machine; replaced: boolean }>;
  getMachine(id: string): Promise<Machine | undefined>;
  findMachineByCredential(credentialHash: string): Promise<Machine | undefined>;
  listMachines(query?: { groupIds?: readonly string[] }): Promise<Machine[]>;
  touchMachine(id: string, at: number, update?: { attended?: boolean; agent?: AgentInfo }): Promise<void>;
  removeMachine(id: string): Promise<boolean>;

  createDesktopFlow(input: {
    id: string;
    environmentId: string;
    name: string;
    ownerId: string | null;
    version: NewDesktopFlowVersion;
  }): Promise<{ flow: DesktopFlow; version: DesktopFlowVersion }>;
  /** A new version (Conflict when `expectedVersion` is given and is not the current one). */
  saveDesktopFlowVersion(
    flowId: string,
    version: NewDesktopFlowVersion,
    options?: { expectedVersion?: number; name?: string },
  ): Promise<{ flow: DesktopFlow; version: DesktopFlowVersion }>;
  getDesktopFlow(id: string): Promise<DesktopFlow | undefined>;
  getDesktopFlowVersion(flowId: string, version?: number): Promise<DesktopFlowVersion | undefined>;
  listDesktopFlows(environmentIds?: readonly string[]): Promise<DesktopFlow[]>;
  listDesktopFlowVersions(flowId: string): Promise<DesktopFlowVersion[]>;
  deleteDesktopFlow(id: string): Promise<boolean>;
}
