/** Reading a JSON file named on the command line, with messages that name the file. */
import { readFile } from 'node:fs/promises';
import { JSON_DEPTH, jsonDepthExceeds } from '../util/json-depth.js';

export type ReadJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; code: 'UnreadableFile' | 'InvalidJson' | 'NestingTooDeep'; message: string };

/**
 * Reads and parses `path`. JSON nested deeper than the server takes a trigger body (json-depth.ts)
 * is refused here: validating, compiling or running it would overflow the stack.
 */
export async function readJsonFile(path: string): Promise<ReadJsonResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { ok: false, code: 'UnreadableFile', message: `cannot read '${path}': ${reason}` };
  }
  if (jsonDepthExceeds(text, JSON_DEPTH.payload)) {
    const message = `'${path}' nests arrays and objects deeper than ${JSON_DEPTH.payload} levels`;
    return { ok: false, code: 'NestingTooDeep', message };
  }
  try {
    // A UTF-8 byte-order mark is common in files saved on Windows (Logic Apps exports).
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
  } catch (error) {
    return { ok: false, code: 'InvalidJson', message: `'${path}' is not valid JSON: ${(error as Error).message}` };
  }
}

/** Splits `--flag value` options from positional arguments. */
export function parseArgs(
  args: string[],
  valueFlags: readonly string[],
  booleanFlags: readonly string[],
): { positional: string[]; values: Map<string, string>; flags: Set<string>; error?: string } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (valueFlags.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return { positional, values, flags, error: `${name} needs a value` };
      values.set(name, value);
    } else if (booleanFlags.includes(arg)) {
      flags.add(arg);
    } else if (arg.startsWith('--') && arg.length > 2) {
      return { positional, values, flags, error: `unknown option '${arg}'` };
    } else {
      positional.push(arg);
    }
  }
  return { positional, values, flags };
}
