// Deep "expected is a subset of actual" comparison for scenario expectations: objects compare
// only the keys the expectation names; arrays compare length and each element.
export function subsetMismatch(expected: unknown, actual: unknown, path = ''): string | undefined {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(expected, actual)
      ? undefined
      : `${path || '/'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path || '/'}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length !== actual.length)
      return `${path || '/'}: expected ${expected.length} elements, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(expected[i], actual[i], `${path}/${i}`);
      if (m) return m;
    }
    return undefined;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
    return `${path || '/'}: expected an object, got ${JSON.stringify(actual)}`;
  for (const [k, v] of Object.entries(expected)) {
    const m = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${path}/${k}`);
    if (m) return m;
  }
  return undefined;
}
