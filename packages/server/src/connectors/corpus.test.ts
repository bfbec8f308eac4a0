// Imports every connector of the steering repository's corpus (shared/corpus/connectors, 1,034
// real custom connectors). The ones that cannot import are listed with a reason in
// test-fixtures/corpus-failures.json: the test fails when an unlisted one fails or a listed one
// imports, and when fewer than 97% import. Skipped, saying so, where the corpus is not present.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importConnectorFolder } from './folder.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** `../shared/corpus` beside the repository (or beside the worktrees' folder); FLOWBRIDGE_CORPUS wins. */
function findCorpus(): string | undefined {
  const given = process.env.FLOWBRIDGE_CORPUS;
  if (given) return existsSync(join(given, 'connectors')) ? join(given, 'connectors') : undefined;
  let dir = resolve(repoRoot);
  for (let i = 0; i < 3; i++) {
    dir = dirname(dir);
    const candidate = join(dir, 'shared', 'corpus', 'connectors');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

interface Entry {
  id: string;
  dir: string;
  customCode?: boolean;
}

/** Connector folders, from MANIFEST.json when there is one (it knows which had script.csx upstream). */
function listConnectors(root: string): Entry[] {
  const manifest = join(root, 'MANIFEST.json');
  if (existsSync(manifest)) {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as {
      connectors: { group: string; connector: string; customCodeFiles?: string[] }[];
    };
    return parsed.connectors.map((c) => ({
      id: `${c.group}/${c.connector}`,
      dir: join(root, c.group, c.connector),
      customCode: (c.customCodeFiles ?? []).length > 0,
    }));
  }
  const out: Entry[] = [];
  for (const group of readdirSync(root)) {
    const groupDir = join(root, group);
    if (!statSync(groupDir).isDirectory()) continue;
    for (const name of readdirSync(groupDir)) out.push({ id: `${group}/${name}`, dir: join(groupDir, name) });
  }
  return out;
}

const known = JSON.parse(
  readFileSync(new URL('./test-fixtures/corpus-failures.json', import.meta.url), 'utf8'),
) as Record<string, { code: string; reason: string }>;

const corpus = findCorpus();

describe('corpus: every custom connector imports', () => {
  it(
    'imports at least 97%, and exactly the listed ones fail',
    { skip: corpus ? false : 'corpus not found (../shared/corpus/connectors; set FLOWBRIDGE_CORPUS to point at it)' },
    async (t) => {
      const entries = listConnectors(corpus!);
      const started = performance.now();
      const unexpected: string[] = [];
      let imported = 0;
      let operations = 0;
      let triggers = 0;
      for (const entry of entries) {
        const result = await importConnectorFolder(
          entry.dir,
          entry.customCode === undefined ? {} : { customCode: entry.customCode },
        );
        const listed = known[entry.id];
        if (result.ok) {
          imported++;
          operations += result.value.operations.length;
          triggers += result.value.operations.filter((o) => o.trigger).length;
          if (listed) unexpected.push(`${entry.id}: listed as failing (${listed.code}) but imports`);
        } else if (!listed)
          unexpected.push(`${entry.id}: ${result.error.code} ${result.error.pointer ?? ''} ${result.error.message}`);
        else if (listed.code !== result.error.code)
          unexpected.push(`${entry.id}: fails with ${result.error.code}, listed as ${listed.code}`);
      }
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(
        `${imported} of ${entries.length} connectors imported (${((100 * imported) / entries.length).toFixed(1)}%), ` +
          `${operations} operations, ${triggers} triggers, in ${seconds.toFixed(1)} s`,
      );
      assert.deepEqual(unexpected, []);
      assert.ok(imported / entries.length >= 0.97, `only ${imported} of ${entries.length} import`);
      for (const id of Object.keys(known))
        assert.ok(
          entries.some((e) => e.id === id),
          `${id} is listed in corpus-failures.json but is not in the corpus`,
        );
    },
  );
});
