/**
 * The `api-version` of a trigger URL. Logic Apps refuses a call to a trigger URL without one, or
 * with a version it does not know, with 400 and ARM's codes (MissingApiVersionParameter,
 * InvalidApiVersionParameter), before it looks at the signature. We hand out 2016-06-01 (as Logic
 * Apps does) and accept the other versions of the Microsoft.Logic API that listCallbackUrl puts
 * into the URLs it returns when asked with them, so URLs copied from Azure keep working.
 */
import { TRIGGER_API_VERSION } from '../host/signing.js';
import { ApiError } from '../util/api-errors.js';

export const TRIGGER_API_VERSIONS: readonly string[] = [
  TRIGGER_API_VERSION,
  '2016-10-01',
  '2018-07-01-preview',
  '2019-05-01',
];

/** Throws the 400 Logic Apps answers when the query's api-version is missing or unknown. */
export function checkApiVersion(query: unknown): void {
  const value =
    typeof query === 'object' && query !== null ? (query as Record<string, unknown>)['api-version'] : undefined;
  if (value === undefined || value === '')
    throw ApiError.of(
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
      'api-version',
    );
  if (typeof value !== 'string' || !TRIGGER_API_VERSIONS.includes(value))
    throw ApiError.of(
      'InvalidApiVersionParameter',
      `The api-version '${String(value)}' is invalid. The supported versions are '${TRIGGER_API_VERSIONS.join(',')}'.`,
      'api-version',
    );
}
