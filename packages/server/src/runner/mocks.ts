/**
 * `--mock` files: action name → `{status, outputs, error?}` (or the same map under "actions").
 * A mocked action performs no effect; the host answers its command with the mock.
 */
import type { EffectResult } from '../effects/types.js';
import { isRecord } from '../util/json.js';

export interface ActionMock {
  status: EffectResult['status'];
  outputs?: unknown;
  error?: { code: string; message: string };
}

/** Keyed by lower-cased action name: action names match case-insensitively. */
export type MockTable = Map<string, ActionMock & { name: string }>;

export type MockErrorCode = 'InvalidMockFile' | 'InvalidMock';
export interface MockError {
  code: MockErrorCode;
  message: string;
  pointer: string;
}

const statuses = new Set(['Succeeded', 'Failed', 'TimedOut']);

export function parseMocks(json: unknown): { mocks: MockTable; errors: MockError[] } {
  const mocks: MockTable = new Map();
  const errors: MockError[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    errors.push({
      code: 'InvalidMockFile',
      message: 'A mock file is an object mapping action names to {status, outputs}.',
      pointer: '',
    });
    return { mocks, errors };
  }
  const root = json as Record<string, unknown>;
  const wrapped = isRecord(root.actions);
  const table = (wrapped ? root.actions : root) as Record<string, unknown>;
  const prefix = wrapped ? '/actions' : '';
  for (const [name, entry] of Object.entries(table)) {
    const pointer = `${prefix}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push({
        code: 'InvalidMock',
        message: `The mock for '${name}' must be an object {status, outputs}.`,
        pointer,
      });
      continue;
    }
    const e = entry as Record<string, unknown>;
    const status = canonicalStatus(e.status ?? 'Succeeded');
    if (!status) {
      errors.push({
        code: 'InvalidMock',
        message: `The mock for '${name}' has status '${String(e.status)}'; use Succeeded, Failed or TimedOut.`,
        pointer: `${pointer}/status`,
      });
      continue;
    }
    const mock: ActionMock & { name: string } = { name, status };
    if ('outputs' in e) mock.outputs = e.outputs;
    const error = e.error;
    if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
      const { code, message } = error as { code: string; message?: unknown };
      mock.error = { code, message: typeof message === 'string' ? message : code };
    } else if (status !== 'Succeeded') {
      mock.error =
        status === 'TimedOut'
          ? { code: 'ActionTimedOut', message: `Action '${name}' timed out (mocked).` }
          : { code: 'ActionFailed', message: `Action '${name}' failed (mocked).` };
    }
    mocks.set(name.toLowerCase(), mock);
  }
  return { mocks, errors };
}

function canonicalStatus(value: unknown): ActionMock['status'] | undefined {
  if (typeof value !== 'string') return undefined;
  for (const s of statuses) if (s.toLowerCase() === value.toLowerCase()) return s as ActionMock['status'];
  return undefined;
}
