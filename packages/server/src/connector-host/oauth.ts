/**
 * OAuth 2.0 connections (spec §14.4): the authorization-code flow (a consent URL at the
 * connector's authorization URL, the redirect back to this server, the code exchanged at its
 * token URL) and client credentials (swagger flow `application`). Tokens live in the connection's
 * oauthSetting parameter, sealed with its other secrets; one about to expire (within a minute) is
 * refreshed before a request uses it. Token requests go through the outbound client.
 */
import {
  oauthValue,
  parameterDefinitions,
  type ConnectionValues,
  type Connector,
  type OAuthConnectionValue,
} from '../connectors/index.js';
import type { OutboundClient } from '../effects/index.js';
import { ConnectorHostError } from './errors.js';

/** Refresh when the token has less than this left (ms). */
const EARLY_MS = 60_000;

export interface OAuthClient {
  /** The oauthSetting parameter the tokens are kept in. */
  parameter: string;
  authorizationUrl?: string;
  tokenUrl: string;
  clientId?: string;
  clientSecret?: string;
  scopes: string[];
  grant: 'authorization_code' | 'client_credentials';
}

/** The connector's OAuth client as the connection completes it; undefined when it uses no OAuth. */
export function oauthClientOf(connector: Connector, values: ConnectionValues): OAuthClient | undefined {
  const defs = parameterDefinitions(connector, values.parameterSet);
  const setting = Object.values(defs).find((d) => d.type === 'oauthSetting');
  const oauth2 = Object.values(connector.securityDefinitions).find((d) => d.type === 'oauth2');
  if (!setting && !oauth2) return undefined;
  const settings = setting?.oAuthSettings;
  const custom = settings?.customParameters ?? {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const tokenUrl = text(oauth2?.type === 'oauth2' ? oauth2.tokenUrl : undefined) ?? text(custom.tokenUrl);
  if (!tokenUrl) return undefined;
  const given = oauthValue(connector, values) ?? {};
  const placeholder = (v: string | undefined) => (v && !/^\[\[.*\]\]$/.test(v) ? v : undefined);
  const authorizationUrl =
    text(oauth2?.type === 'oauth2' ? oauth2.authorizationUrl : undefined) ?? text(custom.authorizationUrl);
  const clientId = given.clientId ?? placeholder(settings?.clientId);
  const clientSecret = given.clientSecret ?? placeholder(settings?.clientSecret);
  return {
    parameter: setting?.name ?? 'token',
    tokenUrl,
    ...(authorizationUrl ? { authorizationUrl } : {}),
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    scopes: settings?.scopes ?? Object.keys(oauth2?.type === 'oauth2' ? (oauth2.scopes ?? {}) : {}),
    grant:
      oauth2?.type === 'oauth2' && /^application$/i.test(oauth2.flow ?? '')
        ? 'client_credentials'
        : 'authorization_code',
  };
}

export function consentUrl(client: OAuthClient, redirectUri: string, state: string): string {
  if (!client.authorizationUrl || !client.clientId)
    throw new ConnectorHostError(
      'ConnectionFailed',
      'The connector has no authorization URL or the connection no client id.',
    );
  const url = new URL(client.authorizationUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  if (client.scopes.length > 0) url.searchParams.set('scope', client.scopes.join(' '));
  url.searchParams.set('state', state);
  return url.href;
}

/** Whether the value needs a token request before use (none yet for client credentials, or expiring). */
export function needsToken(client: OAuthClient, value: OAuthConnectionValue | undefined, now: number): boolean {
  if (!value?.accessToken) return client.grant === 'client_credentials' && !!client.clientId;
  if (value.expiresAt === undefined) return false;
  const at = typeof value.expiresAt === 'number' ? value.expiresAt : Date.parse(value.expiresAt);
  return Number.isFinite(at) && at - now < EARLY_MS && (!!value.refreshToken || client.grant === 'client_credentials');
}

/** One token request: the code, the refresh token, or the client's own credentials. */
export async function requestToken(
  outbound: OutboundClient,
  client: OAuthClient,
  grant: { code: string; redirectUri: string } | { refreshToken: string } | 'client_credentials',
  now: number,
  previous: OAuthConnectionValue = {},
): Promise<OAuthConnectionValue> {
  const form = new URLSearchParams();
  if (grant === 'client_credentials') form.set('grant_type', 'client_credentials');
  else if ('code' in grant) {
    form.set('grant_type', 'authorization_code');
    form.set('code', grant.code);
    form.set('redirect_uri', grant.redirectUri);
  } else {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', grant.refreshToken);
  }
  if (client.clientId) form.set('client_id', client.clientId);
  if (client.clientSecret) form.set('client_secret', client.clientSecret);
  if (client.scopes.length > 0 && grant === 'client_credentials') form.set('scope', client.scopes.join(' '));
  let response: Response;
  try {
    response = await outbound.request(client.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ConnectorHostError('ConnectionFailed', `The token request failed: ${String(error)}`);
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  if (!response.ok || typeof body.access_token !== 'string')
    // The answer's error code only: its text may echo what we sent.
    throw new ConnectorHostError(
      'ConnectionFailed',
      `The token endpoint answered ${response.status}${typeof body.error === 'string' ? ` (${body.error})` : ''}.`,
    );
  const expiresIn = Number(body.expires_in);
  return {
    ...previous,
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(typeof body.token_type === 'string' ? { tokenType: body.token_type } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now + expiresIn * 1000 } : {}),
    ...(client.clientId ? { clientId: client.clientId } : {}),
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
  };
}
