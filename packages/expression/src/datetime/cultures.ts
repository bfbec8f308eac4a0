import { ExpressionError } from '../errors.js';

/**
 * Explicit .NET culture data for the locales WDL users pass to formatDateTime, parseDateTime and
 * formatNumber. We ship tables instead of asking `Intl`: ICU's names and patterns differ from what
 * the .NET runtime behind Logic Apps prints (U+202F before AM/PM, "Sept", other abbreviations),
 * and output must be stable across Node versions.
 */
export interface Culture {
  /** Canonical name, e.g. 'en-US'; '' for the invariant culture. */
  readonly name: string;
  readonly monthNames: readonly string[];
  readonly abbreviatedMonthNames: readonly string[];
  readonly dayNames: readonly string[];
  readonly abbreviatedDayNames: readonly string[];
  readonly am: string;
  readonly pm: string;
  readonly eraName: string;
  readonly dateSeparator: string;
  readonly timeSeparator: string;
  readonly shortDatePattern: string;
  readonly longDatePattern: string;
  readonly shortTimePattern: string;
  readonly longTimePattern: string;
  readonly monthDayPattern: string;
  readonly yearMonthPattern: string;
  readonly number: NumberCulture;
}

export interface NumberCulture {
  readonly decimalSeparator: string;
  readonly groupSeparator: string;
  readonly negativeSign: string;
  readonly positiveSign: string;
  readonly nanSymbol: string;
  readonly positiveInfinity: string;
  readonly negativeInfinity: string;
  readonly numberDecimalDigits: number;
  /** .NET NumberNegativePattern: 0 "(n)", 1 "-n", 2 "- n", 3 "n-", 4 "n -". */
  readonly numberNegativePattern: number;
  readonly currencySymbol: string;
  readonly currencyDecimalDigits: number;
  /** .NET CurrencyPositivePattern 0..3. */
  readonly currencyPositivePattern: number;
  /** .NET CurrencyNegativePattern 0..16. */
  readonly currencyNegativePattern: number;
  readonly percentSymbol: string;
  readonly perMilleSymbol: string;
  readonly percentDecimalDigits: number;
  /** .NET PercentPositivePattern 0..3. */
  readonly percentPositivePattern: number;
  /** .NET PercentNegativePattern 0..11. */
  readonly percentNegativePattern: number;
}

const ENGLISH_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ENGLISH_MONTHS_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ENGLISH_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ENGLISH_DAYS_ABBR = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const BASE_NUMBER: NumberCulture = {
  decimalSeparator: '.',
  groupSeparator: ',',
  negativeSign: '-',
  positiveSign: '+',
  nanSymbol: 'NaN',
  positiveInfinity: 'Infinity',
  negativeInfinity: '-Infinity',
  numberDecimalDigits: 2,
  numberNegativePattern: 1,
  currencySymbol: '¤',
  currencyDecimalDigits: 2,
  currencyPositivePattern: 0,
  currencyNegativePattern: 0,
  percentSymbol: '%',
  perMilleSymbol: '‰',
  percentDecimalDigits: 2,
  percentPositivePattern: 0,
  percentNegativePattern: 0,
};

/** Comma decimal, dot grouping, "n €" currency: the common continental European shape. */
const EURO_NUMBER: NumberCulture = {
  ...BASE_NUMBER,
  decimalSeparator: ',',
  groupSeparator: '.',
  currencySymbol: '€',
  currencyPositivePattern: 3,
  currencyNegativePattern: 8,
  percentPositivePattern: 0,
  percentNegativePattern: 0,
};

export const INVARIANT: Culture = {
  name: '',
  monthNames: ENGLISH_MONTHS,
  abbreviatedMonthNames: ENGLISH_MONTHS_ABBR,
  dayNames: ENGLISH_DAYS,
  abbreviatedDayNames: ENGLISH_DAYS_ABBR,
  am: 'AM',
  pm: 'PM',
  eraName: 'A.D.',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'MM/dd/yyyy',
  longDatePattern: 'dddd, dd MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'MMMM dd',
  yearMonthPattern: 'yyyy MMMM',
  number: BASE_NUMBER,
};

const EN_US: Culture = {
  ...INVARIANT,
  name: 'en-US',
  shortDatePattern: 'M/d/yyyy',
  longDatePattern: 'dddd, MMMM d, yyyy',
  shortTimePattern: 'h:mm tt',
  longTimePattern: 'h:mm:ss tt',
  monthDayPattern: 'MMMM d',
  yearMonthPattern: 'MMMM yyyy',
  number: {
    ...BASE_NUMBER,
    currencySymbol: '$',
    currencyPositivePattern: 0,
    currencyNegativePattern: 1,
    percentPositivePattern: 1,
    percentNegativePattern: 1,
  },
};

const EN_GB: Culture = {
  ...EN_US,
  name: 'en-GB',
  am: 'am',
  pm: 'pm',
  shortDatePattern: 'dd/MM/yyyy',
  longDatePattern: 'dd MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd MMMM',
  yearMonthPattern: 'MMMM yyyy',
  number: { ...EN_US.number, currencySymbol: '£' },
};

const FR_FR: Culture = {
  name: 'fr-FR',
  monthNames: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  abbreviatedMonthNames: [
    'janv.',
    'févr.',
    'mars',
    'avr.',
    'mai',
    'juin',
    'juil.',
    'août',
    'sept.',
    'oct.',
    'nov.',
    'déc.',
  ],
  dayNames: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
  abbreviatedDayNames: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
  am: 'AM',
  pm: 'PM',
  eraName: 'ap. J.-C.',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'dd/MM/yyyy',
  longDatePattern: 'dddd d MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd MMMM',
  yearMonthPattern: 'MMMM yyyy',
  number: { ...EURO_NUMBER, groupSeparator: '\u202f' },
};

const DE_DE: Culture = {
  name: 'de-DE',
  monthNames: [
    'Januar',
    'Februar',
    'März',
    'April',
    'Mai',
    'Juni',
    'Juli',
    'August',
    'September',
    'Oktober',
    'November',
    'Dezember',
  ],
  abbreviatedMonthNames: ['Jan', 'Feb', 'Mrz', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez'],
  dayNames: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
  abbreviatedDayNames: ['So', 'Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa'],
  am: 'AM',
  pm: 'PM',
  eraName: 'n. Chr.',
  dateSeparator: '.',
  timeSeparator: ':',
  shortDatePattern: 'dd.MM.yyyy',
  longDatePattern: 'dddd, d. MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd. MMMM',
  yearMonthPattern: 'MMMM yyyy',
  number: EURO_NUMBER,
};

const ES_ES: Culture = {
  name: 'es-ES',
  monthNames: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
  abbreviatedMonthNames: [
    'ene.',
    'feb.',
    'mar.',
    'abr.',
    'may.',
    'jun.',
    'jul.',
    'ago.',
    'sept.',
    'oct.',
    'nov.',
    'dic.',
  ],
  dayNames: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
  abbreviatedDayNames: ['dom.', 'lun.', 'mar.', 'mié.', 'jue.', 'vie.', 'sáb.'],
  am: 'a. m.',
  pm: 'p. m.',
  eraName: 'd. C.',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'dd/MM/yyyy',
  longDatePattern: "dddd, d' de 'MMMM' de 'yyyy",
  shortTimePattern: 'H:mm',
  longTimePattern: 'H:mm:ss',
  monthDayPattern: "d' de 'MMMM",
  yearMonthPattern: "MMMM' de 'yyyy",
  number: EURO_NUMBER,
};

const IT_IT: Culture = {
  name: 'it-IT',
  monthNames: [
    'gennaio',
    'febbraio',
    'marzo',
    'aprile',
    'maggio',
    'giugno',
    'luglio',
    'agosto',
    'settembre',
    'ottobre',
    'novembre',
    'dicembre',
  ],
  abbreviatedMonthNames: ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'],
  dayNames: ['domenica', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato'],
  abbreviatedDayNames: ['dom', 'lun', 'mar', 'mer', 'gio', 'ven', 'sab'],
  am: 'AM',
  pm: 'PM',
  eraName: 'd.C.',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'dd/MM/yyyy',
  longDatePattern: 'dddd d MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd MMMM',
  yearMonthPattern: 'MMMM yyyy',
  number: { ...EURO_NUMBER, percentPositivePattern: 1, percentNegativePattern: 1 },
};

const PT_BR: Culture = {
  name: 'pt-BR',
  monthNames: [
    'janeiro',
    'fevereiro',
    'março',
    'abril',
    'maio',
    'junho',
    'julho',
    'agosto',
    'setembro',
    'outubro',
    'novembro',
    'dezembro',
  ],
  abbreviatedMonthNames: ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'],
  dayNames: ['domingo', 'segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado'],
  abbreviatedDayNames: ['dom', 'seg', 'ter', 'qua', 'qui', 'sex', 'sáb'],
  am: 'AM',
  pm: 'PM',
  eraName: 'd.C.',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'dd/MM/yyyy',
  longDatePattern: "dddd, d' de 'MMMM' de 'yyyy",
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: "d' de 'MMMM",
  yearMonthPattern: "MMMM' de 'yyyy",
  number: {
    ...EURO_NUMBER,
    currencySymbol: 'R$',
    currencyPositivePattern: 2,
    currencyNegativePattern: 9,
    percentPositivePattern: 1,
    percentNegativePattern: 1,
  },
};

const NL_NL: Culture = {
  name: 'nl-NL',
  monthNames: [
    'januari',
    'februari',
    'maart',
    'april',
    'mei',
    'juni',
    'juli',
    'augustus',
    'september',
    'oktober',
    'november',
    'december',
  ],
  abbreviatedMonthNames: ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'],
  dayNames: ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'],
  abbreviatedDayNames: ['zo', 'ma', 'di', 'wo', 'do', 'vr', 'za'],
  am: 'a.m.',
  pm: 'p.m.',
  eraName: 'n.Chr.',
  dateSeparator: '-',
  timeSeparator: ':',
  shortDatePattern: 'd-M-yyyy',
  longDatePattern: 'dddd d MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd MMMM',
  yearMonthPattern: 'MMMM yyyy',
  number: {
    ...EURO_NUMBER,
    currencyPositivePattern: 2,
    currencyNegativePattern: 12,
    percentPositivePattern: 1,
    percentNegativePattern: 1,
  },
};

const JA_JP: Culture = {
  name: 'ja-JP',
  monthNames: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
  abbreviatedMonthNames: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
  dayNames: ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'],
  abbreviatedDayNames: ['日', '月', '火', '水', '木', '金', '土'],
  am: '午前',
  pm: '午後',
  eraName: '西暦',
  dateSeparator: '/',
  timeSeparator: ':',
  shortDatePattern: 'yyyy/MM/dd',
  longDatePattern: "yyyy'年'M'月'd'日'",
  shortTimePattern: 'H:mm',
  longTimePattern: 'H:mm:ss',
  monthDayPattern: "M'月'd'日'",
  yearMonthPattern: "yyyy'年'M'月'",
  number: {
    ...BASE_NUMBER,
    currencySymbol: '￥',
    currencyDecimalDigits: 0,
    currencyPositivePattern: 0,
    currencyNegativePattern: 1,
    percentPositivePattern: 1,
    percentNegativePattern: 1,
  },
};

const IS_IS: Culture = {
  name: 'is-IS',
  monthNames: [
    'janúar',
    'febrúar',
    'mars',
    'apríl',
    'maí',
    'júní',
    'júlí',
    'ágúst',
    'september',
    'október',
    'nóvember',
    'desember',
  ],
  abbreviatedMonthNames: [
    'jan.',
    'feb.',
    'mar.',
    'apr.',
    'maí',
    'jún.',
    'júl.',
    'ágú.',
    'sep.',
    'okt.',
    'nóv.',
    'des.',
  ],
  dayNames: ['sunnudagur', 'mánudagur', 'þriðjudagur', 'miðvikudagur', 'fimmtudagur', 'föstudagur', 'laugardagur'],
  abbreviatedDayNames: ['sun.', 'mán.', 'þri.', 'mið.', 'fim.', 'fös.', 'lau.'],
  am: 'f.h.',
  pm: 'e.h.',
  eraName: 'e.Kr.',
  dateSeparator: '.',
  timeSeparator: ':',
  shortDatePattern: 'd.M.yyyy',
  longDatePattern: 'dddd, d. MMMM yyyy',
  shortTimePattern: 'HH:mm',
  longTimePattern: 'HH:mm:ss',
  monthDayPattern: 'd. MMMM',
  yearMonthPattern: 'MMMM yyyy',
  // The Logic Apps docs print formatNumber(17.35, 'C2', 'is-IS') as "17,35 kr".
  number: { ...EURO_NUMBER, currencySymbol: 'kr', currencyDecimalDigits: 0 },
};

const CULTURES = new Map<string, Culture>();
for (const c of [EN_US, EN_GB, FR_FR, DE_DE, ES_ES, IT_IT, PT_BR, NL_NL, JA_JP, IS_IS]) {
  CULTURES.set(c.name.toLowerCase(), c);
  // A neutral name ('fr') resolves to its main specific culture, as .NET formatting does.
  const neutral = c.name.slice(0, 2).toLowerCase();
  if (!CULTURES.has(neutral)) CULTURES.set(neutral, c);
}

export const DEFAULT_CULTURE = EN_US;

/** Every culture name we know (canonical spelling), for tests and error messages. */
export const CULTURE_NAMES: readonly string[] = [...new Set([...CULTURES.values()].map((c) => c.name))];

/**
 * The culture for a WDL locale argument: case-insensitive (`fr-FR` = `fr-fr`), `''` is the
 * invariant culture, undefined/null is the default en-US. Unknown names are an error, as .NET's
 * CultureNotFoundException is.
 */
export function resolveCulture(name: string | null | undefined): Culture {
  if (name === undefined || name === null) return DEFAULT_CULTURE;
  if (name === '') return INVARIANT;
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  if (key === 'iv' || key === 'invariant') return INVARIANT;
  const culture = CULTURES.get(key);
  if (culture === undefined) {
    throw new ExpressionError(
      'InvalidArgument',
      `The provided locale '${name}' is not valid or has no associated culture.`,
    );
  }
  return culture;
}
