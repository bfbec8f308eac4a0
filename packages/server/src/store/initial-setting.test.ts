import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialSetting, secretSetting } from './initial-setting.js';

/** Settings in a Map; every call yields first, so concurrent callers interleave as on a database. */
function memoryStore(initial: Record<string, unknown> = {}) {
  const settings = new Map(Object.entries(initial));
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    settings,
    getSetting: async (key: string) => (await tick(), settings.get(key)),
    setSetting: async (key: string, value: unknown) => void (await tick(), settings.set(key, value)),
    // Insert-if-absent in one step, as both backends do it (INSERT ... ON CONFLICT DO NOTHING).
    initSetting: async (key: string, value: unknown) => {
      await tick();
      if (!settings.has(key)) settings.set(key, value);
      return settings.get(key);
    },
  };
}

describe('secretSetting', () => {
  const cases: Array<{ name: string; stored: unknown; kept: boolean }> = [
    { name: 'keeps a stored secret', stored: 'a-stored-secret-of-enough-length', kept: true },
    { name: 'creates one when none is stored', stored: undefined, kept: false },
    { name: 'replaces one too short to be a secret', stored: 'short', kept: false },
    { name: 'replaces a value that is not a string', stored: { not: 'a secret' }, kept: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const store = memoryStore(c.stored === undefined ? {} : { k: c.stored });
      const secret = await secretSetting(store, 'k');
      assert.equal(secret === c.stored, c.kept);
      assert.ok(secret.length >= 16);
      assert.equal(store.settings.get('k'), secret, 'what it returns is what is stored');
      assert.equal(await secretSetting(store, 'k'), secret, 'the next start reads the same');
    });
  }

  it('processes starting at once agree on one value', async () => {
    const store = memoryStore();
    const values = await Promise.all([secretSetting(store, 'k'), secretSetting(store, 'k'), secretSetting(store, 'k')]);
    assert.equal(new Set(values).size, 1, values.join(' '));
    assert.equal(values[0], store.settings.get('k'));
  });
});

describe('initialSetting', () => {
  it('creates only when the stored value is not accepted', async () => {
    const store = memoryStore({ n: 'x' });
    let created = 0;
    const isNumber = (v: unknown): v is number => typeof v === 'number';
    const create = (): number => ++created * 10;
    assert.equal(await initialSetting(store, 'n', isNumber, create), 10);
    assert.equal(await initialSetting(store, 'n', isNumber, create), 10);
    assert.equal(created, 1);
  });
});
