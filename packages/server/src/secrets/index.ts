/**
 * Secrets at rest (issue #14): the master key (key.ts) and sealed JSON values (envelope.ts).
 * `openSecretBox` is what a server holds: seal/open bound to the key it loaded.
 */
import { open, seal } from './envelope.js';
import type { SecretResult } from './errors.js';
import { loadMasterKey, type KeySource } from './key.js';

export type { SecretError, SecretErrorCode, SecretResult } from './errors.js';
export { parseMasterKey, loadMasterKey, KEY_FILE, type MasterKey, type KeySource } from './key.js';
export { seal, open, isSealed, keyIdOf, ENVELOPE_PREFIX } from './envelope.js';

export interface SecretBox {
  source: KeySource;
  seal(value: unknown, context?: string): string;
  open(text: string, context?: string): SecretResult<unknown>;
}

export function secretBox(key: Buffer, source: KeySource): SecretBox {
  return {
    source,
    seal: (value, context) => seal(key, value, context),
    open: (text, context) => open(key, text, context),
  };
}

export async function openSecretBox(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
}): Promise<SecretResult<SecretBox>> {
  const loaded = await loadMasterKey(options);
  if (!loaded.ok) return loaded;
  return { ok: true, value: secretBox(loaded.value.key, loaded.value.source) };
}
