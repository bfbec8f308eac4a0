import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCases, str, err, type Row } from './test-support/cases.js';
import { compileString } from './template.js';
import { ExpressionError } from './errors.js';
import { MAX_EXPRESSION_DEPTH } from './parser.js';
import { MAX_JSON_DEPTH } from './json.js';

const passthrough: Row[] = ['str', '1', 'null', '[]', '{}', '', ' @@,,}', ' @,,}', '@', 'array[1]'].map(
  (s) => [s, str(s)] as const,
);

const atEscapes: Row[] = ['@@unparsed!', '@@{still unparsed}', '@@,,}', "@@{'abc'}@{'def'}@@{'ghi'}j@{'kl'}"].map(
  (s) => [s, str(s.slice(1))] as const,
);

const literals: Row[] = [
  ['@null', 'null'],
  ['@true', 'true'],
  ['@false', 'false'],
  ['@1', '1'],
  ['@-51', '-51'],
  ['@+54', '54'],
  ['@0.5', '0.5'],
  ['@+.5', '0.5'],
  ['@.5', '0.5'],
  ['@+1.', '1.0'],
  ['@+15.75', '15.75'],
  ['@-01.0', '-1.0'],
  ['@3e1', '30.0'],
  ['@3.2e1', '32.0'],
  ['@0.9e+1', '9.0'],
  ['@3.2e-1', '0.32'],
  ["@'test'", str('test')],
  ["@'don''t worry'", str("don't worry")],
  ["@'a}b'", str('a}b')],
  ["@'MM/dd\\h'", str('MM/dd\\h')],
  ['@ 1 ', '1'],
  ['@9223372036854775807', '9223372036854775807'],
  ['@-9223372036854775808', '-9223372036854775808'],
];

const interpolation: Row[] = [
  ['@{1}', str('1')],
  ['@{-51}', str('-51')],
  ['@{+54}', str('54')],
  ['@{3e1}', str('30')],
  ['@{+1.}', str('1')],
  ['@{0.5}', str('0.5')],
  ['@{+.5}', str('0.5')],
  ['@{+15.75}', str('15.75')],
  ['@{-01.0}', str('-1')],
  ['@{3.2e1}', str('32')],
  ['@{0.9e+1}', str('9')],
  ['@{3.2e-1}', str('0.32')],
  ["@{'test'}", str('test')],
  ["@{'don''t worry'}", str("don't worry")],
  ["foo @{'bar'} baz", str('foo bar baz')],
  ["@{'h'}@{'e'}@{'l'}@{'l'}@{'o'}", str('hello')],
  ["@{'hello'} @{'world'}", str('hello world')],
  ["testing @@{'blah'} @{'thing'}", str("testing @{'blah'} thing")],
  ["@{'a}'}", str('a}')],
  ['@{true}', str('True')],
  ['@{false}', str('False')],
  ['@{null}', str('')],
  ['@{9223372036854775807}', str('9223372036854775807')],
  ['@{-9223372036854775808}', str('-9223372036854775808')],
  ['@{9223372036854775809.5}', str('9.223372036854776E+18')],
  ['@{-9223372036854775809.5}', str('-9.223372036854776E+18')],
  ["@{createArray('a', 1)}", str('["a",1]')],
  ["a@b @{'c'}", str('a@b c')],
];

const unparseable = [
  "@'a','b','c'",
  "@{'a','b','c'}",
  "@'a'}",
  "@{'a'",
  ' @{',
  '@()',
  '@{()}',
  '@{}',
  '@concat',
  '@{concat}',
  "@concat('a','b')('c')",
  "@{concat('a','b')('c')}",
  '@+',
  '@{+}',
  '@+1e',
  '@{+1e}',
  '@1e',
  '@{1e}',
  '@1e+',
  '@{1e+}',
  '@1e1.1',
  '@{1e1.1}',
  '@++1',
  '@{++1}',
  '@--1',
  '@{--1}',
  '@string( { "name": "Sophie Owen" } )',
  '@{18446744073709551615}',
  '@{9223372036854775808}',
  '@{-9223372036854775809}',
  "@'unterminated",
  '@TRUE',
  '@x.',
  '@json(1)?',
];

const access: Row[] = [
  // Power Automate slash paths: each segment selects one level, with the accessor's null-safety.
  ['@json(\'{"body": {"outcome": "Approve"}}\')?[\'body/outcome\']', '"Approve"'],
  ['@json(\'{"Body": {"a": {"b": 7}}}\')[\'body/A/b\']', '7'],
  ["@json('{\"body\": {}}')?['body/outcome']", 'null'],
  ["@json('{\"body\": null}')?['body/outcome']", 'null'],
  ['@json(\'{"a/b": 1, "a": {"b": 2}}\')?[\'a/b\']', '1'],
  ["@json('{\"body\": {}}')['body/outcome']", err('InvalidProperty')],
  ["@json('{\"v\": [10, 20]}')?['v/1']", err('InvalidProperty')],
  ['@json(\'{"abCDef": 123}\').abcdef', '123'],
  ['@json(\'{"abCDef": 123}\')?.abcdef', '123'],
  ['@json(\'{"abCDef": 123}\').AbcdEF', '123'],
  ["@json('{\"abCDef\": 123}')['abcdef']", '123'],
  ["@json('{\"abCDef\": 123}')?['abcdef']", '123'],
  ["@json('{\"abCDef\": 123}')['AbcdEF']", '123'],
  ['@json(\'{"a": 1, "a": 2}\').a', '2'],
  ['@json(\'{"a": 1, "A": 2}\').a', '1'],
  ['@json(\'{"A": 1, "a": 2}\').a', '2'],
  ['@json(\'{"A": 1, "A": 2}\').a', '2'],
  ['@json(\'{"a": 1, "a": 2}\').A', '2'],
  ['@json(\'{"a": 1, "A": 2}\').A', '2'],
  ['@json(\'{"A": 1, "a": 2}\').A', '1'],
  ['@json(\'{"A": 1, "A": 2}\').A', '2'],
  ['@json(\'{"aAa": 1, "AaA": 2}\').aaa', '1'],
  ['@json(\'{"AaA": 1, "aAa": 2}\').aaa', '1'],
  ['@json(\'{"aAa": 1, "AaA": 2}\').AAA', '1'],
  ['@json(\'{"AaA": 1, "aAa": 2}\').AAA', '1'],
  ['@json(\'{"a": 1, "A": 2}\')', '{"a":1,"A":2}'],
  ['@json(\'{"A": 1, "a": 2}\')', '{"A":1,"a":2}'],
  ['@json(\'{"A": 1, "A": 2}\')', '{"A":2}'],
  ['@json(\'{"a": 1, "b": -1, "a": 2}\')', '{"b":-1,"a":2}'],
  ["@ADD(INT('123'),INT('456'))", '579'],
  ["@createArray('a','b','c')[1]", str('b')],
  ["@createArray('a','b','c')?[5]", 'null'],
  ["@createArray('a','b','c')[5]", err('InvalidProperty')],
  ['@json(\'{"a":{"b":[1,2]}}\').a.b[1]', '2'],
  ['@json(\'{"a":{"b":[1,2]}}\')?.x?.y', 'null'],
  ['@json(\'{"a":1}\').x', err('InvalidProperty')],
  ['@json(\'{"a":null}\').a.b', err('InvalidProperty')],
  ['@json(\'{"a":null}\').a?.b', 'null'],
  ['@json(\'{"Content-Type":"x"}\')[\'content-type\']', str('x')],
  ["@binary('hi')['$content']", str('aGk=')],
  ["@'abc'.length", err('InvalidProperty')],
  ["@createArray(1)['a']", err('InvalidProperty')],
  ['@nope()', err('UnknownFunction')],
  ['@and(false, faweorawoekjf())', 'false'],
];

runCases('string passthrough', passthrough);
runCases('@@ escapes at position 0', atEscapes);
runCases('literals', literals);
runCases('interpolation', interpolation);
runCases('member access and case-insensitivity', access);

test('syntax errors are InvalidTemplate with a position', async (t) => {
  for (const text of unparseable) {
    await t.test(text, () => {
      assert.throws(
        () => compileString(text),
        (e: unknown) =>
          e instanceof ExpressionError &&
          e.code === 'InvalidTemplate' &&
          e.expression === text &&
          typeof e.position === 'number' &&
          e.position >= 0 &&
          e.position <= text.length,
      );
    });
  }
});

test('error positions point at the offending token', () => {
  const cases: Array<[string, number]> = [
    ["@concat('a' 'b')", 12],
    ['@{}', 2],
    ["x @{'a'", 7],
  ];
  for (const [text, pos] of cases) {
    assert.throws(
      () => compileString(text),
      (e: unknown) => e instanceof ExpressionError && e.position === pos,
    );
  }
});

test('runtime errors carry the position of the failing call', () => {
  assert.throws(
    () => compileString("@concat('a', int('x'))").evaluate({}),
    (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument' && e.position === 13,
  );
});

test('nesting past MAX_EXPRESSION_DEPTH is NestingTooDeep, not a stack overflow', async (t) => {
  const deep = (n: number, open: string, close: string, inner = '1'): string =>
    open.repeat(n) + inner + close.repeat(n);
  const cases: Array<[string, string]> = [
    ['50,000 calls', `@${deep(50_000, 'string(', ')')}`],
    ['50,000 indexes', `@${deep(50_000, 'createArray(1)[', ']', '0')}`],
    ['interpolated', `a @{${deep(5_000, 'length(', ')', "'x'")}} b`],
    ['one past the limit', `@${deep(MAX_EXPRESSION_DEPTH, 'string(', ')')}`],
  ];
  for (const [name, text] of cases) {
    await t.test(name, () => {
      assert.throws(
        () => compileString(text).evaluate({}),
        (e: unknown) => e instanceof ExpressionError && e.code === 'NestingTooDeep',
      );
    });
  }
  await t.test('at the limit it evaluates', () => {
    const text = `@${deep(MAX_EXPRESSION_DEPTH - 1, 'string(', ')')}`;
    assert.equal(compileString(text).evaluate({}), '1');
  });
});

test('json() of text nested past MAX_JSON_DEPTH is NestingTooDeep', async (t) => {
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const cases: Array<[string, string, string | undefined]> = [
    ['50,000 levels', deep(50_000), 'NestingTooDeep'],
    ['one past the limit', deep(MAX_JSON_DEPTH + 1), 'NestingTooDeep'],
    ['at the limit', deep(MAX_JSON_DEPTH), undefined],
  ];
  for (const [name, text, code] of cases) {
    await t.test(name, () => {
      const run = () => compileString("@length(string(json(variables('v'))))").evaluate({ variable: () => text });
      if (code === undefined) assert.equal(run(), text.length);
      else assert.throws(run, (e: unknown) => e instanceof ExpressionError && e.code === code);
    });
  }
});
