/**
 * Which connection parameter holds which credential of the swagger's securityDefinitions.
 * Power Platform's convention is `api_key` for an apiKey definition and `username` / `password`
 * for basic (519 of the 541 corpus connectors with an API key use `api_key`); the others name the
 * parameter after the definition (`secretKey` for definition `secretKey`, `apiKey` for
 * `API Key`) or after the header (`Authorization`), or have a single secure string. Matching
 * ignores case, spaces and punctuation.
 */
import type { ConnectionParameter, Connector, SecurityDefinition } from './model.js';

type ApiKey = Extract<SecurityDefinition, { type: 'apiKey' }>;

const fold = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The connection parameter whose value is the API key of definition `key`, if any. */
export function apiKeyParameter(
  connector: Connector,
  key: string,
  definition: ApiKey,
  defs: Record<string, ConnectionParameter>,
): string | undefined {
  const names = Object.keys(defs);
  const single = Object.values(connector.securityDefinitions).filter((d) => d.type === 'apiKey').length === 1;
  const byFold = (wanted: string) => names.find((n) => fold(n) === fold(wanted));
  if (single && 'api_key' in defs) return 'api_key';
  const named = byFold(key) ?? byFold(definition.name);
  if (named) return named;
  if (!single) return undefined;
  const secure = Object.values(defs).filter((d) => d.type === 'securestring' && !/^(username|password)$/i.test(d.name));
  return secure.length === 1 ? secure[0]!.name : undefined;
}

/** The username and password parameters of a basic definition. */
export function basicParameters(
  defs: Record<string, ConnectionParameter>,
): { username: string; password: string } | undefined {
  const names = Object.keys(defs);
  const username = names.find((n) => fold(n) === 'username');
  const password = names.find((n) => fold(n) === 'password');
  return username && password ? { username, password } : undefined;
}

/** Every parameter that carries an apiKey or basic credential (they are secret whatever their type). */
export function credentialParameterNames(connector: Connector, defs: Record<string, ConnectionParameter>): string[] {
  const out = new Set<string>();
  for (const [key, definition] of Object.entries(connector.securityDefinitions)) {
    if (definition.type === 'apiKey') {
      const name = apiKeyParameter(connector, key, definition, defs);
      if (name) out.add(name);
    } else if (definition.type === 'basic') {
      const basic = basicParameters(defs);
      if (basic) out.add(basic.password);
    }
  }
  return [...out];
}
