import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { resolveCulture } from './cultures.js';
import { formatDateTime } from './format.js';
import { parseDateTime } from './parse.js';

/** [timestamp, format, locale, expected]; a null expected means the format is invalid. */
type Case = [string, string | undefined, string | undefined, string | null];

const PM = '2018-03-15T13:27:36.1234567Z'; // a Thursday afternoon
const AM = '2018-01-05T04:05:06Z'; // a Friday morning, single-digit fields

const cases: Case[] = [
  // Standard formats, en-US.
  [PM, 'd', undefined, '3/15/2018'],
  [PM, 'D', undefined, 'Thursday, March 15, 2018'],
  [PM, 'f', undefined, 'Thursday, March 15, 2018 1:27 PM'],
  [PM, 'F', undefined, 'Thursday, March 15, 2018 1:27:36 PM'],
  [PM, 'g', undefined, '3/15/2018 1:27 PM'],
  [PM, 'G', undefined, '3/15/2018 1:27:36 PM'],
  [PM, 'm', undefined, 'March 15'],
  [PM, 'M', undefined, 'March 15'],
  [PM, 'o', undefined, '2018-03-15T13:27:36.1234567Z'],
  [PM, 'O', undefined, '2018-03-15T13:27:36.1234567Z'],
  [PM, 'r', undefined, 'Thu, 15 Mar 2018 13:27:36 GMT'],
  [PM, 'R', undefined, 'Thu, 15 Mar 2018 13:27:36 GMT'],
  [PM, 's', undefined, '2018-03-15T13:27:36'],
  [PM, 't', undefined, '1:27 PM'],
  [PM, 'T', undefined, '1:27:36 PM'],
  [PM, 'u', undefined, '2018-03-15 13:27:36Z'],
  [PM, 'U', undefined, 'Thursday, March 15, 2018 1:27:36 PM'],
  [PM, 'y', undefined, 'March 2018'],
  [PM, 'Y', undefined, 'March 2018'],
  [PM, undefined, undefined, '2018-03-15T13:27:36.1234567Z'],
  [PM, '', undefined, '3/15/2018 1:27:36 PM'],
  // Offsets: 'r' and 'u' print the UTC instant, 'o' keeps the offset.
  ['2018-03-15T13:27:36+02:00', 'r', undefined, 'Thu, 15 Mar 2018 11:27:36 GMT'],
  ['2018-03-15T13:27:36+02:00', 'u', undefined, '2018-03-15 11:27:36Z'],
  ['2018-03-15T13:27:36+02:00', 'o', undefined, '2018-03-15T13:27:36.0000000+02:00'],
  ['2018-03-15T13:27:36-09:30', 's', undefined, '2018-03-15T13:27:36'],
  // Standard formats in other cultures.
  [PM, 'd', 'fr-FR', '15/03/2018'],
  [PM, 'D', 'fr-FR', 'jeudi 15 mars 2018'],
  [PM, 'f', 'fr-FR', 'jeudi 15 mars 2018 13:27'],
  [PM, 'g', 'fr-FR', '15/03/2018 13:27'],
  [PM, 'M', 'fr-FR', '15 mars'],
  [PM, 'Y', 'fr-FR', 'mars 2018'],
  [PM, 'd', 'de-DE', '15.03.2018'],
  [PM, 'D', 'de-DE', 'Donnerstag, 15. März 2018'],
  [PM, 'G', 'de-DE', '15.03.2018 13:27:36'],
  [PM, 'd', 'es-ES', '15/03/2018'],
  [PM, 'D', 'es-ES', 'jueves, 15 de marzo de 2018'],
  [AM, 'T', 'es-ES', '4:05:06'],
  [PM, 'D', 'it-IT', 'giovedì 15 marzo 2018'],
  [PM, 'D', 'pt-BR', 'quinta-feira, 15 de março de 2018'],
  [PM, 'd', 'nl-NL', '15-3-2018'],
  [PM, 'D', 'nl-NL', 'donderdag 15 maart 2018'],
  [PM, 'd', 'ja-JP', '2018/03/15'],
  [PM, 'D', 'ja-JP', '2018年3月15日'],
  [PM, 'F', 'ja-JP', '2018年3月15日 13:27:36'],
  [PM, 'dddd tt', 'ja-JP', '木曜日 午後'],
  [PM, 'd', 'en-GB', '15/03/2018'],
  [PM, 'D', 'en-GB', '15 March 2018'],
  [PM, 'hh:mm tt', 'en-GB', '01:27 pm'],
  [PM, 'd', '', '03/15/2018'],
  [PM, 'D', '', 'Thursday, 15 March 2018'],
  [PM, 'G', '', '03/15/2018 13:27:36'],
  [PM, 'r', 'fr-FR', 'Thu, 15 Mar 2018 13:27:36 GMT'],
  [PM, 'o', 'ja-JP', '2018-03-15T13:27:36.1234567Z'],
  // Culture names are case-insensitive.
  [PM, 'MMMM', 'DE-de', 'März'],
  [PM, 'MMMM', 'pt-br', 'março'],
  // Custom specifiers.
  [AM, 'd dd ddd dddd', undefined, '5 05 Fri Friday'],
  [AM, 'M MM MMM MMMM', undefined, '1 01 Jan January'],
  [AM, 'y yy yyy yyyy yyyyy', undefined, '18 18 2018 2018 02018'],
  ['0009-01-01', 'y yy yyy yyyy', undefined, '9 09 009 0009'],
  [AM, 'h hh H HH hhh', undefined, '4 04 4 04 04'],
  [PM, 'h hh H HH', undefined, '1 01 13 13'],
  ['2018-01-01T00:30:00Z', 'h hh H HH tt', undefined, '12 12 0 00 AM'],
  ['2018-01-01T12:30:00Z', 'h tt t', undefined, '12 PM P'],
  [AM, 'm mm s ss', undefined, '5 05 6 06'],
  [PM, 'f ff fff ffff fffff ffffff fffffff', undefined, '1 12 123 1234 12345 123456 1234567'],
  [PM, 'F FF FFF FFFF FFFFF FFFFFF FFFFFFF', undefined, '1 12 123 1234 12345 123456 1234567'],
  ['2018-03-15T13:27:36.1200000Z', 'ss.FFFFFFF|ss.fffffff', undefined, '36.12|36.1200000'],
  ['2018-03-15T13:27:36Z', 'HH:mm:ss.FFF', undefined, '13:27:36'],
  ['2018-03-15T13:27:36Z', 'HH:mm:ss.fff', undefined, '13:27:36.000'],
  [PM, 'g gg', undefined, 'A.D. A.D.'],
  // A lone letter is a standard format: 'K' alone is invalid, '%K' is the custom specifier.
  [PM, 'K', undefined, null],
  ['2018-03-15T13:27:36', '%K', undefined, ''],
  ['2018-03-15T13:27:36', 'zzz', undefined, '+00:00'],
  ['2018-03-15T13:27:36+05:45', 'K z zz zzz', undefined, '+05:45 +5 +05 +05:45'],
  ['2018-03-15T13:27:36-00:30', 'zzz', undefined, '-00:30'],
  // Separators follow the culture; literals and escapes do not.
  [PM, 'dd/MM/yyyy HH:mm', 'de-DE', '15.03.2018 13:27'],
  [PM, 'dd/MM/yyyy', 'nl-NL', '15-03-2018'],
  [PM, "yyyy'/'MM'/'dd", 'de-DE', '2018/03/15'],
  [PM, 'yyyy\\/MM\\/dd', 'de-DE', '2018/03/15'],
  [PM, '"Year" yyyy', undefined, 'Year 2018'],
  [PM, "'It''s' yyyy", undefined, 'Its 2018'],
  [PM, "'a\\'b' yyyy", undefined, "a'b 2018"],
  [PM, 'yyyy-MM-ddTHH:mm:ss', undefined, '2018-03-15T13:27:36'],
  [PM, 'HH\\h mm\\m', undefined, '13h 27m'],
  [PM, '%d', undefined, '15'],
  [PM, '%M', undefined, '3'],
  [PM, '%y', undefined, '18'],
  [PM, '%h', undefined, '1'],
  [PM, '%K', undefined, 'Z'],
  [PM, 'd%', undefined, null],
  [PM, 'MMMM d, yyyy', 'es-ES', 'marzo 15, 2018'],
  [PM, 'ddd MMM', 'fr-FR', 'jeu. mars'],
  [PM, 'ddd MMM', 'de-DE', 'Do Mrz'],
  [PM, 'tt', 'es-ES', 'p. m.'],
  // Invalid formats.
  [PM, 'q', undefined, null],
  [PM, 'ffffffff', undefined, null],
  [PM, "'unterminated", undefined, null],
  [PM, 'HH\\', undefined, null],
  [PM, '%', undefined, null],
  [PM, '%%', undefined, null],
];

describe('formatDateTime machinery (.NET DateTime.ToString)', () => {
  for (const [input, format, locale, expected] of cases) {
    it(`${input} ${JSON.stringify(format)} ${locale ?? ''} → ${JSON.stringify(expected)}`, () => {
      const value = parseDateTime(input, resolveCulture(undefined));
      const run = (): string => formatDateTime(value, format, resolveCulture(locale));
      if (expected === null) {
        assert.throws(run, (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument');
      } else {
        assert.equal(run(), expected);
      }
    });
  }
});
