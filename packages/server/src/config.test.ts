import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { parseConfig } from './config.js';

const ok: Array<[string, string[], Record<string, string>, Record<string, unknown>]> = [
  ['defaults', [], {}, { port: 7780, host: '127.0.0.1', dataDir: './.flowbridge', role: 'all', logLevel: 'info' }],
  ['flags win over the environment', ['--port', '8080'], { FLOWBRIDGE_PORT: '9090' }, { port: 8080 }],
  ['--name=value form', ['--role=worker', '--host=0.0.0.0'], {}, { role: 'worker', host: '0.0.0.0' }],
  // Only the api role listens unless told: two workers on one host do not collide.
  ['a worker serves no HTTP by default', ['--role', 'worker'], {}, { port: undefined }],
  ['a scheduler serves no HTTP by default', ['--role', 'scheduler'], {}, { port: undefined }],
  ['the api listens on 7780 by default', ['--role', 'api'], {}, { port: 7780 }],
  ['a worker given a port listens on it', ['--role', 'worker', '--port', '9100'], {}, { port: 9100 }],
  ['heartbeat', [], { FLOWBRIDGE_HEARTBEAT_MS: '500' }, { heartbeatMs: 500 }],
  ['one process by default', [], {}, { workers: 1 }],
  ['workers', ['--workers', '3'], { FLOWBRIDGE_WORKERS: '2' }, { workers: 3 }],
  ['workers from the environment', [], { FLOWBRIDGE_WORKERS: '2' }, { workers: 2 }],
  ['workers: one per core', ['--workers', 'auto'], {}, { workers: availableParallelism() }],
  ['environment', [], { FLOWBRIDGE_DATA_DIR: '/data', FLOWBRIDGE_ROLE: 'api' }, { dataDir: '/data', role: 'api' }],
  ['trigger rate limit', [], { FLOWBRIDGE_TRIGGER_RATE_LIMIT: '120' }, { triggerRateLimit: 120 }],
  ['trigger rate limit off', [], { FLOWBRIDGE_TRIGGER_RATE_LIMIT: '0' }, { triggerRateLimit: 0 }],
  [
    'schema validation always',
    [],
    { FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION: 'Always' },
    { triggerSchemaValidation: 'always' },
  ],
  [
    'retention and lease',
    [],
    { FLOWBRIDGE_RETENTION_DAYS: '7', FLOWBRIDGE_LEASE_MS: '5000' },
    { retentionDays: 7, leaseMs: 5000 },
  ],
];

for (const [name, args, env, expected] of ok) {
  test(`config: ${name}`, () => {
    const r = parseConfig(args, env);
    assert.ok('config' in r, JSON.stringify(r));
    for (const [k, v] of Object.entries(expected))
      assert.deepEqual((r.config as unknown as Record<string, unknown>)[k], v, k);
  });
}

const bad: Array<[string, string[], Record<string, string>, string]> = [
  ['port out of range', ['--port', '70000'], {}, 'port'],
  ['unknown role', ['--role', 'boss'], {}, 'role'],
  ['unknown flag', ['--colour', 'red'], {}, 'colour'],
  ['flag without value', ['--port'], {}, 'port'],
  ['stray argument', ['serve'], {}, 'serve'],
  ['no workers', ['--workers', '0'], {}, 'workers'],
  ['workers not a number', [], { FLOWBRIDGE_WORKERS: 'many' }, 'workers'],
  ['lease too short', [], { FLOWBRIDGE_LEASE_MS: '10' }, 'leaseMs'],
  ['negative rate limit', [], { FLOWBRIDGE_TRIGGER_RATE_LIMIT: '-1' }, 'triggerRateLimit'],
  ['unknown schema validation', [], { FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION: 'sometimes' }, 'triggerSchemaValidation'],
  ['rate limit not a number', [], { FLOWBRIDGE_TRIGGER_RATE_LIMIT: 'lots' }, 'triggerRateLimit'],
  ['malformed outbound deny entry', [], { FLOWBRIDGE_OUTBOUND_DENY: '10.0.0.0/40' }, 'FLOWBRIDGE_OUTBOUND_DENY'],
  ['malformed outbound allow entry', [], { FLOWBRIDGE_OUTBOUND_ALLOW: 'x.*.example' }, 'FLOWBRIDGE_OUTBOUND_ALLOW'],
  ['host signing secret too short', [], { FLOWBRIDGE_HOST_SIGNING_SECRET: 'short' }, 'hostSigningSecret'],
];

test('config: the outbound policy adds FLOWBRIDGE_OUTBOUND_DENY and _ALLOW to the built-in deny list', () => {
  const r = parseConfig([], { FLOWBRIDGE_OUTBOUND_DENY: '10.0.0.0/8, *.corp.example', FLOWBRIDGE_OUTBOUND_ALLOW: '*' });
  assert.ok('config' in r, JSON.stringify(r));
  const { deny, allow } = r.config.outboundPolicy ?? { deny: [], allow: [] };
  assert.ok(deny.some((rule) => rule.text === '169.254.169.254' && rule.source === 'built-in'));
  assert.deepEqual(
    deny.filter((rule) => rule.source !== 'built-in').map((rule) => rule.text),
    ['10.0.0.0/8', '*.corp.example'],
  );
  assert.deepEqual(
    allow.map((rule) => rule.text),
    ['*'],
  );
});

for (const [name, args, env, target] of bad) {
  test(`config error: ${name}`, () => {
    const r = parseConfig(args, env);
    assert.ok('error' in r, JSON.stringify(r));
    assert.equal(r.error.code, 'InvalidConfig');
    assert.equal(r.error.target, target);
  });
}
