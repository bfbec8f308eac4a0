/**
 * Connectors and connections over the store: import (the core's importConnector), connection
 * values checked against the connector and split so that only the secret ones are sealed, and the
 * resolution a run or a trigger needs: (environment, connection name) → connector + values.
 */
import {
  importConnector,
  importConnectorFiles,
  oauthValue,
  splitSecrets,
  validateConnection,
  type ConnectionValues,
  type Connector,
  type ConnectorError,
} from '../connectors/index.js';
import type { OutboundClient } from '../effects/index.js';
import type { SecretBox } from '../secrets/index.js';
import type { ConnectionRecord, ConnectorRecord, Store } from '../store/index.js';
import { ConnectorHostError } from './errors.js';
import { needsToken, oauthClientOf, requestToken } from './oauth.js';

export interface ResolvedConnection {
  record: ConnectionRecord;
  connector: Connector;
  values: ConnectionValues;
}

export type ImportOutcome =
  { ok: true; record: ConnectorRecord; connector: Connector } | { ok: false; error: ConnectorError };

export type ConnectionOutcome =
  { ok: true; record: ConnectionRecord } | { ok: false; error: ConnectorError | ConnectorHostError['data'] };

export interface ConnectionInputs {
  environmentId: string;
  name: string;
  connectorName: string;
  displayName?: string;
  parameterSet?: string;
  parameters: Record<string, unknown>;
  createdBy?: string;
}

/** The AAD context of a connection's sealed secrets: a sealed value copied to another row does not open. */
const sealContext = (environmentId: string, name: string): string => `connection:${environmentId}/${name}`;

export class ConnectorService {
  /** Token refreshes under way, by connection: concurrent requests share one. */
  private readonly refreshing = new Map<string, Promise<ResolvedConnection>>();

  constructor(
    readonly store: Store,
    private readonly box: SecretBox,
    private readonly outbound?: OutboundClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seals and opens small values for this server (the OAuth `state`). */
  get secrets(): SecretBox {
    return this.box;
  }

  async importConnector(input: {
    environmentId: string;
    name?: string;
    apiDefinition: unknown;
    apiProperties?: unknown;
    createdBy?: string;
    /** The connector ships custom code (script.csx): the operations it covers fail with a coded error. */
    customCode?: boolean;
    /** PUT: the name the connector must keep. */
    expectName?: string;
  }): Promise<ImportOutcome> {
    const name = input.expectName ?? input.name;
    const common = {
      ...(name !== undefined ? { name } : {}),
      ...(input.customCode !== undefined ? { customCode: input.customCode } : {}),
    };
    // The files' text (what the CLI sends) is read tolerantly; parsed JSON is taken as it is.
    const imported =
      typeof input.apiDefinition === 'string'
        ? importConnectorFiles({
            apiDefinition: input.apiDefinition,
            ...(typeof input.apiProperties === 'string' ? { apiProperties: input.apiProperties } : {}),
            ...common,
          })
        : importConnector({
            apiDefinition: input.apiDefinition,
            ...(input.apiProperties !== undefined ? { apiProperties: input.apiProperties } : {}),
            ...common,
          });
    if (!imported.ok) return imported;
    const connector = imported.value;
    const record = await this.store.putConnector({
      environmentId: input.environmentId,
      name: connector.name,
      apiId: connector.apiId,
      connector,
      ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    });
    return { ok: true, record, connector };
  }

  async connector(environmentId: string, name: string): Promise<Connector | undefined> {
    const record = await this.store.getConnector(environmentId, name);
    return record ? (record.connector as Connector) : undefined;
  }

  /** Checks the values against the connector, seals the secret ones, and creates or replaces. */
  async saveConnection(input: ConnectionInputs, mode: 'create' | 'update'): Promise<ConnectionOutcome> {
    const connector = await this.connector(input.environmentId, input.connectorName);
    if (!connector)
      return {
        ok: false,
        error: new ConnectorHostError('ConnectorNotFound', `There is no connector '${input.connectorName}'.`).data,
      };
    const values: ConnectionValues = {
      parameters: input.parameters,
      ...(input.parameterSet !== undefined ? { parameterSet: input.parameterSet } : {}),
    };
    const checked = validateConnection(connector, values);
    if (!checked.ok) return checked;
    const { plain, secret } = splitSecrets(input.parameters, checked.value.secrets);
    const sealed =
      Object.keys(secret).length > 0 ? this.box.seal(secret, sealContext(input.environmentId, input.name)) : null;
    const row = {
      environmentId: input.environmentId,
      name: input.name,
      connectorName: input.connectorName,
      displayName: input.displayName ?? null,
      parameterSet: checked.value.parameterSet ?? null,
      parameters: plain,
      sealedSecrets: sealed,
      status: checked.value.needsConsent.length > 0 ? 'NeedsConsent' : 'Connected',
      ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    };
    const record = mode === 'create' ? await this.store.createConnection(row) : await this.store.updateConnection(row);
    return { ok: true, record };
  }

  /**
   * The connection with its connector and its values opened (secrets included): for requests only.
   * An OAuth token about to expire (or a client-credentials connection without one) is renewed first.
   */
  async resolve(environmentId: string, connectionName: string): Promise<ResolvedConnection> {
    const resolved = await this.open(environmentId, connectionName);
    const client = oauthClientOf(resolved.connector, resolved.values);
    if (!client || !this.outbound || !needsToken(client, oauthValue(resolved.connector, resolved.values), this.now()))
      return resolved;
    const key = `${environmentId}/${connectionName}`;
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.renew(resolved).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  private async renew(resolved: ResolvedConnection): Promise<ResolvedConnection> {
    const client = oauthClientOf(resolved.connector, resolved.values)!;
    const value = oauthValue(resolved.connector, resolved.values);
    const grant = value?.refreshToken ? { refreshToken: value.refreshToken } : ('client_credentials' as const);
    const renewed = await requestToken(this.outbound!, client, grant, this.now(), value);
    return this.storeOAuth(resolved, client.parameter, renewed);
  }

  /** The authorization code of the consent redirect, exchanged for tokens and kept. */
  async completeConsent(
    environmentId: string,
    connectionName: string,
    code: string,
    redirectUri: string,
  ): Promise<void> {
    const resolved = await this.open(environmentId, connectionName);
    const client = oauthClientOf(resolved.connector, resolved.values);
    if (!client || !this.outbound)
      throw new ConnectorHostError('ConnectionFailed', `Connection '${connectionName}' does not use OAuth 2.0.`);
    const value = oauthValue(resolved.connector, resolved.values);
    const tokens = await requestToken(this.outbound, client, { code, redirectUri }, this.now(), value);
    await this.storeOAuth(resolved, client.parameter, tokens);
  }

  private async storeOAuth(
    resolved: ResolvedConnection,
    parameter: string,
    value: unknown,
  ): Promise<ResolvedConnection> {
    const { record } = resolved;
    const secrets = { ...(await this.openSecrets(record)), [parameter]: value };
    const updated = await this.store.updateConnection({
      ...record,
      sealedSecrets: this.box.seal(secrets, sealContext(record.environmentId, record.name)),
      status: 'Connected',
    });
    return {
      ...resolved,
      record: updated,
      values: { ...resolved.values, parameters: { ...resolved.values.parameters, [parameter]: value } },
    };
  }

  private async openSecrets(record: ConnectionRecord): Promise<Record<string, unknown>> {
    if (!record.sealedSecrets) return {};
    const opened = this.box.open(record.sealedSecrets, sealContext(record.environmentId, record.name));
    if (!opened.ok)
      throw new ConnectorHostError(
        'ConnectionSecretsUnreadable',
        `The secrets of connection '${record.name}' cannot be opened (${opened.error.code}).`,
      );
    return opened.value as Record<string, unknown>;
  }

  private async open(environmentId: string, connectionName: string): Promise<ResolvedConnection> {
    const record = await this.store.getConnection(environmentId, connectionName);
    if (!record)
      throw new ConnectorHostError(
        'ConnectionNotFound',
        `There is no connection '${connectionName}' in '${environmentId}'.`,
      );
    const connector = await this.connector(environmentId, record.connectorName);
    if (!connector)
      throw new ConnectorHostError(
        'ConnectorNotFound',
        `Connection '${record.name}' uses the missing connector '${record.connectorName}'.`,
      );
    const secrets = await this.openSecrets(record);
    return {
      record,
      connector,
      values: {
        parameters: { ...record.parameters, ...secrets },
        ...(record.parameterSet ? { parameterSet: record.parameterSet } : {}),
      },
    };
  }
}

/** What the API shows of a connection: never a secret, only which secret parameters are set. */
export function connectionJson(record: ConnectionRecord): Record<string, unknown> {
  return {
    name: record.name,
    connectorName: record.connectorName,
    environmentId: record.environmentId,
    displayName: record.displayName,
    ...(record.parameterSet ? { parameterSet: record.parameterSet } : {}),
    parameters: record.parameters,
    status: record.status,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}
