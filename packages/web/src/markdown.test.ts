import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInline, parseMarkdown } from './markdown.js';

test('blocks: headings, paragraphs, lists, code', () => {
  const blocks = parseMarkdown(
    '# Expense\n\nAmount: **120 EUR**\nfor *travel*\n\n- one\n- two\n\n1. first\n2) second\n\n```\n<b>x</b>\n```',
  );
  assert.deepEqual(
    blocks.map((b) => b.t),
    ['h', 'p', 'ul', 'ol', 'pre'],
  );
  assert.deepEqual(blocks[1], {
    t: 'p',
    c: [
      { t: 'text', v: 'Amount: ' },
      { t: 'strong', c: [{ t: 'text', v: '120 EUR' }] },
      { t: 'text', v: '\nfor ' },
      { t: 'em', c: [{ t: 'text', v: 'travel' }] },
    ],
  });
  assert.deepEqual(blocks[4], { t: 'pre', v: '<b>x</b>' });
});

test('links: http(s) and mailto only; others keep their text; bare URLs link', () => {
  const cases: Array<[string, unknown[]]> = [
    ['[doc](https://x.example/a)', [{ t: 'link', href: 'https://x.example/a', c: [{ t: 'text', v: 'doc' }] }]],
    [
      '[bad](javascript:alert(1))',
      [
        { t: 'text', v: 'bad' },
        { t: 'text', v: ')' },
      ],
    ],
    [
      'see https://x.example/p.',
      [
        { t: 'text', v: 'see ' },
        { t: 'link', href: 'https://x.example/p', c: [{ t: 'text', v: 'https://x.example/p' }] },
        { t: 'text', v: '.' },
      ],
    ],
    ['`a*b*`', [{ t: 'code', v: 'a*b*' }]],
    ['<script>', [{ t: 'text', v: '<script>' }]],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseInline(text), expected, text);
});
