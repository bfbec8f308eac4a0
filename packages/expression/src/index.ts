// The WDL expression language. Public API is re-exported here.
export { compileString, compileValue, compileCondition, evaluateString, type Compiled } from './template.js';
export { toJson, toJsonShared, stringifyValue, toText, formatDouble } from './text.js';
export { listFunctions, lookupFunction } from './registry.js';
export { parseJson } from './json.js';
export { parseTemplate, parseExpressionAt } from './parser.js';
export { accessMember } from './compiler.js';
export { deepEquals } from './compare.js';
export { Decimal, decimalFromDouble, decimalFromInt, makeDecimal } from './decimal.js';
export { mkFloat, normInt, checkedInt } from './numbers.js';
export { findKey, setOwn } from './objects.js';
export {
  isEnvelope,
  isXmlEnvelope,
  makeEnvelope,
  envelopeText,
  base64ToBytes,
  bytesToBase64,
  utf8Bytes,
  OCTET_STREAM,
  XML_UTF8,
  type Envelope,
} from './binary.js';
export { kindName } from './coerce.js';
export { ExpressionError, invalidArgument, type ExpressionErrorCode, type ExpressionErrorData } from './errors.js';
export type { WorkflowContext } from './context.js';
export type { FunctionDef, LazyFunctionDef, AnyFunctionDef } from './functions/types.js';
export type { Node, Template } from './ast.js';
export {
  Float,
  isString,
  isBoolean,
  isArray,
  isFloatBox,
  isDecimal,
  isInteger,
  isFloat,
  isNumber,
  isObject,
  kindOf,
  type Value,
  type ValueObject,
  type DecimalLike,
  type Kind,
} from './values.js';
export { resolveTimeZone, type TimeZone } from './datetime/timezones.js';
