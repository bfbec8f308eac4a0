// The SDK's generated client types never drift from the server's OpenAPI document: they are
// generated again here, in memory, and must equal the committed file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, clientTypesSource } from './gen-sdk-client.js';

test('packages/sdk/src/client/api-types.ts is what the server document generates', async () => {
  const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
  const generated = await clientTypesSource();
  assert.ok(
    committed === generated,
    'packages/sdk/src/client/api-types.ts is stale: regenerate with npm run gen:client',
  );
  // The document's newest routes are in it (it is not an empty or truncated file).
  for (const path of ['/api/v1/flows', '/api/v1/templates/{id}/instantiate', '/oauth2/v2.0/token'])
    assert.ok(generated.includes(`'${path}': {`), path);
});
