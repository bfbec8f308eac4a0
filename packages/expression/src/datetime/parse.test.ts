import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { resolveCulture } from './cultures.js';
import { formatDateTime } from './format.js';
import { parseDateTime, parseDateTimeExact, type Today } from './parse.js';

const today: Today = () => ({ year: 2020, month: 6, day: 15 });

/** [text, locale, expected 'o' form or null for an error]. */
const lenient: Array<[string, string | undefined, string | null]> = [
  // ISO 8601 and the kinds it carries.
  ['2018-03-15', undefined, '2018-03-15T00:00:00.0000000'],
  ['2018-3-5', undefined, '2018-03-05T00:00:00.0000000'],
  ['2018-03-15T13:27:36Z', undefined, '2018-03-15T13:27:36.0000000Z'],
  ['2018-03-15t13:27:36z', undefined, '2018-03-15T13:27:36.0000000Z'],
  ['2018-03-15T13:27Z', undefined, '2018-03-15T13:27:00.0000000Z'],
  ['2018-03-15 13:27:36', undefined, '2018-03-15T13:27:36.0000000'],
  ['2018-03-15T13:27:36.5', undefined, '2018-03-15T13:27:36.5000000'],
  ['2018-03-15T13:27:36.1234567Z', undefined, '2018-03-15T13:27:36.1234567Z'],
  ['2018-03-15T13:27:36.12345675Z', undefined, '2018-03-15T13:27:36.1234568Z'],
  ['2018-03-15T13:27:36.12345665Z', undefined, '2018-03-15T13:27:36.1234566Z'],
  ['2018-03-15T23:59:59.99999999Z', undefined, '2018-03-16T00:00:00.0000000Z'],
  ['2018-03-15T13:27:36+05:30', undefined, '2018-03-15T13:27:36.0000000+05:30'],
  ['2018-03-15T13:27:36-0800', undefined, '2018-03-15T13:27:36.0000000-08:00'],
  ['2018-03-15T13:27:36+01', undefined, '2018-03-15T13:27:36.0000000+01:00'],
  ['  2018-03-15T13:27:36Z  ', undefined, '2018-03-15T13:27:36.0000000Z'],
  // US forms (month first) and names.
  ['03/15/2018', undefined, '2018-03-15T00:00:00.0000000'],
  ['3/5/2018', undefined, '2018-03-05T00:00:00.0000000'],
  ['01/01/2018 00:00:00', undefined, '2018-01-01T00:00:00.0000000'],
  ['9/20/2014 4:33:22 PM', undefined, '2014-09-20T16:33:22.0000000'],
  ['9/20/2014 12:33 AM', undefined, '2014-09-20T00:33:00.0000000'],
  ['9/20/2014 12:33 pm', undefined, '2014-09-20T12:33:00.0000000'],
  ['3/15/18', undefined, '2018-03-15T00:00:00.0000000'],
  ['3/15/49', undefined, '2049-03-15T00:00:00.0000000'],
  ['3/15/50', undefined, '1950-03-15T00:00:00.0000000'],
  ['2018/03/15', undefined, '2018-03-15T00:00:00.0000000'],
  ['2018.03.15', undefined, '2018-03-15T00:00:00.0000000'],
  ['March 15, 2018', undefined, '2018-03-15T00:00:00.0000000'],
  ['15 March 2018', undefined, '2018-03-15T00:00:00.0000000'],
  ['Thursday, March 15, 2018', undefined, '2018-03-15T00:00:00.0000000'],
  ['Mar 15 2018 1:27 PM', undefined, '2018-03-15T13:27:00.0000000'],
  ['Thu, 15 Mar 2018 13:27:36 GMT', undefined, '2018-03-15T13:27:36.0000000Z'],
  ['2018-03-15 13:27:36Z', undefined, '2018-03-15T13:27:36.0000000Z'],
  ['3/15/2018 13:27:36 +02:00', undefined, '2018-03-15T13:27:36.0000000+02:00'],
  ['March 2018', undefined, '2018-03-01T00:00:00.0000000'],
  ['3/2018', undefined, '2018-03-01T00:00:00.0000000'],
  // Missing parts come from today.
  ['3/15', undefined, '2020-03-15T00:00:00.0000000'],
  ['March 15', undefined, '2020-03-15T00:00:00.0000000'],
  ['13:27', undefined, '2020-06-15T13:27:00.0000000'],
  ['1:27:36 PM', undefined, '2020-06-15T13:27:36.0000000'],
  // Other cultures: their date order and names.
  ['20/10/2014', 'fr-FR', '2014-10-20T00:00:00.0000000'],
  ['20 octobre 2010', 'fr-FR', '2010-10-20T00:00:00.0000000'],
  ['mardi 20 oct. 2010', 'fr-FR', '2010-10-20T00:00:00.0000000'],
  ['20 octobre 2010 14:30', 'fr-FR', '2010-10-20T14:30:00.0000000'],
  ['martes 20 octubre 2020', 'es-ES', '2020-10-20T00:00:00.0000000'],
  ['20 de octubre de 2020', 'es-ES', '2020-10-20T00:00:00.0000000'],
  ['mar. 20 oct. 2020', 'es-ES', '2020-10-20T00:00:00.0000000'],
  ['20 mar. 2020', 'es-ES', '2020-03-20T00:00:00.0000000'],
  ['20/10/2014', 'de-DE', '2014-10-20T00:00:00.0000000'],
  ['20.10.2014', 'de-DE', '2014-10-20T00:00:00.0000000'],
  ['20. Oktober 2014', 'de-DE', '2014-10-20T00:00:00.0000000'],
  ['20-10-2014', 'nl-NL', '2014-10-20T00:00:00.0000000'],
  ['20/10/2014', 'it-IT', '2014-10-20T00:00:00.0000000'],
  ['20 ottobre 2014', 'it-IT', '2014-10-20T00:00:00.0000000'],
  ['20/10/2014', 'pt-BR', '2014-10-20T00:00:00.0000000'],
  ['20/10/2014', 'en-GB', '2014-10-20T00:00:00.0000000'],
  ['2014/10/20', 'ja-JP', '2014-10-20T00:00:00.0000000'],
  ['2014年10月20日', 'ja-JP', '2014-10-20T00:00:00.0000000'],
  ['2014年10月20日 午後3:04', 'ja-JP', '2014-10-20T15:04:00.0000000'],
  ['2014-10-20T10:00:00Z', 'fr-FR', '2014-10-20T10:00:00.0000000Z'],
  // Invalid.
  ['', undefined, null],
  ['not a date', undefined, null],
  ['2018-01-01T80:00:00Z', undefined, null],
  ['2018-02-30', undefined, null],
  ['2018-13-01', undefined, null],
  ['2019-02-29', undefined, null],
  ['15/03/2018', undefined, null],
  ['03/15/2018', 'fr-FR', null],
  ['20 octobre 2010', undefined, null],
  ['13:27 PM', undefined, null],
  ['2018-03-15T13:27:36+15:00', undefined, null],
  ['10000-01-01', undefined, null],
];

const exact: Array<[string, string, string | undefined, string | null]> = [
  ['21052019', 'ddMMyyyy', 'fr-FR', '2019-05-21T00:00:00.0000000'],
  ['20190521', 'yyyyMMdd', 'fr-FR', '2019-05-21T00:00:00.0000000'],
  ['10/20/2014 15h', 'MM/dd/yyyy HH\\h', 'en-US', '2014-10-20T15:00:00.0000000'],
  ['20.10.2014', 'dd/MM/yyyy', 'de-DE', '2014-10-20T00:00:00.0000000'],
  ['5/1/2018', 'M/d/yyyy', undefined, '2018-05-01T00:00:00.0000000'],
  ['15 mars 2018', 'd MMMM yyyy', 'fr-FR', '2018-03-15T00:00:00.0000000'],
  ['jeudi 15 mars 2018', 'dddd d MMMM yyyy', 'fr-FR', '2018-03-15T00:00:00.0000000'],
  ['Mar 15, 18', 'MMM dd, yy', undefined, '2018-03-15T00:00:00.0000000'],
  ['2018-03-15T13:27:36.1234567Z', 'o', undefined, '2018-03-15T13:27:36.1234567Z'],
  ['2018-03-15T13:27:36.1234567', 'o', undefined, '2018-03-15T13:27:36.1234567'],
  ['2018-03-15T13:27:36.1234567+02:00', 'o', undefined, '2018-03-15T13:27:36.1234567+02:00'],
  ['Thu, 15 Mar 2018 13:27:36 GMT', 'r', undefined, '2018-03-15T13:27:36.0000000'],
  ['2018-03-15 13:27:36Z', 'u', undefined, '2018-03-15T13:27:36.0000000'],
  ['3/15/2018', 'd', undefined, '2018-03-15T00:00:00.0000000'],
  ['15/03/2018', 'd', 'fr-FR', '2018-03-15T00:00:00.0000000'],
  ['01:27:36 PM', 'hh:mm:ss tt', undefined, '2020-06-15T13:27:36.0000000'],
  ['12:00 AM', 'hh:mm tt', undefined, '2020-06-15T00:00:00.0000000'],
  ['2018-03-15 13:27:36.12', 'yyyy-MM-dd HH:mm:ss.FFF', undefined, '2018-03-15T13:27:36.1200000'],
  ['2018-03-15 13:27:36', 'yyyy-MM-dd HH:mm:ss.FFF', undefined, null],
  ['2018-03-15 13:27:36 +05:30', 'yyyy-MM-dd HH:mm:ss zzz', undefined, '2018-03-15T13:27:36.0000000+05:30'],
  ['2018', 'yyyy', undefined, '2018-01-01T00:00:00.0000000'],
  ['03-2018', 'MM-yyyy', undefined, '2018-03-01T00:00:00.0000000'],
  ['2019-05-21', 'ddMMyyyy', 'fr-FR', null],
  ['21052019 ', 'ddMMyyyy', 'fr-FR', null],
  ['2105201', 'ddMMyyyy', 'fr-FR', null],
  ['31022019', 'ddMMyyyy', 'fr-FR', null],
  ['Friday 15 March 2018', 'dddd d MMMM yyyy', undefined, null],
  ['13:00 PM', 'hh:mm tt', undefined, null],
];

describe('DateTime.Parse (lenient, culture-aware)', () => {
  for (const [text, locale, expected] of lenient) {
    it(`${JSON.stringify(text)} ${locale ?? ''} → ${expected ?? 'error'}`, () => {
      const run = (): string =>
        formatDateTime(parseDateTime(text, resolveCulture(locale), today), 'o', resolveCulture(undefined));
      if (expected === null) {
        assert.throws(run, (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument');
      } else {
        assert.equal(run(), expected);
      }
    });
  }
});

describe('DateTime.ParseExact', () => {
  for (const [text, format, locale, expected] of exact) {
    it(`${JSON.stringify(text)} as ${JSON.stringify(format)} ${locale ?? ''} → ${expected ?? 'error'}`, () => {
      const culture = resolveCulture(locale);
      const run = (): string => formatDateTime(parseDateTimeExact(text, format, culture, today), 'o', culture);
      if (expected === null) {
        assert.throws(run, (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument');
      } else {
        assert.equal(run(), expected);
      }
    });
  }
});

describe('texts without a date need a clock', () => {
  it('a bare time without `today` fails with InvalidReference', () => {
    assert.throws(
      () => parseDateTime('13:27', resolveCulture(undefined)),
      (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidReference',
    );
  });
});
