// Imports every connector of the steering repository's corpus (shared/corpus/connectors, 1,034
// real custom connectors). The ones that cannot import are listed with a reason in
// test-fixtures/corpus-failures.json: the test fails when an unlisted one fails or a listed one
// imports, and when fewer than 97% import. Then every operation's request is built from sample
// values. Skipped, saying so, where the corpus is not present.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parameterDefinitions, type ConnectionValues } from './connection.js';
import { importConnectorFolder } from './folder.js';
import type { Connector, Operation, Schema } from './model.js';
import { buildPollRequest } from './polling.js';
import { buildOpenApiRequest } from './request.js';
import { buildSubscribeRequest } from './webhook.js';

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
const skip = corpus ? false : 'corpus not found (../shared/corpus/connectors; set FLOWBRIDGE_CORPUS to point at it)';

describe('corpus: every custom connector', () => {
  const imported: { id: string; connector: Connector }[] = [];

  it('imports, at least 97%, and exactly the listed ones fail', { skip }, async (t) => {
    const entries = listConnectors(corpus!);
    const started = performance.now();
    const unexpected: string[] = [];
    let operations = 0;
    let triggers = 0;
    for (const entry of entries) {
      const result = await importConnectorFolder(
        entry.dir,
        entry.customCode === undefined ? {} : { customCode: entry.customCode },
      );
      const listed = known[entry.id];
      if (result.ok) {
        imported.push({ id: entry.id, connector: result.value });
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
      `${imported.length} of ${entries.length} connectors imported ` +
        `(${((100 * imported.length) / entries.length).toFixed(1)}%), ` +
        `${operations} operations, ${triggers} triggers, in ${seconds.toFixed(1)} s`,
    );
    assert.deepEqual(unexpected, []);
    assert.ok(imported.length / entries.length >= 0.97, `only ${imported.length} of ${entries.length} import`);
    for (const id of Object.keys(known))
      assert.ok(
        entries.some((e) => e.id === id),
        `${id} is listed in corpus-failures.json but is not in the corpus`,
      );
  });

  // Every operation, given a value for each required parameter and a connection with every
  // parameter, builds its request, or says it cannot run here and why; webhook subscriptions
  // always carry the callback URL. Nothing throws.
  it('builds the request of every operation, or says why not', { skip }, (t) => {
    assert.ok(imported.length > 0, 'the import test ran first');
    const started = performance.now();
    const refused: Record<string, number> = {};
    const unexpected: string[] = [];
    let built = 0;
    let total = 0;
    for (const { id, connector } of imported) {
      const connection = sampleConnection(connector);
      for (const operation of connector.operations) {
        total++;
        const inputs = { host: { operationId: operation.operationId }, parameters: sampleParameters(operation) };
        const result =
          operation.trigger?.kind === 'webhook'
            ? buildSubscribeRequest(connector, inputs, connection, CALLBACK)
            : operation.trigger?.kind === 'polling'
              ? buildPollRequest(connector, inputs, connection)
              : buildOpenApiRequest(connector, inputs, connection);
        if (result.ok) {
          built++;
          if (
            operation.trigger?.kind === 'webhook' &&
            !`${result.value.url} ${String(result.value.body)}`.includes(CALLBACK_HOST)
          )
            unexpected.push(`${id}/${operation.operationId}: the subscribe request lacks the callback URL`);
        } else {
          refused[result.error.code] = (refused[result.error.code] ?? 0) + 1;
          if (!EXPECTED_REFUSALS.has(result.error.code))
            unexpected.push(`${id}/${operation.operationId}: ${result.error.code} ${result.error.message}`);
        }
      }
    }
    t.diagnostic(
      `${built} of ${total} operation requests built in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `refused: ${JSON.stringify(refused)}`,
    );
    assert.deepEqual(unexpected, []);
  });
});

const CALLBACK_HOST = 'callback.flowbridge.test';
const CALLBACK = `https://${CALLBACK_HOST}/api/v1/workflows/w/triggers/t/paths/invoke?sig=s`;
/** Cannot run here, by design: custom code, an unsupported policy, a host from a parameter the connector never declares. */
const EXPECTED_REFUSALS = new Set(['CustomCodeNotSupported', 'UnsupportedPolicy', 'MissingBaseUrl']);

function sampleConnection(connector: Connector): ConnectionValues {
  const set = connector.connectionParameterSets?.values[0]?.name;
  const parameters: Record<string, unknown> = {};
  for (const def of Object.values(parameterDefinitions(connector, set)))
    parameters[def.name] =
      def.type === 'oauthSetting'
        ? { accessToken: 'token' }
        : def.type === 'bool'
          ? true
          : def.type === 'int'
            ? 1
            : (def.allowedValues?.[0] ?? 'value');
  return { parameters, ...(set ? { parameterSet: set } : {}) };
}

function sampleParameters(operation: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of operation.parameters)
    out[p.name] = p.in === 'body' ? sampleValue(p.schema, 0) : (p.enum?.[0] ?? scalar(p.type));
  return out;
}

function sampleValue(schema: Schema | undefined, depth: number): unknown {
  if (!schema || depth > 8) return 'v';
  if (schema.type === 'array') return [];
  const required = Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  if (schema.type !== 'object' && !schema.properties && required.length === 0) return scalar(schema.type);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.fromEntries(required.map((name) => [name, sampleValue(properties[name], depth + 1)]));
}

function scalar(type: unknown): unknown {
  return type === 'integer' || type === 'number' ? 1 : type === 'boolean' ? true : 'v';
}
