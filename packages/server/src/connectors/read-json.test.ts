import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConnectorJson } from './read-json.js';

// Each non-strict shape below is one the corpus has (STATS.md: 19 swagger files, 3 apiProperties).
const readable: { name: string; input: string | Uint8Array; value: unknown; warnings: string[]; pointer?: string }[] = [
  { name: 'strict JSON', input: '{"a": [1, 2]}', value: { a: [1, 2] }, warnings: [] },
  { name: 'a UTF-8 BOM', input: Buffer.from('\ufeff{"a": 1}', 'utf8'), value: { a: 1 }, warnings: [] },
  {
    name: 'Latin-1 bytes',
    input: Buffer.from('{"title": "Café"}', 'latin1'),
    value: { title: 'Café' },
    warnings: ['Latin1Decoded'],
  },
  { name: 'trailing commas', input: '{"a": [1, 2,], "b": 3,}', value: { a: [1, 2], b: 3 }, warnings: ['JsonRepaired'] },
  {
    name: 'comments',
    input: '{\n// the host\n"host": "x" /* inline */}',
    value: { host: 'x' },
    warnings: ['JsonRepaired'],
  },
  {
    name: 'a missing comma between members (AccuWeather)',
    input: '{"info": {"contact": {"name": "T"\n "url": "u"}}}',
    value: { info: { contact: { name: 'T', url: 'u' } } },
    warnings: ['JsonRepaired'],
    pointer: '/info/contact/url',
  },
  {
    name: 'an EM SPACE between tokens (ZohoSign)',
    input: '{"status": "Production"\u2003\u2003}',
    value: { status: 'Production' },
    warnings: ['JsonRepaired'],
  },
  {
    name: 'a raw tab inside a string (Easyvista)',
    input: '{"title": "Default\t"}',
    value: { title: 'Default\t' },
    warnings: ['JsonRepaired'],
  },
  {
    name: 'junk after the document (GIPHY)',
    input: '{"a": 1}\n"x-ms-connector-metadata": []',
    value: { a: 1 },
    warnings: ['JsonRepaired'],
  },
  {
    name: 'closing braces missing at the end (Shopranos)',
    input: '{"properties": {"a": {"b": 1}\n',
    value: { properties: { a: { b: 1 } } },
    warnings: ['JsonRepaired'],
  },
];

const unreadable: { name: string; input: string | Uint8Array; pointer: string; line: number }[] = [
  { name: 'a missing value', input: '{"a": 1,\n "b": }', pointer: '/b', line: 2 },
  {
    name: 'an array closed by a brace (StabilityAI)',
    input: '{"info": {"keywords": ["a", "b"\n  },\n "host": "x"}',
    pointer: '/info/keywords/1',
    line: 2,
  },
  {
    name: 'an object member without a name (Icon Horse)',
    input: '{"parameters": [{"name": "a",\n {"name": "b"}]}',
    pointer: '/parameters/0',
    line: 2,
  },
  { name: 'a closing brace missing in the middle', input: '{"a": {"b": 1, "c": [}', pointer: '/a/c/0', line: 1 },
  { name: 'an empty file', input: '', pointer: '', line: 1 },
];

describe('readConnectorJson', () => {
  for (const c of readable)
    it(`reads ${c.name}`, () => {
      const result = readConnectorJson(c.input, 'apiDefinition');
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.value, c.value);
      assert.deepEqual(
        result.warnings.map((w) => w.code),
        c.warnings,
      );
      if (c.pointer !== undefined) assert.equal(result.warnings[0]?.pointer, c.pointer);
    });

  for (const c of unreadable)
    it(`refuses ${c.name} with a pointer`, () => {
      const result = readConnectorJson(c.input, 'apiProperties');
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, 'InvalidJson');
      assert.equal(result.error.document, 'apiProperties');
      assert.equal(result.error.pointer, c.pointer);
      assert.equal(result.error.line, c.line);
    });
});
