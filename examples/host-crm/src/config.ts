/** The CRM's configuration, from the environment (README "Host kit example: host-crm"). */
export interface CrmConfig {
  host: string;
  /** 0 picks a free port (the log line `crm started` names the URL). */
  port: number;
  /** The SQLite file of the records and of the connector's subscriptions. */
  dataFile: string;
  /** Where Flowbridge reaches this CRM (connector calls, approval callbacks); default: the listen address. */
  publicUrl?: string;
  flowbridgeUrl: string;
  /** A Flowbridge token allowed to import connectors, create connections, templates and flows. */
  flowbridgeToken?: string;
  /** The key Flowbridge's connection sends to the connector; default: one made and kept in the data file. */
  apiKey?: string;
  /** The secret Flowbridge signs linked-approval callbacks with. */
  signingSecret?: string;
}

export type ConfigProblem = { variable: string; message: string };

const optional = (value: string | undefined): string | undefined =>
  value && value.trim() !== '' ? value.trim() : undefined;

export function configFromEnv(env: NodeJS.ProcessEnv): CrmConfig | ConfigProblem {
  const port = Number(env.CRM_PORT ?? 7790);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { variable: 'CRM_PORT', message: 'CRM_PORT must be a port number (0 for any free port).' };
  }
  const publicUrl = optional(env.CRM_PUBLIC_URL);
  const flowbridgeUrl = optional(env.FLOWBRIDGE_URL) ?? 'http://127.0.0.1:7780';
  for (const [variable, url] of [
    ['CRM_PUBLIC_URL', publicUrl],
    ['FLOWBRIDGE_URL', flowbridgeUrl],
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
      return { variable, message: `${variable} must be an http(s) URL.` };
  }
  const apiKey = optional(env.CRM_API_KEY);
  if (apiKey !== undefined && apiKey.length < 16) {
    return { variable: 'CRM_API_KEY', message: 'CRM_API_KEY must be at least 16 characters.' };
  }
  const token = optional(env.FLOWBRIDGE_TOKEN);
  const secret = optional(env.CRM_SIGNING_SECRET);
  return {
    host: optional(env.CRM_HOST) ?? '127.0.0.1',
    port,
    dataFile: optional(env.CRM_DATA_FILE) ?? 'crm.db',
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    flowbridgeUrl: flowbridgeUrl.replace(/\/+$/, ''),
    ...(token ? { flowbridgeToken: token } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(secret ? { signingSecret: secret } : {}),
  };
}
