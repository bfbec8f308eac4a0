// Errors of ARM template import. Codes are part of DefinitionErrorCode; the template walker turns
// an ArmError into a DefinitionError with the JSON pointer of the string that held the expression.
import type { DefinitionErrorCode } from '../../types.js';

export type ArmErrorCode = Extract<
  DefinitionErrorCode,
  'InvalidArmExpression' | 'ArmUnsupportedFunction' | 'ArmParameterMissing' | 'InvalidArmParameters'
>;

export class ArmError extends Error {
  /** Set where the failing string is known (a variable or a parameter default, not the referrer). */
  pointer?: string;
  constructor(
    readonly code: ArmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}
