/**
 * A connection's credentials on a request, as the swagger's securityDefinitions say (spec §14.4).
 * Power Platform applies the connector's security whatever `security` lists (131 corpus
 * connectors declare an API key and no `security`), so every definition the connection has a
 * value for applies: an API key in its header or query parameter, basic as `Authorization: Basic`,
 * OAuth 2.0 as `Authorization: Bearer <access token>`. A connection holding an access token on a
 * connector with no oauth2 definition (26 corpus connectors use `aad` that way) sends it too.
 * Refreshing tokens is the caller's job: this module only reads the connection.
 */
import { connectionValue, oauthValue, parameterDefinitions, type ConnectionValues } from './connection.js';
import { apiKeyParameter, basicParameters } from './credential-params.js';
import { setPair, type RequestDraft } from './draft.js';
import type { Connector } from './model.js';

export function applyCredentials(
  draft: RequestDraft,
  connector: Connector,
  connection: ConnectionValues | undefined,
): void {
  const defs = parameterDefinitions(connector, connection?.parameterSet);
  const text = (name: string) => {
    const value = connectionValue(connector, connection, name);
    return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  };
  let bearerSent = false;
  for (const [key, definition] of Object.entries(connector.securityDefinitions)) {
    switch (definition.type) {
      case 'apiKey': {
        const name = apiKeyParameter(connector, key, definition, defs);
        const value = name === undefined ? undefined : text(name);
        if (value !== undefined)
          setPair(definition.in === 'header' ? draft.headers : draft.query, definition.name, value);
        break;
      }
      case 'basic': {
        const names = basicParameters(defs);
        const username = names && text(names.username);
        const password = names && (text(names.password) ?? '');
        if (username !== undefined && password !== undefined)
          setPair(
            draft.headers,
            'Authorization',
            `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`,
          );
        break;
      }
      case 'oauth2':
        bearerSent ||= sendBearer(draft, connector, connection);
        break;
      case 'unknown':
        break;
    }
  }
  if (!bearerSent && !Object.values(connector.securityDefinitions).some((d) => d.type === 'oauth2'))
    sendBearer(draft, connector, connection);
}

function sendBearer(draft: RequestDraft, connector: Connector, connection: ConnectionValues | undefined): boolean {
  const token = oauthValue(connector, connection)?.accessToken;
  if (typeof token !== 'string' || token === '') return false;
  setPair(draft.headers, 'Authorization', `Bearer ${token}`);
  return true;
}
