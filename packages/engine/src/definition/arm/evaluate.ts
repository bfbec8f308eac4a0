// Evaluates ARM template expressions: a JSON string that is wholly "[...]" is an expression,
// except that a leading "[[" escapes the bracket (the string is kept, one "[" shorter).
import { ArmError } from './errors.js';
import { armFunction, type ArmScope } from './functions.js';
import { parseArmExpression, type ArmNode } from './parse.js';
import { isObj, propOf, typeName } from './values.js';

/** What a JSON string is to ARM: an expression to evaluate, an escaped literal, or plain text. */
export function classifyArmString(s: string): { expression: string } | { literal: string } | undefined {
  if (s.length < 2 || s[0] !== '[' || s[s.length - 1] !== ']') return undefined;
  if (s[1] === '[') return { literal: s.slice(1) };
  return { expression: s.slice(1, -1) };
}

/** Evaluates the text between the outer brackets. Throws ArmError. */
export function evaluateArmExpression(text: string, scope: ArmScope): unknown {
  return evaluateNode(parseArmExpression(text), scope);
}

export function evaluateNode(node: ArmNode, scope: ArmScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property': {
      const target = evaluateNode(node.target, scope);
      if (!isObj(target))
        throw new ArmError(
          'InvalidArmExpression',
          `Cannot read '.${node.name}' of ${typeName(target)} (at ${node.at}).`,
        );
      const found = propOf(target, node.name);
      if (!found.found)
        throw new ArmError(
          'InvalidArmExpression',
          `The object has no property '${node.name}' (at ${node.at}); it has: ${Object.keys(target).join(', ') || 'none'}.`,
        );
      return found.value;
    }
    case 'index': {
      const target = evaluateNode(node.target, scope);
      const index = evaluateNode(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number' && Number.isInteger(index)) {
        if (index < 0 || index >= target.length)
          throw new ArmError(
            'InvalidArmExpression',
            `Index ${index} is outside the array of ${target.length} (at ${node.at}).`,
          );
        return target[index];
      }
      if (isObj(target) && typeof index === 'string') {
        const found = propOf(target, index);
        if (!found.found)
          throw new ArmError('InvalidArmExpression', `The object has no property '${index}' (at ${node.at}).`);
        return found.value;
      }
      throw new ArmError(
        'InvalidArmExpression',
        `Cannot index ${typeName(target)} with ${typeName(index)} (at ${node.at}).`,
      );
    }
    case 'call': {
      const found = armFunction(node.name);
      if (!found)
        throw new ArmError(
          'ArmUnsupportedFunction',
          `The ARM template function '${node.name}' cannot be evaluated at import${needsAzure(node.name) ? ' (it needs a live Azure deployment)' : ''}.`,
        );
      const { name, f } = found;
      const max = f.max ?? Infinity;
      if (node.args.length < f.min || node.args.length > max)
        throw new ArmError(
          'InvalidArmExpression',
          `'${name}' takes ${f.min === max ? f.min : `${f.min}${max === Infinity ? ' or more' : `-${max}`}`} argument(s), not ${node.args.length}.`,
        );
      if ('lazy' in f) return f.lazy(node.args, (n) => evaluateNode(n, scope));
      return f.call(
        node.args.map((a) => evaluateNode(a, scope)),
        scope,
        name,
      );
    }
  }
}

function needsAzure(name: string): boolean {
  return /^(reference|references|list\w*|environment|providers|pickZones|managementGroup|tenant|copyIndex|extensionResourceId|managementGroupResourceId)$/i.test(
    name,
  );
}
