/**
 * The CRM's side of Flowbridge, through the SDK's typed client: import (or update) its connector,
 * create its connection, register its templates, list them and the flows that use the CRM, and
 * instantiate a template into a flow.
 */
import { createFlowbridgeClient, triggerQuery, type ConnectorHost } from '@flowbridge/sdk';
import type { FlowItem, SetupView, TemplateItem } from './pages.js';
import { CONNECTOR_NAME, REFERENCE, TEMPLATES } from './templates.js';

/** The connection this CRM makes in Flowbridge (its templates' `crm` reference binds to it). */
export const CONNECTION_NAME = 'host-crm';

export interface LinkOptions {
  url: string;
  token: string;
  host: ConnectorHost;
  apiKey: string;
}

type Done = { ok: true; message: string } | { ok: false; message: string };

/** One line for a refusal: `409 Conflict: ...`, or why Flowbridge could not be reached. */
function problem(what: string, response: Response | undefined, error: unknown): string {
  const coded = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
  const detail = coded ? `${coded.code ?? ''}: ${coded.message ?? ''}` : String(error ?? '');
  return `${what} failed${response ? ` (${response.status})` : ''}: ${detail}`;
}

export class FlowbridgeLink {
  readonly client: ReturnType<typeof createFlowbridgeClient>;

  constructor(private readonly options: LinkOptions) {
    this.client = createFlowbridgeClient({ baseUrl: options.url, token: options.token });
  }

  get url(): string {
    return this.options.url;
  }

  /** Import or update the connector, create or update the connection, register the templates. */
  async connect(): Promise<Done> {
    try {
      const connector = await this.importConnector();
      if (!connector.ok) return connector;
      const connection = await this.saveConnection();
      if (!connection.ok) return connection;
      const templates = await this.registerTemplates();
      if (!templates.ok) return templates;
      return { ok: true, message: `${connector.message} ${connection.message} ${templates.message}` };
    } catch (error) {
      return { ok: false, message: `Flowbridge at ${this.url} is unreachable: ${String(error)}` };
    }
  }

  private async importConnector(): Promise<Done> {
    const files = this.options.host.connector();
    const existing = await this.client.GET('/api/v1/connectors/{name}', { params: { path: { name: CONNECTOR_NAME } } });
    const saved = existing.data
      ? await this.client.PUT('/api/v1/connectors/{name}', { params: { path: { name: CONNECTOR_NAME } }, body: files })
      : await this.client.POST('/api/v1/connectors', { body: { name: CONNECTOR_NAME, ...files } });
    if (!saved.data) return { ok: false, message: problem('Importing the connector', saved.response, saved.error) };
    return { ok: true, message: `Connector ${saved.data.name} version ${saved.data.version} imported.` };
  }

  private async saveConnection(): Promise<Done> {
    // The kit's connector asks for one connection parameter: the API key.
    const properties = this.options.host.connector().apiProperties as {
      properties?: { connectionParameters?: Record<string, unknown> };
    };
    const [keyParameter] = Object.keys(properties.properties?.connectionParameters ?? {});
    if (keyParameter === undefined) return { ok: false, message: 'The connector declares no API key parameter.' };
    const body = { connectorName: CONNECTOR_NAME, parameters: { [keyParameter]: this.options.apiKey } };
    const path = { params: { path: { name: CONNECTION_NAME } } };
    const existing = await this.client.GET('/api/v1/connections/{name}', path);
    const saved = existing.data
      ? await this.client.PUT('/api/v1/connections/{name}', { ...path, body })
      : await this.client.POST('/api/v1/connections', { body: { name: CONNECTION_NAME, ...body } });
    if (!saved.data) return { ok: false, message: problem('Creating the connection', saved.response, saved.error) };
    return { ok: true, message: `Connection ${saved.data.name} is ${saved.data.status}.` };
  }

  /** Each template by name: created the first time, replaced by later setups. */
  private async registerTemplates(): Promise<Done> {
    const listed = await this.client.GET('/api/v1/templates');
    if (!listed.data) return { ok: false, message: problem('Listing templates', listed.response, listed.error) };
    const byName = new Map(listed.data.value.map((t) => [t.name, t.id]));
    for (const t of TEMPLATES) {
      const body = {
        name: t.name,
        description: t.description,
        definition: t.definition,
        connectionReferences: { [REFERENCE]: { connectorName: CONNECTOR_NAME } },
        tags: ['host-crm'],
      };
      const id = byName.get(t.name);
      const saved = id
        ? await this.client.PUT('/api/v1/templates/{id}', { params: { path: { id } }, body })
        : await this.client.POST('/api/v1/templates', { body });
      if (!saved.data)
        return { ok: false, message: problem(`Registering template '${t.name}'`, saved.response, saved.error) };
    }
    return { ok: true, message: `${TEMPLATES.length} templates registered.` };
  }

  /** The templates that use this CRM's connector, with the parameters their definitions declare. */
  async templates(): Promise<TemplateItem[]> {
    const listed = await this.client.GET('/api/v1/templates');
    if (!listed.data) throw new Error(problem('Listing templates', listed.response, listed.error));
    return listed.data.value
      .filter((t) => Object.values(t.connectionReferences ?? {}).some((r) => r.connectorName === CONNECTOR_NAME))
      .map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        parameters: Object.keys(definitionParameters(t.definition)).filter((p) => !p.startsWith('$')),
      }));
  }

  /** A flow from a template, its `crm` reference bound to this CRM's connection. */
  async instantiate(
    templateId: string,
    name: string,
    parameters: Record<string, string>,
  ): Promise<{ ok: true; message: string; flowId: string } | { ok: false; message: string }> {
    const made = await this.client.POST('/api/v1/templates/{id}/instantiate', {
      params: { path: { id: templateId } },
      body: { name, connectionReferences: { [REFERENCE]: CONNECTION_NAME }, parameters },
    });
    if (!made.data) return { ok: false, message: problem('Creating the flow', made.response, made.error) };
    const flow = made.data;
    const why = stateErrorOf(flow);
    const off = flow.state !== 'Enabled' ? ` It is ${flow.state}${why ? `: ${why}` : ''}.` : '';
    return { ok: true, message: `Flow '${flow.name}' created.${off}`, flowId: flow.id };
  }

  /** The flows whose trigger is this CRM's `operationId` (and `parameters`), turned on. */
  async flowsFor(operationId?: string, parameters: Record<string, string> = {}): Promise<FlowItem[]> {
    const query = triggerQuery({
      connector: CONNECTOR_NAME,
      ...(operationId ? { operation: operationId } : {}),
      parameters,
    });
    const listed = await this.client.GET('/api/v1/flows', { params: { query } });
    if (!listed.data) throw new Error(problem('Listing flows', listed.response, listed.error));
    return listed.data.value
      .filter((f) => operationId === undefined || f.state === 'Enabled')
      .map((f) => ({ id: f.id, name: f.name, state: f.state }));
  }

  async status(): Promise<SetupView> {
    const view: SetupView = { flowbridgeUrl: this.url, configured: true, templates: [], flows: [] };
    try {
      const connector = await this.client.GET('/api/v1/connectors/{name}', {
        params: { path: { name: CONNECTOR_NAME } },
      });
      if (connector.data) view.connector = { name: connector.data.name, version: connector.data.version };
      const connection = await this.client.GET('/api/v1/connections/{name}', {
        params: { path: { name: CONNECTION_NAME } },
      });
      if (connection.data) view.connection = { name: connection.data.name, status: connection.data.status };
      view.templates = await this.templates();
      view.flows = await this.flowsFor();
    } catch (error) {
      view.problem = error instanceof Error ? error.message : String(error);
    }
    return view;
  }
}

function definitionParameters(definition: unknown): Record<string, unknown> {
  const d = definition as { parameters?: unknown; properties?: { definition?: { parameters?: unknown } } } | null;
  const parameters = d?.parameters ?? d?.properties?.definition?.parameters;
  return typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {};
}

/** Why a flow was saved off (`stateError`, which the API answers beside the flow's fields). */
function stateErrorOf(flow: object): string | undefined {
  const error: unknown = 'stateError' in flow ? flow.stateError : undefined;
  if (typeof error !== 'object' || error === null || !('message' in error)) return undefined;
  return typeof error.message === 'string' ? error.message : undefined;
}
