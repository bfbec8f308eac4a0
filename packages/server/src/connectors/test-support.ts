/** Fixtures for the connector tests: real corpus connectors copied into test-fixtures/. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importConnectorFiles } from './import.js';
import type { Connector } from './model.js';

export type FixtureName =
  'wpforms' | 'formstack-forms' | 'feathery-forms' | 'pure-leads' | 'co2-signal' | 'harness-pdfx' | 'bulksms';

export function fixtureFiles(name: FixtureName): { apiDefinition: Buffer; apiProperties: Buffer } {
  const dir = fileURLToPath(new URL(`./test-fixtures/${name}/`, import.meta.url));
  return {
    apiDefinition: readFileSync(`${dir}apiDefinition.swagger.json`),
    apiProperties: readFileSync(`${dir}apiProperties.json`),
  };
}

const cache = new Map<FixtureName, Connector>();

/** The imported fixture (a fresh copy each time: tests may change it). */
export function loadFixture(name: FixtureName): Connector {
  let connector = cache.get(name);
  if (!connector) {
    const result = importConnectorFiles(fixtureFiles(name));
    if (!result.ok) throw new Error(`fixture ${name} does not import: ${result.error.code} ${result.error.message}`);
    connector = result.value;
    cache.set(name, connector);
  }
  return structuredClone(connector);
}
