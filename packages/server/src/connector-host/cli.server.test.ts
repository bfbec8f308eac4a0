// `flowbridge connectors import <folder>` against a running server: the corpus folder as shipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from '../cli/connectors.js';
import { TEST_TOKEN } from '../http/test-support.js';
import { connectorServer, tempDir, type ConnectorServer } from './test-support.js';

describe('flowbridge connectors import', () => {
  let fb: ConnectorServer;
  const temp = tempDir();
  before(async () => {
    fb = await connectorServer(temp.dir);
  });
  after(async () => {
    await fb.stop();
    await fb.store.close();
    temp.remove();
  });

  it('imports a connector folder and lists it; a folder without a swagger is refused', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      readStdin: async function* () {},
      env: { FLOWBRIDGE_URL: fb.url, FLOWBRIDGE_TOKEN: TEST_TOKEN },
    };
    const folder = fileURLToPath(new URL('../connectors/test-fixtures/bulksms/', import.meta.url));
    assert.equal(await run(['import', folder], io), 0, err.join(''));
    assert.match(out.join(''), /imported connector 'shared_bulksms'/);
    const got = await fb.call('GET', '/api/v1/connectors/shared_bulksms');
    assert.equal(got.status, 200);
    assert.equal(got.body.version, 1);
    assert.equal(await run(['import', folder], io), 0);
    assert.equal((await fb.call('GET', '/api/v1/connectors/shared_bulksms')).body.version, 2, 'a new version');
    assert.equal(await run(['list', '--json'], io), 0);
    assert.match(out.join(''), /"name": "shared_bulksms"/);
    assert.equal(await run(['import', temp.dir], io), 2);
    assert.match(err.join(''), /no apiDefinition/);
  });
});
