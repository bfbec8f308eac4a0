import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KEY_FILE, loadMasterKey, parseMasterKey } from './key.js';

const raw = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('parseMasterKey', () => {
  const cases: { name: string; text: string; key?: Buffer; source?: string; error?: string }[] = [
    { name: '64 hex digits', text: raw.toString('hex'), key: raw, source: 'env-key' },
    {
      name: 'upper-case hex with spaces around',
      text: ` ${raw.toString('hex').toUpperCase()}\n`,
      key: raw,
      source: 'env-key',
    },
    { name: 'base64', text: raw.toString('base64'), key: raw, source: 'env-key' },
    { name: 'base64url without padding', text: raw.toString('base64url'), key: raw, source: 'env-key' },
    { name: 'a passphrase', text: 'correct horse battery staple', source: 'env-passphrase' },
    {
      name: 'base64 of the wrong length is a passphrase',
      text: randomBytes(16).toString('base64'),
      source: 'env-passphrase',
    },
    { name: 'nothing', text: '  ', error: 'InvalidSecretKey' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const result = parseMasterKey(c.text);
      if (c.error) {
        assert.equal(result.ok ? 'ok' : result.error.code, c.error);
        return;
      }
      assert.ok(result.ok);
      assert.equal(result.value.source, c.source);
      assert.equal(result.value.key.length, 32);
      if (c.key) assert.ok(result.value.key.equals(c.key));
    });

  it('derives the same key from the same passphrase, another from another', () => {
    const a = parseMasterKey('one passphrase');
    const b = parseMasterKey('one passphrase');
    const c = parseMasterKey('another passphrase');
    assert.ok(a.ok && b.ok && c.ok);
    assert.ok(a.value.key.equals(b.value.key));
    assert.ok(!a.value.key.equals(c.value.key));
  });
});

describe('loadMasterKey', () => {
  const dirs: string[] = [];
  const fresh = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fb-secret-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('creates secret.key with mode 0600 at first use, then reads it back', async () => {
    const dir = join(await fresh(), 'data');
    const first = await loadMasterKey({ env: {}, dataDir: dir });
    assert.ok(first.ok);
    assert.equal(first.value.source, 'created');
    assert.equal((await stat(join(dir, KEY_FILE))).mode & 0o777, 0o600);
    assert.equal(Buffer.from((await readFile(join(dir, KEY_FILE), 'utf8')).trim(), 'base64').length, 32);
    const second = await loadMasterKey({ env: {}, dataDir: dir });
    assert.ok(second.ok);
    assert.equal(second.value.source, 'file');
    assert.ok(second.value.key.equals(first.value.key));
    assert.deepEqual(await readdir(dir), [KEY_FILE]); // no temporary file left behind
  });

  it('gives every concurrent first user the same key', async () => {
    const dir = await fresh();
    const results = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ env: {}, dataDir: dir })));
    const keys = results.map((r) => (r.ok ? r.value.key.toString('hex') : r.error.code));
    assert.equal(new Set(keys).size, 1, keys.join(' '));
    assert.equal(results.filter((r) => r.ok && r.value.source === 'created').length, 1);
  });

  it('gives two processes starting together the same key', async () => {
    const dir = await fresh();
    const module = fileURLToPath(new URL('./key.ts', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(async (m) => {
      const r = await m.loadMasterKey({ env: {}, dataDir: ${JSON.stringify(dir)} });
      process.stdout.write(r.ok ? r.value.key.toString('hex') : r.error.code);
    });`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(out));
      });
    const [a, b] = await Promise.all([run(), run()]);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
  });

  it('prefers FLOWBRIDGE_SECRET_KEY and then writes no file', async () => {
    const dir = await fresh();
    const result = await loadMasterKey({ env: { FLOWBRIDGE_SECRET_KEY: raw.toString('hex') }, dataDir: dir });
    assert.ok(result.ok);
    assert.ok(result.value.key.equals(raw));
    assert.deepEqual(await readdir(dir), []);
  });

  it('refuses a key file that holds no key, and leaves it alone', async () => {
    const dir = await fresh();
    await writeFile(join(dir, KEY_FILE), 'not a key\n');
    const result = await loadMasterKey({ env: {}, dataDir: dir });
    assert.equal(result.ok ? 'ok' : result.error.code, 'InvalidSecretKey');
    assert.equal(await readFile(join(dir, KEY_FILE), 'utf8'), 'not a key\n');
  });

  it('reports a data folder it cannot create', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'file'), '');
    const result = await loadMasterKey({ env: {}, dataDir: join(dir, 'file', 'data') });
    assert.equal(result.ok ? 'ok' : result.error.code, 'SecretKeyUnavailable');
  });
});
