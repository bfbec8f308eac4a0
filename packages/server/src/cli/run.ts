/**
 * `flowbridge run <definition.json> [--trigger-body <file|json>] [--trigger-headers <file|json>]
 *                [--parameters <file>] [--settings <file>] [--mock <file>] [--arm-parameters <file>]`
 * Runs one definition locally, without a server, and prints the run result JSON on stdout. An ARM
 * deployment template has its "[...]" expressions evaluated first (with the ARM parameters file).
 * Exit 0 when the run ends Succeeded, 1 when it ends otherwise, 2 when the definition or an
 * input file is invalid.
 */
import { existsSync } from 'node:fs';
import { loadDefinition, validateDefinition } from '@flowbridge/engine';
import { outboundPolicyFrom } from '../config.js';
import { toJsonText } from '../effects/content.js';
import { createOutboundClient } from '../effects/outbound.js';
import { parseAppSettings, processAppSettings } from '../store/app-settings.js';
import { realClock, VirtualClock } from '../runner/clock.js';
import { parseMocks, type MockTable } from '../runner/mocks.js';
import { isRecord } from '../util/json.js';
import { runDefinition } from '../runner/run-definition.js';
import type { CliIO } from './io.js';
import { parseArgs, readJsonFile } from './read-json.js';

const usage =
  'Usage: flowbridge run <definition.json> [--trigger-body <file|json>] [--trigger-headers <file|json>]\n' +
  '                      [--parameters <file>] [--settings <file>] [--mock <file>] [--arm-parameters <file>]\n' +
  '                      [--compact] [--listen] [--virtual-time]\n';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(
    args,
    ['--trigger-body', '--trigger-headers', '--parameters', '--settings', '--mock', '--arm-parameters'],
    ['--compact', '--listen', '--virtual-time'],
  );
  if (parsed.error || parsed.positional.length !== 1) {
    io.stderr(`flowbridge run: ${parsed.error ?? 'name exactly one definition file'}\n${usage}`);
    return 2;
  }
  const path = parsed.positional[0]!;
  const fail = (message: string): number => {
    io.stderr(`flowbridge run: ${message}\n`);
    return 2;
  };

  const definition = await readJsonFile(path);
  if (!definition.ok) return fail(definition.message);

  let triggerBody: unknown;
  const bodyArg = parsed.values.get('--trigger-body');
  if (bodyArg !== undefined) {
    const body = await jsonArgument('--trigger-body', bodyArg);
    if (!body.ok) return fail(body.message);
    triggerBody = body.value;
  }

  let triggerHeaders: Record<string, string> | undefined;
  const headersArg = parsed.values.get('--trigger-headers');
  if (headersArg !== undefined) {
    const read = await jsonArgument('--trigger-headers', headersArg);
    if (!read.ok) return fail(read.message);
    const headers = headerValues(read.value);
    if (!headers) return fail(`--trigger-headers must be an object of header values ({"name": "value"})`);
    triggerHeaders = headers;
  }

  // App settings: FLOWBRIDGE_APPSETTING_<name> variables, overridden by --settings.
  let appSettings = processAppSettings(process.env);
  const settingsPath = parsed.values.get('--settings');
  if (settingsPath !== undefined) {
    const read = await readJsonFile(settingsPath);
    if (!read.ok) return fail(read.message);
    // A Logic Apps Standard local.settings.json keeps them under "Values".
    const root = isRecord(read.value) && isRecord(read.value.Values) ? read.value.Values : read.value;
    const settings = parseAppSettings(root);
    if ('error' in settings) return fail(`'${settingsPath}': ${settings.error.message}`);
    appSettings = { ...appSettings, ...settings.settings };
  }

  let parameters: Record<string, unknown> | undefined;
  const parametersPath = parsed.values.get('--parameters');
  if (parametersPath !== undefined) {
    const read = await readJsonFile(parametersPath);
    if (!read.ok) return fail(read.message);
    const values = parameterValues(read.value);
    if (!values)
      return fail(
        `'${parametersPath}' must be an object of parameter values ({"name": value} or {"name": {"value": value}})`,
      );
    parameters = values;
  }

  // An ARM template runs as the definition its expressions produce, with its parameter values
  // under any --parameters; errors point into the template as given.
  const armPath = parsed.values.get('--arm-parameters');
  let file = definition.value;
  let armParameters: unknown;
  if (armPath !== undefined) {
    const read = await readJsonFile(armPath);
    if (!read.ok) return fail(read.message);
    armParameters = read.value;
  }
  const arm = loadDefinition(file, armParameters !== undefined ? { armParameters } : {});
  if (arm.loaded?.armEvaluated) {
    const armErrors = validateDefinition(file, { armParameters, ...(parameters ? { parameters } : {}) });
    if (armErrors.length > 0) return invalid(io, path, armErrors);
    file = arm.loaded.definition;
    parameters = { ...arm.loaded.parameterValues, ...parameters };
  } else if (arm.errors.length > 0) return invalid(io, path, arm.errors);

  let mocks: MockTable | undefined;
  const mockPath = parsed.values.get('--mock');
  if (mockPath !== undefined) {
    const read = await readJsonFile(mockPath);
    if (!read.ok) return fail(read.message);
    const result = parseMocks(read.value);
    if (result.errors.length > 0) {
      return fail(
        `'${mockPath}' is not a valid mock file:\n${result.errors.map((e) => `  ${e.pointer || '/'}  ${e.code}: ${e.message}`).join('\n')}`,
      );
    }
    mocks = result.mocks;
  }

  // Http calls obey the same outbound policy as the server's (FLOWBRIDGE_OUTBOUND_DENY / _ALLOW).
  const outbound = outboundPolicyFrom(process.env);
  if ('error' in outbound) return fail(outbound.error.message);

  // Ctrl-C cancels the run and still prints its result.
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const outcome = await runDefinition({
      file,
      path,
      ...(triggerBody !== undefined ? { triggerBody } : {}),
      ...(triggerHeaders ? { triggerHeaders } : {}),
      ...(parameters ? { parameters } : {}),
      ...(Object.keys(appSettings).length > 0 ? { appSettings } : {}),
      host: {
        clock: parsed.flags.has('--virtual-time') ? new VirtualClock(Date.now()) : realClock,
        ...(mocks ? { mocks } : {}),
        listenForCallbacks: parsed.flags.has('--listen'),
        signal: controller.signal,
      },
      effects: { http: { outbound: createOutboundClient(outbound.policy) } },
    });
    if (!outcome.ok) return invalid(io, path, outcome.errors);
    for (const name of outcome.unusedMocks)
      io.stderr(`flowbridge run: warning: mock '${name}' was not used (no such action with effects ran)\n`);
    if (outcome.stalled) {
      io.stderr(
        `flowbridge run: the run is waiting for a callback (${outcome.stalled.keys.join(', ')}); use --listen to receive it, or --mock the action\n`,
      );
    }
    io.stdout(`${toJsonText(outcome.result, parsed.flags.has('--compact') ? 0 : 2)}\n`);
    return outcome.result.status === 'Succeeded' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

function invalid(
  io: CliIO,
  path: string,
  errors: ReadonlyArray<{ pointer: string; code: string; message: string }>,
): number {
  io.stderr(`flowbridge run: '${path}' is not a valid workflow definition:\n`);
  for (const e of errors) io.stderr(`  ${e.pointer || '/'}  ${e.code}: ${e.message}\n`);
  return 2;
}

/** A JSON argument (`--trigger-body`, `--trigger-headers`) is a file when one exists by that name, else JSON text. */
async function jsonArgument(
  flag: string,
  arg: string,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  if (existsSync(arg)) {
    const read = await readJsonFile(arg);
    return read.ok ? read : { ok: false, message: read.message };
  }
  try {
    return { ok: true, value: JSON.parse(arg) as unknown };
  } catch {
    return { ok: false, message: `${flag} '${arg}' is neither a readable file nor JSON` };
  }
}

/** Header values as the caller would send them: strings (numbers and booleans are written out). */
function headerValues(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else return undefined;
  }
  return out;
}

/**
 * Parameter files come as plain values ({"name": value}) or in the ARM / Logic Apps Standard
 * parameters.json form ({"name": {"type"?, "value": value}}).
 */
export function parameterValues(json: unknown): Record<string, unknown> | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  let root = json as Record<string, unknown>;
  // A whole ARM parameters file: {"$schema", "contentVersion", "parameters": {...}}.
  if ('parameters' in root && ('$schema' in root || 'contentVersion' in root)) {
    const inner = root.parameters;
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return undefined;
    root = inner as Record<string, unknown>;
  }
  const entries = Object.entries(root);
  const wrapped =
    entries.length > 0 &&
    entries.every(([, v]) => isRecord(v) && 'value' in v && Object.keys(v).every((k) => k === 'value' || k === 'type'));
  return Object.fromEntries(entries.map(([k, v]) => [k, wrapped ? (v as { value: unknown }).value : v]));
}
