// The connectors aggregate (issue #14): imported custom connectors (a version per import, per
// environment), connections (their secret parameters only as a sealed envelope: the store never
// sees them in clear), the connection references of flows, and the durable state of connector
// triggers (a webhook's subscription Location, a polling trigger's next-poll state).
import type { Json } from './json.js';

export interface ConnectorRecord {
  environmentId: string;
  name: string;
  apiId: string;
  /** Increases with every PUT (re-import). */
  version: number;
  /** The normalized connector (connectors/model.ts), as import made it. */
  connector: Json;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionRecord {
  environmentId: string;
  name: string;
  connectorName: string;
  displayName: string | null;
  parameterSet: string | null;
  /** The parameters that are not secret. */
  parameters: Record<string, Json>;
  /** The secret parameters, sealed (secrets/envelope.ts); null when there are none. */
  sealedSecrets: string | null;
  /** Connected | Error | NeedsConsent (ours to decide, the store keeps it). */
  status: string;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionInput {
  environmentId: string;
  name: string;
  connectorName: string;
  displayName?: string | null;
  parameterSet?: string | null;
  parameters: Record<string, Json>;
  sealedSecrets: string | null;
  status: string;
  createdBy?: string | null;
}

/** A connector trigger's durable state: one row per flow and trigger. */
export interface ConnectorTriggerRecord {
  flowId: string;
  triggerName: string;
  kind: 'webhook' | 'polling';
  /** Webhook: the Location of the subscription (what DELETE goes to). */
  location: string | null;
  /** What the subscription was made from (trigger inputs + connection): a change means resubscribe. */
  fingerprint: string | null;
  /** Polling: the state of the last poll (next URL, policy values). */
  state: Json;
  /** Polling: when the next poll is due (epoch ms). */
  nextAt: number | null;
  updatedAt: number;
}

export type ConnectorTriggerInput = Omit<ConnectorTriggerRecord, 'updatedAt'>;

export interface ConnectorStore {
  /** Creates the connector (version 1) or adds a version to it. */
  putConnector(input: {
    environmentId: string;
    name: string;
    apiId: string;
    connector: Json;
    createdBy?: string | null;
  }): Promise<ConnectorRecord>;
  getConnector(environmentId: string, name: string, version?: number): Promise<ConnectorRecord | undefined>;
  /** The current version of each. */
  listConnectors(environmentId?: string): Promise<ConnectorRecord[]>;
  deleteConnector(environmentId: string, name: string): Promise<boolean>;

  /** Creates a connection; Conflict when the name is taken in the environment. */
  createConnection(input: ConnectionInput): Promise<ConnectionRecord>;
  /** Replaces a connection's values; NotFound when it does not exist. */
  updateConnection(input: ConnectionInput): Promise<ConnectionRecord>;
  getConnection(environmentId: string, name: string): Promise<ConnectionRecord | undefined>;
  listConnections(filter?: { environmentId?: string; connectorName?: string }): Promise<ConnectionRecord[]>;
  deleteConnection(environmentId: string, name: string): Promise<boolean>;

  /** A flow's connection references (reference name → connection name), replaced whole. */
  setFlowConnectionReferences(flowId: string, references: Record<string, string>): Promise<void>;
  getFlowConnectionReferences(flowId: string): Promise<Record<string, string>>;

  putConnectorTrigger(input: ConnectorTriggerInput): Promise<ConnectorTriggerRecord>;
  getConnectorTrigger(flowId: string, triggerName: string): Promise<ConnectorTriggerRecord | undefined>;
  listConnectorTriggers(filter?: { flowId?: string; kind?: 'webhook' | 'polling' }): Promise<ConnectorTriggerRecord[]>;
  deleteConnectorTrigger(flowId: string, triggerName: string): Promise<boolean>;
}
