// The flows aggregate: environments, flows and their immutable versions (two roles: environments
// are what auth needs of it).
import type { Json } from './json.js';

export const DEFAULT_ENVIRONMENT_ID = 'default';

export interface Environment {
  id: string;
  name: string;
  createdAt: number;
}

export type FlowState = 'Enabled' | 'Disabled';
export type FlowKind = 'Stateful' | 'Stateless';

export interface Flow {
  id: string;
  environmentId: string;
  name: string;
  ownerId: string | null;
  state: FlowState;
  kind: FlowKind;
  accessKey: string; // HMAC key for signed trigger URLs
  currentVersion: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface FlowVersion {
  flowId: string;
  version: number;
  definition: Json;
  parameters: Json;
  createdAt: number;
  createdBy: string | null;
}

/** Environments (tenancy): what flows, OAuth clients and roles belong to. */
export interface EnvironmentStore {
  listEnvironments(): Promise<Environment[]>;
  getEnvironment(id: string): Promise<Environment | undefined>;
  createEnvironment(input: { id?: string; name: string }): Promise<Environment>;
}

export interface FlowStore {
  createFlow(input: {
    id?: string;
    environmentId?: string;
    name: string;
    ownerId?: string | null;
    state?: FlowState;
    kind?: FlowKind;
    accessKey?: string;
    definition: Json;
    parameters?: Json;
    createdBy?: string | null;
  }): Promise<{ flow: Flow; version: FlowVersion }>;
  /** Saves a new version; with expectedVersion, fails with Conflict when someone saved in between. */
  saveFlowVersion(
    flowId: string,
    input: { definition: Json; parameters?: Json; createdBy?: string | null; expectedVersion?: number },
  ): Promise<FlowVersion>;
  getFlow(id: string, options?: { includeDeleted?: boolean }): Promise<Flow | undefined>;
  listFlows(query?: { environmentId?: string; includeDeleted?: boolean }): Promise<Flow[]>;
  updateFlow(
    id: string,
    patch: { name?: string; state?: FlowState; kind?: FlowKind; accessKey?: string; ownerId?: string | null },
  ): Promise<Flow>;
  /** Soft delete: the flow disappears from lists, its runs and versions stay until pruned. */
  deleteFlow(id: string): Promise<boolean>;
  getFlowVersion(flowId: string, version?: number): Promise<FlowVersion | undefined>;
  listFlowVersions(flowId: string): Promise<FlowVersion[]>;
}
