import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xmlDoubleText } from './dotnet-double.js';
import { decodeXmlName, encodeXmlName, isXmlName } from './names.js';

describe('encodeXmlName / decodeXmlName', () => {
  const cases: Array<[string, string, string]> = [
    ['plain', 'order', 'order'],
    ['colon kept', 'a:b', 'a:b'],
    ['space', 'first name', 'first_x0020_name'],
    ['leading digit', '2go', '_x0032_go'],
    ['digit inside is fine', 'go2', 'go2'],
    ['leading hyphen', '-x', '_x002D_x'],
    ['symbols', 'a&b=c', 'a_x0026_b_x003D_c'],
    ['dollar', '$content', '_x0024_content'],
    ['astral letter is escaped like .NET does', '𐀀x', '_x00010000_x'],
    ['astral symbol', 'a😀', 'a_x0001F600_'],
    ['escape-like text', '_x0020_', '_x005F_x0020_'],
  ];
  for (const [name, input, encoded] of cases) {
    it(name, () => {
      assert.equal(encodeXmlName(input), encoded);
      assert.equal(decodeXmlName(encoded), input);
      assert.ok(isXmlName(encoded));
    });
  }
  it('local names escape colons', () => assert.equal(encodeXmlName('a:b', true), 'a_x003A_b'));
  it('decoding leaves other underscores alone', () => assert.equal(decodeXmlName('snake_case_x'), 'snake_case_x'));
});

describe('xmlDoubleText (.NET round-trip form)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [15, '15'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [0.0001, '0.0001'],
    [0.00001, '1E-05'],
    [123456789012345, '123456789012345'],
    [1e15, '1E+15'],
    [1.5e300, '1.5E+300'],
    [5e-324, '5E-324'],
    [Infinity, 'INF'],
    [-Infinity, '-INF'],
    [NaN, 'NaN'],
  ];
  for (const [x, text] of cases) it(`${x} → ${text}`, () => assert.equal(xmlDoubleText(x), text));
});
