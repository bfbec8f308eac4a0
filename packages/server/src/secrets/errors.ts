/** Errors of the secret store as data, with codes from a closed union. */
export type SecretErrorCode =
  | 'InvalidSecretKey' // FLOWBRIDGE_SECRET_KEY is empty, or secret.key does not hold 32 bytes
  | 'SecretKeyUnavailable' // the key file cannot be read or created (permissions, disk)
  | 'MalformedSecret' // not an envelope we wrote (truncated, not base64url)
  | 'UnsupportedSecretVersion' // an envelope of a format this build does not know
  | 'SecretKeyMismatch' // written with another master key (the key changed)
  | 'SecretTampered'; // the authentication tag does not match: changed, or moved to another context

export interface SecretError {
  code: SecretErrorCode;
  message: string;
}

export type SecretResult<T> = { ok: true; value: T } | { ok: false; error: SecretError };

export function secretError(code: SecretErrorCode, message: string): { ok: false; error: SecretError } {
  return { ok: false, error: { code, message } };
}
